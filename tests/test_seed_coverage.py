"""Every example of the source document is on its chapter, computed: its figures appear in
the output blocks (what the code printed), not only in the prose."""

from __future__ import annotations

import pytest

from tools import docblocks

# The figures the source document prints, by the chapter that reproduces them. Where the
# source is wrong, its figure must still appear (so the page can show it beside the correction).
SOURCE_FIGURES = {
    "parameters.md": ["(224, 224, 64)", "(222, 222, 64)", "(112, 112, 64)", "(224, 224, 128)"],
    "parameter-counting.md": ["1,728", "1,792", "896", "18,496", "73,856", "295,168", "102,764,544"],
    "one-by-one.md": ["16,448", "147,520"],
    "depthwise-separable.md": ["73,856", "8,768", "8.4"],
    "dilated.md": ["3x3", "5x5", "9x9", "17x17"],
    "transposed.md": ["(14, 14, 256)", "(28, 28, 128)"],
}
# Corrections that must be printed next to the source's figure.
CORRECTIONS = {
    "parameters.md": ["223"],  # the source's 'same' formula on an even kernel, beside the right 224
    "depthwise-separable.md": ["8,896"],  # Keras' SeparableConv2D count, with its bias
}


def printed_outputs(chapter: str) -> str:
    page = docblocks.DOCS / "chapters" / chapter
    return "".join(
        example.output.body for example in docblocks.find_examples(page.read_text("utf8")) if example.output
    )


@pytest.mark.parametrize("chapter", sorted(SOURCE_FIGURES))
def test_source_figures_are_printed_by_the_chapter(chapter: str) -> None:
    outputs = printed_outputs(chapter)
    missing = [
        figure for figure in SOURCE_FIGURES[chapter] + CORRECTIONS.get(chapter, []) if figure not in outputs
    ]
    assert missing == []
