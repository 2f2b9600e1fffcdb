"""MkDocs hook: what axe-core asks of the built pages that the theme and plugins leave out.

* Material's search overlay (``role="dialog"``) gets an accessible name.
* Regions that may scroll sideways become reachable by keyboard (``tabindex="0"``), so a
  reader without a mouse can scroll them: the labs' code cells, content tables (Material
  wraps each in a scrolling box at run time, which a hook cannot reach, so the table itself
  takes the focus and the arrow keys scroll its box), display formulas, and code blocks
  (``pre > code``, matched as the tag ``pre>code``). Material makes a code block focusable when
  it finds the block too wide, but it looks only at blocks that have come into view
  (``content.lazy`` in mkdocs.yml, for page speed): until then a keyboard reader could not
  reach the block. Once it has looked, Material takes the stop away from a block that fits.

The page is read with :class:`html.parser.HTMLParser`; attributes are inserted at the end of
the start tags it finds, so nothing else of the page is rewritten.
"""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser

Attributes = dict[str, str]
Rule = tuple[Callable[[str, Attributes], bool], str, str]  # (matches tag, attrs), name, value


def _classes(attrs: Attributes) -> set[str]:
    return set(attrs.get("class", "").split())


RULES: list[Rule] = [
    (lambda tag, a: "md-search" in _classes(a) and a.get("role") == "dialog", "aria-label", "Search"),
    (
        lambda tag, a: tag == "div" and any(c.startswith("highlight-ipynb") for c in _classes(a)),
        "tabindex",
        "0",
    ),
    (lambda tag, a: tag == "table", "tabindex", "0"),
    (lambda tag, a: tag == "math" and a.get("display") == "block", "tabindex", "0"),
    (lambda tag, a: tag == "pre>code", "tabindex", "0"),
]


class _StartTags(HTMLParser):
    """Offsets in the page of the start tags that a rule adds an attribute to."""

    def __init__(self, page_html: str, rules: list[Rule]) -> None:
        super().__init__(convert_charrefs=True)
        self.rules = rules
        self.line_starts = [0]
        for line in page_html.splitlines(keepends=True):
            self.line_starts.append(self.line_starts[-1] + len(line))
        self.insertions: list[tuple[int, str]] = []
        self.open_pre = 0  # <pre> elements open at this point of the page

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self.open_pre = max(0, self.open_pre - 1)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "pre":
            self.open_pre += 1
        elif tag == "code" and self.open_pre:
            tag = "pre>code"  # the element that scrolls in a code block
        text = self.get_starttag_text() or ""
        line, column = self.getpos()
        end = self.line_starts[line - 1] + column + len(text) - (2 if text.endswith("/>") else 1)
        added = "".join(
            f' {name}="{value}"'
            for matches, name, value in self.rules
            if name not in values and matches(tag, values)
        )
        if added:
            self.insertions.append((end, added))

    handle_startendtag = handle_starttag


def with_attributes(page_html: str, rules: list[Rule] = RULES) -> str:
    """``page_html`` with each rule's attribute on every start tag the rule matches (never
    replacing an attribute the tag already has)."""
    parser = _StartTags(page_html, rules)
    parser.feed(page_html)
    parser.close()
    out, last = [], 0
    for offset, text in parser.insertions:
        out += [page_html[last:offset], text]
        last = offset
    return "".join([*out, page_html[last:]])


def on_post_page(output: str, **kwargs) -> str:
    return with_attributes(output)


def on_post_template(output_content: str, **kwargs) -> str:
    """Pages rendered from a theme template alone (404.html) get the same fixes."""
    return on_post_page(output_content)
