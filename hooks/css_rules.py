"""Stylesheets edited rule by rule with a real CSS parser (tinycss2), never with text patterns.

A selector list is split at the commas of its top level only (``:is(.a, .b) .c, .d`` is two
selectors); @media and @supports blocks are filtered inside; a rule the parser cannot read is
dropped, as the browser drops it. Used by the hooks ``notebooks`` (JupyterLab's stylesheet cut
to the classes the labs use) and ``page_speed`` (Material's palette rules that restyle a page).

The hooks import this module as ``css_rules``: MkDocs puts the hook's own folder on
``sys.path`` while it loads a hook, and pytest does the same (``pythonpath`` in pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Callable

import tinycss2

Selector = list  # a selector as tinycss2 tokens

_BLOCK_RULES = ("media", "supports")


def split_selector_list(prelude: list) -> list[Selector]:
    """A rule's selector list as its selectors (token lists), split at the commas of the top
    level only: ``:is(.a, .b) .c, .d`` is two selectors, not three. tinycss2 nests a
    function's arguments inside its token, so a comma token at this level separates selectors."""
    selectors: list[Selector] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append([])
        else:
            selectors[-1].append(token)
    return selectors


def selector_text(selector: Selector) -> str:
    """``selector`` as CSS text, without the whitespace around it."""
    return tinycss2.serialize(selector).strip()


def _kept_rule(rule, keep: Callable[[Selector], bool]) -> str | None:
    """``rule`` as CSS text with only the selectors ``keep`` accepts; ``None`` when none is left."""
    if rule.type == "error":  # what the browser would drop too
        return None
    if rule.type == "qualified-rule":
        kept = [selector_text(s) for s in split_selector_list(rule.prelude) if keep(s)]
        return f"{','.join(kept)}{{{tinycss2.serialize(rule.content)}}}" if kept else None
    if rule.type == "at-rule" and rule.lower_at_keyword in _BLOCK_RULES and rule.content:
        inner = tinycss2.parse_rule_list(rule.content, skip_whitespace=True, skip_comments=True)
        body = "".join(text for text in (_kept_rule(r, keep) for r in inner) if text)
        return f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{body}}}" if body else None
    return tinycss2.serialize([rule])


def filter_selectors(css: str, keep: Callable[[Selector], bool]) -> str:
    """``css`` with each rule cut to the selectors ``keep`` accepts, and the rules (and @media or
    @supports blocks) left with none removed. Other at-rules (@font-face, @keyframes) stay."""
    rules = tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True)
    return "\n".join(text for text in (_kept_rule(rule, keep) for rule in rules) if text)
