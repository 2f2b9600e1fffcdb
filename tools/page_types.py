"""The kinds of page the site has, and the heaviest page of each: what the speed checks load.

A kind is a path prefix under the site's root; its heaviest page is the one whose HTML file is
largest (more elements to style and lay out, more code for Material to set up), so a check that
passes there passes on the lighter pages of the kind too, for the work that grows with the page.
"""

from __future__ import annotations

from pathlib import Path

# kind -> path prefix under the site's root ("" is the home page alone, "404.html" the error page).
PAGE_TYPES: dict[str, str] = {
    "home": "",
    "chapter": "chapters/",
    "going further": "further/",
    "case study": "case-studies/",
    "calculator": "calculator/",
    "lab": "labs/",
    "errata": "errata/",
    "API reference": "reference/",
    "404": "404.html",
}


def pages_of(site: Path, prefix: str) -> list[Path]:
    """The HTML files of ``site`` that belong to ``prefix`` (``""``: the home page only)."""
    if prefix in ("", "404.html"):
        page = site / (prefix or "index.html")
        return [page] if page.is_file() else []
    return sorted((site / prefix).rglob("index.html"))


def reader_path(site: Path, page: Path) -> str:
    """The path a reader opens for ``page``: ``chapters/dilated/`` for ``chapters/dilated/index.html``."""
    relative = page.relative_to(site).as_posix()
    return relative[: -len("index.html")] if relative.endswith("index.html") else relative


def heaviest_pages(site: Path) -> dict[str, str]:
    """Each kind of page -> the reader's path of its largest HTML file in the built ``site``."""
    heaviest = {}
    for kind, prefix in PAGE_TYPES.items():
        pages = pages_of(site, prefix)
        if not pages:
            raise ValueError(f"site {site}: no page of kind {kind!r} (prefix {prefix!r})")
        heaviest[kind] = reader_path(site, max(pages, key=lambda page: page.stat().st_size))
    return heaviest
