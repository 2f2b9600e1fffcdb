"""The layer calculator as a reader uses it: switching the framework, a bad address, the
results table on a laptop and a phone, changing a layer's type, how numbers are written,
1-D and 3-D stacks (the rank switch, 'causal', PyTorch's padding modes, the 1-D preset).

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

from snippets import conv_output_shape, receptive_field
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
    wav2vec_state,
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


# ---------------------------------------------------------------- 1-D and 3-D
def input_fields(page) -> dict[str, str]:
    return page.eval_on_selector_all(
        "#cc-app .cc-input input", "els => Object.fromEntries(els.map(e => [e.id, e.value]))"
    )


def conv_state(rank: int, sizes: list[str], mode: str = "keras", **values: str) -> dict:
    return {
        "mode": mode,
        "rank": rank,
        "input": sizes,
        "layers": [{"kind": "conv", "v": {**MODE_DEFAULTS[mode]["conv"], **values}}],
    }


def test_the_rank_switch_shows_the_rank_s_fields_and_keeps_the_values(page, base_url) -> None:
    open_calculator(page, base_url, "#mode=keras&in=32,40,5&l=conv:f=16,k=5")
    assert input_fields(page) == {"cc-in-h": "32", "cc-in-w": "40", "cc-in-c": "5"}
    steps = [
        # the new depth takes the first size there was; height, width and channels stay
        (3, {"cc-in-d": "32", "cc-in-h": "32", "cc-in-w": "40", "cc-in-c": "5"}, "Conv3D", "D × H × W × C"),
        (1, {"cc-in-l": "32", "cc-in-c": "5"}, "Conv1D", "L × C"),
        (2, {"cc-in-h": "32", "cc-in-w": "32", "cc-in-c": "5"}, "Conv2D", "H × W × C"),
    ]
    for rank, fields, cls, axes in steps:
        page.check(f"#cc-rank-{rank}")
        assert page.evaluate("document.activeElement.id") == f"cc-rank-{rank}"
        assert input_fields(page) == fields, rank
        assert [page.input_value(f"#cc-l1-{key}") for key in "fksp"] == ["16", "5", "1", "same"]
        state = conv_state(rank, list(fields.values()), f="16", k="5")
        shown = page.evaluate(READ_CALCULATOR)
        assert compare(state, shown) == [], rank
        assert unquote(shown["hash"]) == unquote(to_hash(state)), shown["hash"]
        assert page.inner_text("#cc-row-1").startswith(f"1. {cls}")
        assert page.inner_text("#cc-app thead th[scope='col']:nth-child(2)") == f"Output ({axes})"
    # an address without a rank (written before there were ranks) is 2-D
    assert "rank=" not in page.evaluate("location.hash")


def test_causal_padding_is_keras_conv1d_only(page, base_url) -> None:
    state = conv_state(1, ["100", "3"], k="5", p="causal", d="2")
    open_calculator(page, base_url, to_hash(state))
    shown = page.evaluate(READ_CALCULATOR)
    assert compare(state, shown) == [] and shown["fieldErrors"] == {}
    assert shown["rows"][0]["shape"] == "100 × 64"
    # 2-D: snippets refuses it, and the calculator says what snippets says
    page.check("#cc-rank-2")
    with pytest.raises(ValueError) as refused:
        conv_output_shape((100, 100, 3), 64, 5, 1, "causal", dilation=2)
    assert page.inner_text("#cc-l1-p-msg") == str(refused.value)
    assert "'causal' exists only in 1-D convolutions" in str(refused.value)
    # a depthwise 1-D layer: Keras' DepthwiseConv1D refuses it (snippets' layer= rule)
    page.check("#cc-rank-1")
    page.select_option("#cc-l1-kind", "depthwise")
    with pytest.raises(ValueError) as refused:
        conv_output_shape((100, 3), 3, 5, 1, "causal", dilation=2, layer="depthwise")
    assert page.inner_text("#cc-l1-p-msg") == str(refused.value)
    # PyTorch has no 'causal': the same stack refused there, Keras' result beside it
    state = conv_state(1, ["100", "3"], mode="pytorch", k="5", p="causal", d="2")
    page.evaluate("hash => { location.hash = hash; }", to_hash(state))
    page.wait_for_function(
        "document.querySelector('#cc-l1-p') && document.querySelector('#cc-l1-d').value === '2'"
    )
    shown = page.evaluate(READ_CALCULATOR)
    assert compare(state, shown) == []
    assert shown["fieldErrors"] == {"cc-l1-p": expected(state)["field_errors"]["cc-l1-p"]}
    assert shown["fieldErrors"]["cc-l1-p"].startswith("Invalid padding string 'causal'")
    assert shown["rows"][0]["diff"] == ["Keras: 100 × 64"]


def test_reflect_padding_must_be_smaller_than_the_input(page, base_url) -> None:
    state = conv_state(1, ["3", "2"], mode="pytorch", p="3", pm="reflect")
    open_calculator(page, base_url, to_hash(state))
    with pytest.raises(ValueError) as refused:
        conv_output_shape((3, 2), 64, 3, 1, 3, padding_mode="reflect")
    assert page.inner_text("#cc-l1-p-msg") == str(refused.value)
    assert compare(state, page.evaluate(READ_CALCULATOR)) == []
    # circular may wrap once: padding 3 on 3 samples is allowed, as PyTorch allows it
    page.fill("#cc-l1-pm", "circular")
    shown = page.evaluate(READ_CALCULATOR)
    assert shown["fieldErrors"] == {}
    assert shown["rows"][0]["shape"] == " × ".join(
        map(str, conv_output_shape((3, 2), 64, 3, 1, 3, padding_mode="circular"))
    )
    # reflect with padding 2 < 3 passes
    page.fill("#cc-l1-pm", "reflect")
    page.fill("#cc-l1-p", "2")
    assert page.evaluate(READ_CALCULATOR)["fieldErrors"] == {}
    # a transposed convolution pads with zeros only
    page.select_option("#cc-l1-kind", "transposed")
    assert page.input_value("#cc-l1-pm") == "reflect"
    assert page.inner_text("#cc-l1-pm-msg") == 'Only "zeros" padding mode is supported for ConvTranspose1d'
    # Keras has no padding modes
    page.select_option("#cc-l1-kind", "conv")
    page.check("input[name='cc-mode'][value='keras']")
    page.fill("#cc-l1-p", "valid")
    state = conv_state(1, ["3", "2"], p="valid", pm="reflect")
    shown = page.evaluate(READ_CALCULATOR)
    assert compare(state, shown) == []
    assert shown["fieldErrors"]["cc-l1-pm"].startswith("padding_mode must be 'zeros' in Keras"), shown


def test_keras_depthwise_takes_stride_with_dilation_and_conv_does_not(page, base_url) -> None:
    for rank, sizes in [(1, ["64", "8"]), (2, ["32", "32", "8"]), (3, ["8", "16", "16", "8"])]:
        state = conv_state(rank, sizes, s="2", d="2")
        open_calculator(page, base_url, to_hash(state))
        with pytest.raises(ValueError) as refused:
            conv_output_shape(tuple(map(int, sizes)), 64, 3, 2, "same", dilation=2)
        assert page.inner_text("#cc-l1-d-msg") == str(refused.value), rank
        if rank < 3:  # Keras has no DepthwiseConv3D
            page.select_option("#cc-l1-kind", "depthwise")
            shown = page.evaluate(READ_CALCULATOR)
            assert shown["fieldErrors"] == {}, (rank, shown["fieldErrors"])
            want = conv_output_shape(tuple(map(int, sizes)), 8, 3, 2, "same", dilation=2, layer="depthwise")
            assert shown["rows"][0]["shape"] == " × ".join(map(str, want))
    page.select_option("#cc-l1-kind", "depthwise")
    assert page.evaluate(READ_CALCULATOR)["rows"][0]["error"] == [
        "Invalid: Keras has no DepthwiseConv3D (its depthwise and separable layers are 1-D and 2-D); "
        "PyTorch has Conv3d(groups=C)"
    ]


def test_the_wav2vec_preset_shows_its_receptive_field_and_stride(page, base_url) -> None:
    open_calculator(page, base_url)
    page.get_by_role("button", name="wav2vec 2.0 feature encoder (1-D)", exact=True).click()
    state = wav2vec_state()
    shown = page.evaluate(READ_CALCULATOR)
    assert compare(state, shown) == []
    field = receptive_field([(int(layer["v"]["k"]), int(layer["v"]["s"])) for layer in state["layers"]])
    assert (shown["total"]["field"], shown["total"]["stride"]) == (f"{field.size:,}", f"{field.stride:,}")
    assert (field.size, field.stride) == (400, 320)  # 25 ms windows every 20 ms at 16 kHz
    assert page.input_value("#cc-in-l") == "16000" and page.is_checked("#cc-rank-1")


RANK_STACKS = {
    "1d": "#mode=pytorch&rank=1&in=16000,1&l=conv:f=512,k=10,s=5,p=0,b=0;conv:f=512,p=causal;"
    "separable:f=1024,m=2,p=1;maxpool:k=3,s=1,p=1;transposed:f=256,k=4,p=1,pm=reflect",
    "3d": "#mode=keras&rank=3&in=16,112,112,3&l=conv:f=512,k=7;maxpool;separable:f=1024,m=2;conv:k=x",
}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("stack", list(RANK_STACKS))
def test_1d_and_3d_tables_fit(sized_page, base_url, viewport, stack) -> None:
    page = sized_page(*VIEWPORTS[viewport])
    open_calculator(page, base_url, RANK_STACKS[stack])
    m = page.evaluate(MEASURE_TABLE)
    assert m["outside"] == [], f"cells outside the content box {m['box']}: {m['outside']}"
    assert m["scroll"][0] <= m["scroll"][1] + 1, f"the table scrolls sideways: {m['scroll']}"
    assert m["clipped"] == [] and m["hidden"] == [], m
    form = page.evaluate(
        """() => { const box = document.querySelector('.md-content__inner').getBoundingClientRect();
        return Array.from(document.querySelectorAll('#cc-app input, #cc-app select, #cc-app .cc-msg')).filter(
          (e) => e.getBoundingClientRect().right > box.right + 1).map((e) => e.id || e.className); }"""
    )
    assert form == [], form
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"calculator-{stack}-{viewport}.png"), full_page=True)
