"""Diagrams of the chapters, drawn with matplotlib from the arithmetic the chapters teach.

Every function returns a :class:`matplotlib.figure.Figure`. Cells and marks carry a ``gid``
(written to the SVG as ``id``) that names what they are, such as ``output-cell-1-2`` or
``overlap-3-4`` with its count as text, so tests can check the drawn geometry against
:mod:`snippets.shapes` and :mod:`snippets.geometry`. matplotlib is imported inside the
functions: the rest of ``snippets`` needs only NumPy and SciPy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from snippets._validate import Pair, check_pair
from snippets.geometry import (
    dilated_reach,
    output_grid_shape,
    overlap_counts,
    padded_input_mask,
    window_cells,
)
from snippets.params import count_conv_params, separable_params
from snippets.receptive import receptive_fields
from snippets.shapes import PaddingSpec, padding_amounts

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

INPUT = "#9fa8da"  # a real input pixel
PADDING = "#eeeeee"  # a padding zero
WINDOW = "#ef6c00"  # the kernel's current window
OUTPUT = "#80cbc4"  # an output pixel
CURRENT = "#00796b"  # the output being computed
EDGE = "#424242"

# Phone-readable: a figure at most WIDTH inches wide (WIDTH * 72 SVG units) with text of at
# least TEXT_PT points shows its text at >= 10 CSS px in a 358 px phone column (390 px screen):
# 10 * 358 / (4.5 * 72) = 11.0 px. tests/test_figures.py and tests/test_phone.py check it.
WIDTH = 4.5  # inches
TEXT_PT = 10  # points, the smallest text of a figure

ANIMATION_SIZE = (4.2, 2.4)  # inches
ANIMATION_DPI = 80  # GIF pixels per inch: 1 pt of text is 80/72 px


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _cell(
    axes: Axes, row: int, col: int, x0: float, colour: str, gid: str, *, hatch: str | None = None
) -> None:
    """A unit square at (row, col) of a grid whose left edge is ``x0``; rows grow downwards."""
    from matplotlib.patches import Rectangle

    axes.add_patch(
        Rectangle(
            (x0 + col, -row - 1), 1, 1, facecolor=colour, edgecolor=EDGE, linewidth=0.6, hatch=hatch, gid=gid
        )
    )


def _plain_numbers():
    """Tick labels of a log axis as plain numbers (1,000 rather than 10 with a superscript 3:
    an exponent is drawn at 70% of the text size, below what a phone shows legibly)."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _position: f"{value:,.0f}")


def _finish_axes(axes: Axes, title: str) -> None:
    axes.set_aspect("equal")
    axes.autoscale_view()
    axes.set_axis_off()
    axes.set_title(title, fontsize=TEXT_PT)


def sliding_window_axes(
    axes: Axes,
    input_hw: Pair,
    kernel_size: int,
    stride: int,
    padding: PaddingSpec,
    output_index: Pair = (0, 0),
    prefix: str = "",
) -> None:
    """The padded input (input cells blue, padding grey), the window read by ``output_index``
    (orange outline) and, to its right, the output grid with that output highlighted."""
    from matplotlib.patches import Rectangle

    mask = padded_input_mask(input_hw, kernel_size, stride, padding)
    out_h, out_w = output_grid_shape(input_hw, kernel_size, stride, padding)
    for (row, col), real in np.ndenumerate(mask):
        kind = "input" if real else "pad"
        _cell(
            axes,
            row,
            col,
            0,
            INPUT if real else PADDING,
            f"{prefix}{kind}-cell-{row}-{col}",
            hatch=None if real else "//",
        )
    for row, col in window_cells(output_index, kernel_size, stride):
        axes.add_patch(
            Rectangle(
                (col, -row - 1),
                1,
                1,
                fill=False,
                edgecolor=WINDOW,
                linewidth=2.2,
                gid=f"{prefix}window-cell-{row}-{col}",
            )
        )
    x0 = mask.shape[1] + 1.5
    for row in range(out_h):
        for col in range(out_w):
            colour = CURRENT if (row, col) == tuple(output_index) else OUTPUT
            _cell(axes, row, col, x0, colour, f"{prefix}output-cell-{row}-{col}")
    height, width = input_hw
    _finish_axes(axes, f"{padding!r}, stride {stride}\n{height}x{width} -> {out_h}x{out_w}")


def draw_sliding_windows(input_hw: Pair = (5, 5), kernel_size: int = 3) -> Figure:
    """'valid' and 'same' at stride 1 and 2: for each, the padded input, the first window and the output grid."""
    figure = _figure(WIDTH, 3.7)
    cases = [("valid", 1), ("same", 1), ("valid", 2), ("same", 2)]
    for axes, (padding, stride) in zip(figure.subplots(2, 2).flat, cases, strict=True):
        sliding_window_axes(
            axes,
            check_pair("input_hw", input_hw),
            kernel_size,
            stride,
            padding,
            prefix=f"{padding}-s{stride}-",
        )
    return figure


def animate_sliding_window(
    path: str, input_hw: Pair = (5, 5), kernel_size: int = 3, stride: int = 2, padding: PaddingSpec = "same"
) -> None:
    """An animated GIF at ``path``: the window visiting every output position in turn."""
    import matplotlib.pyplot as plt  # noqa: F401  (registers the animation writers)
    from matplotlib.animation import FuncAnimation, PillowWriter

    out_h, out_w = output_grid_shape(input_hw, kernel_size, stride, padding)
    positions = [(row, col) for row in range(out_h) for col in range(out_w)]
    figure = _figure(*ANIMATION_SIZE)
    axes = figure.subplots()

    def frame(index: int) -> list:
        axes.clear()
        sliding_window_axes(axes, input_hw, kernel_size, stride, padding, positions[index])
        return []

    animation = FuncAnimation(figure, frame, frames=len(positions), blit=False)
    animation.save(path, writer=PillowWriter(fps=1), dpi=ANIMATION_DPI, savefig_kwargs={"facecolor": "white"})


def sliding_window_frame(
    input_hw: Pair = (5, 5), kernel_size: int = 3, stride: int = 2, padding: PaddingSpec = "same"
) -> Figure:
    """The first frame of :func:`animate_sliding_window`, as a figure (to measure its text)."""
    figure = _figure(*ANIMATION_SIZE)
    sliding_window_axes(figure.subplots(), input_hw, kernel_size, stride, padding, (0, 0))
    return figure


def draw_even_kernel_padding(size: int = 6, kernel_size: int = 4) -> Figure:
    """One row of ``size`` pixels padded three ways for an even kernel: Keras/TF 'same' (also
    PyTorch ``padding='same'``), PyTorch ``padding=k//2`` and ``padding=k//2 - 1``."""
    half = kernel_size // 2
    cases = [
        ("Keras 'same' / PyTorch padding='same'", "same"),
        (f"PyTorch padding={half}", half),
        (f"PyTorch padding={half - 1}", half - 1),
    ]
    figure = _figure(WIDTH, 3.3)
    for panel, (axes, (label, padding)) in enumerate(zip(figure.subplots(len(cases), 1), cases, strict=True)):
        (_, _), (left, right) = padding_amounts((1, size, 1), (1, kernel_size), 1, padding)
        out = output_grid_shape((1, size), (1, kernel_size), 1, padding)[1]
        for col in range(left + size + right):
            real = left <= col < left + size
            _cell(
                axes,
                0,
                col,
                0,
                INPUT if real else PADDING,
                f"p{panel}-{'input' if real else 'pad'}-cell-0-{col}",
                hatch=None if real else "//",
            )
        _finish_axes(axes, f"{label}\n{left} before, {right} after -> {out} outputs from {size}")
        axes.set_xlim(-0.5, size + 2 * half + 0.5)
    return figure


def draw_dilation_grids(rates: Sequence[int] = (1, 2, 4), kernel_size: int = 3) -> Figure:
    """The ``k x k`` taps of one kernel at each dilation rate, on the input pixels it spans."""
    figure = _figure(WIDTH, 2.3)
    for axes, rate in zip(figure.subplots(1, len(rates)), rates, strict=True):
        span = rate * (kernel_size - 1) + 1
        taps = set(window_cells((0, 0), kernel_size, 1, rate))
        for row in range(span):
            for col in range(span):
                tapped = (row, col) in taps
                gid = f"d{rate}-{'tap' if tapped else 'skip'}-{row}-{col}"
                _cell(axes, row, col, 0, WINDOW if tapped else "white", gid)
        _finish_axes(axes, f"dilation {rate}\nspans {span}x{span}")
    return figure


def draw_dilated_reach(
    stacks: Sequence[Sequence[int]] = ((2, 2, 2), (1, 2, 4)), kernel_size: int = 3
) -> Figure:
    """Which input pixels one output of each stack of dilated convolutions sees, and through how
    many paths; white cells are never seen (the gridding effect of a repeated rate)."""
    figure = _figure(WIDTH, 2.9)
    for axes, dilations in zip(figure.subplots(1, len(stacks)), stacks, strict=True):
        prefix = "d" + "-".join(map(str, dilations)) + "-"
        paths = dilated_reach(list(dilations), kernel_size)
        shade = 0.25 + 0.75 * paths / paths.max()
        for (row, col), count in np.ndenumerate(paths):
            colour = (1 - 0.7 * shade[row, col], 1 - 0.45 * shade[row, col], 0.95)
            if count:
                _cell(axes, row, col, 0, colour, f"{prefix}seen-{row}-{col}")
            else:
                _cell(axes, row, col, 0, "white", f"{prefix}hole-{row}-{col}", hatch="xx")
        seen = int(np.count_nonzero(paths))
        _finish_axes(axes, f"dilations {tuple(dilations)}\nsees {seen} of {paths.size} pixels")
    return figure


def draw_transposed_overlap(
    input_size: int = 3, kernel_sizes: Sequence[int] = (3, 4), stride: int = 2
) -> Figure:
    """For each kernel size: every input pixel's footprint in the output (one bar per pixel,
    along one axis), then the 2D count of contributions per output pixel."""
    from matplotlib.patches import Rectangle

    figure = _figure(WIDTH, 3.4)
    for axes, kernel in zip(figure.subplots(1, len(kernel_sizes)), kernel_sizes, strict=True):
        counts = overlap_counts(input_size, kernel, stride)
        for pixel in range(input_size):
            axes.add_patch(
                Rectangle(
                    (pixel * stride, (input_size - 1 - pixel) * 0.6),
                    kernel,
                    0.5,
                    facecolor=INPUT,
                    edgecolor=EDGE,
                    linewidth=0.6,
                    gid=f"k{kernel}-footprint-{pixel}",
                )
            )
        top = -0.6
        peak = counts.max()
        for (row, col), count in np.ndenumerate(counts):
            colour = (1 - 0.6 * count / peak, 1 - 0.3 * count / peak, 1 - 0.3 * count / peak)
            axes.add_patch(
                Rectangle((col, top - row - 1), 1, 1, facecolor=colour, edgecolor=EDGE, linewidth=0.5)
            )
            axes.text(
                col + 0.5,
                top - row - 0.5,
                str(count),
                ha="center",
                va="center",
                fontsize=TEXT_PT,
                gid=f"k{kernel}-overlap-{row}-{col}",
            )
        _finish_axes(
            axes, f"kernel {kernel}, stride {stride}\n{input_size} -> {counts.shape[0]}, before cropping"
        )
    return figure


def _channel_column(axes: Axes, x: float, count: int, prefix: str, colour: str) -> list[float]:
    """A column of ``count`` channel squares centred on y = 0; returns their centres."""
    from matplotlib.patches import Rectangle

    centres = [(count - 1) / 2 - index for index in range(count)]
    for index, y in enumerate(centres):
        axes.add_patch(
            Rectangle((x - 0.3, y - 0.3), 0.6, 0.6, facecolor=colour, edgecolor=EDGE, gid=f"{prefix}-{index}")
        )
    return centres


def _connect(axes: Axes, x0: float, ys0: list[float], x1: float, ys1: list[float], prefix: str) -> None:
    for i, y0 in enumerate(ys0):
        for j, y1 in enumerate(ys1):
            axes.plot([x0 + 0.3, x1 - 0.3], [y0, y1], color="#757575", linewidth=0.7, gid=f"{prefix}-{i}-{j}")


def draw_pointwise_mixing(input_channels: int = 6, filters: int = 3) -> Figure:
    """A 1x1 convolution at one pixel: every output channel is a weighted sum of every input
    channel of that same pixel, one weight per line (``C_in x C_out`` of them)."""
    figure = _figure(WIDTH, 3.0)
    axes = figure.subplots()
    inputs = _channel_column(axes, 0, input_channels, "in-channel", INPUT)
    outputs = _channel_column(axes, 3, filters, "out-channel", OUTPUT)
    _connect(axes, 0, inputs, 3, outputs, "weight")
    weights = count_conv_params(input_channels, filters, 1, use_bias=False)
    _finish_axes(axes, f"1x1 conv at one pixel\n{input_channels} channels -> {filters}, {weights} weights")
    return figure


def draw_depthwise_then_pointwise(input_channels: int = 3, filters: int = 4, kernel_size: int = 3) -> Figure:
    """Depthwise: one ``k x k`` filter per input channel, channels kept apart; pointwise: a
    1x1 convolution mixes them into ``filters`` channels."""
    from matplotlib.patches import Rectangle

    figure = _figure(WIDTH, 3.0)
    axes = figure.subplots()
    inputs = _channel_column(axes, 0, input_channels, "in-channel", INPUT)
    middles = _channel_column(axes, 3, input_channels, "dw-output", WINDOW)
    outputs = _channel_column(axes, 6, filters, "out-channel", OUTPUT)
    for index, y in enumerate(inputs):
        axes.plot([0.3, 2.7], [y, y], color="#757575", linewidth=1.2, gid=f"dw-filter-{index}")
        axes.add_patch(Rectangle((1.3, y - 0.2), 0.4, 0.4, facecolor="white", edgecolor=EDGE, linewidth=0.6))
    _connect(axes, 3, middles, 6, outputs, "pw-weight")
    total = separable_params(input_channels, filters, kernel_size, use_bias=False)
    axes.text(
        1.5,
        inputs[-1] - 1.0,
        f"depthwise: {input_channels} filters {kernel_size}x{kernel_size}",
        ha="center",
        fontsize=TEXT_PT,
    )
    axes.text(
        4.5,
        outputs[-1] - 0.6,
        f"pointwise: {input_channels}x{filters} weights",
        ha="center",
        fontsize=TEXT_PT,
    )
    _finish_axes(axes, f"separable: {input_channels} -> {filters} channels\n{total} weights")
    return figure


def plot_params_vs_kernel(
    channels: Sequence[int] = (32, 64, 128, 256), kernels: Sequence[int] = (1, 3, 5, 7)
) -> Figure:
    """Parameters of a ``C -> C`` convolution against kernel size, one line per channel count
    (log scale: the count grows as ``k^2 C^2``)."""
    figure = _figure(WIDTH, 3.2)
    axes = figure.subplots()
    for count in channels:
        axes.plot(
            kernels,
            [count_conv_params(count, count, k) for k in kernels],
            marker="o",
            label=f"{count} -> {count}",
            gid=f"line-{count}",
        )
    axes.set_yscale("log")
    axes.yaxis.set_major_formatter(_plain_numbers())
    axes.set_xticks(list(kernels), [f"{k}x{k}" for k in kernels])
    axes.set_xlabel("kernel size")
    axes.set_ylabel("parameters (with bias)")
    axes.legend(title="channels", fontsize=TEXT_PT, title_fontsize=TEXT_PT, frameon=False)
    axes.grid(color="#dddddd", linewidth=0.6)
    return figure


def plot_separable_savings(
    input_channels: int = 64, kernel_size: int = 3, filters: Sequence[int] = (8, 16, 32, 64, 128, 256, 512)
) -> Figure:
    """Separable parameters as a fraction of a regular convolution's, against ``C_out``: the
    counts (with and without bias) and the curve ``1/C_out + 1/K^2``."""
    figure = _figure(WIDTH, 3.2)
    axes = figure.subplots()
    dense = np.geomspace(filters[0], filters[-1], 200)
    axes.plot(
        dense,
        1 / dense + 1 / kernel_size**2,
        color="#757575",
        label=f"1/C_out + 1/{kernel_size}^2",
        gid="curve",
    )
    for use_bias, marker in ((False, "o"), (True, "x")):
        ratios = [
            separable_params(input_channels, c, kernel_size, use_bias=use_bias)
            / count_conv_params(input_channels, c, kernel_size, use_bias=use_bias)
            for c in filters
        ]
        axes.plot(
            filters,
            ratios,
            marker,
            label=f"counted, {'with' if use_bias else 'without'} bias",
            gid=f"ratios-bias-{use_bias}",
        )
    axes.set_xscale("log", base=2)
    axes.set_xticks(list(filters), [str(c) for c in filters])
    axes.set_xlabel("output channels C_out")
    axes.set_ylabel("separable / regular parameters")
    axes.set_title(f"C_in = {input_channels}, K = {kernel_size}", fontsize=TEXT_PT)
    axes.legend(fontsize=TEXT_PT, frameon=False)
    axes.grid(color="#dddddd", linewidth=0.6)
    return figure


def receptive_field_stacks(depth: int) -> dict[str, list[int]]:
    """Receptive field after each of ``depth`` 3x3 layers: plain, stride 2 in every layer,
    and dilation doubling each layer (1, 2, 4, ...)."""
    stacks = {
        "plain 3x3": [(3, 1)] * depth,
        "stride 2 each layer": [(3, 2)] * depth,
        "dilation 1, 2, 4, ...": [(3, 1, 2**layer) for layer in range(depth)],
    }
    return {name: [field.size for field in receptive_fields(layers)] for name, layers in stacks.items()}


def plot_receptive_field_vs_depth(depth: int = 8) -> Figure:
    """Receptive field against depth for plain, strided and dilated stacks of 3x3 layers (log scale)."""
    figure = _figure(WIDTH, 3.2)
    axes = figure.subplots()
    layers = list(range(1, depth + 1))
    # The strided and the dilated stacks have the same fields: draw the second dashed on top.
    styles = [("-", "o", 6), ("-", "s", 7), ("--", "x", 8)]
    for (name, sizes), (line, marker, size) in zip(
        receptive_field_stacks(depth).items(), styles, strict=True
    ):
        axes.plot(
            layers, sizes, linestyle=line, marker=marker, markersize=size, label=name, gid=f"stack-{name}"
        )
    axes.set_yscale("log", base=2)
    axes.yaxis.set_major_formatter(_plain_numbers())
    axes.set_xlabel("layers")
    axes.set_ylabel("receptive field (pixels)")
    axes.legend(fontsize=TEXT_PT, frameon=False)
    axes.grid(color="#dddddd", linewidth=0.6)
    return figure
