"""A lab as a reader who has only the downloaded notebook runs it: outside the repository, with
``snippets`` only from the wheel the site serves, after the one install step the notebook states.
It shows what the site shows, every cell but the measurements (so a lab is deterministic too).

The kernel runs with ``python -S`` and an explicit ``PYTHONPATH``: the venv's site-packages for
numpy, torch and matplotlib, but not the editable install of ``snippets`` (its ``.pth`` file is
read only by ``site``). The test first proves that ``snippets`` cannot be imported there, then
installs the served wheel as the notebook's set-up cell says, into a directory of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest
from mkdocs.config import load_config
from test_labs import is_measurement, outputs

from hooks.notebooks import KERNELSPEC, SETUP_TEXT, coalesce_streams, kernel_manager_class, lab_sources
from hooks.snippets_wheel import install_command, wheel_name, wheel_url

ROOT = Path(__file__).resolve().parent.parent
LABS = [source.stem for source in lab_sources()]


def site_url() -> str:
    return load_config(str(ROOT / "mkdocs.yml"))["site_url"]


def served_wheel(built_site: Path) -> Path:
    """The wheel file ``wheel_url`` names (what the install command installs), in the built site."""
    return built_site / urlparse(wheel_url(site_url())).path.removeprefix(urlparse(site_url()).path)


def test_hosted_addresses_come_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("SITE_URL", "https://docs.example.org/guide/")
    monkeypatch.setenv("REPO_URL", "https://code.example.org/team/guide")
    config = load_config(str(ROOT / "mkdocs.yml"))
    assert (config["site_url"], config["repo_url"]) == (
        "https://docs.example.org/guide/",
        "https://code.example.org/team/guide",
    )
    assert install_command(config["site_url"]) == (
        f'%pip install "snippets[labs] @ https://docs.example.org/guide/downloads/{wheel_name()}"'
    )
    workflow = (ROOT / ".github" / "workflows" / "pages.yml").read_text("utf8")
    assert "SITE_URL: ${{ steps.pages.outputs.base_url }}/" in workflow
    assert "REPO_URL: ${{ github.server_url }}/${{ github.repository }}" in workflow


@pytest.mark.parametrize("lab", LABS)
def test_the_downloaded_notebook_states_its_one_install_step(built_site: Path, lab: str) -> None:
    notebook = json.loads((built_site / "labs" / f"{lab}.ipynb").read_text("utf8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert "".join(code[0]["source"]) == install_command(site_url())
    assert code[0]["outputs"] == []  # the build ran with the package installed; a reader runs it
    assert SETUP_TEXT in "".join(notebook["cells"][1]["source"])
    assert not any("%pip" in "".join(cell["source"]) for cell in code[1:])


def test_the_served_wheel_holds_the_package_and_the_labs_extra(built_site: Path) -> None:
    with zipfile.ZipFile(served_wheel(built_site)) as wheel:
        names = set(wheel.namelist())
        metadata = wheel.read(next(name for name in names if name.endswith(".dist-info/METADATA")))
    sources = {f"snippets/{path.name}" for path in (ROOT / "snippets").glob("*.py")}
    assert sources <= names
    text = metadata.decode()
    assert "Provides-Extra: labs" in text
    assert 'Requires-Dist: torch==2.13.0; extra == "labs"' in text


@pytest.fixture(scope="module")
def reader_kernel(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A kernelspec whose Python sees the venv's libraries and the installed wheel, nothing else."""
    home = tmp_path_factory.mktemp("reader")
    venv_libraries = sysconfig.get_paths()["purelib"]
    bare = {**os.environ, "PYTHONPATH": venv_libraries, "PYTHONNOUSERSITE": "1"}
    probe = subprocess.run(
        [sys.executable, "-S", "-c", "import snippets"], cwd=home, env=bare, capture_output=True, text=True
    )
    assert "No module named 'snippets'" in probe.stderr, "the reader's Python must not see the repository"
    installed = home / "installed"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps"]
    subprocess.run([*pip, "--target", str(installed), str(served_wheel(built_site))], check=True)
    spec_dir = home / "kernels" / KERNELSPEC["name"]
    spec_dir.mkdir(parents=True)
    argv = [sys.executable, "-S", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec = {
        "argv": argv,
        "display_name": "reader",
        "language": "python",
        "env": {"PYTHONPATH": f"{installed}{os.pathsep}{venv_libraries}", "PYTHONNOUSERSITE": "1"},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), "utf8")
    return {"home": home, "manager": _manager_class(home / "kernels")}


def _manager_class(kernel_dir: Path):
    """The labs' kernel manager (IPC sockets of its own), finding kernelspecs in ``kernel_dir`` only."""
    from jupyter_client.kernelspec import KernelSpecManager
    from traitlets import default

    class ReaderKernelManager(kernel_manager_class()):
        @default("kernel_spec_manager")
        def _reader_specs(self):
            return KernelSpecManager(kernel_dirs=[str(kernel_dir)])

    return ReaderKernelManager


@pytest.mark.parametrize("lab", LABS)
def test_the_downloaded_notebook_runs_outside_the_repository(built_site: Path, reader_kernel, lab) -> None:
    from nbclient import NotebookClient

    notebook = nbformat.reads((built_site / "labs" / f"{lab}.ipynb").read_text("utf8"), as_version=4)
    setup = next(cell for cell in notebook.cells if cell.cell_type == "code")
    notebook.cells.remove(setup)  # done by the fixture, from the wheel that cell names
    notebook.cells.append(nbformat.v4.new_code_cell("import snippets\nprint(snippets.__file__)"))
    work = reader_kernel["home"] / lab
    work.mkdir()
    NotebookClient(
        notebook,
        kernel_name=KERNELSPEC["name"],
        kernel_manager_class=reader_kernel["manager"],
        timeout=600,
        resources={"metadata": {"path": str(work)}},
    ).execute()
    coalesce_streams(notebook)  # as the build does: how the kernel chunked the printing never shows
    where = notebook.cells[-1].outputs[0]["text"]
    assert where.startswith(str(reader_kernel["home"] / "installed")), where
    built = nbformat.reads((built_site / "labs" / f"{lab}.ipynb").read_text("utf8"), as_version=4)
    shown = [cell for cell in built.cells if cell.id != setup.id]
    for first, second in zip(shown, notebook.cells[:-1], strict=True):
        if first.cell_type == "code" and not is_measurement(first):
            assert outputs(first) == outputs(second), (
                f"{lab}: the output differs from the site's\n{first.source}"
            )
