"""Extends pytest-markdown-docs so that every Python fence of docs/ is run and checked.

The plugin alone misses fences indented inside content tabs and admonitions, does not
expand ``--8<--`` includes and does not look at output. Two hooks of the plugin's own
extension points close those gaps:

* a Markdown parser that sees indented fences (``tools.docblocks.dedent_fences``);
* a default runner that expands includes, captures what the block prints and compares
  it with the ``text`` output block shown under it, failing with a diff.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from pytest_markdown_docs._runners import DefaultRunner, register_runner

from tools import docblocks

os.environ.setdefault("KERAS_BACKEND", "torch")


class FenceAwareMarkdownIt(MarkdownIt):
    """CommonMark, after moving fences nested in tabs and admonitions to column 0."""

    def parse(self, src, env=None):
        return super().parse(docblocks.dedent_fences(src), env)


@pytest.hookimpl(tryfirst=True)
def pytest_markdown_docs_markdown_it() -> MarkdownIt:
    return FenceAwareMarkdownIt("commonmark")


class OutputMismatch(AssertionError):
    """What a block printed is not what its page shows."""


@register_runner(default=True)
class CheckedOutputRunner(DefaultRunner):
    """Runs a fence with its includes expanded and checks its printed output."""

    def runtest(self, test, args, *, asyncio_runner=None):
        path = Path(test.source_path)
        example = docblocks.examples_of(path).get(test.start_line)
        if example is None:
            raise LookupError(f"{path}:{test.start_line}: fence not found by tools.docblocks")
        expanded = dataclasses.replace(test, source=docblocks.expand_includes(test.source))
        printed = docblocks.capture_stdout(lambda: super(CheckedOutputRunner, self).runtest(expanded, args))
        page = str(path.resolve().relative_to(docblocks.ROOT))
        mismatch = docblocks.output_diff(page, example, printed)
        if mismatch:
            raise OutputMismatch(mismatch + "\nrun `make outputs` to rewrite the page from the code")

    def repr_failure(self, test, excinfo, style=None):
        if isinstance(excinfo.value, OutputMismatch):
            return str(excinfo.value)
        expanded = dataclasses.replace(test, source=docblocks.expand_includes(test.source))
        return super().repr_failure(expanded, excinfo, style)
