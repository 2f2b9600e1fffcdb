"""The errata page lists every correction of the source document, each proved by a block that
prints the source's figure next to the correct one, and every correction note links to it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tools import docblocks

DOCS = docblocks.DOCS
ERRATA = DOCS / "errata.md"
# Pages whose owners add the link to the errata page separately: until they do, their notes
# are expected to fail this test (a pass there is welcome, not an error).
_ENTRY = re.compile(r"^## (?P<title>.+?)\s*\{\s*#(?P<id>[\w-]+)\s*\}\s*$")
_ADMONITION = re.compile(r'^(?P<indent> *)(?:!!!|\?\?\?\+?) +(?P<kind>[\w-]+)(?: +"(?P<title>.*)")?\s*$')
_ERRATA_LINK = re.compile(r"\]\((?:\.\./)*errata\.md(?:#(?P<id>[\w-]+))?\)")
_ABOUT_THE_SOURCE = re.compile(r"\bsource document\b|\bthe source's\b", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    text: str  # the section, heading included


@dataclass(frozen=True)
class Note:
    page: str
    line: int
    kind: str
    text: str  # title and body


def entries(text: str) -> list[Entry]:
    """The ``## Title { #id }`` sections of the errata page."""
    found: list[Entry] = []
    lines = text.split("\n")
    starts = [(number, _ENTRY.match(line)) for number, line in enumerate(lines) if line.startswith("## ")]
    for position, (start, match) in enumerate(starts):
        assert match, f"errata.md:{start + 1}: an entry heading needs an id: '## Title {{ #id }}'"
        end = starts[position + 1][0] if position + 1 < len(starts) else len(lines)
        entries_text = "\n".join(lines[start:end])
        found.append(Entry(match["id"], match["title"], entries_text))
    return found


def admonitions(page: Path) -> list[Note]:
    """Every admonition of a page: its kind, title and indented body."""
    lines = page.read_text("utf8").split("\n")
    notes = []
    for number, line in enumerate(lines):
        match = _ADMONITION.match(line)
        if not match:
            continue
        indent = len(match["indent"])
        body = []
        for following in lines[number + 1 :]:
            if following.strip() and len(following) - len(following.lstrip()) <= indent:
                break
            body.append(following)
        notes.append(
            Note(
                str(page.relative_to(DOCS) if page.is_relative_to(DOCS) else page),
                number + 1,
                match["kind"],
                "\n".join([match["title"] or "", *body]),
            )
        )
    return notes


def correction_notes(page: Path) -> list[Note]:
    """The admonitions that correct the source document: they speak of it, and are not a lab box."""
    return [
        note for note in admonitions(page) if note.kind != "example" and _ABOUT_THE_SOURCE.search(note.text)
    ]


def chapter_pages() -> list[Path]:
    return sorted(page for page in DOCS.rglob("*.md") if page != ERRATA)


@pytest.fixture(scope="module")
def errata() -> list[Entry]:
    assert ERRATA.is_file(), "docs/errata.md is missing"
    return entries(ERRATA.read_text("utf8"))


def test_the_errata_page_is_in_the_nav(errata: list[Entry]) -> None:
    config = yaml.load((docblocks.ROOT / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)
    flat = str(config["nav"])
    assert "errata.md" in flat
    assert len(errata) >= 5


def test_every_entry_prints_the_source_figure_next_to_the_correct_one(errata: list[Entry]) -> None:
    """Each entry has a block whose output names the source document's figure and the correct one."""
    for entry in errata:
        examples = docblocks.find_examples(entry.text)
        shown = "".join(example.output.body for example in examples if example.output)
        assert examples and shown, f"errata #{entry.id}: no block prints the correction"
        labels = {line.split(":", 1)[0].strip() for line in shown.splitlines() if ":" in line}
        assert {"source document", "correct"} <= labels, (
            f"errata #{entry.id}: the output must print a 'source document: ...' line and a "
            f"'correct: ...' line\n{shown}"
        )


def test_the_correction_finder_sees_notes_that_speak_of_the_source(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "\n".join(
            [
                '!!! warning "Where the source document is wrong"',
                "",
                "    It says 223. See the [errata](../errata.md#same-even-kernel).",
                "",
                "Outside the note, the source document is mentioned [errata](../errata.md).",
                '!!! example "Lab"',
                "",
                "    The source document's lab.",
                '!!! note "Plain"',
                "",
                "    Nothing about it.",
            ]
        )
    )
    notes = correction_notes(page)
    assert [(note.line, note.kind) for note in notes] == [(1, "warning")]
    assert [m["id"] for m in _ERRATA_LINK.finditer(notes[0].text)] == ["same-even-kernel"]


def _pages_with_notes() -> list[object]:
    return [
        pytest.param(page, id=str(page.relative_to(DOCS)))
        for page in chapter_pages()
        if correction_notes(page)
    ]


@pytest.mark.parametrize("page", _pages_with_notes())
def test_every_correction_note_links_to_its_errata_entry(page: Path, errata: list[Entry]) -> None:
    ids = {entry.id for entry in errata}
    for note in correction_notes(page):
        linked = [match["id"] for match in _ERRATA_LINK.finditer(note.text)]
        assert linked, (
            f"{note.page}:{note.line}: a correction of the source document links to no errata entry"
        )
        assert set(linked) <= ids, f"{note.page}:{note.line}: links to {linked}, errata has {sorted(ids)}"


def test_every_errata_link_names_an_entry_and_every_entry_is_linked(errata: list[Entry]) -> None:
    """Chapters link to the entries that concern them; no link points at a missing entry."""
    ids = {entry.id for entry in errata}
    linked: dict[str, list[str]] = {}
    for page in chapter_pages():
        for number, line in enumerate(page.read_text("utf8").split("\n"), start=1):
            for match in _ERRATA_LINK.finditer(line):
                where = f"{page.relative_to(DOCS)}:{number}"
                assert match["id"] is None or match["id"] in ids, f"{where}: no errata entry #{match['id']}"
                linked.setdefault(match["id"], []).append(where)
    assert sorted(ids - set(linked)) == [], "errata entries no page links to"
