"""No Python fence of docs/ escapes the doc-tests, and no output block can drift unnoticed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools import docblocks

ROOT = docblocks.ROOT
# Fences written ```{.python notest}: page -> how many, each with the reason it cannot run.
NOT_TESTED: dict[str, int] = {}

# An opening Python fence, found with a plain pattern independent of tools.docblocks.
PYTHON_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*(\{[^}]*\.(python|py|python3)\b|(python|py|python3)\b)")


def pages() -> list[Path]:
    return sorted((ROOT / "docs").rglob("*.md"))


def run_pytest(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "COLUMNS": "1000"},
    )


def test_every_python_fence_is_collected() -> None:
    """The collected fences equal the Python fences a plain pattern finds, minus the listed notest ones."""
    found = {
        str(page.relative_to(ROOT)): sum(
            bool(PYTHON_FENCE.match(line)) for line in page.read_text("utf8").splitlines()
        )
        for page in pages()
    }
    expected = {
        page: count - NOT_TESTED.get(page, 0)
        for page, count in found.items()
        if count - NOT_TESTED.get(page, 0)
    }
    listing = run_pytest("--collect-only", "-q", "docs").stdout
    collected: dict[str, int] = {}
    for line in listing.splitlines():
        if "::[CodeFence#" in line:
            page = line.split("::", 1)[0]
            collected[page] = collected.get(page, 0) + 1
    assert collected == expected
    assert sum(collected.values()) > 0


def test_notest_fences_are_the_listed_ones() -> None:
    notest = {
        str(page.relative_to(ROOT)): sum(
            1
            for fence in docblocks.find_fences(page.read_text("utf8"))
            if fence.is_python and not fence.is_tested
        )
        for page in pages()
    }
    assert {page: count for page, count in notest.items() if count} == NOT_TESTED


def test_no_fence_depends_on_another() -> None:
    """Every block carries its own imports: the plugin's ``continuation`` option is not used."""
    for page in pages():
        for fence in docblocks.find_fences(page.read_text("utf8")):
            assert "continuation" not in fence.options, f"{page}:{fence.line} continues another block"


def mutate_first_digit(body: str) -> str:
    """``body`` with its first digit replaced by the next one (9 becomes 0)."""
    return re.sub(r"\d", lambda digit: str((int(digit[0]) + 1) % 10), body, count=1)


def mutated_page(text: str) -> tuple[str, int]:
    """The page with one digit changed in every output block that has a digit, and how many changed."""
    lines = text.split("\n")
    changed = 0
    for example in docblocks.find_examples(text):
        output = example.output
        if output is None or not re.search(r"\d", output.body):
            continue
        for number in range(output.line, output.end_line - 1):
            if re.search(r"\d", lines[number]):
                lines[number] = mutate_first_digit(lines[number])
                changed += 1
                break
    return "\n".join(lines), changed


def test_changing_any_digit_of_any_output_fails(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Copy docs/ with one digit changed in every output block: each such block must fail."""
    copy = ROOT / ".mutated-docs"
    shutil.rmtree(copy, ignore_errors=True)
    expected_failures = 0
    try:
        for page in pages():
            target = copy / page.relative_to(ROOT / "docs")
            target.parent.mkdir(parents=True, exist_ok=True)
            text, changed = mutated_page(page.read_text("utf8"))
            target.write_text(text, "utf8")
            expected_failures += changed
        # one process: with two xdist workers of its own it took as long alone (27.7 s against
        # 27.6) and 15 s more CPU (49.3 s against 34.6), which the full suite's workers pay for
        result = run_pytest("-q", "-p", "no:xdist", str(copy.relative_to(ROOT)))
        failures = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
        assert expected_failures > 0
        assert len(failures) == expected_failures, result.stdout[-4000:]
        assert all("differs from the page" in line for line in failures), failures
    finally:
        shutil.rmtree(copy, ignore_errors=True)
