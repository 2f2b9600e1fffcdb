"""MkDocs hook: the labs, jupytext notebooks in ``docs/labs/*.py``, executed and rendered offline.

The sources are percent-format text (``# %%`` cells) so they diff cleanly. For the site:

* ``on_pre_build`` executes each lab with nbclient in a ``python3`` kernel of *this*
  interpreter (the venv's) into ``.cache/labs/executed/<lab>.ipynb``; a failing cell fails
  the build. Under ``mkdocs serve`` an executed notebook is reused while the hash of its
  source, of ``snippets/*.py`` and of this file is unchanged, so an edited chapter re-renders
  in a moment. ``mkdocs build`` (and anything with ``CI`` set) always executes afresh.
* ``on_files`` points each lab page at its executed notebook, which mkdocs-jupyter renders
  (its ``include`` pattern is ``executed/*.ipynb``), and adds ``labs/<lab>.ipynb``, the
  executed notebook with outputs, as a downloadable file that pages may link to.
* ``on_page_content`` makes a lab page work offline like the rest of the site: the scripts
  nbconvert adds to fetch MathJax and mermaid from a CDN are removed, the formulas of the
  Markdown cells become MathML (``hooks/mathml.py``), and the 600 kB of notebook CSS and the
  copy-button script move into one shared stylesheet and script.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
import tempfile
import uuid
from pathlib import Path

from css_rules import filter_selectors  # hooks/css_rules.py: MkDocs and pytest put hooks/ on sys.path
from mkdocs.plugins import CombinedEvent

ROOT = Path(__file__).resolve().parent.parent
LABS = ROOT / "docs" / "labs"
CACHE = ROOT / ".cache" / "labs"
EXECUTED = CACHE / "executed"  # rendered as pages; mkdocs-jupyter's include pattern matches only these
DOWNLOADS = CACHE / "download"  # the same notebooks, served as files at labs/<lab>.ipynb
SHARED_CSS = "assets/labs/notebook.css"
SHARED_JS = "assets/labs/notebook.js"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
CELL_TIMEOUT = 600  # seconds

log = logging.getLogger("mkdocs.hooks.notebooks")

try:  # MkDocs loads hooks with hooks/ on sys.path; the tests import hooks.notebooks
    from mathml import typeset
    from snippets_wheel import install_command
except ImportError:
    from hooks.mathml import typeset
    from hooks.snippets_wheel import install_command


# ---------------------------------------------------------------------------- executing


MEASUREMENT_TAG = "measurement"  # cells that time something: their output varies by design


def lab_sources() -> list[Path]:
    """The notebook sources, ``docs/labs/*.py``, sorted."""
    return sorted(LABS.glob("*.py"))


def source_key(source: Path, setup: str = "") -> str:
    """Hash of everything an executed lab depends on: its source, the ``snippets`` package
    it imports, this hook (which decides how it runs) and its set-up command."""
    digest = hashlib.sha256(setup.encode() + b"\0")
    for path in [source, Path(__file__).resolve(), *sorted((ROOT / "snippets").glob("*.py"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def read_lab(source: Path):
    """The notebook of a percent-format source, with the kernel the labs run on."""
    import jupytext

    notebook = jupytext.read(source, fmt="py:percent")
    notebook.metadata.pop("jupytext", None)  # the download is a plain notebook, not a paired one
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata["language_info"] = {"name": "python"}
    for number, cell in enumerate(notebook.cells):
        cell.id = f"{source.stem}-{number}"  # stable anchors, instead of random ids per build
        cell.metadata.pop("lines_to_next_cell", None)  # jupytext's layout hint for the .py
    return notebook


def kernel_manager_class():
    """A kernel manager whose ``python3`` kernel runs on this interpreter: only this
    environment's kernelspec directory is searched (a user-wide ``python3`` kernelspec could
    name another Python), and ipykernel's ``python`` argv becomes the running interpreter.
    IPC transport through sockets named for this kernel alone: no TCP port, no warning
    about one."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from traitlets import default

    class VenvKernelManager(KernelManager):
        @default("kernel_spec_manager")
        def _venv_kernel_specs(self):
            return KernelSpecManager(kernel_dirs=[str(Path(sys.prefix, "share", "jupyter", "kernels"))])

        @default("transport")
        def _ipc(self):
            return "ipc"

        @default("ip")
        def _socket_path(self):  # unique: concurrent builds must never share a socket
            return os.path.join(tempfile.gettempdir(), f"labs-kernel-{uuid.uuid4().hex}")

    return VenvKernelManager


def kernel_manager():
    """The manager of the kernel the labs run in (what ``execute`` starts)."""
    return kernel_manager_class()(kernel_name=KERNELSPEC["name"])


def coalesce_streams(notebook) -> None:
    """Join consecutive stdout (or stderr) outputs of a cell into one, as Jupyter shows them:
    how the kernel happened to chunk a cell's printing never shows, nor varies between runs."""
    for cell in notebook.cells:
        merged = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else None
            same_stream = previous is not None and previous.output_type == output.output_type == "stream"
            if same_stream and previous.name == output.name:
                previous.text += output.text
                continue
            merged.append(output)
        if cell.cell_type == "code":
            cell.outputs = merged


def execute(notebook, cwd: Path = ROOT):
    """Run every cell of ``notebook`` in place, from ``cwd``; the first failing cell raises
    ``nbclient.exceptions.CellExecutionError`` naming the cell and the error."""
    from nbclient import NotebookClient

    NotebookClient(
        notebook,
        kernel_name=KERNELSPEC["name"],
        kernel_manager_class=kernel_manager_class(),
        timeout=CELL_TIMEOUT,
        allow_errors=False,
        record_timing=False,
        resources={"metadata": {"path": str(cwd)}},
    ).execute()
    coalesce_streams(notebook)
    return notebook


SETUP_TEXT = (
    "**Set-up.** This notebook imports `snippets`, the small package the site teaches, and "
    "PyTorch and matplotlib. Run the next cell once: it installs all three (the `snippets` "
    "wheel is served with the site). In the project's own environment it is already there."
)


def with_setup_cells(notebook, stem: str, command: str):
    """``notebook`` with its one install step after the title cell: a Markdown cell saying
    what it installs, then the ``%pip install`` cell. Added after execution (the build has the
    package already), so it shows without output."""
    import nbformat

    text = nbformat.v4.new_markdown_cell(SETUP_TEXT, id=f"{stem}-setup-text")
    code = nbformat.v4.new_code_cell(command, id=f"{stem}-setup")
    notebook.cells[1:1] = [text, code]
    return notebook


def _write(path: Path, text: str) -> None:
    """Write atomically: a concurrent build never reads half a notebook."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(text, "utf8")
    os.replace(partial, path)


def executed_lab(source: Path, *, use_cache: bool, setup: str) -> Path:
    """``.cache/labs/executed/<lab>.ipynb``, executed now unless ``use_cache`` and the cached
    one was made from the same source, snippets, hook and set-up command ``setup``."""
    import nbformat

    target = EXECUTED / f"{source.stem}.ipynb"
    key_file = CACHE / f"{source.stem}.sha256"
    key = source_key(source, setup)
    download = DOWNLOADS / target.name
    fresh = (
        target.exists() and download.exists() and key_file.exists() and key_file.read_text().strip() == key
    )
    if use_cache and fresh:
        log.debug("lab %s: cached", source.name)
        return target
    log.info("Executing lab %s", source.relative_to(ROOT))
    text = nbformat.writes(with_setup_cells(execute(read_lab(source)), source.stem, setup))
    _write(target, text)
    _write(download, text)
    _write(key_file, key + "\n")
    return target


# ------------------------------------------------------------------------ MkDocs events

_state: dict[str, object] = {"serve": False, "executed": {}, "css": "", "js": "", "classes": set()}


def on_startup(command: str, dirty: bool, **kwargs) -> None:
    _state["serve"] = command == "serve"


def use_cache() -> bool:
    """Reuse executed notebooks under ``mkdocs serve``, or in a build when ``LABS_USE_CACHE=1``
    (for contributors iterating on pages); never when ``CI`` is set."""
    wanted = bool(_state["serve"]) or os.environ.get("LABS_USE_CACHE") == "1"
    return wanted and not os.environ.get("CI")


def has_measurements(source: Path) -> bool:
    """Whether a lab times something (a cell tagged ``measurement``)."""
    return (
        re.search(rf"^# %%.*tags=\[[^]]*{MEASUREMENT_TAG}", source.read_text("utf8"), re.MULTILINE)
        is not None
    )


def execute_labs(sources: list[Path], *, use_cache: bool, setup: str) -> dict[str, Path]:
    """Execute (or reuse) the labs: two at a time, except those that time something, which
    run alone afterwards so that no other kernel competes with their measurements."""
    from concurrent.futures import ThreadPoolExecutor

    timed = [source for source in sources if has_measurements(source)]
    untimed = [source for source in sources if source not in timed]
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        done = dict(
            zip(
                untimed,
                pool.map(lambda source: executed_lab(source, use_cache=use_cache, setup=setup), untimed),
                strict=True,
            )
        )
    done.update((source, executed_lab(source, use_cache=use_cache, setup=setup)) for source in timed)
    return {source.stem: done[source] for source in sources}


def on_pre_build(config, **kwargs) -> None:
    setup = install_command(config["site_url"] or "")
    _state["executed"] = execute_labs(lab_sources(), use_cache=use_cache(), setup=setup)


def _lab_stem(file) -> str | None:
    match = re.fullmatch(r"labs/([^/]+)\.py", file.src_uri)
    return match[1] if match else None


def _point_labs_at_executed_notebooks(files, config, **kwargs):
    """Before mkdocs-jupyter's ``on_files``: each ``labs/<lab>.py`` page is read from its
    executed notebook (so the plugin's ``executed/*.ipynb`` pattern takes it), and the
    notebook is also served as the file ``labs/<lab>.ipynb``."""
    from mkdocs.structure.files import File

    conftest = files.get_file_from_path("conftest.py")  # docs/conftest.py keeps pytest off the labs
    if conftest is not None:
        files.remove(conftest)
    executed: dict[str, Path] = _state["executed"]  # type: ignore[assignment]
    for file in list(files):
        stem = _lab_stem(file)
        if stem is not None:
            file.abs_src_path = str(executed[stem])
            download = File.generated(
                config, f"labs/{stem}.ipynb", abs_src_path=str(DOWNLOADS / f"{stem}.ipynb")
            )
            files.append(download)
    return files


def _point_wrapped_labs_too(files, config, **kwargs):
    """After mkdocs-jupyter's ``on_files``: its page wrapper computes ``abs_src_path`` from
    ``src_uri`` again, so point the wrapper at the executed notebook as well (it is what the
    plugin renders and what ``--dirty`` compares modification times with)."""
    executed: dict[str, Path] = _state["executed"]  # type: ignore[assignment]
    for file in files:
        stem = _lab_stem(file)
        if stem is not None:
            file.abs_src_path = str(executed[stem])
    return files


_point_labs_at_executed_notebooks.mkdocs_priority = 100  # type: ignore[attr-defined]
_point_wrapped_labs_too.mkdocs_priority = -100  # type: ignore[attr-defined]
on_files = CombinedEvent(_point_labs_at_executed_notebooks, _point_wrapped_labs_too)

_MARKDOWN_CELL = re.compile(r'(<div class="[^"]*\bjp-RenderedMarkdown\b[^"]*"[^>]*>)(.*?)(</div>)', re.DOTALL)
_DISPLAY_MATH = re.compile(r"(?:<p>\s*)?\$\$(.+?)\$\$(?:\s*</p>)?", re.DOTALL)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\s)([^$<>]+?)(?<!\s)\$")
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>\s*", re.DOTALL)
_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style>\s*", re.DOTALL)


def _typeset_cell(match: re.Match[str]) -> str:
    """A Markdown cell's ``$$..$$`` and ``$..$`` as arithmatex would wrap them, then MathML
    by the site's own ``typeset`` (nbconvert leaves the LaTeX, escaped, for MathJax)."""
    body = _DISPLAY_MATH.sub(lambda m: f'<div class="arithmatex">\\[{m[1]}\\]</div>', match[2])
    body = _INLINE_MATH.sub(lambda m: f'<span class="arithmatex">\\({m[1]}\\)</span>', body)
    return match[1] + typeset(body) + match[3]


def offline_notebook_html(content: str) -> tuple[str, str, str]:
    """The notebook HTML with its formulas as MathML and no script or style left, then the
    styles and the local scripts that were taken out. Scripts that fetch from elsewhere
    (MathJax, its configuration, mermaid) are dropped."""
    styles = "\n".join(match[1].strip() for match in _STYLE.finditer(content))
    scripts = []
    for script in _SCRIPT.findall(content):
        if re.search(r"<script\b[^>]*\bsrc=|mathjax|mermaid|https?://|import\(", script, re.IGNORECASE):
            continue
        scripts.append(re.sub(r"^<script\b[^>]*>|</script>\s*$", "", script.strip()).strip())
    content = _STYLE.sub("", _SCRIPT.sub("", content))
    content = re.sub(r"<!-- [^>]*(?:mathjax|mermaid)[^>]*-->\s*", "", content, flags=re.IGNORECASE)
    content = _MARKDOWN_CELL.sub(_typeset_cell, content)
    return content, styles, ";\n".join(scripts)


def on_page_content(html_content: str, page, config, files, **kwargs) -> str:
    stem = _lab_stem(page.file)
    if stem is None:
        return html_content
    from mkdocs.utils import get_relative_url

    content, styles, scripts = offline_notebook_html(html_content)
    _state["css"], _state["js"] = styles or _state["css"], scripts or _state["js"]
    _state["classes"] |= used_classes(content)  # type: ignore[operator]
    here = page.file.url
    download = files.get_file_from_path(f"labs/{stem}.ipynb")
    link = (
        f'<p class="lab-download"><a href="{get_relative_url(download.url, here)}" download>'
        f"Download the notebook</a> ({stem}.ipynb, with the outputs shown here). It runs in "
        "Jupyter anywhere: its first code cell installs what it imports.</p>\n"
    )
    assets = (
        f'<link rel="stylesheet" href="{get_relative_url(SHARED_CSS, here)}">\n'
        f'<script src="{get_relative_url(SHARED_JS, here)}"></script>\n'
    )
    return assets + link + content


_CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')


def used_classes(html: str) -> set[str]:
    """Every class name that appears in a ``class`` attribute of ``html``."""
    return {name for names in _CLASS_ATTRIBUTE.findall(html) for name in names.split()}


def required_classes(selector: list) -> set[str]:
    """The classes an element must carry for ``selector`` to match: the ``.name`` parts outside
    functional pseudo-classes. Classes inside ``:is()``, ``:where()``, ``:not()`` or ``:has()``
    are not required (``:not(.x)`` matches where ``.x`` is absent), so they never prune."""
    classes = set()
    for before, token in zip([None, *selector], selector, strict=False):
        if token.type == "ident" and before is not None and before.type == "literal" and before.value == ".":
            classes.add(token.value)
    return classes


def prune_css(css: str, classes: set[str]) -> str:
    """``css`` without the selectors that need a class the notebook pages never use (and the
    rules left with none): JupyterLab's full stylesheet is some 600 kB, the labs use a small part."""
    return filter_selectors(css, lambda selector: required_classes(selector) <= classes)


def on_post_build(config, **kwargs) -> None:
    """Write the shared notebook stylesheet and script (kept from the last render, so a
    ``--dirty`` rebuild that renders no lab still has them)."""
    site = Path(config["site_dir"])
    css = prune_css(str(_state["css"]), _state["classes"])  # type: ignore[arg-type]
    for name, text in ((SHARED_CSS, css), (SHARED_JS, _state["js"])):
        if text:
            (site / name).parent.mkdir(parents=True, exist_ok=True)
            (site / name).write_text(str(text), "utf8")
