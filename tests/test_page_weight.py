"""Every page's cold load stays small: at most 250 KiB over the wire, compressed as a host compresses.

Chromium opens each built page with an empty cache and waits for its load event and then for
the two requests that follow it (the search index, the icon); every response it received (the page, its stylesheets, scripts, pictures, the search worker and
``search/search_index.json``) is counted at its gzip size (level 6, what static hosts use) if
it is text, at its own size otherwise (PNG, fonts: already compressed). A size test, not a
timing: ``python -m benchmarks.site`` measures the speed with Lighthouse.
"""

from __future__ import annotations

import gzip
import time

import pytest
from browser_support import page_paths

pytestmark = pytest.mark.browser

MAX_KIB = 250
LATE = ("search/search_index.json", "favicon")  # requested after the load event
LATE_TIMEOUT_S = 10
TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")


def wire_bytes(body: bytes, content_type: str) -> int:
    """Bytes of ``body`` on the wire: its gzip size (level 6) if ``content_type`` is text, else its size."""
    if content_type.startswith(TEXT_TYPES):
        return len(gzip.compress(body, compresslevel=6))
    return len(body)


def test_wire_bytes_compresses_text_only() -> None:
    text = b"convolution " * 1000
    assert wire_bytes(text, "text/html; charset=utf-8") < len(text) // 20
    assert wire_bytes(text, "image/png") == len(text)


def cold_load(browser, url: str) -> dict[str, int]:
    """Every resource that loading ``url`` in a fresh context fetches -> its bytes on the wire."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    loaded: dict[str, int] = {}

    def count(response) -> None:
        if response.url.startswith(("data:", "blob:")) or response.status >= 300:
            return
        try:
            body = response.body()
        except Exception:  # a response the page abandoned (no body to measure)
            return
        loaded[response.url] = wire_bytes(body, response.headers.get("content-type", ""))

    context.on("response", count)  # the context's responses include the search worker's
    page.goto(url, wait_until="load")
    # Two requests come after the load event: the search worker's index and the tab's icon.
    # Waiting for them, rather than for 0.5 s of network silence (networkidle) and 0.3 s more,
    # counted the same responses on every page and took half the time (measured once, 42 pages).
    deadline = time.monotonic() + LATE_TIMEOUT_S
    while not all(any(name in u for u in loaded) for name in LATE) and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    context.close()
    assert any(LATE[0] in u for u in loaded), f"{url}: the search index was not requested"
    return loaded


def test_every_page_loads_at_most_250_kib_compressed(browser, base_url, built_site) -> None:
    weights = {}
    for path in page_paths(built_site):
        loaded = cold_load(browser, base_url + path)
        weights[path or "(home)"] = (sum(loaded.values()), loaded)
    rows = sorted(weights.items(), key=lambda kv: -kv[1][0])
    print("\nCompressed bytes of a cold load, heaviest first:")
    for path, (total, loaded) in rows[:8]:
        print(f"  {path:<40} {total / 1024:7.1f} KiB in {len(loaded)} responses")
    assert any("search_index.json" in url for url in rows[0][1][1]), "the search index was not counted"
    heavy = {
        path: {
            "KiB": round(total / 1024, 1),
            "largest": sorted(((b, u.rsplit("/", 1)[-1]) for u, b in loaded.items()), reverse=True)[:4],
        }
        for path, (total, loaded) in rows
        if total > MAX_KIB * 1024
    }
    assert heavy == {}, heavy
