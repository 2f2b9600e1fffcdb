"""What the prose of the pages may claim: no speed figure that no block prints, each figure of
assets/figures shown on one page, and the MobileNet accuracy comparison in one place."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools import docblocks

ROOT = docblocks.ROOT
DOCS = docblocks.DOCS


def pages() -> list[Path]:
    """Every Markdown page of the site."""
    return sorted(DOCS.rglob("*.md"))


def labs() -> list[Path]:
    """Every lab (jupytext percent notebooks)."""
    return sorted((DOCS / "labs").glob("*.py"))


def name(path: Path) -> str:
    return str(path.relative_to(DOCS))


def prose(text: str) -> str:
    """The page without its fenced blocks (code and output), line numbers kept."""
    lines = text.split("\n")
    for fence in docblocks.find_fences(text):
        for number in range(fence.line - 1, min(fence.end_line, len(lines))):
            lines[number] = ""
    return "\n".join(lines)


def printed(text: str) -> str:
    """Everything the page's output blocks show."""
    return "".join(example.output.body for example in docblocks.find_examples(text) if example.output)


# --- speed claims -------------------------------------------------------------------------

_NUMBER = r"(?P<number>\d[\d,]*(?:\.\d+)?)"
_TIME_UNIT = r"(?:ms|µs|us|ns|milliseconds?|microseconds?|nanoseconds?)"
# A speed claim: a number with a time unit or a rate unit, "N x / N times faster", or
# "faster by a factor ..." / "orders of magnitude faster" (a claim whose size is in words).
SPEED_CLAIMS = [
    re.compile(rf"{_NUMBER}\s*{_TIME_UNIT}\b"),
    re.compile(rf"{_NUMBER}\s*[kMGT]?(?:FLOP|MAC|FLOPS|op)/s\b"),
    re.compile(rf"{_NUMBER}\s*(?:x|×|times)\s+(?:faster|slower|quicker|the speed)", re.IGNORECASE),
    re.compile(
        r"(?:faster|slower|quicker|speed-?up)\s+(?:by\s+)?(?:a\s+factor|an?\s+order|orders)", re.IGNORECASE
    ),
    re.compile(r"(?:orders?\s+of\s+magnitude|hundreds\s+of\s+times|tens\s+of\s+times)\s+(?:faster|slower)"),
]
_SPEED_WORDS = re.compile(r"faster|slower|ms\b|/s\b|\btime|speed", re.IGNORECASE)


def speed_claims(text: str) -> list[tuple[int, str, str | None]]:
    """Each speed claim of the prose: (line, the claim, its number or None when it has none)."""
    found = []
    for number, line in enumerate(prose(text).split("\n"), start=1):
        for pattern in SPEED_CLAIMS:
            for match in pattern.finditer(line):
                found.append((number, match.group(0), match.groupdict().get("number")))
    return found


def unprinted_speed_claims(text: str) -> list[tuple[int, str]]:
    """The speed claims that no output block of the page prints: a claim passes only when its
    number appears on a printed line that is itself about speed or time."""
    lines = [line for line in printed(text).splitlines() if _SPEED_WORDS.search(line)]
    return [
        (number, claim)
        for number, claim, value in speed_claims(text)
        if value is None or not any(re.search(rf"(?<![\d.]){re.escape(value)}(?![\d])", ln) for ln in lines)
    ]


def test_the_claim_finder_finds_claims_and_passes_printed_ones() -> None:
    page = "\n".join(
        [
            "It is 250x faster than the loops, and takes 1.2 ms.",
            "The loops are slower by a factor in the hundreds; torch reaches 190 GFLOP/s.",
            "A 3x3 kernel has 9 weights, and 2 x 3 is 6; the stride is 2.",
            "",
            "```python",
            "print('conv2d is 40x faster than the loops: True')",
            "```",
            "",
            '```text title="Output"',
            "conv2d is 40x faster than the loops: True",
            "```",
            "",
            "As printed, conv2d is 40x faster.",
        ]
    )
    claims = [claim for _, claim, _ in speed_claims(page)]
    assert claims == ["1.2 ms", "250x faster", "190 GFLOP/s", "slower by a factor", "40x faster"]
    assert unprinted_speed_claims(page) == [
        (1, "1.2 ms"),
        (1, "250x faster"),
        (2, "190 GFLOP/s"),
        (2, "slower by a factor"),
    ]


@pytest.mark.parametrize("page", pages(), ids=name)
def test_no_page_states_a_speed_claim_that_no_block_prints(page: Path) -> None:
    """Timings vary by machine, so a page's prose may not state one: either an output block
    prints the figure (a deterministic class, such as a ratio above a threshold), a lab
    measures it in a cell tagged 'measurement', or the claim goes."""
    assert unprinted_speed_claims(page.read_text("utf8")) == []


# --- figures --------------------------------------------------------------------------------

_FIGURE = re.compile(r"assets/figures/(?P<file>[\w.-]+\.(?:svg|gif|png|webp))")


def figure_uses() -> dict[str, list[str]]:
    """Each file of assets/figures -> every place (page or lab, and line) that shows it."""
    uses: dict[str, list[str]] = {}
    for source in pages() + labs():
        for number, line in enumerate(source.read_text("utf8").split("\n"), start=1):
            for match in _FIGURE.finditer(line):
                uses.setdefault(match["file"], []).append(f"{name(source)}:{number}")
    return uses


def test_figures_are_found() -> None:
    uses = figure_uses()
    assert {"sliding-windows.svg", "separable-savings.svg", "dilated-reach.svg"} <= set(uses)


def test_each_figure_is_shown_once() -> None:
    """A figure belongs to the page that explains it; the others link to that page."""
    twice = {figure: where for figure, where in figure_uses().items() if len(where) > 1}
    assert twice == {}


# --- the MobileNet accuracy comparison ------------------------------------------------------

# Howard et al. (2017), Table 4: the top-1 accuracies of MobileNet and of its full-convolution twin.
MOBILENET_ACCURACY = re.compile(r"(?<![\d.])(?:70\.6|71\.7)(?![\d])")


def test_the_mobilenet_accuracy_comparison_is_on_one_page() -> None:
    """The comparison lives on one page; the others link to it instead of repeating it."""
    where = sorted(
        name(source) for source in pages() + labs() if MOBILENET_ACCURACY.search(source.read_text("utf8"))
    )
    assert len(where) == 1, where


@pytest.mark.parametrize("page", pages() + labs(), ids=name)
def test_no_page_holds_a_control_character(page: Path) -> None:
    """A tab or other control character in a page is a typo the reader sees: a ``\\text`` written
    through a Python string became TAB + "ext" and KaTeX showed ``k_{ ext{eff}}`` on the calculator page."""
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        bad = [hex(ord(c)) for c in line if ord(c) < 32 or 127 <= ord(c) < 160]
        assert not bad, f"{name(page)}:{number} holds {bad}: {line.strip()[:80]!r}"
