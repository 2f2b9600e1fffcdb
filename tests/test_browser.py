"""The built site in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium).

* The layer calculator shows what ``snippets`` computes (tools/calculator_cases.py is the
  Python side): 400 random stacks entered through the URL, 30 typed into the form, the
  presets, keyboard use.
* Every page: no console error, no failed request, nothing fetched from another host,
  formulas rendered as MathML, copy buttons on code, no serious or critical axe-core
  violation, at most 1 MB transferred on a cold load (table in test-artifacts/page-weight.txt).
* Search, the palette toggle, and screenshots in both palettes (test-artifacts/screenshots/).

The site is built once per session with ``mkdocs build --strict`` and served from a thread
(``BROWSER_TESTS_SITE=<dir>`` serves a site built before instead, to iterate quickly).
"""

from __future__ import annotations

import contextlib
import json
import random
import time
from urllib.parse import unquote, urlparse

import pytest
from browser_support import (
    ARTIFACTS,
    AXE,
    READ_CALCULATOR,
    READ_HASHES,
    compare,
    open_calculator,
    page_paths,
    read_every_tab,
    set_palette,
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
MAX_PAGE_BYTES = 1_000_000
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


def test_calculator_matches_snippets_when_typed_into(page, base_url) -> None:
    rng = random.Random(7)
    states = [random_state(rng, bad=0.05) for _ in range(TYPED_CASES)]
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
@pytest.fixture(scope="module")
def page_reports(browser, base_url, built_site) -> dict[str, dict]:
    """Each page opened once in a fresh context (a cold cache): what it fetched, logged and shows."""
    host = urlparse(base_url).netloc
    axe_source = AXE.read_text("utf8")
    reports = {}
    for path in page_paths(built_site):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        report = {"console": [], "failed": [], "external": [], "bytes": 0, "requests": 0}
        page.on(
            "console", lambda msg, r=report: r["console"].append(msg.text) if msg.type == "error" else None
        )
        page.on("pageerror", lambda error, r=report: r["console"].append(str(error)))
        page.on("requestfailed", lambda req, r=report: r["failed"].append(f"{req.url} {req.failure}"))
        page.on(
            "response",
            lambda res, r=report: (
                r["failed"].append(f"{res.url} {res.status}") if res.status >= 400 else None
            ),
        )
        page.on(
            "request",
            lambda req, r=report: (
                r["external"].append(req.url)
                if urlparse(req.url).scheme not in ("data", "blob") and urlparse(req.url).netloc != host
                else None
            ),
        )
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        sizes: dict[str, int] = {}
        cdp.on(
            "Network.loadingFinished",
            lambda event, s=sizes: s.__setitem__(event["requestId"], event["encodedDataLength"]),
        )
        page.goto(base_url + path, wait_until="networkidle")
        # the theme adds a block's copy button when the block comes into view (a block in a
        # tab: when the tab is opened); on a busy CI machine that can take seconds (a block
        # still without one after 15 s is reported below as uncopyable)
        read_every_tab(page)
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(COPYABLE, timeout=15_000)
        report["bytes"] = sum(sizes.values())
        report["requests"] = len(sizes)
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
        page.add_script_tag(content=axe_source)
        report["axe"] = run_axe(page)
        reports[path] = report
        context.close()
    return reports


def run_axe(page) -> list[str]:
    """The page's violations of impact "serious" or "critical", one line each."""
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['impact']} {violation['id']} at {' '.join(node['target'])}: {violation['help']}"
        for violation in result["violations"]
        if violation["impact"] in BAD_IMPACTS
        for node in violation["nodes"]
    ]


def test_every_page_has_no_console_error_nor_failed_request(page_reports) -> None:
    problems = {
        path: r["console"] + r["failed"] for path, r in page_reports.items() if r["console"] or r["failed"]
    }
    assert problems == {}


def test_no_page_fetches_from_another_host(page_reports) -> None:
    assert {path: r["external"] for path, r in page_reports.items() if r["external"]} == {}


def test_formulas_are_rendered(page_reports, built_site) -> None:
    raw = ("\\(", "\\)", "\\[", "\\]", "$$", "\\frac", "\\lfloor")
    for path, report in page_reports.items():
        left = [token for token in raw if token in report["text"]]
        assert left == [], f"{path}: raw LaTeX {left} in the visible text"
        source = built_site / (path + "index.html" if path.endswith("/") or not path else path)
        assert ("<math" in source.read_text("utf8")) == (report["maths"] > 0), path
        assert report["unrendered"] == 0, f"{path}: {report['unrendered']} formulas take no space"
    assert sum(r["maths"] > 0 for r in page_reports.values()) >= 3


def test_code_blocks_have_a_copy_button(page_reports) -> None:
    assert {path: r["uncopyable"] for path, r in page_reports.items() if r["uncopyable"]} == {}
    assert sum(r["codes"] for r in page_reports.values()) > 0


def test_no_serious_accessibility_violation(page_reports, browser, base_url) -> None:
    """axe-core on every page in the light palette, and on four pages in the dark one."""
    problems = {path: r["axe"] for path, r in page_reports.items() if r["axe"]}
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
            problems[f"{path} (dark)"] = dark
    context.close()
    assert problems == {}, json.dumps(problems, indent=1)


def test_page_weight(page_reports) -> None:
    lines = [f"{'page':<40} {'requests':>8} {'bytes':>10}"]
    lines += [
        f"{path or '(home)':<40} {r['requests']:>8} {r['bytes']:>10,}" for path, r in page_reports.items()
    ]
    table = "\n".join(lines)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page-weight.txt").write_text(table + "\n", "utf8")
    print("\nBytes transferred on a cold load (test-artifacts/page-weight.txt):\n" + table)
    heavy = {path: r["bytes"] for path, r in page_reports.items() if r["bytes"] > MAX_PAGE_BYTES}
    assert heavy == {}
    assert all(r["bytes"] > 0 for r in page_reports.values())


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
