"""Every picture of the site: drawn from the code with matplotlib, saved as deterministic files.

``python -m snippets.figures [DIR]`` (``make figures``) writes every figure of :data:`FIGURES`
to ``DIR`` (default ``docs/assets/figures``). Files are byte-for-byte reproducible: SVG with a
fixed ``svg.hashsalt`` (the ids of clip paths), no date in the metadata, text kept as text
(``svg.fonttype: none``: small files in the page's font); the one animation is a GIF written
by Pillow. ``tests/test_figures.py`` redraws each figure and fails when a committed file is
stale, checks the drawn geometry, and checks that each page shows the figure with the alt
text of :data:`FIGURES`, which is computed here, so its numbers come from the code too.

matplotlib is imported inside the functions: the rest of ``snippets`` needs only NumPy and SciPy.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from snippets import diagrams, networks
from snippets.geometry import dilated_reach, output_grid_shape, overlap_counts
from snippets.networks import Summary, summary

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FIGURES_DIR = Path(__file__).resolve().parent.parent / "docs" / "assets" / "figures"

RC = {
    "svg.hashsalt": "conv-field-guide",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": diagrams.TEXT_PT,
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


def plot_params_and_macs(result: Summary) -> Figure:
    """Two bar charts side by side, one bar per layer that computes (top-level rows with
    MACs): its trainable parameters (left) and its multiply-accumulates (right), coloured
    by kind of layer."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    rows = [row for row in result.top if row.macs]
    names = [row.name for row in rows]
    colours = [COLOURS.get(_kind(row.kind), "#757575") for row in rows]
    figure = Figure(figsize=(diagrams.WIDTH, 1.5 + 0.22 * len(rows)), layout="constrained")
    left, right = figure.subplots(1, 2, sharey=True)
    positions = range(len(rows))
    left.barh(positions, [row.params for row in rows], color=colours)
    right.barh(positions, [row.macs for row in rows], color=colours)
    left.set_yticks(list(positions), names)
    left.invert_yaxis()
    for axes, title in ((left, "Trainable parameters"), (right, "MACs")):
        axes.set_title(title, fontsize=diagrams.TEXT_PT)
        axes.xaxis.set_major_locator(MaxNLocator(nbins=3))
        axes.xaxis.set_major_formatter(FuncFormatter(_scaled))
        axes.grid(axis="x", color="#dddddd", linewidth=0.6)
        axes.set_axisbelow(True)
    kinds = list(dict.fromkeys(_kind(row.kind) for row in rows))
    handles = [Patch(color=COLOURS.get(kind, "#757575"), label=kind) for kind in kinds]
    figure.legend(handles=handles, loc="outside lower center", ncols=min(3, len(handles)), frameon=False)
    figure.suptitle(
        f"{result.name}\n{_scaled(result.params)} parameters, {_scaled(result.macs)} MACs (multiply-accumulates)",
        fontsize=diagrams.TEXT_PT + 1,
    )
    return figure


def params_and_macs_alt(result: Summary) -> str:
    """What :func:`plot_params_and_macs` shows, in words, with its numbers."""
    rows = [row for row in result.top if row.macs]
    most_params = max(rows, key=lambda row: row.params)
    most_macs = max(rows, key=lambda row: row.macs)
    return (
        f"Two bar charts over the {len(rows)} layers of {result.name} that compute: trainable parameters "
        f"on the left, the largest {most_params.name} with {most_params.params:,}; multiply-accumulates "
        f"on the right, the largest {most_macs.name} with {most_macs.macs:,}."
    )


@dataclass(frozen=True)
class Drawing:
    """A figure of the site: how to draw it and the alt text that says what it shows."""

    draw: Callable[[], Figure] | None  # an SVG figure, or None for an animation
    alt: Callable[[], str]
    animate: Callable[[Path], None] | None = None  # writes a GIF to the path
    frame: Callable[[], Figure] | None = None  # an animation's first frame, to measure its text

    @property
    def suffix(self) -> str:
        return ".gif" if self.animate else ".svg"


def _network_drawing(make: Callable[[], networks.Network]) -> Drawing:
    return Drawing(
        lambda: plot_params_and_macs(summary(make())), lambda: params_and_macs_alt(summary(make()))
    )


def _sliding_alt() -> str:
    cases = [("valid", 1), ("same", 1), ("valid", 2), ("same", 2)]
    shapes = "; ".join(
        f"'{p}' stride {s} gives {'x'.join(map(str, output_grid_shape((5, 5), 3, s, p)))}" for p, s in cases
    )
    return (
        "Four panels, each a 5x5 input (blue) with its padding zeros (hatched grey), the 3x3 window of the "
        f"first output (orange outline) and the output grid (green): {shapes}."
    )


def _animation_alt() -> str:
    out_h, out_w = output_grid_shape((5, 5), 3, 2, "same")
    return (
        f"Animation: a 3x3 window with stride 2 and 'same' padding visits each of the {out_h * out_w} output "
        f"positions of a 5x5 input in turn, lighting up the output it computes."
    )


def _overlap_alt() -> str:
    rows = {
        k: " ".join(map(str, overlap_counts(3, k, 2)[0] // overlap_counts(3, k, 2)[0].min())) for k in (3, 4)
    }
    return (
        "Transposed convolution of a 3-pixel input with stride 2: bars show where each input pixel writes, "
        f"grids count the contributions per output pixel. Kernel 3 gives uneven counts along a row "
        f"({rows[3]}), a checkerboard; kernel 4 gives an even interior ({rows[4]})."
    )


def _reach_alt() -> str:
    uniform, growing = dilated_reach([2, 2, 2]), dilated_reach([1, 2, 4])
    return (
        f"Two grids of the input pixels one output sees: three 3x3 layers all at dilation 2 see "
        f"{(uniform > 0).sum()} of {uniform.size} pixels in a lattice with holes; dilations 1, 2, 4 see "
        f"all {(growing > 0).sum()} of {growing.size}."
    )


FIGURES: dict[str, Drawing] = {
    "vgg16-layers": _network_drawing(networks.vgg16),
    "resnet50-layers": _network_drawing(networks.resnet50),
    "mobilenet-v1-layers": _network_drawing(networks.mobilenet_v1),
    "mobilenet-v2-layers": _network_drawing(networks.mobilenet_v2),
    "resnext50-layers": _network_drawing(networks.resnext50_32x4d),
    "convnext-tiny-layers": _network_drawing(networks.convnext_tiny),
    "context-module-layers": _network_drawing(networks.context_module),
    "encoder-decoder-layers": _network_drawing(networks.encoder_decoder),
    "sliding-windows": Drawing(diagrams.draw_sliding_windows, _sliding_alt),
    "sliding-window": Drawing(
        None,
        _animation_alt,
        animate=lambda path: diagrams.animate_sliding_window(str(path)),
        frame=diagrams.sliding_window_frame,
    ),
    "even-kernel-padding": Drawing(
        diagrams.draw_even_kernel_padding,
        lambda: (
            "A row of 6 pixels padded for a 4-wide kernel three ways: Keras 'same' and PyTorch padding='same' "
            "put 1 zero before and 2 after and keep 6 outputs; PyTorch padding=2 gives 7; padding=1 gives 5."
        ),
    ),
    "dilation-grids": Drawing(
        diagrams.draw_dilation_grids,
        lambda: (
            "The nine taps of a 3x3 kernel (orange) at dilation 1, 2 and 4, spanning 3x3, 5x5 and 9x9 input pixels."
        ),
    ),
    "dilated-reach": Drawing(diagrams.draw_dilated_reach, _reach_alt),
    "transposed-overlap": Drawing(diagrams.draw_transposed_overlap, _overlap_alt),
    "pointwise-mixing": Drawing(
        diagrams.draw_pointwise_mixing,
        lambda: (
            "A 1x1 convolution at one pixel: 6 input channels each connected to 3 output channels by one weight, 18 lines."
        ),
    ),
    "depthwise-pointwise": Drawing(
        diagrams.draw_depthwise_then_pointwise,
        lambda: (
            "Depthwise separable convolution in two steps: each of 3 input channels goes through its own 3x3 "
            "filter, then a 1x1 convolution mixes the 3 results into 4 output channels."
        ),
    ),
    "params-vs-kernel": Drawing(
        diagrams.plot_params_vs_kernel,
        lambda: (
            "Line plot, log scale: parameters of a C to C convolution against kernel size 1, 3, 5, 7, for C = 32, 64, 128, 256; each line rises with the square of the kernel size."
        ),
    ),
    "separable-savings": Drawing(
        diagrams.plot_separable_savings,
        lambda: (
            "Separable over regular parameters against output channels for 64 input channels and a 3x3 kernel: the counts without bias lie on the curve 1/C_out + 1/9, the counts with bias just above it."
        ),
    ),
    "receptive-field-depth": Drawing(
        diagrams.plot_receptive_field_vs_depth,
        lambda: (
            "Receptive field against depth, log scale, for 8 layers of 3x3: the plain stack grows by 2 per layer, the stride-2 and the doubling-dilation stacks grow exponentially."
        ),
    ),
}


def smallest_text_px(name: str) -> float:
    """The smallest text of one figure of :data:`FIGURES`, in the file's own pixels: the font
    size in points times ``dpi / 72`` for an animation (GIF pixels), the font size in SVG user
    units for an SVG (1 unit = 1 pt, so ``width="Wpt"`` shows it at 4/3 px per unit)."""
    import matplotlib
    from matplotlib.text import Text

    drawing = FIGURES[name]
    with matplotlib.rc_context(RC):
        figure = drawing.frame() if drawing.animate else drawing.draw()
        figure.draw_without_rendering()  # lays out the tick labels
        sizes = [text.get_fontsize() for text in figure.findobj(Text) if text.get_text().strip()]
    return min(sizes) * (diagrams.ANIMATION_DPI / 72 if drawing.animate else 1)


def write_figure(name: str, directory: str | Path = FIGURES_DIR) -> Path:
    """Draw one figure of :data:`FIGURES` into ``directory``; return its path."""
    import matplotlib

    drawing = FIGURES[name]
    path = Path(directory) / f"{name}{drawing.suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context(RC):
        if drawing.animate:
            drawing.animate(path)
        else:
            drawing.draw().savefig(path, format="svg", metadata={"Date": None}, facecolor="white")
    return path


def write_figures(directory: str | Path = FIGURES_DIR) -> list[Path]:
    """Draw every figure of :data:`FIGURES` into ``directory``; return the paths."""
    return [write_figure(name, directory) for name in FIGURES]


if __name__ == "__main__":
    for written in write_figures(*sys.argv[1:2]):
        print(f"wrote {written}")
