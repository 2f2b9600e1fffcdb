"""MkDocs hook: typeset formulas at build time as MathML, so no math script loads in the browser.

pymdownx.arithmatex (``generic: true``) wraps inline math as ``<span class="arithmatex">\\(..\\)</span>``
and display math as ``<div class="arithmatex">\\[..\\]</div>``; this hook replaces each with the
MathML that latex2mathml writes. Browsers render MathML natively.
"""

from __future__ import annotations

import html
import re

from latex2mathml.converter import convert

_ARITHMATEX = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">\s*(?:\\\((?P<inline>.*?)\\\)|\\\[(?P<display>.*?)\\\])\s*</(?P=tag)>',
    re.DOTALL,
)


def latex_to_mathml(match: re.Match[str]) -> str:
    """The MathML element for one arithmatex span or div."""
    display = match["display"] is not None
    latex = html.unescape(match["display"] if display else match["inline"])
    return convert(latex.strip(), display="block" if display else "inline")


def typeset(page_html: str) -> str:
    """``page_html`` with every arithmatex formula replaced by MathML."""
    return _ARITHMATEX.sub(latex_to_mathml, page_html)


def on_page_content(html: str, **kwargs) -> str:
    return typeset(html)
