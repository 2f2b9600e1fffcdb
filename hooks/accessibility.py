"""MkDocs hook: what axe-core asks of the built pages that the theme and plugins leave out.

Material's search overlay (``role="dialog"``) gets an accessible name; the labs' code cells,
which scroll sideways, become focusable so a keyboard can scroll them."""

from __future__ import annotations

import re

_SEARCH_DIALOG = re.compile(r'(<div class="md-search"[^>]*role="dialog")(?![^>]*aria-label)')


def name_search_dialog(page_html: str) -> str:
    """``page_html`` with ``aria-label="Search"`` on the search dialog."""
    return _SEARCH_DIALOG.sub(r'\1 aria-label="Search"', page_html)


_NOTEBOOK_CODE = re.compile(r'(<div class="highlight-ipynb[^"]*")(?![^>]*tabindex)')


def focusable_notebook_code(page_html: str) -> str:
    """``page_html`` with ``tabindex="0"`` on every notebook code cell, so it scrolls by keyboard."""
    return _NOTEBOOK_CODE.sub(r'\1 tabindex="0"', page_html)


def on_post_page(output: str, **kwargs) -> str:
    return focusable_notebook_code(name_search_dialog(output))


def on_post_template(output_content: str, **kwargs) -> str:
    """Pages rendered from a theme template alone (404.html) get the same fixes."""
    return on_post_page(output_content)
