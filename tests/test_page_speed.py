"""Loading a page does little main-thread work: checks that count work, never time it.

Lighthouse (``python -m benchmarks.site``) measures the speed; what made it slow was work that
can be counted exactly. At load, Material's palette start-up added and removed an attribute that
one of its own selectors tests above every element, so every element of the page was styled
again, twice, and a long page's off-screen code, tables and figures were styled and laid out
before anyone could see them. Chromium's trace counts the elements each style calculation
touches (``UpdateLayoutTree``, ``elementCount``): the sum over a cold load, divided by the
number of elements on the page (at least ``MIN_ELEMENTS``), is how many times the page was
styled. Measured once on the heaviest page of each kind: 4.4 (the calculator) to 6.1 (the
longest page) before ``hooks/page_speed.py``, ``content-visibility`` in extra.css and Material's
``content.lazy``; 0.5 to 2.6 after. The count moves a little with when frames fall.
"""

from __future__ import annotations

import json

import pytest
import tinycss2
from page_speed import SWITCHING_ATTRIBUTE, theme_names_switching_attribute, without_switching_rules

from tools.page_types import heaviest_pages

MAX_STYLINGS_PER_ELEMENT = 3.0
# Material's own frame (header, navigation, search: some 300-1,300 elements) is styled three or
# four times at start-up whatever the page holds. On a small page that is little work, so the
# ratio is taken over at least this many elements.
MIN_ELEMENTS = 2000
TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline"]


# ------------------------------------------------------------------ the stylesheet rewrite
PALETTE_LIKE = (
    "[data-md-color-scheme=slate]{--md-hue:232}"
    "@media screen{[data-md-color-scheme=slate]{color-scheme:dark}"
    "[data-md-color-switching] *,[data-md-color-switching] :after{transition-duration:0s!important}}"
    ":is(.a,[data-md-color-switching]) .b,.c{color:red}"
)


def test_the_switching_rule_goes_and_every_other_rule_stays() -> None:
    kept = without_switching_rules(PALETTE_LIKE)
    assert SWITCHING_ATTRIBUTE not in kept
    assert kept == (
        "[data-md-color-scheme=slate]{--md-hue:232}\n"
        "@media screen{[data-md-color-scheme=slate]{color-scheme:dark}}\n"
        ".c{color:red}"
    )


def test_materials_own_stylesheets_still_hold_the_rule() -> None:
    """The hook fails the build when Material no longer has the rule; this says so earlier."""
    from mkdocs.theme import Theme

    assert theme_names_switching_attribute(Theme(name="material").dirs)


# ------------------------------------------------------------------ in the browser
@pytest.mark.browser
def test_no_rule_the_browser_holds_tests_the_switching_attribute(page, base_url, built_site) -> None:
    """The served palette stylesheet parses into as many rules as Material's, less the one."""
    page.goto(base_url + "chapters/dilated/")
    sheets = page.evaluate(
        """() => [...document.styleSheets].filter(s => s.href).map(s => {
            const texts = [];
            const walk = rules => { for (const r of rules) { texts.push(r.selectorText || ''); if (r.cssRules) walk(r.cssRules); } };
            walk(s.cssRules);
            return {href: s.href, texts};
        })"""
    )
    offending = [(s["href"], t) for s in sheets for t in s["texts"] if SWITCHING_ATTRIBUTE in t]
    assert offending == []
    palette = next(s for s in sheets if "/palette." in s["href"])
    source = next((built_site / "assets" / "stylesheets").glob("palette.*.min.css"))  # as served
    served_rules = tinycss2.parse_stylesheet(
        source.read_text("utf8"), skip_whitespace=True, skip_comments=True
    )

    def count(rules) -> int:
        total = 0
        for rule in rules:
            total += 1
            if rule.type == "at-rule" and rule.content:
                total += count(
                    tinycss2.parse_rule_list(rule.content, skip_whitespace=True, skip_comments=True)
                )
        return total

    assert len(palette["texts"]) == count(served_rules)


def stylings_per_element(browser, url: str) -> tuple[float, int]:
    """How many times a cold load of ``url`` styles each element of the page, on average, at a
    phone's viewport (elements styled / max(elements on the page, ``MIN_ELEMENTS``)); and how
    many elements the page has."""
    context = browser.new_context(viewport={"width": 412, "height": 823}, is_mobile=True)
    page = context.new_page()
    browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
    page.goto(url, wait_until="load")
    page.wait_for_timeout(1000)  # Material's start-up runs after load too
    elements = page.evaluate("document.getElementsByTagName('*').length")
    events = json.loads(browser.stop_tracing())["traceEvents"]
    context.close()
    styled = sum(
        event["args"].get("elementCount", 0)
        for event in events
        if event.get("name") == "UpdateLayoutTree" and "args" in event
    )
    return styled / max(elements, MIN_ELEMENTS), elements


@pytest.mark.browser
def test_a_cold_load_styles_each_element_at_most_three_times(browser, base_url, built_site) -> None:
    measured = {}
    for kind, path in heaviest_pages(built_site).items():
        ratio, elements = stylings_per_element(browser, base_url + path)
        measured[f"{kind} (/{path}, {elements} elements)"] = round(ratio, 2)
    print("\nStylings per element during a cold load:", json.dumps(measured, indent=1))
    too_many = {page: ratio for page, ratio in measured.items() if ratio > MAX_STYLINGS_PER_ELEMENT}
    assert too_many == {}, too_many


@pytest.mark.browser
def test_read_text_reads_the_blocks_the_browser_skips(page, base_url) -> None:
    """Off screen, a block's ``innerText`` is empty (its rendering is skipped); READ_TEXT, what the
    text tests read, has all of it, as a reader who selects and copies the page gets it."""
    from browser_support import READ_TEXT

    page.goto(base_url + "chapters/dilated/")
    skipped = page.evaluate(
        """() => [...document.querySelectorAll('.md-typeset > .highlight')]
                 .filter(b => b.getBoundingClientRect().top > 3 * innerHeight).map(b => b.innerText.length)"""
    )
    assert skipped and set(skipped) == {0}, "off-screen blocks are not skipped: content-visibility is gone"
    article = page.evaluate(READ_TEXT, "article")
    whole = page.evaluate("document.querySelector('article').textContent")
    assert len(article) > 0.8 * len(whole.strip())


@pytest.mark.browser
def test_choosing_a_tab_switches_the_tab_sets_off_screen_too(page, base_url) -> None:
    """Material switches every tab set with the same title (``content.tabs.link``), comparing
    their titles' ``innerText``: a title inside a skipped block would read as empty and its set
    would stay behind. Chosen in the first set, the last set of the page follows."""
    page.goto(base_url + "further/frameworks/")
    page.locator(".tabbed-set").first.locator(".tabbed-labels > label", has_text="Keras").click()
    chosen = page.evaluate(
        """() => [...document.querySelectorAll('.tabbed-set')].map(set => {
             const input = set.querySelector(':scope > input:checked');
             return set.querySelector(`label[for="${input.id}"]`).textContent.trim();
           })"""
    )
    assert len(chosen) > 1 and set(chosen) == {"Keras"}, chosen
