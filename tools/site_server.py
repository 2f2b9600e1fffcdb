"""Serve a built site on 127.0.0.1 under the path it is hosted at, from a thread.

Used by the browser tests (``tests/browser_support.py``) and the page-speed benchmark
(``benchmarks/site.py``, with a handler that compresses), so both see the site as it is hosted:
under the path of ``site_url`` (/conv-field-guide/), where the 404 page's absolute links work.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent


def site_prefix() -> str:
    """The path the site is hosted under, from mkdocs.yml's site_url (e.g. /conv-field-guide/),
    read as MkDocs reads it (``!ENV`` included)."""
    from mkdocs.utils.yaml import yaml_load

    with open(ROOT / "mkdocs.yml", encoding="utf8") as config:
        path = urlparse(yaml_load(config)["site_url"]).path
    return path if path.endswith("/") else path + "/"


class SiteHandler(SimpleHTTPRequestHandler):
    """Files of ``directory`` under ``prefix``; anything outside the prefix is a 404. Quiet."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "__outside_the_site__")
        return super().translate_path("/" + path[len(self.prefix) :])

    def log_message(self, *args) -> None:
        pass


@contextmanager
def serve(directory: Path, prefix: str, handler: type[SiteHandler] = SiteHandler) -> Iterator[str]:
    """Serve ``directory`` at http://127.0.0.1:<free port><prefix>; yields that URL."""
    bound = functools.partial(type("Handler", (handler,), {"prefix": prefix}), directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), bound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
