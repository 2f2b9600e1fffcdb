"""MkDocs hook: the ``snippets`` package as a wheel served with the site, for the labs.

A lab downloaded from the site imports ``snippets``; its first code cell installs this wheel,
``downloads/snippets-<version>-py3-none-any.whl``, with the ``labs`` extra (PyTorch and
matplotlib, pinned as the project pins them). The wheel is built from a copy of the package
in a temporary directory, so the build leaves nothing in the work tree; under ``mkdocs
serve`` it is rebuilt only when ``snippets/`` or ``pyproject.toml`` changes.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "wheel"
DOWNLOADS = "downloads"
EXTRA = "labs"


def wheel_name() -> str:
    """``snippets-<version>-py3-none-any.whl``, the version read from pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf8"))["project"]
    return f"{project['name']}-{project['version']}-py3-none-any.whl"


def wheel_url(site_url: str) -> str:
    """Where the hosted site serves the wheel: ``<site_url>downloads/<wheel>``."""
    return f"{site_url.rstrip('/')}/{DOWNLOADS}/{wheel_name()}"


def install_command(site_url: str) -> str:
    """The one install step a downloaded lab states: the wheel with its ``labs`` extra."""
    return f'%pip install "snippets[{EXTRA}] @ {wheel_url(site_url)}"'


def _sources() -> list[Path]:
    return [
        ROOT / "pyproject.toml",
        ROOT / "README.md",
        *sorted((ROOT / "snippets").rglob("*.py")),
    ]  # subpackages: snippets.summary, snippets.zoo


def _key() -> str:
    digest = hashlib.sha256()
    for path in _sources():
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def build_wheel() -> Path:
    """The wheel of the current sources, built by pip from a clean copy (cached by content)."""
    target = CACHE / _key() / wheel_name()
    if target.exists():
        return target
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch, "src")
        for path in _sources():
            copy = source / path.relative_to(ROOT)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy)
        command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check"]
        command += ["--no-deps", "--no-build-isolation", "-w", str(Path(scratch, "out")), str(source)]
        subprocess.run(command, check=True, capture_output=True, text=True)
        shutil.rmtree(CACHE, ignore_errors=True)
        target.parent.mkdir(parents=True)
        shutil.move(Path(scratch, "out", wheel_name()), target)
    return target


def on_post_build(config, **kwargs) -> None:
    out = Path(config["site_dir"], DOWNLOADS, wheel_name())
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(build_wheel(), out)
