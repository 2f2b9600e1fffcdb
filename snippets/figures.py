"""Figures of the site, drawn from the code with matplotlib and saved as deterministic SVG.

``python -m snippets.figures [DIR]`` writes every figure to ``DIR`` (default
``docs/assets/figures``). The SVG is byte-for-byte reproducible: a fixed ``svg.hashsalt``
(the ids of clip paths), no date in the metadata, text kept as text (``svg.fonttype:
none``, so the files stay small and use the page's font). ``tests/test_networks.py``
regenerates each figure and fails when a committed file is stale.

matplotlib is imported inside the functions: the rest of ``snippets`` needs only numpy.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from snippets import networks
from snippets.networks import Summary, summary

FIGURES_DIR = Path(__file__).resolve().parent.parent / "docs" / "assets" / "figures"

RC = {
    "svg.hashsalt": "conv-field-guide",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}

# One colour per kind of layer (first word of the summary's type, 1x1 convs apart).
COLOURS = {
    "Conv": "#3f51b5",
    "Pointwise": "#26a69a",
    "DWConv": "#ef6c00",
    "SepConv": "#8e24aa",
    "ConvT": "#c62828",
    "Dense": "#c62828",
    "Bottleneck": "#7986cb",
}


def _kind(row_kind: str) -> str:
    if row_kind.startswith("Conv 1x1"):
        return "Pointwise"
    return row_kind.split()[0]


def _scaled(value: float, _position=None) -> str:
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:g}"


def plot_params_and_macs(result: Summary, path: str | Path) -> Path:
    """Two bar charts side by side, one bar per layer that computes (top-level rows with
    MACs): its trainable parameters (left) and its multiply-accumulates (right), coloured
    by kind of layer. Saved as SVG at ``path``."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    rows = [row for row in result.top if row.macs]
    names = [row.name for row in rows]
    colours = [COLOURS.get(_kind(row.kind), "#757575") for row in rows]
    with matplotlib.rc_context(RC):
        figure = Figure(figsize=(8, 1.2 + 0.2 * len(rows)), layout="constrained")
        left, right = figure.subplots(1, 2, sharey=True)
        positions = range(len(rows))
        left.barh(positions, [row.params for row in rows], color=colours)
        right.barh(positions, [row.macs for row in rows], color=colours)
        left.set_yticks(list(positions), names)
        left.invert_yaxis()
        for axes, title in ((left, "Trainable parameters"), (right, "MACs (multiply-accumulates)")):
            axes.set_title(title, fontsize=10)
            axes.xaxis.set_major_formatter(FuncFormatter(_scaled))
            axes.grid(axis="x", color="#dddddd", linewidth=0.6)
            axes.set_axisbelow(True)
        kinds = list(dict.fromkeys(_kind(row.kind) for row in rows))
        handles = [Patch(color=COLOURS.get(kind, "#757575"), label=kind) for kind in kinds]
        figure.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
        figure.suptitle(
            f"{result.name}: {_scaled(result.params)} parameters, {_scaled(result.macs)} MACs", fontsize=11
        )
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, format="svg", metadata={"Date": None}, facecolor="white")
    return path


# file name (without .svg) -> the summary it plots
FIGURES: dict[str, Callable[[], Summary]] = {
    "vgg16-layers": lambda: summary(networks.vgg16()),
    "resnet50-layers": lambda: summary(networks.resnet50()),
    "mobilenet-v1-layers": lambda: summary(networks.mobilenet_v1()),
    "context-module-layers": lambda: summary(networks.context_module()),
    "encoder-decoder-layers": lambda: summary(networks.encoder_decoder()),
}


def write_figures(directory: str | Path = FIGURES_DIR) -> list[Path]:
    """Draw every figure of :data:`FIGURES` into ``directory``; return the paths."""
    return [plot_params_and_macs(make(), Path(directory) / f"{name}.svg") for name, make in FIGURES.items()]


if __name__ == "__main__":
    for written in write_figures(*sys.argv[1:2]):
        print(f"wrote {written}")
