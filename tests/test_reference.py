"""The API reference lists every public function and class of `snippets`, and the arithmetic
ones state their formula in the docstring."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import snippets

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "reference"  # one page per module: <module>.md
# Modules whose functions compute numbers: their docstrings must carry a formula (an equation
# or a ``code`` expression).
ARITHMETIC = {"shapes", "params", "cost", "receptive", "ops", "geometry", "cells"}


def public_modules() -> list[str]:
    return [m.name for m in pkgutil.iter_modules(snippets.__path__) if not m.name.startswith("_")]


def public_members(module_name: str, classes: bool = True) -> list[str]:
    module = importlib.import_module(f"snippets.{module_name}")
    return [
        name
        for name, member in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(member) or (inspect.isclass(member) and classes))
        and getattr(member, "__module__", None) == module.__name__
    ]


def reference_blocks() -> dict[str, list[str] | None]:
    """Each ``::: snippets.X`` block of the reference and its members (None: all of them), from
    the module's own page ``docs/reference/X.md``."""
    blocks = {}
    for page in sorted(REFERENCE.glob("*.md")):
        text = page.read_text("utf8")
        for match in re.finditer(r"^::: snippets\.(\w+)\n((?:    .*\n|\n)*)", text, re.MULTILINE):
            assert match[1] == page.stem, (
                f"{page.name} documents snippets.{match[1]}: its page is {match[1]}.md"
            )
            listed = re.search(r"members:\s*\[([^\]]*)\]", match[2])
            blocks[match[1]] = [m.strip() for m in listed[1].split(",")] if listed else None
    return blocks


@pytest.mark.parametrize("module_name", public_modules())
def test_every_public_member_is_in_the_reference(module_name: str) -> None:
    blocks = reference_blocks()
    assert module_name in blocks, f"docs/reference/{module_name}.md has no ::: snippets.{module_name}"
    listed = blocks[module_name]
    if listed is not None:
        assert set(public_members(module_name)) <= set(listed)


@pytest.mark.parametrize("module_name", sorted(ARITHMETIC))
def test_arithmetic_docstrings_state_a_formula(module_name: str) -> None:
    module = importlib.import_module(f"snippets.{module_name}")
    for name in public_members(module_name, classes=False):
        doc = inspect.getdoc(getattr(module, name)) or ""
        assert re.search(r"=|``[^`]+``", doc), f"snippets.{module_name}.{name}: no formula in the docstring"


def test_the_reference_index_links_every_module_page() -> None:
    index = (REFERENCE / "index.md").read_text("utf8")
    linked = set(re.findall(r"\]\((\w+)\.md\)", index))
    assert linked == {page.stem for page in REFERENCE.glob("*.md")} - {"index"}
