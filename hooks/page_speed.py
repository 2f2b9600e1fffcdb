"""MkDocs hook: remove the one rule of Material's palette stylesheet that restyles a whole page
on every load.

At start-up Material's palette component sets ``data-md-color-switching`` on ``<body>``, reads
the header's computed colours, and removes the attribute a frame later. The palette stylesheet
holds ``[data-md-color-switching] *, … :after, … :before {transition-duration: 0s}``: because a
selector names that attribute above every element, each change of it marks every element of the
page for a new style calculation, and reading the header's style forces it at once. On the
longest pages that is two whole-page recalculations inside Material's start-up task, some 20%
of the main thread's work at load (``python -m benchmarks.site``; issue 12, item 16).

Without the rule, the attribute matches no selector and changing it costs nothing. What is lost:
when a reader switches palette, colours that Material animates (links, buttons) fade over its
usual 125-250 ms instead of changing at once.

The rule is found with a CSS parser (``css_rules``), by the attribute it names, in whichever
stylesheet of Material's holds it; the build fails if no stylesheet has it, so a new version of
Material that drops or renames the rule is noticed rather than silently left alone.
"""

from __future__ import annotations

import logging
from pathlib import Path

from css_rules import filter_selectors, selector_text  # hooks/css_rules.py (hooks/ is on sys.path)

log = logging.getLogger("mkdocs.hooks.page_speed")

SWITCHING_ATTRIBUTE = "data-md-color-switching"


def names_switching_attribute(selector: list) -> bool:
    """Whether ``selector`` tests ``data-md-color-switching`` anywhere."""
    return SWITCHING_ATTRIBUTE in selector_text(selector)


def without_switching_rules(css: str) -> str:
    """``css`` without the selectors that test ``data-md-color-switching``."""
    return filter_selectors(css, lambda selector: not names_switching_attribute(selector))


def theme_names_switching_attribute(theme_dirs: list[str]) -> bool:
    """Whether one of the theme's own stylesheets (``assets/stylesheets/*.min.css``) names it."""
    return any(
        SWITCHING_ATTRIBUTE in sheet.read_text("utf8")
        for folder in theme_dirs
        for sheet in (Path(folder) / "assets" / "stylesheets").glob("*.min.css")
    )


def on_post_build(config, **kwargs) -> None:
    """Rewrite Material's stylesheets under ``assets/stylesheets/`` without the switching rule
    (a stylesheet left from an earlier build into the same folder is already without it)."""
    if not theme_names_switching_attribute(config["theme"].dirs):
        raise RuntimeError(
            f"hooks/page_speed.py: no stylesheet of Material names [{SWITCHING_ATTRIBUTE}];"
            " Material changed its palette code: measure again and update or remove this hook"
        )
    for sheet in sorted((Path(config["site_dir"]) / "assets" / "stylesheets").glob("*.min.css")):
        css = sheet.read_text("utf8")
        if SWITCHING_ATTRIBUTE in css:
            sheet.write_text(without_switching_rules(css), "utf8")
            log.debug("removed the [%s] rules from %s", SWITCHING_ATTRIBUTE, sheet.name)
