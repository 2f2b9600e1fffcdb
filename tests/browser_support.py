"""Helpers of the browser tests: build the site, serve it on 127.0.0.1, drive Debian's Chromium.

The site is served under the path of its ``site_url`` (/conv-field-guide/), as it is hosted,
so the 404 page, whose links are absolute, loads its assets too.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

from tools.browser import chromium_path
from tools.calculator_cases import expected
from tools.page_types import reader_path
from tools.site_server import serve, site_prefix  # noqa: F401 - the tests import them from here

ROOT = Path(__file__).resolve().parent.parent
# Debian's Chromium by default; CHROMIUM_PATH points elsewhere (e.g. a CI runner's Chrome).
CHROMIUM = chromium_path()
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


BUILD_STATUS = ".build-status"  # written beside a background build's site when it ends


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


def start_background_build(out: Path) -> subprocess.Popen:
    """Build the site into ``out`` in another process (``python tests/browser_support.py OUT``),
    which writes ``out.with_suffix(BUILD_STATUS)`` when done: ``ok`` or the build's error."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, __file__, str(out)], cwd=ROOT, env=env)


def wait_for_background_build(out: Path, timeout: float = 900) -> Path:
    """``out`` once its background build has ended; the build's error if it failed."""
    import time

    status = out.with_suffix(BUILD_STATUS)
    deadline = time.monotonic() + timeout
    while not status.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"the site build into {out} did not end within {timeout:.0f} s")
        time.sleep(0.5)
    text = status.read_text("utf8")
    if text != "ok":
        raise AssertionError(text)
    return out


def page_paths(site: Path) -> list[str]:
    """Every HTML page of the built site, as the path a reader opens (``chapters/dilated/``)."""
    return [reader_path(site, page) for page in sorted(site.rglob("*.html"))]


def page_file(site: Path, path: str) -> Path:
    """The HTML file of the built site that the reader's ``path`` (:func:`page_paths`) opens."""
    return site / (path + "index.html" if path.endswith("/") or not path else path)


#: The tests that open every page split the pages into this many shares, every fourth page
#: in each, so that pytest-xdist runs the shares on all workers at once.
PAGE_SHARES = 4


def page_share(site: Path, share: int) -> list[str]:
    """The pages of share ``share`` (0 <= share < PAGE_SHARES): ``page_paths(site)[share::PAGE_SHARES]``."""
    return page_paths(site)[share::PAGE_SHARES]


TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")


def wire_bytes(body: bytes, content_type: str) -> int:
    """Bytes of ``body`` on the wire: its gzip size (level 6, what static hosts use) if
    ``content_type`` is text, else its size (PNG, fonts: already compressed)."""
    if content_type.startswith(TEXT_TYPES):
        return len(gzip.compress(body, compresslevel=6))
    return len(body)


#: The text a reader reads in the element ``selector`` names, as ``innerText`` gives it, for
#: the whole element even where it is off screen. Chromium skips the rendering of off-screen
#: blocks that have ``content-visibility: auto`` (extra.css), and ``innerText`` of skipped
#: content is empty. Content in the selection is rendered, as when a reader selects or
#: copies the page, so the element's contents are selected while the text is read.
READ_TEXT = """(selector) => {
  const element = document.querySelector(selector);
  const selection = getSelection();
  const kept = [...Array(selection.rangeCount).keys()].map(i => selection.getRangeAt(i));
  const range = document.createRange();
  range.selectNodeContents(element);
  selection.removeAllRanges();
  selection.addRange(range);
  const text = element.innerText;
  selection.removeAllRanges();
  kept.forEach(r => selection.addRange(r));
  return text;
}"""


def scroll_through(page) -> None:
    """Scroll the page from top to bottom a viewport at a time, as a reader does, letting two
    frames pass at each stop, then back to the top. The theme gives a code block its copy button
    when the block first comes into view (``content.lazy``, mkdocs.yml), and the browser lays
    out an off-screen block when it comes near (``content-visibility``, extra.css)."""
    page.evaluate(
        """async () => {
          const frame = () => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
          for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight) {
            scrollTo(0, y);
            await frame();
          }
          scrollTo(0, 0);
          await frame();
        }"""
    )


def read_every_tab(page) -> None:
    """:func:`scroll_through` the page once as loaded, then once more after choosing each tab
    title the page has (PyTorch, Keras, ...): the blocks of a tab become visible, and get their
    copy button, only when a reader opens it. Tabs with the same title switch together
    (``content.tabs.link``), so one click per title opens them on the whole page."""
    scroll_through(page)
    titles = page.evaluate(
        "() => [...new Set([...document.querySelectorAll('.tabbed-labels > label')].map(l => l.textContent.trim()))]"
    )
    for title in titles:  # textContent: a label off screen has no innerText (READ_TEXT)
        label = page.locator(".tabbed-labels > label", has_text=title).first
        label.scroll_into_view_if_needed()
        label.click()
        scroll_through(page)


def set_palette(page, scheme: str) -> None:
    if page.get_attribute("body", "data-md-color-scheme") != scheme:
        page.locator("form[data-md-component='palette'] label:visible").first.click()
        page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') === '{scheme}'")


def compare(state: dict, shown: dict) -> list[str]:
    """Every difference between what the calculator shows and what snippets computes."""
    want = expected(state)
    problems = []
    if len(shown["rows"]) != len(want["rows"]):
        return [f"{len(shown['rows'])} rows shown, {len(want['rows'])} expected"]
    for n, (row, exp) in enumerate(zip(shown["rows"], want["rows"], strict=True), 1):
        for col in ("shape", "params", "macs", "field", "stride"):
            if row[col] != exp[col]:
                problems.append(f"layer {n} {col}: shown {row[col]!r}, snippets {exp[col]!r}")
        error = [e.removeprefix("Invalid: ") for e in row["error"]]
        if error != ([exp["error"]] if exp["error"] else []):
            problems.append(f"layer {n} error: shown {error}, snippets {exp['error']!r}")
        if bool(row["blocked"]) != exp["blocked"]:
            problems.append(f"layer {n}: blocked shown {row['blocked']}, expected {exp['blocked']}")
        if row["diff"] != ([exp["diff"]] if exp["diff"] else []):
            problems.append(f"layer {n} framework note: shown {row['diff']}, expected {exp['diff']!r}")
        pool = state["layers"][n - 1]["kind"].endswith("pool")
        if pool and row["shape"] != "—" and not any("0 MACs" in info for info in row["info"]):
            problems.append(f"layer {n}: pooling row does not say it counts 0 MACs")
    total = want["total"]
    if "blocked" in total:
        if shown["total"]["blocked"] != ["— " + total["blocked"]]:
            problems.append(f"total: shown {shown['total']}, expected {total}")
    else:
        for col in ("shape", "params", "macs", "field", "stride"):
            if shown["total"][col] != total[col]:
                problems.append(f"total {col}: shown {shown['total'][col]!r}, snippets {total[col]!r}")
    if shown["fieldErrors"] != want["field_errors"]:
        problems.append(f"field messages: shown {shown['fieldErrors']}, expected {want['field_errors']}")
    if shown["stray"]:
        problems.append(f"messages beside fields not marked aria-invalid: {shown['stray']}")
    for bad in ("NaN", "Infinity", "undefined", "null"):
        if bad in shown["text"]:
            problems.append(f"{bad} in the table")
    return problems


def open_calculator(page, base_url: str, hash_: str = "") -> None:
    """Open the calculator page at ``hash_`` and wait until it has drawn its table."""
    page.goto(base_url + "calculator/" + hash_)
    page.wait_for_selector("#cc-app[data-ready] table")


# Reads the calculator as a reader sees it: the cells of every row, the notes (in the row
# under it), the totals and the message beside every field marked aria-invalid (through its
# aria-describedby).
READ_CALCULATOR = """
() => {
  const text = (node) => node ? node.textContent.trim() : null;
  const notes = (tr, cls) => {
    const under = tr.parentElement.querySelector(`tr[data-notes="${tr.dataset.row}"]`);
    return Array.from(under ? under.querySelectorAll('.' + cls) : []).map(text);
  };
  const cells = (tr) => {
    const get = (col) => text(tr.querySelector(`[data-col="${col}"]`));
    return {shape: get('shape'), params: get('params'), macs: get('macs'), field: get('field'),
            stride: get('stride'), error: notes(tr, 'cc-error'), blocked: notes(tr, 'cc-blocked'),
            diff: notes(tr, 'cc-diff'), info: notes(tr, 'cc-info')};
  };
  const app = document.getElementById('cc-app');
  const rows = Array.from(app.querySelectorAll('tbody tr[data-row]')).slice(1).map(cells);
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
  return {hash: location.hash, rows, total: cells(app.querySelector('tfoot tr[data-row]')), fieldErrors, stray,
          text: app.querySelector('table').innerText};
}
"""


# Sets location.hash to each of the given hashes in turn and reads the calculator after each.
def at_each_hash(read: str) -> str:
    """A function of a list of addresses that opens each in turn (the calculator redraws on
    ``hashchange``, before this listener runs) and returns what ``read``, a JS function, reads."""
    return (
        """
async (hashes) => {
  const read = """
        + read
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


READ_HASHES = at_each_hash(READ_CALCULATOR)


if __name__ == "__main__":  # the background build of start_background_build
    target = Path(sys.argv[1])
    try:
        build_site(target)
        outcome = "ok"
    except AssertionError as error:
        outcome = str(error)
    partial = target.with_suffix(BUILD_STATUS + ".tmp")
    partial.write_text(outcome, "utf8")
    partial.replace(target.with_suffix(BUILD_STATUS))
