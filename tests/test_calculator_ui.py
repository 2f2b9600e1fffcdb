"""The layer calculator as a reader uses it: switching the framework, a bad address, the
results table on a laptop and a phone, changing a layer's type, how numbers are written.

Each test reads what the reader sees (innerText, input values, element boxes) in Chromium;
where the calculator changes a stack (mode switch, type change) the Python twin
(tools/calculator_cases.py) says what the result must be, and the parity helper
``compare`` checks every figure of the changed stack against ``snippets``.
"""

from __future__ import annotations

import json
import random
import re
import time
from urllib.parse import unquote

import pytest
from browser_support import ARTIFACTS, READ_CALCULATOR, compare, open_calculator, set_palette

from tools.calculator_cases import (
    DEFAULTS,
    FIELDS,
    MODE_DEFAULTS,
    change_kind,
    convert_layer,
    expected,
    random_states,
    switch_mode,
    to_hash,
)

pytestmark = pytest.mark.browser

VIEWPORTS = {"laptop": (1280, 800), "phone": (390, 844)}
# A stack whose rows carry every kind of note: a framework difference, information on
# pooling and on transposed layers, and a long error with a value that has no spaces.
NOTES_STACK = (
    "#mode=keras&in=224,224,3&l=conv:s=2;conv:f=512,k=7;transposed:f=256,k=4;maxpool:k=3,s=1;"
    "separable:f=1024,m=2;conv:k=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
)


@pytest.fixture
def sized_page(browser, base_url):
    """A page at a given viewport, failing the test on any console error."""
    contexts, errors = [], []

    def make(width: int, height: int):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert errors == [], f"console errors: {errors}"


def summary(page) -> str:
    return page.inner_text("#cc-app .cc-summary")


# ---------------------------------------------------------------- switching the framework
def test_switching_the_default_stack_to_pytorch_gives_a_result_and_says_what_changed(page, base_url) -> None:
    open_calculator(page, base_url)
    assert summary(page).startswith("Output 112 × 112 × 64, 38,720 parameters")
    page.check("input[name='cc-mode'][value='pytorch']")
    assert summary(page).startswith("Output 112 × 112 × 64, 38,720 parameters"), summary(page)
    assert page.input_value("#cc-l3-p") == "0"
    note = page.inner_text("#cc-app .cc-converted")
    assert "Layer 3 (MaxPool2d): padding 'valid' → 0" in note, note
    assert page.is_visible("#cc-app .cc-converted")
    # and back: PyTorch's 0 is Keras' 'valid'
    page.check("input[name='cc-mode'][value='keras']")
    assert page.input_value("#cc-l3-p") == "valid"
    assert summary(page).startswith("Output 112 × 112 × 64"), summary(page)
    assert "Layer 3 (MaxPooling2D): padding 0 → 'valid'" in page.inner_text("#cc-app .cc-converted")


def test_switching_keeps_a_spelling_that_has_no_equivalent_and_shows_the_refusal(page, base_url) -> None:
    # 'same' with an even kernel at stride 1 pads 1 pixel: no symmetric PyTorch number does.
    open_calculator(page, base_url, "#mode=keras&in=32,32,3&l=maxpool:k=2,s=1,p=same")
    page.check("input[name='cc-mode'][value='pytorch']")
    note = page.inner_text("#cc-app .cc-converted")
    assert "Layer 1 (MaxPool2d): padding 'same' kept" in note, note
    assert page.input_value("#cc-l1-p") == "same"
    assert "padding must be an int >= 0 for MaxPool2d" in page.inner_text("#cc-l1-p-msg")


def test_switching_mode_matches_the_python_twin(page, base_url) -> None:
    """Random stacks switched to the other framework: the fields, the note and every figure
    after the switch are what tools.calculator_cases.switch_mode and snippets give."""
    states = random_states(60, seed=12)
    open_calculator(page, base_url, "#mode=keras&in=1,1,1&l=")
    failures = {}
    for state in states:
        page.evaluate("hash => { location.hash = hash; }", to_hash(state))
        page.wait_for_function("h => location.hash === h", arg=to_hash(state))
        other = "pytorch" if state["mode"] == "keras" else "keras"
        page.check(f"input[name='cc-mode'][value='{other}']")
        switched, lines = switch_mode(state, other)
        shown = page.evaluate(READ_CALCULATOR)
        problems = compare(switched, shown)
        if unquote(shown["hash"]) != unquote(to_hash(switched)):
            problems.append(f"URL {shown['hash']}, twin {to_hash(switched)}")
        note = page.eval_on_selector_all("#cc-app .cc-converted li", "els => els.map(e => e.innerText)")
        if note != lines:
            problems.append(f"note {note}, twin {lines}")
        if problems:
            failures[to_hash(state)] = problems
    assert failures == {}, json.dumps(dict(list(failures.items())[:5]), indent=1, ensure_ascii=False)


def test_pytorch_defaults_are_the_keras_defaults_converted() -> None:
    for kind, values in DEFAULTS.items():
        for size in (1, 7, 32, 224):
            spec = {"kind": kind, "v": dict(values)}
            converted, _ = convert_layer(1, spec, (size, size + 1, 3), "keras", "pytorch")
            assert converted["v"] == MODE_DEFAULTS["pytorch"][kind], (kind, size)


# ---------------------------------------------------------------- a bad address
BAD_ADDRESSES = [
    "#l=conv:k=%ZZ",
    "#mode=keras&in=224,%E0%A4%A,3&l=conv",
    "#mode=tensorflow&in=224,224,3&l=conv",
    "#mode=keras&in=224,224,3&l=conv;transformer:k=3",
    "#mode=keras&in=224,224,3&l=conv:zz=3",
    "#mode=keras&in=224,224&l=conv",
    "#mode=keras&in=224,224,3&l=conv&extra=1",
]


@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_a_bad_address_gets_a_message_and_the_default_stack(page, base_url, address) -> None:
    page.goto(base_url + "calculator/" + address)
    page.wait_for_selector("#cc-app table", timeout=5000)
    message = page.inner_text("#cc-app .cc-address-error")
    assert message.startswith("This address could not be read"), message
    assert "showing the default stack" in message, message
    assert summary(page).startswith("Output 112 × 112 × 64, 38,720 parameters")


def test_a_bad_address_typed_after_loading_gets_the_message(page, base_url) -> None:
    open_calculator(page, base_url, "#mode=keras&in=8,8,3&l=conv")
    page.evaluate("location.hash = '#l=conv:k=%ZZ'")
    page.wait_for_selector("#cc-app .cc-address-error")
    assert "could not be read" in page.inner_text("#cc-app .cc-address-error")
    assert summary(page).startswith("Output 112 × 112 × 64")
    page.fill("#cc-l1-f", "32")  # editing the stack writes a good address and drops the message
    assert page.locator("#cc-app .cc-address-error").count() == 0


def test_a_heading_link_keeps_the_stack(page, base_url) -> None:
    open_calculator(page, base_url, "#mode=keras&in=8,8,3&l=conv:f=16")
    page.click(".md-sidebar--secondary a[href='#what-it-computes']")
    page.wait_for_function("location.hash === '#what-it-computes'")
    assert summary(page).startswith("Output 8 × 8 × 16"), summary(page)
    assert page.locator("#cc-app .cc-address-error").count() == 0


# ---------------------------------------------------------------- the table fits
MEASURE_TABLE = """
() => {
  const box = document.querySelector('.md-content__inner').getBoundingClientRect();
  const scroll = document.querySelector('#cc-app .cc-scroll');
  const cells = Array.from(document.querySelectorAll('#cc-app tbody td, #cc-app tbody th, #cc-app tfoot td, #cc-app tfoot th'));
  const outside = [], hidden = [];
  for (const cell of cells) {
    const r = cell.getBoundingClientRect();
    const name = (cell.closest('tr').dataset.row || cell.closest('tr').dataset.notes) + ':' + cell.dataset.col;
    if (cell.textContent.trim() === '') continue;
    if (!cell.checkVisibility() || r.width === 0) { hidden.push(name); continue; }
    if (r.left < box.left - 1 || r.right > box.right + 1) outside.push(`${name} ${Math.round(r.left)}..${Math.round(r.right)}`);
  }
  const clipped = Array.from(document.querySelectorAll('#cc-app .cc-note')).filter(
    (n) => n.scrollWidth > n.clientWidth + 1 || n.getBoundingClientRect().right > box.right + 1
  ).map((n) => n.innerText.slice(0, 40));
  const cols = ['layer', 'shape', 'params', 'macs', 'field', 'stride', 'notes'];
  const shown = cols.filter((c) => Array.from(document.querySelectorAll(`#cc-app tbody [data-col="${c}"]`)).some(
    (cell) => cell.checkVisibility() && cell.innerText.trim() !== ''));
  return {box: [box.left, box.right], scroll: [scroll.scrollWidth, scroll.clientWidth], outside, hidden, clipped,
          shown, notes: Array.from(document.querySelectorAll('#cc-app .cc-note')).map((n) => n.innerText)};
}
"""


# Figures of 15 to 19 digits: the widest columns the calculator draws.
BIG_STACK = "#mode=keras&in=4096,4096,3&l=separable:f=4096,m=64,k=11;transposed:f=1024,k=9,s=1,d=3"


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_huge_figures_fit(sized_page, base_url, viewport) -> None:
    page = sized_page(*VIEWPORTS[viewport])
    open_calculator(page, base_url, BIG_STACK)
    m = page.evaluate(MEASURE_TABLE)
    assert m["outside"] == [] and m["scroll"][0] <= m["scroll"][1] + 1, m
    assert page.inner_text("#cc-app tbody tr[data-row='2'] [data-col='macs']") == "5,699,868,278,390,784"


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_every_column_and_every_note_fits(sized_page, base_url, viewport) -> None:
    page = sized_page(*VIEWPORTS[viewport])
    open_calculator(page, base_url, NOTES_STACK)
    m = page.evaluate(MEASURE_TABLE)
    assert m["outside"] == [], f"cells outside the content box {m['box']}: {m['outside']}"
    assert m["scroll"][0] <= m["scroll"][1] + 1, f"the table scrolls sideways: {m['scroll']}"
    assert m["clipped"] == [], m["clipped"]
    assert m["hidden"] == [], m["hidden"]
    assert m["shown"] == ["layer", "shape", "params", "macs", "field", "stride", "notes"], m["shown"]
    assert any(note.startswith("Invalid: kernel_size must be a positive int") for note in m["notes"])
    assert "PyTorch: refused: padding='same' is not supported for strided convolutions" in m["notes"]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_each_figure_is_labelled_on_every_width(sized_page, base_url, viewport) -> None:
    """On a phone the cells stack: each still says what it is (its column's header)."""
    page = sized_page(*VIEWPORTS[viewport])
    open_calculator(page, base_url, "#mode=keras&in=224,224,3&l=conv")
    text = page.inner_text("#cc-app tbody tr[data-row='1']")
    labels = page.evaluate("""() => Array.from(document.querySelectorAll("#cc-app tbody tr[data-row='1'] td")).map(
      (td) => { const before = getComputedStyle(td, '::before').content;
                const head = document.querySelectorAll('#cc-app thead th')[td.cellIndex];
                return (before !== 'none' ? before.replace(/"/g, '') : '') +
                       (head.checkVisibility() && head.getBoundingClientRect().width > 1 ? head.innerText : ''); })""")
    assert "224 × 224 × 64" in text and "1,792" in text
    assert all(label.strip() for label in labels), labels


# ---------------------------------------------------------------- changing a layer's type
def test_changing_the_type_keeps_the_values_set(page, base_url) -> None:
    open_calculator(page, base_url, "#mode=keras&in=224,224,3&l=conv:f=32,k=5,s=2,p=valid,b=0")
    page.select_option("#cc-l1-kind", "separable")
    assert [page.input_value(f"#cc-l1-{key}") for key in "fksp"] == ["32", "5", "2", "valid"]
    assert not page.is_checked("#cc-l1-b")
    page.select_option("#cc-l1-kind", "maxpool")
    assert [page.input_value(f"#cc-l1-{key}") for key in "ksp"] == ["5", "2", "valid"]
    # pooling has no filters, and 'valid' is its default: back to a convolution, those two
    # fields take the convolution's defaults
    page.select_option("#cc-l1-kind", "conv")
    assert [page.input_value(f"#cc-l1-{key}") for key in "fksp"] == ["64", "5", "2", "same"]


def test_changing_the_type_of_a_default_layer_gives_the_new_types_defaults(page, base_url) -> None:
    open_calculator(page, base_url, "#mode=pytorch&in=32,32,3&l=")
    page.click("#cc-add")
    page.select_option("#cc-l1-kind", "maxpool")
    assert [page.input_value(f"#cc-l1-{key}") for key in "ksp"] == ["2", "", "0"]
    page.select_option("#cc-l1-kind", "transposed")
    assert [page.input_value(f"#cc-l1-{key}") for key in ("k", "s", "p", "op")] == ["3", "2", "1", "1"]
    assert summary(page).startswith("Output 64 × 64 × 64"), summary(page)


def test_changing_the_type_matches_the_python_twin(page, base_url) -> None:
    rng = random.Random(3)
    open_calculator(page, base_url, "#mode=keras&in=1,1,1&l=")
    failures = {}
    for state in [s for s in random_states(80, seed=5) if s["layers"]][:40]:
        page.evaluate("hash => { location.hash = hash; }", to_hash(state))
        page.wait_for_function("h => location.hash === h", arg=to_hash(state))
        index = rng.randrange(len(state["layers"]))
        kind = rng.choice([k for k in FIELDS if k != state["layers"][index]["kind"]])
        page.select_option(f"#cc-l{index + 1}-kind", kind)
        changed = change_kind(state, index, kind)
        shown = page.evaluate(READ_CALCULATOR)
        problems = compare(changed, shown)
        if unquote(shown["hash"]) != unquote(to_hash(changed)):
            problems.append(f"URL {shown['hash']}, twin {to_hash(changed)}")
        if problems:
            failures[f"{to_hash(state)} layer {index + 1} -> {kind}"] = problems
    assert failures == {}, json.dumps(dict(list(failures.items())[:5]), indent=1, ensure_ascii=False)


# ---------------------------------------------------------------- one way of writing numbers
def test_every_figure_groups_thousands(page, base_url) -> None:
    open_calculator(page, base_url, "#mode=keras&in=1024,1024,3&l=conv:f=2048,k=1;maxpool:k=1000")
    table = page.inner_text("#cc-app table")
    assert "1,024 × 1,024 × 2,048" in table, table
    assert "8,192" in table  # parameters of the 1x1 conv: 3 x 2,048 + 2,048
    assert re.findall(r"\d{4,}", table + summary(page)) == [], table


def test_random_stacks_group_thousands_like_the_twin() -> None:
    """The twin's figures follow the same rule (the parity tests compare them with the page)."""
    for state in random_states(200):
        want = expected(state)
        cells = [row[col] for row in want["rows"] for col in ("shape", "params", "macs", "field", "stride")]
        cells += [v for k, v in want["total"].items() if k != "blocked"]
        assert [c for c in cells if re.search(r"\d{4,}", c)] == [], to_hash(state)


# ---------------------------------------------------------------- screenshots
def test_calculator_screenshots(sized_page, base_url) -> None:
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    for name, (width, height) in VIEWPORTS.items():
        page = sized_page(width, height)
        open_calculator(page, base_url, NOTES_STACK)
        for scheme in ("default", "slate"):
            set_palette(page, scheme)
            time.sleep(0.3)  # the palette's colour transition
            page.locator("#cc-app .cc-scroll").scroll_into_view_if_needed()
            file = shots / f"calculator-{name}-{scheme}.png"
            page.screenshot(path=str(file))
            assert file.stat().st_size > 10_000
