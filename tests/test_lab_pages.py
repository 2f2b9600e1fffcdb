"""The lab pages as a reader sees them in Chromium: each code cell shown once, the notebook
stylesheet read whole by the browser.

A stylesheet that the browser stops reading halfway (an unclosed bracket) leaves part of the
notebook unstyled: nbconvert's hidden copies of the cell sources then show as flat paragraphs.
"""

from __future__ import annotations

import json
import re

import pytest
import tinycss2
from browser_support import READ_TEXT, page_paths

pytestmark = pytest.mark.browser


def lab_pages(site) -> list[str]:
    return [path for path in page_paths(site) if re.fullmatch(r"labs/[^/]+/", path)]


def collapsed(text: str) -> str:
    """``text`` with every run of whitespace as one space: how a flattened copy would read."""
    return " ".join(text.split())


def firefox_only(rule) -> bool:
    """A rule in Firefox's own syntax (``::-moz-selection``, ``@-moz-keyframes``): Chromium
    drops it by design, as it drops any rule with a selector or at-rule it does not know."""
    prelude = tinycss2.serialize(rule.prelude) if rule.type == "qualified-rule" else ""
    return "::-moz-" in prelude or (rule.type == "at-rule" and rule.lower_at_keyword.startswith("-moz-"))


def declared_rules(css: str) -> int:
    """Top-level rules of ``css`` as a CSS parser reads them that Chromium's CSSOM lists: all
    but ``@charset`` (never a CSSOM rule) and Firefox-only syntax."""
    rules = tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True)
    errors = [rule.message for rule in rules if rule.type == "error"]
    assert errors == [], f"the stylesheet does not parse: {errors}"
    charset = [rule for rule in rules if rule.type == "at-rule" and rule.lower_at_keyword == "charset"]
    return len(rules) - len(charset) - sum(map(firefox_only, rules))


def test_every_lab_page_shows_each_code_cell_once(page, base_url, built_site) -> None:
    labs = lab_pages(built_site)
    assert len(labs) >= 9
    problems = {}
    for path in labs:
        notebook = json.loads((built_site / f"{path.rstrip('/')}.ipynb").read_text("utf8"))
        sources = [
            collapsed("".join(cell["source"]))
            for cell in notebook["cells"]
            if cell["cell_type"] == "code" and "".join(cell["source"]).strip()
        ]
        page.goto(base_url + path)
        shown = collapsed(page.evaluate(READ_TEXT, ".md-content"))
        counts = {source[:60]: shown.count(source) for source in sources}
        wrong = {source: count for source, count in counts.items() if count != 1}
        if wrong:
            problems[path] = wrong
    assert problems == {}, json.dumps(problems, indent=1)


def test_the_browser_reads_the_whole_notebook_stylesheet(page, base_url, built_site) -> None:
    css_file = built_site / "assets" / "labs" / "notebook.css"
    declared = declared_rules(css_file.read_text("utf8"))
    page.goto(base_url + lab_pages(built_site)[0])
    in_cssom = page.evaluate(
        """() => Array.from(document.styleSheets)
             .filter(sheet => (sheet.href || '').endsWith('/assets/labs/notebook.css'))
             .map(sheet => sheet.cssRules.length)"""
    )
    assert in_cssom == [declared]


def test_on_a_phone_lab_cells_use_the_whole_width(browser, base_url, built_site) -> None:
    """At 390 px the "In [n]:" prompts give up their column: code and outputs start at the
    content's left edge instead of 76 px into a 358 px column."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    problems = {}
    for path in lab_pages(built_site):
        page.goto(base_url + path)
        shown = page.evaluate(
            """() => Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt, .jp-OutputPrompt'))
                 .filter(prompt => prompt.getBoundingClientRect().width > 0).length"""
        )
        if shown:
            problems[path] = f"{shown} prompts take width"
    context.close()
    assert problems == {}
