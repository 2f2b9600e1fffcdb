"""Helpers of the browser tests: build the site, serve it on 127.0.0.1, drive Debian's Chromium.

The site is served under the path of its ``site_url`` (/conv-field-guide/), as it is hosted,
so the 404 page, whose links are absolute, loads its assets too.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
# Debian's Chromium by default; CHROMIUM_PATH points elsewhere (e.g. a CI runner's Chrome).
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"


def site_prefix() -> str:
    """The path the site is hosted under, from mkdocs.yml's site_url (e.g. /conv-field-guide/)."""
    match = re.search(
        r"^site_url:\s*['\"]?([^'\"\s]+)", (ROOT / "mkdocs.yml").read_text("utf8"), re.MULTILINE
    )
    path = urlparse(match[1]).path if match else "/"
    return path if path.endswith("/") else path + "/"


def build_site(out: Path) -> None:
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if build.returncode:
        raise AssertionError(f"mkdocs build --strict failed:\n{build.stderr[-4000:]}")


class _Handler(SimpleHTTPRequestHandler):
    prefix = "/"

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "__outside_the_site__")
        return super().translate_path("/" + path[len(self.prefix) :])

    def log_message(self, *args) -> None:  # quiet
        pass


@contextmanager
def serve(directory: Path, prefix: str) -> Iterator[str]:
    """Serve ``directory`` at http://127.0.0.1:<free port><prefix> from a thread; yields that URL."""
    handler = functools.partial(type("Handler", (_Handler,), {"prefix": prefix}), directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


def page_paths(site: Path) -> list[str]:
    """Every HTML page of the built site, as the path a reader opens (``chapters/dilated/``)."""
    paths = []
    for page in sorted(site.rglob("*.html")):
        relative = page.relative_to(site).as_posix()
        paths.append(relative[: -len("index.html")] if relative.endswith("index.html") else relative)
    return paths


# Reads the calculator as a reader sees it: the cells of every row, the notes, the totals and
# the message beside every field marked aria-invalid (through its aria-describedby).
READ_CALCULATOR = """
() => {
  const text = (node) => node ? node.textContent.trim() : null;
  const notes = (tr, cls) => Array.from(tr.querySelectorAll('.' + cls)).map(text);
  const cells = (tr) => {
    const get = (col) => text(tr.querySelector(`[data-col="${col}"]`));
    return {shape: get('shape'), params: get('params'), macs: get('macs'), field: get('field'),
            stride: get('stride'), error: notes(tr, 'cc-error'), blocked: notes(tr, 'cc-blocked'),
            diff: notes(tr, 'cc-diff'), info: notes(tr, 'cc-info')};
  };
  const app = document.getElementById('cc-app');
  const rows = Array.from(app.querySelectorAll('tbody tr')).slice(1).map(cells);
  const fieldErrors = {}, stray = [];
  for (const input of app.querySelectorAll('input[type="text"]')) {
    const msg = document.getElementById(input.id + '-msg');
    const described = (input.getAttribute('aria-describedby') || '').split(' ');
    if (input.getAttribute('aria-invalid') === 'true') {
      fieldErrors[input.id] = described.includes(msg.id) ? text(msg) : 'NOT DESCRIBED BY ' + msg.id;
    } else if (text(msg)) {
      stray.push(input.id);
    }
  }
  return {hash: location.hash, rows, total: cells(app.querySelector('tfoot tr')), fieldErrors, stray,
          text: app.querySelector('table').innerText};
}
"""

# Sets location.hash to each of the given hashes in turn and reads the calculator after each.
READ_HASHES = (
    """
async (hashes) => {
  const read = """
    + READ_CALCULATOR
    + """;
  const out = [];
  for (const hash of hashes) {
    if (location.hash !== hash) {
      const changed = new Promise((resolve) => window.addEventListener('hashchange', resolve, {once: true}));
      location.hash = hash;
      await changed;
    }
    out.push(read());
  }
  return out;
}
"""
)
