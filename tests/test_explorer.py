"""The calculator's explorer (docs/assets/calculator/explorer.js) draws what snippets computes.

Each canvas is read back pixel by pixel: every cell's colour names its class (the colours are
the page's CSS variables, one per class), and the cells of each class must be those that
tools/explorer_cases.py gets from snippets.cells for the same stack and view, on hundreds of
random stacks in both semantics and every rank. The captions and the summary must state the
same counts and the recurrence of snippets.receptive. The rest of the file works the widget
as a reader does: clicks, keys, the player, reduced motion, bad input, both palettes."""

from __future__ import annotations

import json
import random

import pytest
from browser_support import at_each_hash, open_calculator, set_palette

from snippets.cells import SCATTER
from tools.calculator_cases import evaluate, fmt, fmt_axes, random_states, to_hash
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
