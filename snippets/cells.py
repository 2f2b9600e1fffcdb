"""Which cells a layer's windows read, where a transposed layer writes, and which cells of every
tensor in a stack one output value depends on: the arithmetic the calculator's explorer draws.

Every layer the calculator takes maps positions along each axis on its own, so one axis is
enough, and a 2-D or 3-D set of cells is the product of one set per axis. Along one axis a
layer is an :class:`AxisMap`, for an input of ``n`` positions and an output of ``m``:

* a window (convolution or pooling): output ``o`` reads the padded input at
  ``o s + u d - p`` for the taps ``u < k``, with ``p`` the padding before; a position below 0
  or at ``n`` and above is a padding cell;
* a scatter (transposed convolution): input ``i`` writes to ``i s + u d - c`` for ``u < k``,
  with ``c`` the crop before (:func:`snippets.ops.transposed_offset`); a position below 0 or at
  ``m`` and above falls in the crop and is dropped.

The receptive field of output ``o`` of layer ``L`` is found backwards: a window layer's
sources of a set ``O`` are the positions its windows read that hold a real cell, a scatter
layer's are the inputs ``i`` with ``i s + u d - c`` in ``O`` for some tap. For a stack of
windows only, its extent is that of :func:`snippets.receptive.receptive_fields`; after a
transposed layer with stride ``s``, it holds only the inputs of one phase ``o mod s``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from snippets._validate import check_int, describe
from snippets.ops import transposed_offset
from snippets.pooling import pool_padding
from snippets.shapes import padding_amounts

WINDOW, SCATTER = "window", "scatter"


class AxisMap(NamedTuple):
    """One layer along one axis: its kind (``"window"`` or ``"scatter"``), the input and output
    sizes, the kernel (or pool) size, stride, dilation and the offset: the padding before of a
    window layer, the crop before of a scatter layer; ``after`` is the padding (or crop) after."""

    kind: str
    size_in: int
    size_out: int
    kernel: int
    stride: int = 1
    dilation: int = 1
    offset: int = 0
    after: int = 0


def _checked(axis_map: AxisMap) -> AxisMap:
    if not isinstance(axis_map, AxisMap) or axis_map.kind not in (WINDOW, SCATTER):
        raise TypeError(
            f"axis_map must be an AxisMap of kind 'window' or 'scatter', got {describe(axis_map)}"
        )
    return axis_map


def _position(name: str, index: int, size: int) -> int:
    index = check_int(name, index, minimum=0)
    if index >= size:
        raise ValueError(f"{name} must be below the axis size {size}, got {index}")
    return index


def window_reads(axis_map: AxisMap, out_index: int) -> list[int]:
    """The input positions output ``o`` of a window layer reads, tap by tap: ``o s + u d - p``
    for ``u < k``. Those below 0 or at ``size_in`` and above are padding cells."""
    m = _checked(axis_map)
    if m.kind != WINDOW:
        raise ValueError(f"axis_map must be a window layer for window_reads, got kind={m.kind!r}")
    o = _position("out_index", out_index, m.size_out)
    return [o * m.stride + u * m.dilation - m.offset for u in range(m.kernel)]


def scatter_writes(axis_map: AxisMap, in_index: int) -> list[int]:
    """The output positions input ``i`` of a scatter layer writes to, tap by tap:
    ``i s + u d - c`` for ``u < k``. Those below 0 or at ``size_out`` and above are cropped."""
    m = _checked(axis_map)
    if m.kind != SCATTER:
        raise ValueError(f"axis_map must be a scatter layer for scatter_writes, got kind={m.kind!r}")
    i = _position("in_index", in_index, m.size_in)
    return [i * m.stride + u * m.dilation - m.offset for u in range(m.kernel)]


def overlap_counts_along(axis_map: AxisMap) -> dict[int, int]:
    """How many (input, tap) pairs write to each position of a scatter layer, crop included:
    position ``j`` (from ``-c``) gets one for every ``i s + u d - c = j``."""
    counts: dict[int, int] = {}
    for i in range(_checked(axis_map).size_in):
        for j in scatter_writes(axis_map, i):
            counts[j] = counts.get(j, 0) + 1
    return counts


def sources(axis_map: AxisMap, out_positions: Iterable[int]) -> tuple[set[int], set[int]]:
    """The input positions the outputs ``out_positions`` depend on, and the padding positions
    their windows read (always empty for a scatter layer, which pads nothing)."""
    m = _checked(axis_map)
    outs = set(out_positions)
    if m.kind == WINDOW:
        read = {j for o in outs for j in window_reads(m, o)}
        real = {j for j in read if 0 <= j < m.size_in}
        return real, read - real
    return {i for i in range(m.size_in) if outs.intersection(scatter_writes(m, i))}, set()


class AxisField(NamedTuple):
    """Along one axis, the cells of one tensor that an output depends on, and the padding cells
    (of the layer above it) that the windows read on the way."""

    cells: frozenset[int]
    padding: frozenset[int]


def receptive_cells(axis_maps: Sequence[AxisMap], layer: int, out_index: int) -> list[AxisField]:
    """Along one axis, for output ``out_index`` of layer ``layer`` (1-based, ``axis_maps[layer - 1]``),
    the field in every tensor from the input (entry 0) to that layer's output (entry ``layer``,
    the output cell itself). Entry ``t``'s padding holds the padding cells of layer ``t + 1``
    that the field reads."""
    layer = check_int("layer", layer)
    if layer > len(axis_maps):
        raise ValueError(f"layer must be at most the number of layers {len(axis_maps)}, got {layer}")
    cells = {_position("out_index", out_index, _checked(axis_maps[layer - 1]).size_out)}
    fields = [AxisField(frozenset(cells), frozenset())]
    for axis_map in reversed(axis_maps[:layer]):
        cells, padding = sources(axis_map, cells)
        fields.append(AxisField(frozenset(cells), frozenset(padding)))
    return fields[::-1]


# ---------------------------------------------------------------- a layer as axis maps
def layer_maps(
    layer: str,
    input_shape: tuple[int, ...],
    out_shape: tuple[int, ...],
    kernel_size: int,
    stride: int | None,
    padding,
    *,
    dilation: int = 1,
) -> list[AxisMap]:
    """One :class:`AxisMap` per axis of a layer on ``input_shape`` giving ``out_shape``.

    ``layer`` is ``"conv"``, ``"depthwise"`` or ``"separable"`` (a window, the padding of
    :func:`snippets.shapes.padding_amounts` with that layer's rules), ``"pool"`` (a window, the
    padding of :func:`snippets.pooling.pool_padding`; ``stride=None`` is the pool size) or
    ``"transposed"`` (a scatter, the crop before of :func:`snippets.ops.transposed_offset`,
    ``padding`` a word or PyTorch's int, and after it what the full output ``(n - 1) s + k_eff``
    leaves beyond the ``m`` kept)."""
    spatial = zip(input_shape[:-1], out_shape[:-1], strict=True)
    if layer == "transposed":
        span = dilation * (kernel_size - 1) + 1
        side = padding if isinstance(padding, str) else (padding, padding)
        maps = []
        for n, m in spatial:
            before = transposed_offset(n, span, stride, side, m)
            after = max((n - 1) * stride + span - before - m, 0)
            maps.append(AxisMap(SCATTER, n, m, kernel_size, stride, dilation, before, after))
        return maps
    if layer == "pool":
        pads = pool_padding(input_shape, kernel_size, stride, padding)
        stride, dilation = stride or kernel_size, 1
    else:
        pads = padding_amounts(input_shape, kernel_size, stride, padding, dilation=dilation, layer=layer)
    return [
        AxisMap(WINDOW, n, m, kernel_size, stride, dilation, before, after)
        for (n, m), (before, after) in zip(spatial, pads, strict=True)
    ]
