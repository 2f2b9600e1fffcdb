"""Find, run and check the code fences of the documentation pages.

A page's Python fence may be followed, after blank lines only, by a ``text`` fence: its
output block. Running the Python fence must print exactly the output block (no block means
it must print nothing). Fences may be indented (inside content tabs and admonitions) and
their body may be ``--8<--`` include lines, expanded as pymdownx.snippets expands them.

``python -m tools.docblocks [PAGE ...]`` rewrites every output block from the code.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PYTHON_LANGS = frozenset({"python", "py", "python3"})
OUTPUT_LANG = "text"

_FENCE_OPEN = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_INCLUDE = re.compile(r'^(?P<indent>\s*)--8<--\s+"(?P<path>[^":]+)(?::(?P<section>[\w-]+))?"\s*$')
_SECTION_MARKER = re.compile(r"--8<-- \[(?:start|end):[\w-]+\]")


@dataclass(frozen=True)
class Fence:
    """A fenced block of a page: ``line`` is the 1-based line of its opening fence."""

    line: int
    end_line: int  # 1-based line of the closing fence
    indent: int
    lang: str
    options: frozenset[str]
    body: str  # dedented by ``indent``

    @property
    def is_python(self) -> bool:
        return self.lang in PYTHON_LANGS

    @property
    def is_tested(self) -> bool:
        return self.is_python and "notest" not in self.options


@dataclass(frozen=True)
class Example:
    """A tested Python fence and the output block shown under it (``None`` if there is none)."""

    code: Fence
    output: Fence | None


def parse_info(info: str) -> tuple[str, frozenset[str]]:
    """Language and options of a fence's info string: ``python``, ``{.python notest}``,
    ``text title="Output"``."""
    words = info.strip().strip("{}").split()
    if not words:
        return "", frozenset()
    dotted = [w for w in words if w.startswith(".")]
    lang = dotted[0][1:] if info.strip().startswith("{") and dotted else words[0]
    return lang, frozenset(w for w in words if w not in (lang, f".{lang}"))


def find_fences(text: str) -> list[Fence]:
    """Every fenced block of a Markdown page, at any indentation."""
    lines = text.split("\n")
    fences = []
    index = 0
    while index < len(lines):
        opening = _FENCE_OPEN.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, marker = len(opening["indent"]), opening["fence"]
        closing = re.compile(rf"^ {{{indent}}}{re.escape(marker[0])}{{{len(marker)},}}\s*$")
        end = index + 1
        while end < len(lines) and not closing.match(lines[end]):
            end += 1
        body = "".join(line[indent:] + "\n" for line in lines[index + 1 : end])
        lang, options = parse_info(opening["info"])
        fences.append(Fence(index + 1, end + 1, indent, lang, options, body))
        index = end + 1
    return fences


def find_examples(text: str) -> list[Example]:
    """The tested Python fences of a page, each paired with the output block right after it."""
    fences = find_fences(text)
    lines = text.split("\n")
    examples = []
    for position, fence in enumerate(fences):
        if not fence.is_tested:
            continue
        following = fences[position + 1] if position + 1 < len(fences) else None
        between = lines[fence.end_line : following.line - 1] if following else []
        is_output = (
            following is not None
            and following.lang == OUTPUT_LANG
            and following.indent == fence.indent
            and not any(line.strip() for line in between)
        )
        examples.append(Example(fence, following if is_output else None))
    return examples


def dedent_fences(text: str) -> str:
    """The page with every indented fence moved to column 0, line numbers unchanged,
    so that a CommonMark parser sees fences nested in content tabs and admonitions."""
    lines = text.split("\n")
    for fence in find_fences(text):
        if fence.indent:
            for number in range(fence.line - 1, min(fence.end_line, len(lines))):
                lines[number] = lines[number][fence.indent :]
    return "\n".join(lines)


@cache
def _read_source(path: str) -> str:
    file = ROOT / path
    if not file.is_file():
        raise FileNotFoundError(f"--8<-- include {path!r}: no such file under {ROOT}")
    return file.read_text("utf8")


def include_section(path: str, section: str | None) -> str:
    """The text pymdownx.snippets includes for ``--8<-- "path:section"``, without marker lines."""
    text = _read_source(path)
    if section is not None:
        pattern = re.compile(
            rf"^[^\n]*--8<-- \[start:{re.escape(section)}\][^\n]*\n(?P<body>.*?)^[^\n]*--8<-- \[end:{re.escape(section)}\]",
            re.MULTILINE | re.DOTALL,
        )
        found = pattern.search(text)
        if not found:
            raise ValueError(f"--8<-- include {path}:{section}: no such section")
        text = found["body"]
    return "".join(line for line in text.splitlines(True) if not _SECTION_MARKER.search(line))


def expand_includes(code: str) -> str:
    """``code`` with every ``--8<-- "path[:section]"`` line replaced by what it includes."""
    expanded = []
    for line in code.splitlines(True):
        include = _INCLUDE.match(line)
        if include:
            body = include_section(include["path"], include["section"])
            expanded.append("".join(include["indent"] + part for part in body.splitlines(True)))
        else:
            expanded.append(line)
    return "".join(expanded)


def capture_stdout(run: Callable[[], object]) -> str:
    """What ``run()`` prints."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        run()
    return buffer.getvalue()


def run_code(code: str, filename: str) -> str:
    """Run one fence's code (includes expanded) in a fresh namespace; return what it prints."""
    compiled = compile(expand_includes(code), filename, "exec")
    return capture_stdout(lambda: exec(compiled, {"__name__": "__main__"}))


def output_diff(page: str, example: Example, printed: str) -> str | None:
    """A unified diff naming page and line when ``printed`` differs from the output block."""
    shown = example.output.body if example.output else ""
    if printed and not printed.endswith("\n"):
        printed += "\n"  # an output block always ends with a line break
    if printed == shown:
        return None
    where = f"{page}:{example.output.line if example.output else example.code.end_line}"
    diff = difflib.unified_diff(
        shown.splitlines(True),
        printed.splitlines(True),
        f"{where} (shown on the page)",
        "printed by the code",
    )
    return f"output of the block at {page}:{example.code.line} differs from the page\n" + "".join(diff)


@cache
def examples_of(path: Path) -> dict[int, Example]:
    """The examples of a page keyed by their opening fence line."""
    return {example.code.line: example for example in find_examples(path.read_text("utf8"))}


def _output_fence_lines(indent: int, printed: str) -> list[str]:
    pad = " " * indent
    body = [pad + line if line else "" for line in printed.removesuffix("\n").split("\n")]
    return [f'{pad}```{OUTPUT_LANG} title="Output"', *body, f"{pad}```"]


def rewrite_outputs(text: str, page: str) -> str:
    """The page with every output block replaced by what its Python fence prints
    (an output block is added under a fence that prints but has none, removed if it prints nothing)."""
    lines = text.split("\n")
    for example in reversed(find_examples(text)):
        printed = run_code(example.code.body, f"{page}:{example.code.line}")
        new = _output_fence_lines(example.code.indent, printed) if printed else []
        if example.output:
            start, stop = example.output.line - 1, example.output.end_line
            if not new:  # also drop the blank line that separated the blocks
                start = example.code.end_line
        else:
            start = stop = example.code.end_line
            new = ["", *new] if new else []
        lines[start:stop] = new
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    pages = [Path(arg) for arg in argv] or sorted(DOCS.rglob("*.md"))
    for path in pages:
        page = str(path.resolve().relative_to(ROOT))
        old = path.read_text("utf8")
        new = rewrite_outputs(old, page)
        if new != old:
            path.write_text(new, "utf8")
            print(f"rewrote {page}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
