"""The built site in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium).

* The layer calculator shows what ``snippets`` computes (tools/calculator_cases.py is the
  Python side): 400 random stacks entered through the URL, 30 typed into the form, the
  presets, keyboard use.
* Every page, opened once by ``read_page`` for all of these: no console error, no failed
  request, nothing fetched from another host, formulas rendered as MathML, copy buttons on
  code, no Sphinx role left raw in the visible text, no serious or critical axe-core
  violation, at most 250 KiB on the wire on a cold load, compressed as a host compresses
  (tables in test-artifacts/page-weight-share*.txt; ``python -m benchmarks.site`` measures
  the speed with Lighthouse). The pages are split into shares (``browser_support.PAGE_SHARES``)
  that the pytest-xdist workers read at the same time.
* Search, the palette toggle, and screenshots in both palettes (test-artifacts/screenshots/).

The site is built once per session with ``mkdocs build --strict`` and served from a thread
(``BROWSER_TESTS_SITE=<dir>`` serves a site built before instead, to iterate quickly).
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from browser_support import (
    ARTIFACTS,
    AXE,
    PAGE_SHARES,
    READ_CALCULATOR,
    READ_HASHES,
    READ_TEXT,
    compare,
    open_calculator,
    page_file,
    page_share,
    read_every_tab,
    set_palette,
    wire_bytes,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tools.calculator_cases import (
    FIELDS,
    INPUT_KEYS,
    PRESET_STATES,
    expected,
    random_state,
    random_states,
    to_hash,
)

pytestmark = pytest.mark.browser

#: Every code block of the content has the theme's copy button (once it has been in view).
COPYABLE = """() => Array.from(document.querySelectorAll('.md-content pre > code')).every(c =>
  c.parentElement.querySelector('.md-clipboard, .md-code__button[data-md-type="copy"]'))"""

URL_CASES = 400
TYPED_CASES = 30
MAX_KIB = 250
BAD_IMPACTS = {"serious", "critical"}


# ---------------------------------------------------------------- calculator parity
def test_calculator_matches_snippets_through_the_url(page, base_url) -> None:
    states = random_states(URL_CASES)
    hashes = [to_hash(state) for state in states]
    open_calculator(page, base_url, "#mode=keras&in=1,1,1&l=")
    shown = page.evaluate(READ_HASHES, hashes)
    failures = {}
    for state, hash_, result in zip(states, hashes, shown, strict=True):
        problems = compare(state, result)
        if unquote(result["hash"]) != unquote(hash_):
            problems.append(f"the calculator rewrote the URL to {result['hash']}")
        if problems:
            failures[hash_] = problems
    valid = sum("blocked" not in expected(state)["total"] for state in states)
    assert valid > URL_CASES // 3 and URL_CASES - valid > URL_CASES // 5, f"{valid} valid stacks: a poor mix"
    assert failures == {}, json.dumps(dict(list(failures.items())[:5]), indent=1, ensure_ascii=False)


def fill_form(page, state: dict, rng: random.Random) -> None:
    """Enter ``state`` as a reader would: the mode and rank switches, the input fields, Add layer,
    each field."""
    page.check(f"input[name='cc-mode'][value='{state['mode']}']")
    page.check(f"input[name='cc-rank'][value='{state.get('rank', 2)}']")
    for key, text in zip(INPUT_KEYS[state.get("rank", 2)], state["input"], strict=True):
        page.fill(f"#cc-in-{key}", text)
    for n, spec in enumerate(state["layers"], 1):
        page.click("#cc-add")
        page.select_option(f"#cc-l{n}-kind", spec["kind"])
        for key in FIELDS[spec["kind"]]:
            selector = f"#cc-l{n}-{key}"
            if key == "b":
                page.set_checked(selector, spec["v"]["b"] == "1")
            elif rng.random() < 0.3:  # key by key, as typed
                page.fill(selector, "")
                page.locator(selector).press_sequentially(spec["v"][key])
            else:
                page.fill(selector, spec["v"][key])


@pytest.mark.parametrize("half", [0, 1])
def test_calculator_matches_snippets_when_typed_into(page, base_url, half) -> None:
    """Half the typed stacks each, so that both xdist workers type at the same time."""
    rng = random.Random(7)
    states = [random_state(rng, bad=0.05) for _ in range(TYPED_CASES)][half::2]
    rng = random.Random(7 + half)  # how each field is typed
    failures = {}
    open_calculator(page, base_url, "#mode=keras&in=1,1,1&l=")
    for state in states:
        page.evaluate("location.hash = '#mode=keras&in=1,1,1&l='")
        page.wait_for_function("document.querySelectorAll('#cc-app .cc-layer').length === 0")
        fill_form(page, state, rng)
        shown = page.evaluate(READ_CALCULATOR)
        problems = compare(state, shown)
        if unquote(shown["hash"]) != unquote(to_hash(state)):
            problems.append(f"URL {shown['hash']} does not hold the stack {to_hash(state)}")
        if problems:
            failures[to_hash(state)] = problems
    assert failures == {}, json.dumps(failures, indent=1, ensure_ascii=False)


def test_calculator_presets(page, base_url) -> None:
    """Each preset loads its stack; the case studies' first blocks give their known figures, the
    1-D and 3-D presets those snippets computes for the stacks the twin writes."""
    open_calculator(page, base_url)
    twin = {name: expected(make())["total"] for name, make in PRESET_STATES.items()}
    known = {
        "VGG16, block 1": ("112 × 112 × 64", "38,720"),
        **{name: (total["shape"], total["params"]) for name, total in twin.items()},
        "ResNet-50 stem + first bottleneck": ("56 × 56 × 256", "66,752"),
        "MobileNetV1, first separable blocks": ("56 × 56 × 128", "29,504"),
        "Source: Conv(64, 3×3, stride 1, 'same')": ("224 × 224 × 64", "1,792"),
        "Source: Conv(64, 3×3, stride 1, 'valid')": ("222 × 222 × 64", "1,792"),
        "Source: Conv(64, 3×3, stride 2, 'same')": ("112 × 112 × 64", "1,792"),
        "Source: Conv(128, 5×5, stride 1, 'same')": ("224 × 224 × 128", "9,728"),
        "Source: transposed 4×4, stride 2 on 7×7×512": ("14 × 14 × 256", "2,097,408"),
    }
    names = page.locator(".cc-presets button").all_inner_texts()
    assert names == list(known)
    for name, (shape, params) in known.items():
        page.get_by_role("button", name=name, exact=True).click()
        shown = page.evaluate(READ_CALCULATOR)
        assert (shown["total"]["shape"], shown["total"]["params"]) == (shape, params), name
        assert shown["fieldErrors"] == {} and all(not row["error"] for row in shown["rows"]), name
        # the preset's URL reproduces it
        assert page.evaluate("document.querySelector('.cc-link').getAttribute('href')") == shown["hash"]
        if name in PRESET_STATES:  # and holds the stack the twin computed
            assert unquote(shown["hash"]) == unquote(to_hash(PRESET_STATES[name]())), name
            assert (shown["total"]["field"], shown["total"]["stride"]) == (
                twin[name]["field"],
                twin[name]["stride"],
            )


def test_calculator_by_keyboard(page, base_url) -> None:
    """Reorder, remove and add layers, change a type and type a value with the keyboard only."""
    open_calculator(page, base_url, "#mode=keras&in=224,224,3&l=conv;conv:f=32;maxpool")

    def kinds() -> list[str]:
        return page.eval_on_selector_all(".cc-layer select", "els => els.map(e => e.value)")

    page.focus("#cc-l3-up")
    page.keyboard.press("Enter")
    assert kinds() == ["conv", "maxpool", "conv"]
    assert page.evaluate("document.activeElement.id") == "cc-l2-up"
    page.keyboard.press("Space")
    assert kinds() == ["maxpool", "conv", "conv"]
    assert page.evaluate("document.activeElement.id") == "cc-l1-down"  # up is disabled on the first
    page.focus("#cc-l2-remove")
    page.keyboard.press("Enter")
    assert kinds() == ["maxpool", "conv"]
    assert page.evaluate("location.hash") == "#mode=keras&in=224,224,3&l=maxpool;conv:f=32"
    page.focus("#cc-add")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "cc-l3-kind"
    page.keyboard.press("ArrowDown")
    assert kinds() == ["maxpool", "conv", "depthwise"]
    page.keyboard.press("Tab")  # to the kernel field of the depthwise layer
    assert page.evaluate("document.activeElement.id") == "cc-l3-k"
    page.keyboard.press("Control+A")
    page.keyboard.type("0")
    shown = page.evaluate(READ_CALCULATOR)
    assert shown["fieldErrors"] == {"cc-l3-k": "kernel_size must be a positive int, got 0"}
    assert shown["rows"][2]["shape"] == "—" and shown["total"]["blocked"] == ["— fix layer 3 first"]
    page.keyboard.press("Backspace")
    page.keyboard.type("5")
    shown = page.evaluate(READ_CALCULATOR)
    assert shown["fieldErrors"] == {} and shown["total"]["shape"] == "112 × 112 × 32"


def test_calculator_shows_framework_differences(page, base_url) -> None:
    open_calculator(page, base_url, "#mode=keras&in=224,224,3&l=conv:s=2")
    shown = page.evaluate(READ_CALCULATOR)
    assert shown["rows"][0]["shape"] == "112 × 112 × 64"
    assert shown["rows"][0]["diff"] == [
        "PyTorch: refused: padding='same' is not supported for strided convolutions"
    ]
    # switching converts 'same' to the PyTorch number with the same output
    page.check("input[name='cc-mode'][value='pytorch']")
    shown = page.evaluate(READ_CALCULATOR)
    assert shown["fieldErrors"] == {} and shown["rows"][0]["shape"] == "112 × 112 × 64"
    assert page.input_value("#cc-l1-p") == "1"
    assert page.evaluate("location.hash") == "#mode=pytorch&in=224,224,3&l=conv:s=2,p=1"
    # the same stack given to PyTorch as it is: refused, and Keras' result beside it
    page.evaluate("location.hash = '#mode=pytorch&in=224,224,3&l=conv:s=2'")
    page.wait_for_function("document.querySelector('#cc-l1-p').value === 'same'")
    shown = page.evaluate(READ_CALCULATOR)
    assert shown["fieldErrors"] == {"cc-l1-p": "padding='same' is not supported for strided convolutions"}
    assert page.get_attribute("#cc-l1-p", "aria-invalid") == "true"
    assert shown["rows"][0]["diff"] == ["Keras: 112 × 112 × 64"]


# ---------------------------------------------------------------- every page
# The visible text of the page but its code blocks (a docstring shown as source keeps its roles,
# as the file a reader copies does), read with READ_TEXT: the off-screen blocks too.
PROSE = f"""() => {{
  const content = document.querySelector('.md-content');
  const hidden = Array.from(content.querySelectorAll('pre'));
  hidden.forEach(node => {{ node.dataset.display = node.style.display; node.style.display = 'none'; }});
  const text = ({READ_TEXT})('.md-content');
  hidden.forEach(node => {{ node.style.display = node.dataset.display; }});
  return text;
}}"""
RAW_ROLE = re.compile(r":(?:py:)?(?:func|class|mod|meth|attr|data|obj|exc|const):(?=[`\w~])")
LATE = ("search/search_index.json", "favicon")  # requested after the load event
LATE_TIMEOUT_S = 10


def wait_for_late_requests(page, loaded: dict[str, int]) -> None:
    """Two requests come after the load event: the search worker's index and the tab's icon.
    Waiting for them, rather than for 0.5 s of network silence (networkidle), counts the same
    responses on every page in half the time."""
    deadline = time.monotonic() + LATE_TIMEOUT_S
    while not all(any(name in url for url in loaded) for name in LATE) and time.monotonic() < deadline:
        page.wait_for_timeout(20)


def read_page(browser, url: str, host: str, axe_source: str) -> dict:
    """``url`` opened once in a fresh context (a cold cache): what it fetched (each response at
    its size on the wire, :func:`wire_bytes`), logged and shows, and axe-core's verdict."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    report = {"console": [], "failed": [], "external": [], "loaded": {}}
    page.on("console", lambda msg: report["console"].append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: report["console"].append(str(error)))
    context.on("requestfailed", lambda req: report["failed"].append(f"{req.url} {req.failure}"))

    def received(response) -> None:  # the context's responses include the search worker's
        if response.status >= 400:
            report["failed"].append(f"{response.url} {response.status}")
        if response.url.startswith(("data:", "blob:")) or response.status >= 300:
            return
        try:
            body = response.body()
        except Exception:  # a response the page abandoned (no body to measure)
            return
        report["loaded"][response.url] = wire_bytes(body, response.headers.get("content-type", ""))

    context.on("response", received)
    context.on(
        "request",
        lambda req: (
            report["external"].append(req.url)
            if urlparse(req.url).scheme not in ("data", "blob") and urlparse(req.url).netloc != host
            else None
        ),
    )
    page.goto(url, wait_until="load")
    wait_for_late_requests(page, report["loaded"])
    # the theme adds a block's copy button when the block comes into view (a block in a
    # tab: when the tab is opened); on a busy CI machine that can take seconds (a block
    # still without one after 15 s is reported below as uncopyable)
    read_every_tab(page)
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(COPYABLE, timeout=15_000)
    report.update(
        page.evaluate("""() => {
      const content = document.querySelector('.md-content');
      const clone = content.cloneNode(true);
      clone.querySelectorAll('pre, code, script, style, math').forEach(n => n.remove());
      const maths = Array.from(content.querySelectorAll('math'));
      const codes = Array.from(content.querySelectorAll('pre > code'));
      return {
        text: clone.innerText,
        maths: maths.length,
        unrendered: maths.filter(m => m.checkVisibility() && m.getBoundingClientRect().width === 0).length,
        codes: codes.length,
        uncopyable: codes.filter(c => !c.parentElement.querySelector(
          '.md-clipboard, .md-code__button[data-md-type="copy"]')).length,
      };
    }""")
    )
    report["prose"] = page.evaluate(PROSE)
    report["bytes"] = sum(report["loaded"].values())
    page.add_script_tag(content=axe_source)
    report["axe"] = run_axe(page)
    context.close()
    return report


def run_axe(page) -> list[str]:
    """The page's violations of impact "serious" or "critical", one line each."""
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['impact']} {violation['id']} at {' '.join(node['target'])}: {violation['help']}"
        for violation in result["violations"]
        if violation["impact"] in BAD_IMPACTS
        for node in violation["nodes"]
    ]


# What a page must not show, one function per kind of defect: ``(path, report, site)`` -> the
# defects ``read_page``'s report shows, one line each (none: an empty list).
RAW_LATEX = ("\\(", "\\)", "\\[", "\\]", "$$", "\\frac", "\\lfloor")


def console_errors_and_failed_requests(path: str, report: dict, site: Path) -> list[str]:
    return report["console"] + report["failed"]


def requests_to_another_host(path: str, report: dict, site: Path) -> list[str]:
    return report["external"]


def unrendered_formulas(path: str, report: dict, site: Path) -> list[str]:
    """Raw LaTeX in the visible text, formulas that take no space, or MathML that the built
    page has and the browser lacks (or the reverse)."""
    problems = [f"raw LaTeX {token!r} in the visible text" for token in RAW_LATEX if token in report["text"]]
    if ("<math" in page_file(site, path).read_text("utf8")) != (report["maths"] > 0):
        problems.append(f"the built page and the browser disagree on MathML ({report['maths']} shown)")
    if report["unrendered"]:
        problems.append(f"{report['unrendered']} formulas take no space")
    return problems


def code_without_a_copy_button(path: str, report: dict, site: Path) -> list[str]:
    return [f"{report['uncopyable']} of {report['codes']} code blocks"] if report["uncopyable"] else []


def raw_sphinx_roles(path: str, report: dict, site: Path) -> list[str]:
    """Markup of another syntax left raw in the visible text, such as ``:func:`name```."""
    return sorted({line.strip()[:100] for line in report["prose"].splitlines() if RAW_ROLE.search(line)})


def serious_accessibility_violations(path: str, report: dict, site: Path) -> list[str]:
    return report["axe"]


def heavier_than_250_kib(path: str, report: dict, site: Path) -> list[str]:
    """Every response of a cold load (the page, its stylesheets, scripts, pictures, the search
    worker and ``search/search_index.json``), each at its size on the wire (:func:`wire_bytes`)."""
    problems = [] if any(LATE[0] in url for url in report["loaded"]) else ["the search index was not counted"]
    if report["bytes"] > MAX_KIB * 1024:
        largest = sorted(((b, u.rsplit("/", 1)[-1]) for u, b in report["loaded"].items()), reverse=True)[:4]
        problems.append(f"{report['bytes'] / 1024:.1f} KiB; largest: {largest}")
    return problems


PAGE_CHECKS = (
    console_errors_and_failed_requests,
    requests_to_another_host,
    unrendered_formulas,
    code_without_a_copy_button,
    raw_sphinx_roles,
    serious_accessibility_violations,
    heavier_than_250_kib,
)


@pytest.mark.parametrize("share", range(PAGE_SHARES), ids=lambda share: f"share{share}")
def test_every_page_as_a_reader_opens_it(share, browser, base_url, built_site) -> None:
    """Each page of one share (``browser_support.page_share``) opened once, cold, by
    :func:`read_page`, and checked for every defect of ``PAGE_CHECKS``. One test per share and
    not one per check, so that pytest-xdist spreads the shares over its workers and a page
    loads once (its ``loadgroup`` mode, which would group tests, does nothing under pytest 9.2)."""
    host = urlparse(base_url).netloc
    axe_source = AXE.read_text("utf8")
    reports = {
        path: read_page(browser, base_url + path, host, axe_source) for path in page_share(built_site, share)
    }
    rows = sorted(reports.items(), key=lambda kv: -kv[1]["bytes"])
    table = "\n".join(
        [f"{'page':<40} {'requests':>8} {'KiB':>8}"]
        + [f"{path or '(home)':<40} {len(r['loaded']):>8} {r['bytes'] / 1024:>8.1f}" for path, r in rows]
    )
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"page-weight-share{share}.txt").write_text(table + "\n", "utf8")
    print("\nCompressed bytes of a cold load, heaviest first:\n" + table)
    defects = {
        f"{path or '(home)'}: {check.__name__}": found
        for path, report in reports.items()
        for check in PAGE_CHECKS
        if (found := check(path, report, built_site))
    }
    assert defects == {}, json.dumps(defects, indent=1)


def test_the_site_has_formulas_and_code_to_check(built_site) -> None:
    """The checks above have something to check: formulas on several pages, code on many."""
    pages = [page.read_text("utf8") for page in built_site.rglob("*.html")]
    assert sum("<math" in html for html in pages) >= 3
    assert sum("<pre" in html for html in pages) >= 10


def test_no_serious_accessibility_violation_in_the_dark_palette(browser, base_url) -> None:
    """axe-core on four pages in the dark palette."""
    problems = {}
    context = browser.new_context()
    page = context.new_page()
    for path in (
        "",
        "chapters/parameters/",
        "calculator/",
        "calculator/#mode=pytorch&in=0,8,3&l=conv:s=2;maxpool",
    ):
        page.goto(base_url + path)
        set_palette(page, "slate")
        page.add_script_tag(path=str(AXE))
        dark = run_axe(page)
        if dark:
            problems[path] = dark
    context.close()
    assert problems == {}, json.dumps(problems, indent=1)


def test_wire_bytes_compresses_text_only() -> None:
    text = b"convolution " * 1000
    assert wire_bytes(text, "text/html; charset=utf-8") < len(text) // 20
    assert wire_bytes(text, "image/png") == len(text)


# ---------------------------------------------------------------- search, palette, screenshots
def test_palette_toggle(page, base_url) -> None:
    page.goto(base_url)
    assert page.get_attribute("body", "data-md-color-scheme") == "default"
    set_palette(page, "slate")
    set_palette(page, "default")


def test_screenshots(page, base_url) -> None:
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    for name, path in [
        ("home", ""),
        ("chapter-parameters", "chapters/parameters/"),
        ("calculator", "calculator/"),
    ]:
        page.goto(base_url + path)
        for scheme in ("default", "slate"):
            set_palette(page, scheme)
            time.sleep(0.2)  # the palette's colour transition
            file = shots / f"{name}-{scheme}.png"
            page.screenshot(path=str(file), full_page=name == "calculator")
            assert file.stat().st_size > 10_000
