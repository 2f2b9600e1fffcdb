"""The strict build passes, and no built page loads anything from another host."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent

# Attributes through which a page makes the browser fetch something.
FETCHING_ATTRIBUTES = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "image": ("href",),
    "use": ("href",),
}
# <link rel=...> values that are metadata, not fetched by the browser.
NON_FETCHING_RELS = {"canonical", "alternate", "prev", "next", "author", "license", "help", "search"}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")


def is_external(url: str) -> bool:
    """True for an address on another host: http(s)://, protocol-relative //host, or any other scheme but data:."""
    url = url.strip()
    parsed = urlparse(url)
    if url.startswith("//"):
        return True
    return parsed.scheme not in ("", "data", "blob", "about") or bool(parsed.netloc)


class FetchFinder(HTMLParser):
    """Collects every URL that a page would fetch by itself."""

    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        names = FETCHING_ATTRIBUTES.get(tag, ())
        if tag == "link" and not set(values.get("rel", "").split()) <= NON_FETCHING_RELS:
            names = ("href",)
        for name in names:
            for candidate in (
                re.split(r",\s*", values.get(name, "")) if "srcset" in name else [values.get(name, "")]
            ):
                if candidate:
                    self.fetched.append(candidate.split()[0])
        self.fetched.extend(match[0] or match[1] for match in CSS_URL.findall(values.get("style", "")))

    def handle_data(self, data: str) -> None:
        if self.lasttag == "style":
            self.fetched.extend(match[0] or match[1] for match in CSS_URL.findall(data))


def fetched_urls(html: str) -> list[str]:
    finder = FetchFinder()
    finder.feed(html)
    return finder.fetched


def test_finder_sees_external_resources() -> None:
    """The scanner itself: it flags each kind of external fetch and ignores plain links."""
    html = """<script src="https://cdn.example/x.js"></script><link rel="stylesheet" href="//fonts.example/css">
    <img srcset="a.png 1x, https://img.example/b.png 2x"><iframe src="http://frame.example"></iframe>
    <div style="background: url('https://bg.example/i.png')"></div><style>@import "https://css.example/a.css";</style>
    <a href="https://example.org/paper">paper</a><link rel="canonical" href="https://site.example/">
    <script src="assets/local.js"></script>"""
    assert sorted(url for url in fetched_urls(html) if is_external(url)) == sorted(
        [
            "https://cdn.example/x.js",
            "//fonts.example/css",
            "https://img.example/b.png",
            "http://frame.example",
            "https://bg.example/i.png",
            "https://css.example/a.css",
        ]
    )


def test_no_page_loads_from_another_host(built_site: Path) -> None:
    offenders = {}
    for page in built_site.rglob("*.html"):
        external = [url for url in fetched_urls(page.read_text("utf8")) if is_external(url)]
        if external:
            offenders[str(page.relative_to(built_site))] = external
    for stylesheet in built_site.rglob("*.css"):
        external = [a or b for a, b in CSS_URL.findall(stylesheet.read_text("utf8")) if is_external(a or b)]
        if external:
            offenders[str(stylesheet.relative_to(built_site))] = external
    assert offenders == {}


def test_formulas_are_mathml_with_no_latex_left(built_site: Path) -> None:
    pages_with_math = 0
    for page in built_site.rglob("*.html"):
        html = page.read_text("utf8")
        text = re.sub(r"<(script|pre|code)\b.*?</\1>", "", html, flags=re.DOTALL)
        assert "arithmatex" not in text, f"{page}: formula left for a script to typeset"
        assert not re.search(r"\\\(|\\\[|\$\$", text), f"{page}: raw LaTeX left in the text"
        pages_with_math += "<math" in html
    assert pages_with_math > 0


def test_included_source_is_shown_not_the_include_line(built_site: Path) -> None:
    for page in built_site.rglob("*.html"):
        assert "--8&lt;--" not in page.read_text("utf8"), f"{page}: an include was not expanded"
