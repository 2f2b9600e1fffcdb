"""The labs (docs/labs/*.py, jupytext notebooks) run, in the right kernel, and stay out of the
doc-test collection; their pages keep the site offline. That a lab is deterministic (a second
run shows the same outputs) is checked by tests/test_lab_download.py, whose second run is a
reader's, outside the repository."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from hooks import notebooks

ROOT = notebooks.ROOT
LABS = notebooks.lab_sources()
CHAPTERS_WITH_CODE = [
    "parameters",
    "parameter-counting",
    "one-by-one",
    "depthwise-separable",
    "dilated",
    "transposed",
]


def outputs(cell) -> list[tuple[str, str]]:
    """What a code cell showed: stream text, and each rich output's data, in order."""
    shown = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            shown.append((output.name, output.text))
        elif output.output_type in ("execute_result", "display_data"):
            shown.extend(sorted((kind, str(data)) for kind, data in output.data.items()))
        else:
            shown.append((output.output_type, str(output)))
    return shown


def is_measurement(cell) -> bool:
    return notebooks.MEASUREMENT_TAG in cell.metadata.get("tags", [])


def run(source: Path):
    return notebooks.execute(notebooks.read_lab(source))


@pytest.fixture(scope="module")
def executed() -> dict[str, nbformat.NotebookNode]:
    """Every lab executed once (nbclient, python3 kernel of this interpreter)."""
    return {source.stem: run(source) for source in LABS}


def test_there_are_labs() -> None:
    assert {source.stem for source in LABS} >= {
        "why-3x3",
        "separable-or-regular",
        "dilation-dense-prediction",
        *(
            "conv-parameters",
            "parameter-counting",
            "one-by-one",
            "depthwise-separable",
            "dilated",
            "transposed",
        ),
    }


@pytest.mark.parametrize("source", LABS, ids=[source.stem for source in LABS])
def test_lab_runs_without_error(source: Path, executed: dict[str, nbformat.NotebookNode]) -> None:
    """Executing raised on the first failing cell already; no cell shows an error either."""
    notebook = executed[source.stem]
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code, f"{source.name} has no code cell"
    for cell in code:
        assert all(output.output_type != "error" for output in cell.get("outputs", [])), cell.source
        assert "Traceback" not in "".join(text for _, text in outputs(cell)), cell.source
    assert any(outputs(cell) for cell in code), f"{source.name} shows nothing"


@pytest.mark.parametrize("source", LABS, ids=[source.stem for source in LABS])
def test_timing_cells_are_measurements_that_name_the_machine(
    source: Path, executed: dict[str, nbformat.NotebookNode]
) -> None:
    cells = [cell for cell in executed[source.stem].cells if cell.cell_type == "code"]
    for cell in cells:
        if re.search(r"perf_counter|forward_ms\(|timings|results\[", cell.source):
            assert is_measurement(cell), (
                f"{source.name}: a timing cell is not tagged 'measurement'\n{cell.source}"
            )
    measured = [cell for cell in cells if is_measurement(cell)]
    assert notebooks.has_measurements(source) is bool(measured)  # the build runs these labs alone
    if measured:
        printed = "".join(text for _, text in outputs(measured[0]))
        assert re.search(r"^machine: .+, \d+ CPUs$", printed, re.MULTILINE), printed
        assert re.search(r"^torch \d+\.\d+", printed, re.MULTILINE), printed


def test_kernel_runs_on_this_interpreter() -> None:
    """The labs run in the venv's Python (ipykernel's 'python' argv, this environment's
    kernelspec only), not in whatever 'python3' kernel a user has installed."""
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("import sys; print(sys.executable)")]
    )
    printed = notebooks.execute(notebook).cells[0].outputs[0].text.strip()
    assert Path(printed).resolve() == Path(sys.executable).resolve()
    assert notebooks.kernel_manager().kernel_spec.argv[0] in ("python", sys.executable)


def test_a_failing_cell_fails_the_execution() -> None:
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 / 0")])
    with pytest.raises(CellExecutionError, match="ZeroDivisionError"):
        notebooks.execute(notebook)


def test_doc_collection_does_not_import_the_labs() -> None:
    """pytest-markdown-docs collects (imports) every .py under docs/; docs/conftest.py stops it
    for the labs. Nothing under docs/labs is collected, and the collection has no error."""
    listing = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "docs"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert listing.returncode == 0, listing.stdout[-3000:] + listing.stderr[-3000:]
    assert "docs/labs/" not in listing.stdout
    assert "docs/conftest.py" not in listing.stdout


@pytest.mark.parametrize("with_conftest", [True, False])
def test_the_guard_is_what_keeps_labs_from_being_imported(tmp_path: Path, with_conftest: bool) -> None:
    """A lab that leaves a mark when imported: collected with the plugin, the mark appears
    without docs/conftest.py (so the guard is needed) and not with it (so it works)."""
    docs = tmp_path / "docs"
    (docs / "labs").mkdir(parents=True)
    mark = tmp_path / "imported"
    (docs / "labs" / "lab.py").write_text(f"from pathlib import Path\nPath({str(mark)!r}).touch()\n")
    if with_conftest:
        (docs / "conftest.py").write_text((ROOT / "docs" / "conftest.py").read_text())
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--markdown-docs",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "docs",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert mark.exists() is not with_conftest


def test_every_lab_is_in_the_nav_and_the_index() -> None:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)
    labs = next(entry["Labs"] for entry in config["nav"] if isinstance(entry, dict) and "Labs" in entry)
    in_nav = {list(item.values())[0] if isinstance(item, dict) else item for item in labs}
    index = (ROOT / "docs" / "labs" / "index.md").read_text()
    for source in LABS:
        assert f"labs/{source.name}" in in_nav
        assert f"]({source.name})" in index
    plugin = next(
        p["mkdocs-jupyter"] for p in config["plugins"] if isinstance(p, dict) and "mkdocs-jupyter" in p
    )
    assert plugin["execute"] == "false", "the hook executes (and caches) the labs, not the plugin"
    assert "hooks/notebooks.py" in config["hooks"]


def test_cache_is_used_only_by_serve_and_never_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    notebooks.on_startup(command="build", dirty=False)
    assert not notebooks.use_cache()
    notebooks.on_startup(command="serve", dirty=True)
    assert notebooks.use_cache()
    monkeypatch.setenv("CI", "true")
    assert not notebooks.use_cache()
    notebooks.on_startup(command="build", dirty=False)


def test_cache_key_covers_the_source_and_the_snippets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "shapes.py").write_text("A = 1\n")
    lab = tmp_path / "lab.py"
    lab.write_text("# %%\nprint(1)\n")
    monkeypatch.setattr(notebooks, "ROOT", tmp_path)
    first = notebooks.source_key(lab)
    assert notebooks.source_key(lab) == first
    (tmp_path / "snippets" / "shapes.py").write_text("A = 2\n")
    second = notebooks.source_key(lab)
    lab.write_text("# %%\nprint(2)\n")
    assert len({first, second, notebooks.source_key(lab)}) == 3


def test_notebook_html_is_made_offline() -> None:
    """What nbconvert writes for mkdocs-jupyter loads MathJax and mermaid from a CDN and leaves
    LaTeX for them; the hook leaves no such script and no LaTeX, only MathML."""
    from mkdocs_jupyter import convert

    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(
                "# T\n\nInline $r = 1 + n (k - 1)$ and $a < b$, display:\n\n$$\n\\frac{1}{K^2}\n$$"
            ),
            nbformat.v4.new_code_cell(
                "print('costs $5')", outputs=[nbformat.v4.new_output("stream", text="costs $5\n")]
            ),
        ],
        metadata={"kernelspec": notebooks.KERNELSPEC},
    )
    path = notebooks.CACHE / f"test-offline-{os.getpid()}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    try:
        raw = convert.nb2html(str(path), custom_mathjax_url="", include_requirejs=False)
    finally:
        path.unlink()
    assert "cdnjs" in raw and "$r = 1" in raw  # what the hook is for
    page, styles, scripts = notebooks.offline_notebook_html(raw)
    assert "<script" not in page and "<style" not in page
    assert "http" not in scripts and "import(" not in scripts and "clipboard" in scripts.lower()
    assert ".jupyter-wrapper" in styles
    assert page.count("<math") == 3 and 'display="block"' in page
    markdown = "".join(match[2] for match in notebooks._MARKDOWN_CELL.finditer(page))
    assert "<math" in markdown and "$" not in markdown
    assert "mathjax" not in page.lower() and "mermaid" not in page.lower()
    assert "costs $5" in page  # code and outputs are left alone


def test_pruning_keeps_selector_lists_whole() -> None:
    """Commas inside ``:is()`` do not split a selector; ``:not(.unused)`` does not prune."""
    from hooks.notebooks import prune_css

    css = ":is(.a:hover, .b) .c{x:1} .d, .unused{y:2} .c:not(.unused){z:3} .unused .c{w:4}"
    assert prune_css(css, {"a", "c", "d"}) == "\n".join(
        [":is(.a:hover, .b) .c{x:1}", ".d{y:2}", ".c:not(.unused){z:3}"]
    )
