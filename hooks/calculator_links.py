"""MkDocs hook: links into the calculator's state (``calculator.md#mode=...&x=2:3,3``) are not
headings, so the strict build's anchor check must not refuse them.

The calculator and its explorer read everything after ``#`` as their state (mode, input,
layers, the explorer's layer and cell); the chapters link to it in the state that shows what
they describe. A fragment holding ``=`` is such a state: no heading id has one. Every other
anchor into the page is still checked. ``tests/test_explorer.py`` opens every such link of the
built site and fails if the calculator cannot read it or the explorer cannot show its view.
"""

from __future__ import annotations

CALCULATOR = "calculator.md"


class StateOrHeading(set):
    """The calculator page's heading ids, which also hold every state fragment (``key=value``)."""

    def __contains__(self, anchor: object) -> bool:
        return (isinstance(anchor, str) and "=" in anchor) or super().__contains__(anchor)


def on_env(env, config, files):
    """Runs after every page is rendered and before the anchors are checked."""
    calculator = files.get_file_from_path(CALCULATOR)
    if calculator is not None and calculator.page is not None:
        calculator.page.present_anchor_ids = StateOrHeading(calculator.page.present_anchor_ids or ())
    return env
