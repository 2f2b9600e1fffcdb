"""The calculator's explorer (docs/assets/calculator/explorer.js) draws what snippets computes.

Each canvas is read back pixel by pixel: every cell's colour names its class (the colours are
the page's CSS variables, one per class), and the cells of each class must be those that
tools/explorer_cases.py gets from snippets.cells for the same stack and view, on hundreds of
random stacks in both semantics and every rank. The captions and the summary must state the
same counts and the recurrence of snippets.receptive. The rest of the file works the widget
as a reader does: clicks, keys, the player, reduced motion, bad input, both palettes."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
from html import unescape
from pathlib import Path
from urllib.parse import unquote

import pytest
from browser_support import ARTIFACTS, ROOT, at_each_hash, open_calculator, set_palette

from snippets import padding_amounts, transposed_output_shape
from snippets.cells import SCATTER, layer_maps, overlap_counts_along
from snippets.geometry import gridding_holes, overlap_counts
from snippets.receptive import conv_geometry, pool_geometry, receptive_fields
from tools.calculator_cases import MODE_DEFAULTS, evaluate, fmt, fmt_axes, random_states, to_hash
from tools.explorer_cases import drawn_classes, random_view, scene, slice_of, stack, view_part

CASES = 320  # random stacks; each gets one random view
MARKED = ("focus", "frame", "write", "crop", "field", "fieldpad")

# Every canvas of the explorer, each cell sampled away from its grid line and its number.
READ_DRAWN = at_each_hash("""
() => {
  const style = getComputedStyle(document.getElementById('cx-app'));
  const byColour = {};
  for (const name of window.convExplorer.classes) {
    const hex = style.getPropertyValue('--cx-' + name).trim();
    byColour[[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(',')] = name;
  }
  const tensors = [];
  for (const canvas of document.querySelectorAll('#cx-app canvas')) {
    const px = Number(canvas.dataset.px), counts = canvas.dataset.cells.split(',').map(Number);
    const origin = canvas.dataset.origin.split(',').map(Number);
    const ratio = canvas.width / parseFloat(canvas.style.width);
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const off = px >= 5 ? 1 + Math.floor((px - 1) / 4) : Math.floor(px / 2);
    const [rows, cols] = counts.length === 1 ? [1, counts[0]] : counts;
    const marked = {}; let pad = 0, unknown = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const x = Math.floor((c * px + off) * ratio), y = Math.floor((r * px + off) * ratio);
        const i = (y * canvas.width + x) * 4;
        const name = byColour[[data[i], data[i + 1], data[i + 2]].join(',')];
        const cell = counts.length === 1 ? [origin[0] + c] : [origin[0] + r, origin[1] + c];
        if (!name) unknown++;
        else if (name === 'pad') pad++;
        else if (name !== 'cell') (marked[name] = marked[name] || []).push(cell);
      }
    }
    const caption = document.getElementById(canvas.id + '-caption').innerText;
    tensors.push({t: Number(canvas.dataset.tensor), origin, counts, marked, pad, unknown, caption,
      slice: canvas.dataset.slice == null ? null : Number(canvas.dataset.slice)});
  }
  return {hash: location.hash, tensors, summary: document.getElementById('cx-summary').innerText,
    misfit: !!document.getElementById('cx-misfit')};
}
""")


def random_cases(count: int, seed: int) -> list[tuple[dict, dict, dict, str]]:
    """``count`` valid stacks of tools.calculator_cases with a random view each, and the address."""
    rng, cases = random.Random(seed), []
    for state in random_states(count * 3, seed=seed):
        built = stack(state)
        if built is None:
            continue
        view = random_view(rng, built)
        cases.append((state, built, view, to_hash(state) + "&x=" + view_part(built, view)))
        if len(cases) == count:
            break
    return cases


def problems_of(state: dict, built: dict, view: dict, shown: dict) -> list[str]:
    """Every difference between the drawn explorer and snippets.cells, for one view."""
    want, problems = scene(built, view), []
    if shown["misfit"]:
        return ["the explorer did not take the view in the address"]
    if len(shown["tensors"]) != len(want):
        return [f"{len(shown['tensors'])} tensors drawn, {len(want)} expected"]
    for tensor, axes in zip(shown["tensors"], want, strict=True):
        t, sizes = tensor["t"], built["sizes"][tensor["t"]]
        depth = None if built["rank"] < 3 else slice_of(axes)
        if depth is not None and tensor["slice"] != depth:
            problems.append(f"tensor {t}: slice {tensor['slice']} drawn, {depth} expected")
        counts = tensor["counts"]
        marked, pad = drawn_classes(axes, sizes, tensor["origin"], counts, tensor["slice"])
        drawn = {name: {tuple(c) for c in cells} for name, cells in tensor["marked"].items()}
        for name in MARKED:
            if drawn.get(name, set()) != marked.get(name, set()):
                extra, missing = (
                    drawn.get(name, set()) - marked.get(name, set()),
                    marked.get(name, set()) - drawn.get(name, set()),
                )
                problems.append(
                    f"tensor {t} {name}: drawn but not expected {sorted(extra)[:6]}, expected but not drawn {sorted(missing)[:6]}"
                )
        if tensor["pad"] != pad or tensor["unknown"]:
            problems.append(
                f"tensor {t}: {tensor['pad']} padding cells drawn ({tensor['unknown']} of no class), {pad} expected"
            )
        # the drawn range holds everything marked whenever that fits in it
        spatial = axes if depth is None else axes[1:]
        for x, o, c in zip(spatial, tensor["origin"], counts, strict=True):
            marks = x["field"] | x["padding"] | (x["writes"] or set())
            if marks and max(marks) - min(marks) < c and not (o <= min(marks) and max(marks) < o + c):
                problems.append(
                    f"tensor {t}: marked cells {min(marks)}..{max(marks)} not all in the drawn {o}..{o + c - 1}"
                )
        if t < view["layer"]:
            cells = 1
            for x in axes:
                cells *= len(x["field"])
            if f": {fmt(cells)} cells" not in tensor["caption"]:
                problems.append(f"tensor {t}: caption does not state {fmt(cells)} cells: {tensor['caption']}")
    field = evaluate(state, state["mode"])["rows"][view["layer"] - 1].get(
        "field"
    )  # receptive_fields of conv_geometry
    if field:
        said = f"size {fmt_axes(field.size)}, effective stride {fmt_axes(field.stride)}, effective padding {fmt_axes(field.padding)}"
        if said not in shown["summary"]:
            problems.append(f"summary does not say {said!r}: {shown['summary']}")
    return problems


@pytest.mark.parametrize("half", [0, 1])
def test_the_drawn_cells_are_what_snippets_computes(page, base_url, half) -> None:
    cases = random_cases(CASES, seed=31)[half::2]
    ranks = {built["rank"] for _, built, _, _ in cases}
    modes = {state["mode"] for state, _, _, _ in cases}
    kinds = {m[0].kind for _, built, view, _ in cases for m in built["maps"][: view["layer"]]}
    assert ranks == {1, 2, 3} and modes == {"keras", "pytorch"} and kinds == {"window", SCATTER}, (
        ranks,
        modes,
        kinds,
    )
    open_calculator(page, base_url, "#mode=keras&in=1,1,1&l=")
    if half:
        set_palette(page, "slate")  # the canvas must be drawn again in the dark palette's colours
    shown = page.evaluate(READ_DRAWN, [address for *_, address in cases])
    failures = {}
    for (state, built, view, address), drawn in zip(cases, shown, strict=True):
        problems = problems_of(state, built, view, drawn)
        if problems:
            failures[address] = problems
    assert failures == {}, json.dumps(dict(list(failures.items())[:4]), indent=1, ensure_ascii=False)


# ---------------------------------------------------------------- as a reader works it
def resnet_state() -> dict:
    """The calculator's ResNet-50 preset: the 7x7 stem, its max pool and the first bottleneck."""
    torch = MODE_DEFAULTS["pytorch"]

    def layer(kind: str, **values: str) -> dict:
        return {"kind": kind, "v": {**torch[kind], **values}}

    layers = [
        layer("conv", k="7", s="2", p="3", b="0"),
        layer("maxpool", k="3", s="2", p="1"),
        layer("conv", k="1", p="0", b="0"),
        layer("conv", p="1", b="0"),
        layer("conv", f="256", k="1", p="0", b="0"),
    ]
    return {"mode": "pytorch", "rank": 2, "input": ["224", "224", "3"], "layers": layers}


RESNET = to_hash(resnet_state())
DILATED = "#mode=keras&in=13,13,1&l=conv:f=1,d=2;conv:f=1,d=2&x=2:6,6"
TRANSPOSED = "#mode=pytorch&in=4,4,1&l=transposed:f=1,k=3,s=2,p=1,op=1&x=1:3,3:1,2"
CAUSAL = "#mode=keras&rank=1&in=16,1&l=conv:f=1,p=causal;conv:f=1,d=2,p=causal&x=2:10"
FRAME = "document.getElementById('cx-frame-label').innerText"


def open_explorer(page, base_url, hash_):
    open_calculator(page, base_url, hash_)
    page.wait_for_selector("#cx-app[data-ready] canvas")


def cell_point(page, tensor: int, cell: tuple[int, ...]) -> tuple[float, float]:
    """Where on the page the centre of ``cell`` of tensor ``tensor``'s canvas is drawn."""
    canvas = page.locator(f"#cx-t{tensor}")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    px = float(canvas.get_attribute("data-px"))
    origin = [int(v) for v in canvas.get_attribute("data-origin").split(",")]
    row, col = (0, cell[0] - origin[0]) if len(origin) == 1 else (cell[0] - origin[0], cell[1] - origin[1])
    return box["x"] + (col + 0.5) * px, box["y"] + (row + 0.5) * px


def test_clicking_a_cell_selects_it_and_a_link_shows_it_again(page, base_url) -> None:
    open_explorer(page, base_url, RESNET)
    page.mouse.click(*cell_point(page, 2, (20, 31)))
    summary = page.inner_text("#cx-summary")
    assert "output (20, 31) of layer 2 (MaxPool2d)" in summary
    assert "x=2:20,31" in page.evaluate("location.hash")
    link = page.get_attribute("#cc-app .cc-link", "href")
    page.goto(base_url + "calculator/" + link)
    page.wait_for_selector("#cx-app[data-ready] canvas")
    assert page.inner_text("#cx-summary") == summary


def test_the_player_works_from_the_keyboard(page, base_url) -> None:
    open_explorer(page, base_url, DILATED)
    assert page.evaluate(FRAME) == "Window of output (6, 6): frame 85 of 169"
    page.focus("#cx-next")
    page.keyboard.press("Enter")
    assert page.evaluate(FRAME) == "Window of output (6, 7): frame 86 of 169"
    assert page.evaluate("document.activeElement.id") == "cx-next"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "cx-prev"
    page.keyboard.press("Space")
    assert page.evaluate(FRAME) == "Window of output (6, 6): frame 85 of 169"
    page.focus("#cx-frame")
    page.keyboard.press("End")
    assert page.evaluate(FRAME) == "Window of output (12, 12): frame 169 of 169"
    assert "output (12, 12) of layer 2" in page.inner_text("#cx-summary")
    page.keyboard.press("ArrowRight")  # the last frame stays the last
    assert page.evaluate("document.activeElement.id") == "cx-frame"


def test_play_steps_until_paused(page, base_url) -> None:
    open_explorer(page, base_url, TRANSPOSED)
    assert page.evaluate(FRAME) == "Scattered input (1, 2): frame 7 of 16"
    page.click("#cx-play")
    page.wait_for_function(f"{FRAME}.startsWith('Scattered input (2, 0)')", timeout=5000)
    assert page.get_attribute("#cx-play", "aria-pressed") == "true"
    page.click("#cx-play")
    paused = page.evaluate(FRAME)
    page.wait_for_timeout(1600)
    assert page.evaluate(FRAME) == paused
    assert page.inner_text("#cx-play") == "Play"


def test_reduced_motion_gives_still_frames(browser, base_url) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
    page = context.new_page()
    try:
        open_explorer(page, base_url, DILATED)
        assert page.is_disabled("#cx-play")
        assert "reduced motion" in page.inner_text("#cx-app .cx-controls")
        page.click("#cx-next")
        assert page.evaluate(FRAME) == "Window of output (6, 7): frame 86 of 169"
    finally:
        context.close()


def test_a_bad_output_index_gets_a_message_beside_its_field(page, base_url) -> None:
    open_explorer(page, base_url, DILATED)
    page.fill("#cx-cell-0", "13")
    message = page.inner_text("#cx-cell-0-msg")
    assert message == "output row must be an int from 0 to 12, got '13'"
    assert page.get_attribute("#cx-cell-0", "aria-invalid") == "true"
    assert "x=2:6,6" in page.evaluate("location.hash")  # the picture stays on the last good cell
    page.fill("#cx-cell-0", "3")
    assert "output (3, 6) of layer 2" in page.inner_text("#cx-summary")


def test_a_view_the_stack_does_not_have_is_named(page, base_url) -> None:
    open_explorer(page, base_url, DILATED.replace("x=2:6,6", "x=3:6,6"))
    assert "x=3:6,6 names no layer and cell of this stack" in page.inner_text("#cx-misfit")
    assert "of layer 2" in page.inner_text("#cx-summary")


def test_switching_the_palette_redraws_in_its_colours(page, base_url) -> None:
    open_explorer(page, base_url, DILATED)
    point = cell_point(page, 2, (6, 6))
    for scheme in ("slate", "default"):
        set_palette(page, scheme)
        want = page.evaluate(
            "getComputedStyle(document.getElementById('cx-app')).getPropertyValue('--cx-focus').trim()"
        )
        canvas = page.locator("#cx-t2").bounding_box()
        got = page.evaluate(
            """([x, y]) => { const d = document.getElementById('cx-t2').getContext('2d').getImageData(x, y, 1, 1).data;
                 return '#' + [d[0], d[1], d[2]].map((v) => v.toString(16).padStart(2, '0')).join(''); }""",
            [int(point[0] - canvas["x"]), int(point[1] - canvas["y"])],
        )
        assert got == want, scheme


def test_the_bars_are_the_layers_parameters_and_macs(page, base_url) -> None:
    open_explorer(page, base_url, RESNET)
    bars = page.evaluate(
        """() => Array.from(document.querySelectorAll('#cx-app .cx-bar')).map((b) => ({
             kind: b.dataset.bar, layer: Number(b.dataset.layer), text: b.innerText,
             share: b.querySelector('.cx-bar-fill').getBoundingClientRect().width /
                    b.querySelector('.cx-bar-track').getBoundingClientRect().width }))"""
    )
    rows = evaluate(resnet_state(), "pytorch")["rows"]
    for kind in ("params", "macs"):
        values = [row["result"][kind] for row in rows]
        shown = [b for b in bars if b["kind"] == ("parameters" if kind == "params" else "macs")]
        assert [b["layer"] for b in shown] == list(range(1, len(rows) + 1))
        for bar, value in zip(shown, values, strict=True):
            assert fmt(value) in bar["text"]
            assert abs(bar["share"] - value / max(values)) < 0.01, (kind, bar, value)


# ---------------------------------------------------------------- the chapters' links into it
EXPLORER_LINK = re.compile(r'href="(?:\.\./)+calculator/(#[^"]*x=[^"]*)"')


def test_every_chapter_link_opens_the_explorer_in_its_state(page, base_url, built_site) -> None:
    """Each link of a chapter into the explorer: the address is read, the view fits the stack,
    and the explorer shows the layer and cell it names."""
    links = {}
    for html in sorted(built_site.rglob("*.html")):
        for hash_ in EXPLORER_LINK.findall(html.read_text(encoding="utf-8")):
            links.setdefault(unescape(hash_), html.parent.name)
    pages = set(links.values())
    assert {"parameters", "dilated", "transposed", "receptive-field", "ranks"} <= pages, pages
    for hash_, where in links.items():
        open_explorer(page, base_url, hash_)
        layer, cell = unquote(hash_).split("x=")[1].split(":")[:2]
        assert page.locator("#cc-app .cc-address-error").count() == 0, (where, hash_)
        assert page.locator("#cx-misfit").count() == 0, (where, hash_)
        assert f"output ({cell.replace(',', ', ')}) of layer {layer} " in page.inner_text("#cx-summary"), (
            where,
            hash_,
        )


def tip(path: str) -> str:
    """The "In the explorer" tip of a chapter, as one line of text."""
    text = (ROOT / "docs" / path).read_text(encoding="utf-8")
    body = text.split('!!! tip "In the explorer"\n', 1)[1].split("\n\n", 1)[0]
    return " ".join(body.split())


def test_the_tips_state_what_snippets_computes() -> None:
    words = {0: "nothing", 1: "one zero"}
    (before, after), _ = padding_amounts((8, 8, 1), 3, 2, "same")
    assert f"pads {words[before]} before and {words[after]} after" in tip("chapters/parameters.md")

    holes = gridding_holes([2, 2, 2], 3)
    reach = 1 + 2 * sum([2, 2, 2])
    assert holes == list(range(1, reach, 2)), "the holes are the odd offsets"
    assert gridding_holes([1, 2, 5], 3) == []
    assert "never reaches an odd offset" in tip("chapters/dilated.md") and "fill them" in tip(
        "chapters/dilated.md"
    )

    counts = sorted({int(c) for c in overlap_counts(4, 3, 2).flat})
    assert f"{', '.join(map(str, counts[:-1]))} or {counts[-1]}" in tip("chapters/transposed.md")
    (row,) = layer_maps("transposed", (4, 1), transposed_output_shape((4, 1), 1, 4, 2, "same"), 4, 2, "same")
    kept = [overlap_counts_along(row).get(j, 0) for j in range(row.size_out)]
    assert len(set(kept[1:-1])) == 1 and set(kept) != set(kept[1:-1]), kept  # even inside, not at the border
    assert row.offset > 0 and row.after > 0  # the border inputs write into the crop

    stem = [conv_geometry((224, 224, 3), 7, 2, 3), pool_geometry((112, 112, 64), 3, 2, 1)]
    field = receptive_fields(stem)[-1]
    r, p = field.size[0], field.padding[0]
    assert f"{r}x{r} field that starts {p} pixels before the image" in tip("further/receptive-field.md")

    causal = receptive_fields([(3, 1, d, 2 * d) for d in (1, 2, 4)])[-1]
    assert f"the {causal.size} samples up to it" in tip("further/ranks.md")


# ---------------------------------------------------------------- screenshots kept as references
SHOTS = {"dilated": DILATED, "transposed": TRANSPOSED, "causal": CAUSAL}
VIEWPORTS = {"laptop": (1280, 800), "phone": (390, 844)}
REFERENCES = ROOT / "tests" / "references" / "explorer"
CHANGED_SHARE = 0.01  # of the pixels may differ (by more than 8 levels in a channel) from the reference
UNSTICK_HEADER = ".md-header { position: static !important; }"  # sticky, it would cover the shot


def changed_share(shot: Path, reference: Path) -> float:
    """The share of pixels of ``shot`` that differ from ``reference`` (1 if the sizes differ)."""
    from PIL import Image, ImageChops

    with Image.open(shot) as a, Image.open(reference) as b:
        if a.size != b.size:
            return 1.0
        diff = (
            ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
            .convert("L")
            .point(lambda v: 255 if v > 8 else 0)
        )
        return diff.histogram()[255] / (a.size[0] * a.size[1])


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_screenshots_match_the_references(browser, base_url, viewport) -> None:
    """Fixed states in both palettes, against PNGs reviewed by eye and kept in tests/references;
    ``UPDATE_REFERENCES=1`` writes new ones (look at each before committing it)."""
    out = ARTIFACTS / "explorer"
    out.mkdir(parents=True, exist_ok=True)
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height})
    page, failures = context.new_page(), {}
    try:
        for name, hash_ in SHOTS.items():
            open_explorer(page, base_url, hash_)
            page.add_style_tag(content=UNSTICK_HEADER)
            for scheme in ("default", "slate"):
                set_palette(page, scheme)
                page.wait_for_timeout(300)  # the palette's colour transition
                file = f"{name}-{viewport}-{scheme}.png"
                page.locator("#cx-app .cx-stack").screenshot(path=str(out / file), animations="disabled")
                if os.environ.get("UPDATE_REFERENCES"):
                    REFERENCES.mkdir(parents=True, exist_ok=True)
                    shutil.copy(out / file, REFERENCES / file)
                if not (REFERENCES / file).exists():
                    failures[file] = "no reference: run with UPDATE_REFERENCES=1, look at it, commit it"
                elif (share := changed_share(out / file, REFERENCES / file)) > CHANGED_SHARE:
                    failures[file] = f"{share:.1%} of the pixels differ from the reference (see {out / file})"
    finally:
        context.close()
    assert failures == {}, failures


def test_the_arrow_keys_move_the_selected_cell(page, base_url) -> None:
    open_explorer(page, base_url, DILATED)
    page.focus("#cx-t1")
    page.keyboard.press("ArrowDown")  # layer 1 is not selected yet: its middle cell, one row down
    assert "output (7, 6) of layer 1" in page.inner_text("#cx-summary")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert "output (7, 4) of layer 1" in page.inner_text("#cx-summary")
    assert page.evaluate("document.activeElement.id") == "cx-t1"
    assert "x=1:7,4" in page.evaluate("location.hash")


def test_only_state_fragments_pass_the_anchor_check_unseen() -> None:
    """hooks/calculator_links.py: a state (key=value) is taken; a missing heading still is not."""
    from hooks.calculator_links import StateOrHeading

    anchors = StateOrHeading({"explorer"})
    assert "mode=keras&in=8,8,1&l=conv&x=1:0,0" in anchors
    assert "explorer" in anchors
    assert "no-such-heading" not in anchors
