"""The calculator explorer's pictures in Python, by calls to ``snippets.cells``, and random views.

``docs/assets/calculator/explorer.js`` draws each tensor of the calculator's stack as a grid of
cells, each cell in one colour per class (a value, padding, the receptive field, the padding
it reads, the selected output, the scattered input, its writes and the cropped ones). The
browser tests (tests/test_explorer.py) read those colours back from the canvas and compare
them with :func:`drawn_classes`, which gets every set from ``snippets.cells``
(``receptive_cells``, ``scatter_writes``) on the axis maps of ``tools.calculator_cases``'
layers (``layer_maps``). A view is the address's ``x=`` part: the layer
(1-based), one of its output cells and, for a transposed layer, the input it scatters.
"""

from __future__ import annotations

import itertools
import random

from snippets.cells import SCATTER, receptive_cells, scatter_writes
from tools.calculator_cases import evaluate

#: The classes drawn, in the explorer's order of precedence (the first that holds wins).
CLASSES = ("focus", "frame", "write", "crop", "field", "fieldpad", "cell", "pad")


def stack(state: dict) -> dict | None:
    """The valid part of the stack: each tensor's spatial sizes and each layer's axis maps."""
    rank = state.get("rank", 2)
    result = evaluate(state, state["mode"])
    rows = result["rows"]
    if not rows or rows[0]["input"] is None:
        return None
    sizes, maps = [tuple(rows[0]["input"][:rank])], []
    for row in rows:
        if not row["result"]:
            break
        sizes.append(tuple(row["result"]["shape"][:rank]))
        maps.append(row["result"]["maps"])
    return {"rank": rank, "sizes": sizes, "maps": maps} if maps else None


def scene(built: dict, view: dict) -> list[list[dict]]:
    """Per tensor, per axis: the field's cells and padding, the band drawn around the tensor
    (the padding of the layer after it; a scattering layer's crop around its output when it
    is the one selected), the frame, the writes and the focus, as explorer.js draws them."""
    rank, layer, maps = built["rank"], view["layer"], built["maps"]
    scatter = maps[layer - 1][0].kind == SCATTER
    per_axis = [receptive_cells([m[a] for m in maps], layer, view["cell"][a]) for a in range(rank)]
    tensors = []
    for t, _ in enumerate(built["sizes"]):
        below = maps[t] if t < len(maps) else None
        axes = []
        for a in range(rank):
            field = per_axis[a][t] if t <= layer else None
            window = below is not None and below[a].kind != SCATTER
            axis = {
                "field": set(field.cells) if field else set(),
                "padding": set(field.padding) if field else set(),
                "before": below[a].offset if window else 0,
                "after": below[a].after if window else 0,
                "frame": view["input"][a] if scatter and t == layer - 1 else None,
                "writes": None,
                "focus": view["cell"][a] if t == layer else None,
            }
            if scatter and t == layer:
                made = maps[t - 1][a]
                axis["writes"] = set(scatter_writes(made, view["input"][a]))
                axis["before"] = max(axis["before"], made.offset)
                axis["after"] = max(axis["after"], made.after)
            axes.append(axis)
        tensors.append(axes)
    return tensors


def class_of(axes: list[dict], sizes: tuple[int, ...], at: tuple[int, ...]) -> str:
    """The class of the cell at ``at`` (padding included), by the explorer's precedence."""
    inside = all(0 <= v < n for v, n in zip(at, sizes, strict=True))
    pairs = list(zip(axes, at, strict=True))
    if inside and all(x["focus"] == v for x, v in pairs):
        return "focus"
    if inside and all(x["frame"] == v for x, v in pairs):
        return "frame"
    if all(x["writes"] is not None and v in x["writes"] for x, v in pairs):
        return "write" if inside else "crop"
    in_field = all(v in x["field"] for x, v in pairs)
    if inside and in_field:
        return "field"
    if not inside and not in_field and all(v in x["field"] or v in x["padding"] for x, v in pairs):
        return "fieldpad"
    return "cell" if inside else "pad"


def slice_of(axes: list[dict]) -> int:
    """The depth a 3-D tensor is drawn at: the focus, the frame, else the middle of the field."""
    depth = axes[0]
    if depth["focus"] is not None:
        return depth["focus"]
    if depth["frame"] is not None:
        return depth["frame"]
    cells = sorted(depth["field"])
    return cells[(len(cells) - 1) // 2] if cells else 0


def drawn_classes(
    axes: list[dict], sizes: tuple[int, ...], origin: list[int], counts: list[int], depth: int | None
):
    """The drawn cells of one tensor that are neither a plain value nor plain padding, by class
    (``{class: {cell}}``, a cell as the drawn grid's ``(row, column)``, ``(column,)`` in 1-D),
    and the number of plain padding cells, over ``counts`` cells from ``origin``; a 3-D tensor
    at slice ``depth``. Only the products of the marked sets can be marked, so only they are tried."""
    drawn = [range(o, o + c) for o, c in zip(origin, counts, strict=True)]
    lead = () if depth is None else (depth,)
    axes_drawn = axes if depth is None else axes[1:]
    candidates = set()
    for pick in (
        lambda x: x["field"] | x["padding"],
        lambda x: x["writes"] or set(),
        lambda x: {x["focus"]} - {None},
        lambda x: {x["frame"]} - {None},
    ):
        candidates |= set(
            itertools.product(
                *(sorted(v for v in pick(x) if v in r) for x, r in zip(axes_drawn, drawn, strict=True))
            )
        )
    marked: dict[str, set] = {}
    padding_marked = 0
    for cell in candidates:
        name = class_of(axes, sizes, (*lead, *cell))
        if name not in ("cell", "pad"):
            marked.setdefault(name, set()).add(cell)
            padding_marked += not all(0 <= v < n for v, n in zip((*lead, *cell), sizes, strict=True))
    inside = 1
    for r, n in zip(drawn, sizes[len(lead) :], strict=True):
        inside *= len([v for v in r if 0 <= v < n])
    total = 1
    for c in counts:
        total *= c
    return marked, total - inside - padding_marked


def random_view(rng: random.Random, built: dict) -> dict:
    """A layer, one of its output cells and one of its input cells, at random."""
    layer = rng.randint(1, len(built["maps"]))
    return {
        "layer": layer,
        "cell": [rng.randrange(n) for n in built["sizes"][layer]],
        "input": [rng.randrange(n) for n in built["sizes"][layer - 1]],
    }


def view_part(built: dict, view: dict) -> str:
    """The address's x= part for ``view``: the input is written for a scattering layer only."""
    text = f"{view['layer']}:{','.join(map(str, view['cell']))}"
    if built["maps"][view["layer"] - 1][0].kind == SCATTER and any(view["input"]):
        text += ":" + ",".join(map(str, view["input"]))
    return text
