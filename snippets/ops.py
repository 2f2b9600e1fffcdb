"""Convolutions that compute, in NumPy, in every rank: channels-last arrays, Keras kernel layouts.

Named as ``keras.ops`` names them: :func:`conv`, :func:`depthwise_conv`, :func:`separable_conv`,
:func:`conv_transpose`. The rank follows from the kernel: ``(k, ...)`` is 1-D, ``(kh, kw, ...)``
2-D, ``(kd, kh, kw, ...)`` 3-D, and ``x`` is ``(N, *spatial, C)`` or one example
``(*spatial, C)`` (the result comes back the same way). :func:`conv2d` and friends are the
same functions restricted to 2-D. One implementation serves every rank: each formula below
runs over however many spatial axes there are.

Padding takes every form :func:`snippets.shapes.conv_output_shape` takes, with the same
meaning: strings are Keras' ``'valid'``/``'same'``/``'causal'`` (odd pixel after), numbers are
PyTorch's ``padding=``, and ``padding_mode`` (PyTorch's ``'zeros'``, ``'reflect'``,
``'replicate'``, ``'circular'``) says what numeric padding holds. Output shapes are always
those of :mod:`snippets.shapes`. float32 stays float32 and float64 stays float64 (mixed inputs
promote as NumPy does); integer, complex and bool arrays are refused.

How each one is computed: :func:`conv` gathers every receptive-field patch as a row
(:func:`im2col`) and does one matrix multiply per group, except on a sequence with a cache
line of channels, where it sums one matrix multiply per kernel tap (:func:`tap_conv`,
:func:`sums_taps` says why); a 1x1 convolution is a plain
matrix multiply; :func:`depthwise_conv` adds one shifted, scaled copy of the input per kernel
tap; :func:`conv_transpose` multiplies every input value by the whole kernel and
scatter-adds the results into the output (col2im).
"""

# --8<-- [start:imports]
from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from snippets import _arrays
from snippets._blas import BLAS_DTYPES, product
from snippets._validate import Pair, Sizes, check_int, check_sizes
from snippets.shapes import (
    PaddingSpec,
    check_padding,
    check_padding_convention,
    conv_output_shape,
    flax_transposed_output_shape,
    padding_amounts,
    transposed_output_shape,
)

# --8<-- [end:imports]

__all__ = [
    "conv",
    "conv2d",
    "conv2d_transpose",
    "conv_transpose",
    "depthwise_conv",
    "depthwise_conv2d",
    "gathers_from_planes",
    "gemm_conv",
    "im2col",
    "im2col_planes",
    "separable_conv",
    "separable_conv2d",
    "sums_taps",
    "tap_conv",
]

CONV_LAYOUT = "C_in // groups, C_out"
DEPTHWISE_LAYOUT = "C_in, depth_multiplier"
POINTWISE_LAYOUT = "C_in * depth_multiplier, C_out"
TRANSPOSE_LAYOUT = "C_out, C_in"


# --8<-- [start:pad]
#: PyTorch's ``padding_mode`` -> ``numpy.pad``'s ``mode``.
NUMPY_PAD_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _placed(x: np.ndarray, befores: Sizes, lengths: Sizes) -> np.ndarray:
    """``r[n, *i, c] = x[n, *(i - before), c]`` for ``0 <= i < length`` on each spatial axis:
    zeros where that runs past either end of ``x``, a crop where it stops short. No copy when
    nothing moves."""
    spatial = x.shape[1:-1]
    if all(b == 0 and length == size for b, length, size in zip(befores, lengths, spatial, strict=True)):
        return x
    placed = np.zeros((x.shape[0], *lengths, x.shape[-1]), x.dtype)
    spans = [
        (max(b, 0), min(length, size + b)) for b, length, size in zip(befores, lengths, spatial, strict=True)
    ]
    if all(hi > lo for lo, hi in spans):
        placed[(slice(None), *(slice(lo, hi) for lo, hi in spans))] = x[
            (slice(None), *(slice(lo - b, hi - b) for (lo, hi), b in zip(spans, befores, strict=True)))
        ]
    return placed


def pad(x: np.ndarray, pads: tuple[Pair, ...], padding_mode: str = "zeros") -> np.ndarray:
    """Pad the spatial axes of ``(N, *spatial, C)`` by ``pads = ((before, after), ...)``, one pair
    per axis: zeros, the mirror image without the edge (``'reflect'``), the edge repeated
    (``'replicate'``) or the far side wrapped round (``'circular'``)."""
    if not any(before or after for before, after in pads):
        return x
    if padding_mode == "zeros":  # one zero-filled array and one copy: np.pad's own way costs more calls
        lengths = tuple(
            size + before + after for size, (before, after) in zip(x.shape[1:-1], pads, strict=True)
        )
        return _placed(x, tuple(before for before, _ in pads), lengths)
    return np.pad(x, ((0, 0), *pads, (0, 0)), mode=NUMPY_PAD_MODES[padding_mode])


# --8<-- [end:pad]


# --8<-- [start:im2col]
def _windows(x: np.ndarray, kernel_size: Sizes, stride: Sizes, dilation: Sizes, axes: Sizes) -> np.ndarray:
    """Strided view of every receptive field of ``x`` over its spatial ``axes``, taps last.

    ``windows[..., i, j, ..., u, v] = x[..., i s + u d, j s + v d, ...]`` (no copy), for as
    many axes as there are.
    """
    spans = [d * (k - 1) + 1 for k, d in zip(kernel_size, dilation, strict=True)]
    windows = sliding_window_view(x, spans, axis=axes)
    steps = [slice(None)] * x.ndim
    for axis, s in zip(axes, stride, strict=True):
        steps[axis] = slice(None, None, s)
    return windows[(*steps, *(slice(None, None, d) for d in dilation))]


def im2col(
    x: np.ndarray,
    kernel_size: Sizes,
    stride: Sizes | None = None,
    dilation: Sizes | None = None,
    groups: int = 1,
) -> np.ndarray:
    """Every receptive field of the (already padded) ``(N, *spatial, C)`` ``x`` as a row, one
    matrix per group.

    ``cols[g, (n, i, j), (u, v, c)] = x[n, i s + u d, j s + v d, g C_g + c]`` in 2-D (one index
    per axis in general), shape ``(groups, N prod(out), prod(k) C_g)`` with ``C_g = C / groups``.
    The windows are a strided view (no copy); the one copy lays the rows out for the matmul.
    """
    rank = len(kernel_size)
    ones = (1,) * rank
    windows = _windows(x, kernel_size, stride or ones, dilation or ones, tuple(range(1, rank + 1)))
    n, *out, channels = windows.shape[: rank + 2]  # then the taps
    windows = windows.reshape(n, *out, groups, channels // groups, *kernel_size)
    taps = range(rank + 3, 2 * rank + 3)
    rows = windows.transpose(rank + 1, 0, *range(1, rank + 1), *taps, rank + 2)  # (G, N, *out, *k, C_g)
    return np.ascontiguousarray(rows).reshape(
        groups, n * math.prod(out), math.prod(kernel_size) * (channels // groups)
    )


# --8<-- [end:im2col]


# --8<-- [start:im2col_planes]
def im2col_planes(
    planes: np.ndarray,
    kernel_size: Sizes,
    stride: Sizes | None = None,
    dilation: Sizes | None = None,
    groups: int = 1,
) -> np.ndarray:
    """:func:`im2col`'s matrix transposed, gathered from channel planes ``(N, C, *spatial)``.

    ``cols[g, (u, v, c), (n, i, j)] = planes[n, g C_g + c, i s + u d, j s + v d]`` in 2-D, shape
    ``(groups, prod(k) C_g, N prod(out))``: one *column* per receptive field, the layout
    that gave im2col its name (Caffe's, for channels-first images). Its copy runs along
    the last spatial axis, so it stays fast when there are only a few channels.
    """
    rank = len(kernel_size)
    ones = (1,) * rank
    windows = _windows(planes, kernel_size, stride or ones, dilation or ones, tuple(range(2, rank + 2)))
    n, channels, *out = windows.shape[: rank + 2]  # then the taps
    windows = windows.reshape(n, groups, channels // groups, *out, *kernel_size)
    taps = range(rank + 3, 2 * rank + 3)
    columns = windows.transpose(1, *taps, 2, 0, *range(3, rank + 3))  # (G, *k, C_g, N, *out)
    return np.ascontiguousarray(columns).reshape(
        groups, math.prod(kernel_size) * (channels // groups), n * math.prod(out)
    )


# --8<-- [end:im2col_planes]


def _finish(y: np.ndarray, bias: np.ndarray | None, dtype: np.dtype, batched: bool) -> np.ndarray:
    """Add the bias per output channel, settle the dtype, drop the batch axis if ``x`` had none."""
    if bias is not None:
        y += bias
    y = y.astype(dtype, copy=False)
    return y if batched else y[0]


# --8<-- [start:conv]
def conv(
    x,
    kernel,
    bias=None,
    *,
    stride: int | Sizes = 1,
    padding: PaddingSpec = "valid",
    dilation: int | Sizes = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
) -> np.ndarray:
    """Convolution of any rank (cross-correlation, as every framework computes it), Keras
    ``Conv1D/2D/3D``, PyTorch ``Conv1d/2d/3d`` for numeric padding and ``padding_mode``.

    ``y[n,i,j,o] = b[o] + sum_{u,v,c} x[n, i s + u d - p_top, j s + v d - p_left, g C_g + c] k[u,v,c,o]``
    in 2-D, one index ``i s + u d - p`` per axis in general, with ``g = o // (C_out / groups)``
    and the padded border as ``padding_mode`` fills it. ``kernel`` is
    ``(*k, C_in / groups, C_out)``; the output shape is :func:`conv_output_shape`'s.
    Computed as :func:`im2col` then one matrix multiply per group (:func:`gemm_conv`), or as
    one matrix multiply per kernel tap, summed (:func:`tap_conv`), where :func:`sums_taps` says.
    """
    kernel, rank = _arrays.kernel("kernel", kernel, CONV_LAYOUT)
    x, batched = _arrays.batch("x", x, rank)
    *spatial, c_in = x.shape[1:]
    *kernel_size, _, c_out = kernel.shape
    groups = _check_groups(groups, x, kernel)
    bias = _arrays.bias_vector(bias, c_out, kernel)
    dtype = _arrays.common_dtype(x, kernel, bias)
    strides, dilations = check_sizes("stride", stride, rank), check_sizes("dilation", dilation, rank)
    shape_in, kernel_size = (*spatial, c_in), tuple(kernel_size)
    *out, _ = conv_output_shape(
        shape_in, c_out, kernel_size, strides, padding, dilation=dilations, padding_mode=padding_mode
    )
    pads = padding_amounts(shape_in, kernel_size, strides, padding, dilation=dilations)
    x, kernel = x.astype(dtype, copy=False), kernel.astype(dtype, copy=False)
    if math.prod(kernel_size) == 1 and groups == 1 and not any(map(any, pads)):
        y = pointwise(x[(slice(None), *(slice(None, None, s) for s in strides))], kernel)
    else:
        method = dense_method(strides, x.shape[-1] // groups, x.dtype)
        y = method(pad(x, pads, padding_mode), kernel, tuple(out), strides, dilations, groups)
    return _finish(y, bias, dtype, batched)


# --8<-- [end:conv]


# --8<-- [start:gemm_conv]
BAND_ELEMENTS = 1 << 19  # patch-matrix values per band: 2 MiB of float32, about one core's L2
CACHE_LINE = 64  # bytes


def gathers_from_planes(channels_per_group: int, itemsize: int) -> bool:
    """Whether :func:`gemm_conv` gathers with :func:`im2col_planes`: ``C_g * itemsize < 64`` bytes.

    That is, when a pixel's channels in one group fill less than a cache line.
    """
    return channels_per_group * itemsize < CACHE_LINE


def sums_taps(stride: Sizes, channels_per_group: int, dtype: np.dtype) -> bool:
    """Whether :func:`conv` computes with :func:`tap_conv` rather than :func:`gemm_conv`: when
    the stride is 1 on every axis, BLAS multiplies the dtype (float32, float64) and a pixel's
    channels in a group fill a 64-byte cache line (``C_g * itemsize >= 64``, the opposite of
    :func:`gathers_from_planes`).

    Why, measured by ``python -m benchmarks.methods`` (float32, 2 threads, OpenBLAS SkylakeX
    kernel) on both machine types, ``tap / gemm`` time, below 1 where the taps win:

    - 16 channels or more, stride 1: 2-D 0.62-0.90 on an Intel Xeon (2 MiB L2 per core,
      2026-12-03) and 0.89-1.01 on an AMD EPYC (1 MiB L2, 2026-12-04); 3-D 8x28x28x64 0.63 and
      0.87-0.93; 1-D 0.48-0.88 and 0.22-1.00. The patch matrix is ``prod(k)`` times the input, written
      once and read back; the taps read the input in place.
    - Fewer channels than a cache line (3 or 8 in 2-D, 1 in 1-D): 1.1-7.8x slower on both, since
      each tap's product is too thin (``C_g`` deep) for BLAS to run at speed.
    - A stride (1-D k3 s2, 2-D s2), by a variant that split the last axis into its ``s``
      phases (commit bb50c99): 0.97-1.13x, no gain on either. The phase copy costs about what
      it saves, since the patch matrix of a strided output is ``s`` times smaller per axis.
    """
    dtype = np.dtype(dtype)
    return (
        all(step == 1 for step in stride)
        and dtype in BLAS_DTYPES
        and not gathers_from_planes(channels_per_group, dtype.itemsize)
    )


def dense_method(stride: Sizes, channels_per_group: int, dtype: np.dtype):
    """``tap_conv if sums_taps(stride, C_g, dtype) else gemm_conv``: the one choice of method of
    :func:`conv` and of each phase of :func:`phase_transpose`."""
    return tap_conv if sums_taps(stride, channels_per_group, dtype) else gemm_conv


def _bands(out_size: Sizes, values_per_position: int, budget: int):
    """Pieces of one example's output, each ``(leading, first, stop)``: fixed indices ``leading``
    on the first axes, then rows ``first:stop`` of the next axis, of at most about ``budget``
    patch values. The band runs along the first axis whose row (all later axes) fits the budget."""
    axis = next(
        (a for a in range(len(out_size)) if math.prod(out_size[a + 1 :]) * values_per_position <= budget),
        len(out_size) - 1,
    )
    row_values = math.prod(out_size[axis + 1 :]) * values_per_position
    for leading in itertools.product(*map(range, out_size[:axis])):
        for _, first, stop in _row_blocks(1, out_size[axis], row_values, budget):
            yield leading, first, stop


def gemm_conv(
    xp: np.ndarray, kernel: np.ndarray, out_size: Sizes, stride: Sizes, dilation: Sizes, groups: int
) -> np.ndarray:
    """Convolve the padded ``xp`` (no padding left to do) as im2col + matmul, band by band.

    For each band of outputs of one example (rows of the first spatial axis; in a volume whose
    rows are too big, rows of a later axis at fixed earlier indices): copy its patches into a
    matrix ``(outputs, prod(k) C_g)`` per group, then ``y_band[:, group] = patches @ k_group``.
    Bands of about ``BAND_ELEMENTS`` patch values keep the matrix in the CPU cache from the copy
    that writes it to the product that reads it. When a pixel's channels in a group fill less
    than a 64-byte cache line, the copy gathers from channel planes instead
    (:func:`im2col_planes`): long runs along the last axis rather than a few values per pixel.
    """
    *kernel_size, c_group, c_out = kernel.shape
    n, spans = xp.shape[0], [d * (k - 1) + 1 for k, d in zip(kernel_size, dilation, strict=True)]
    weights = kernel.reshape(math.prod(kernel_size) * c_group, groups, c_out // groups)  # group g: [:, g]
    from_planes = gathers_from_planes(c_group, xp.itemsize)
    source = np.ascontiguousarray(np.moveaxis(xp, -1, 1)) if from_planes else xp  # (N, C, *spatial)
    y = np.empty((n, *out_size, c_out), xp.dtype)
    values_per_position = math.prod(kernel_size) * xp.shape[-1]  # patch values of one output, all groups
    for image in range(n):
        for leading, first, stop in _bands(out_size, values_per_position, BAND_ELEMENTS):
            # the input this band reads: a window per fixed axis, the rows of the banded one
            reads = [slice(i * s, i * s + span) for i, s, span in zip(leading, stride, spans, strict=False)]
            axis = len(leading)
            reads.append(slice(first * stride[axis], (stop - 1) * stride[axis] + spans[axis]))
            outputs = (image, *(slice(i, i + 1) for i in leading), slice(first, stop))
            y_band = y[outputs].reshape(-1, groups, c_out // groups)  # a view
            if from_planes:
                columns = im2col_planes(
                    source[(slice(image, image + 1), slice(None), *reads)],
                    kernel_size,
                    stride,
                    dilation,
                    groups,
                )
                patches = columns.transpose(0, 2, 1)  # (G, M, K): the transposed view, no copy
            else:
                patches = im2col(
                    source[(slice(image, image + 1), *reads)], kernel_size, stride, dilation, groups
                )
            for g in range(groups):  # one 2D matmul per group, written straight into y
                product(patches[g], weights[:, g], y_band[:, g])
    return y


# --8<-- [end:gemm_conv]


# --8<-- [start:tap_conv]
def _group_planes(xp: np.ndarray, groups: int) -> np.ndarray:
    """``xp`` ``(N, *P, C)`` as ``(N, G, *P, C_g)``, each group's channels apart:
    ``planes[n, g, ..., c] = xp[n, ..., g C_g + c]``. No copy when ``G = 1``."""
    n, *spatial, channels = xp.shape
    split = xp.reshape(n, *spatial, groups, channels // groups)
    return np.ascontiguousarray(np.moveaxis(split, -2, 1))


def _output_blocks(out_size: Sizes, grid: Sizes) -> list[tuple[int, int]]:
    """The runs ``[start, stop)`` of the flattened ``grid`` that hold outputs: one per index of
    every axis but the last two, from ``(..., 0, 0)`` to ``(..., out[-2] - 1, out[-1] - 1)``.
    In 1-D and 2-D that is one run; in 3-D one per output plane, which skips the rows of the
    padding between planes (2 of 58 for 56x56 'same' with a 3x3x3 kernel)."""
    lead, tail = out_size[:-2], out_size[-2:]
    length = int(np.ravel_multi_index((*(0,) * len(lead), *(size - 1 for size in tail)), grid)) + 1
    starts = (
        int(np.ravel_multi_index((*index, *(0,) * len(tail)), grid))
        for index in itertools.product(*map(range, lead))
    )
    return [(start, start + length) for start in starts]


def _packed_bands(blocks: list[tuple[int, int]], band: int) -> list[tuple[int, int]]:
    """Bands ``[first, stop)`` of at most ``band`` rows that cover every run of ``blocks``, in
    order. Consecutive runs share a band while together they fit in one: the rows between them
    (padding rows, whose outputs are dropped) are computed, so that a small volume costs one
    product per tap and not one per tap and output plane. A run longer than ``band`` is cut.

    Measured by ``python -m benchmarks.bands`` (2 threads, AMD EPYC, 2026-12-06), packed time
    over a band per plane, in three runs: transposed3d 1x4x14x14x128 -> 64, whose phases are 4
    planes of 209 output rows, 0.88-0.94; 2x6x20x20x32 -> 32, 0.57-0.64. conv3d 1x8x56x56x64
    (3,246 rows a plane, bands of 4,096) still has one band per plane: 0.99-1.00.
    """
    bands: list[tuple[int, int]] = []
    for start, stop in blocks:
        if bands and stop - bands[-1][0] <= band:
            bands[-1] = (bands[-1][0], stop)
        else:
            bands.extend((first, min(first + band, stop)) for first in range(start, stop, band))
    return bands


def tap_conv(
    xp: np.ndarray, kernel: np.ndarray, out_size: Sizes, stride: Sizes, dilation: Sizes, groups: int
) -> np.ndarray:
    """Convolve the padded ``xp`` as one matrix multiply per kernel tap, each added into the
    output by BLAS itself (``C = A B + C``), on the flattened grid of the input. Stride 1 only.

    Flatten an example's padded grid into rows ``m`` of ``C_g`` values. Output ``i`` is row
    ``m = ravel(i)`` of that grid, and tap ``u`` reads row ``m + o_u``, ``o_u = ravel(u d)``:

    ``y[m] = sum_u rows[m + o_u] @ k[u]``, one GEMM per tap on a contiguous block of rows.

    Nothing is gathered: no patch matrix ``prod(k)`` times the input is written and read back.
    The price is the grid's rows past the output's end along the last axis (the padding's
    width), computed and dropped: 2 of 58 columns for 56x56 'same' with a 3x3 kernel. Along the
    other axes such rows are skipped (:func:`_output_blocks`) unless the planes on either side
    fit in one band (:func:`_packed_bands`).
    The output grid is done a band of about ``BAND_ELEMENTS / 2`` values at a time, so that
    it stays in the cache while every tap adds into it. Same result as :func:`gemm_conv`.
    """
    *kernel_size, c_group, c_out = kernel.shape
    n = xp.shape[0]
    if any(step != 1 for step in stride):
        raise ValueError(f"tap_conv needs stride 1 on every axis, got stride={stride}")
    planes = _group_planes(xp, groups)
    grid = planes.shape[2:-1]  # the padded input's sizes
    rows = planes.reshape(n, groups, -1, c_group)
    per_group = c_out // groups
    weights = kernel.reshape(*kernel_size, c_group, groups, per_group)
    # the output grid: out_0 rows of every later axis of the input grid, cropped at the end
    y_grid = np.empty((n, groups, out_size[0] * math.prod(grid[1:]), per_group), xp.dtype)
    blocks = _output_blocks(out_size, (out_size[0], *grid[1:]))  # y_grid's rows that hold outputs
    band = max(BAND_ELEMENTS // 2 // c_out, 1)
    taps = [
        (tap, int(np.ravel_multi_index([u * d for u, d in zip(tap, dilation, strict=True)], grid)))
        for tap in itertools.product(*map(range, kernel_size))
    ]
    for image, g, (first, stop) in itertools.product(range(n), range(groups), _packed_bands(blocks, band)):
        target = y_grid[image, g, first:stop]
        for t, (tap, offset) in enumerate(taps):
            source = rows[image, g, first + offset : stop + offset]
            product(source, weights[tap][:, g], target, accumulate=t > 0)
    y_grid = y_grid.reshape(n, groups, out_size[0], *grid[1:], per_group)
    crop = y_grid[(slice(None), slice(None), slice(None), *(slice(size) for size in out_size[1:]))]
    order = (0, *range(2, len(out_size) + 2), 1, len(out_size) + 2)  # groups next to their channels
    return np.ascontiguousarray(crop.transpose(order)).reshape(n, *out_size, c_out)


# --8<-- [end:tap_conv]


def _check_groups(groups, x: np.ndarray, kernel: np.ndarray) -> int:
    """``groups`` must divide both channel counts, and the kernel must see ``C_in / groups``."""
    groups = check_int("groups", groups)
    c_in, c_out = x.shape[-1], kernel.shape[-1]
    if c_in % groups or c_out % groups:
        raise ValueError(
            f"groups must divide the input channels of x (shape {x.shape}) and the output channels "
            f"of kernel (shape {kernel.shape}), got groups={groups}"
        )
    _arrays.channels_match(x, "x", kernel, "kernel", kernel.ndim - 2, c_in // groups, "C_in // groups")
    return groups


# --8<-- [start:pointwise]
def pointwise(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """A 1x1 convolution is a dense layer applied at every position: one matmul over all of them.

    ``y[n,i,j,o] = sum_c x[n,i,j,c] k[0,0,c,o]``, i.e. ``x.reshape(-1, C) @ k.reshape(C, C_out)``.
    """
    channels = x.shape[-1]
    y = product(x.reshape(-1, channels), kernel.reshape(channels, -1))
    return y.reshape(*x.shape[:-1], -1)


# --8<-- [end:pointwise]


# --8<-- [start:depthwise_conv]
def depthwise_conv(
    x,
    kernel,
    bias=None,
    *,
    stride: int | Sizes = 1,
    padding: PaddingSpec = "valid",
    dilation: int | Sizes = 1,
    padding_mode: str = "zeros",
) -> np.ndarray:
    """Each input channel filtered on its own, in any rank: Keras ``DepthwiseConv1D/2D`` (its
    rules: stride with dilation allowed, no 'causal').

    ``y[n,i,j,c m + q] = b[c m + q] + sum_{u,v} x[n, i s + u d - p_top, j s + v d - p_left, c] k[u,v,c,q]``
    in 2-D, for a kernel ``(*k, C_in, m)`` (``m`` the depth multiplier): output channel
    ``c m + q``, as Keras orders them. Computed as ``prod(k)`` shifted multiply-adds.
    """
    kernel, rank = _arrays.kernel("kernel", kernel, DEPTHWISE_LAYOUT)
    x, batched = _arrays.batch("x", x, rank)
    n, *spatial, c_in = x.shape
    *kernel_size, _, multiplier = kernel.shape
    _arrays.channels_match(x, "x", kernel, "kernel", rank, c_in, "C_in")
    bias = _arrays.bias_vector(bias, c_in * multiplier, kernel)
    dtype = _arrays.common_dtype(x, kernel, bias)
    strides, dilations = check_sizes("stride", stride, rank), check_sizes("dilation", dilation, rank)
    shape_in, kernel_size = (*spatial, c_in), tuple(kernel_size)
    rules = {"dilation": dilations, "layer": "depthwise"}
    *out, _ = conv_output_shape(
        shape_in, c_in, kernel_size, strides, padding, padding_mode=padding_mode, **rules
    )
    pads = padding_amounts(shape_in, kernel_size, strides, padding, **rules)
    xp = pad(x.astype(dtype, copy=False), pads, padding_mode)
    y = np.empty((n, *out, c_in, multiplier), dtype)
    blocks = list(_row_blocks(n, out[0], math.prod(out[1:]) * c_in * multiplier))
    along = out[-1] if rank > 1 else max(stop - first for _, first, stop in blocks)
    along_rows = np.repeat(kernel.astype(dtype)[..., None, :, :], along, axis=rank)  # (*k, W_out, C, m)
    for block in blocks:
        _depthwise_taps(xp, along_rows, y, block, strides, dilations)
    return _finish(y.reshape(n, *out, c_in * multiplier), bias, dtype, batched)


# --8<-- [end:depthwise_conv]


# --8<-- [start:depthwise_taps]
def _depthwise_taps(xp, kernel, y, block, stride: Sizes, dilation: Sizes) -> None:
    """``y[block] = sum over taps of x shifted by (u d, v d, ...), strided by s, times k[u, v, ...]``.

    ``block = (example, first_row, stop_row)``: the output is done a band of rows (of the first
    spatial axis) at a time so that the running sum stays in the CPU cache (NumPy cannot fuse
    the multiply and add). ``kernel`` is ``(*k, W_out, C, m)``, each tap's weights repeated
    along the last axis (along the band in 1-D): then a multiply runs over whole rows at once,
    not ``C`` values at a time.
    """
    image, first, stop = block
    rank = len(stride)
    out = y[image, first:stop]  # (rows, *out[1:], C, m), a view
    scratch = np.empty_like(out)
    counts = out.shape[:rank]
    for index, tap in enumerate(itertools.product(*map(range, kernel.shape[:rank]))):
        starts = [u * d for u, d in zip(tap, dilation, strict=True)]
        starts[0] += first * stride[0]
        window = (slice(b, b + (c - 1) * s + 1, s) for b, c, s in zip(starts, counts, stride, strict=True))
        patch = xp[(image, *window, slice(None), None)]
        weights = kernel[tap] if rank > 1 else kernel[tap][: counts[0]]
        if index == 0:  # the first tap starts the sum
            np.multiply(patch, weights, out=out)
        else:
            np.multiply(patch, weights, out=scratch)
            out += scratch


# --8<-- [end:depthwise_taps]


def _row_blocks(n: int, out_h: int, row_size: int, budget: int = 1 << 17):
    """``(image, first_row, stop_row)``: each image's rows in equal bands of at most about ``budget`` values."""
    bands = -(-out_h * max(row_size, 1) // budget)  # ceil: how many bands each image needs
    rows = -(-out_h // min(bands, out_h))
    for image in range(n):
        for first in range(0, out_h, rows):
            yield image, first, min(first + rows, out_h)


# --8<-- [start:separable_conv]
def separable_conv(
    x,
    depthwise_kernel,
    pointwise_kernel,
    bias=None,
    *,
    stride: int | Sizes = 1,
    padding: PaddingSpec = "valid",
    dilation: int | Sizes = 1,
    padding_mode: str = "zeros",
) -> np.ndarray:
    """Depthwise then pointwise, Keras ``SeparableConv1D/2D`` (one bias, after the pointwise step).

    ``y = b + pointwise(depthwise(x, k_dw), k_pw)``: ``depthwise_kernel`` is
    ``(*k, C_in, m)``, ``pointwise_kernel`` ``(1, ..., 1, C_in m, C_out)`` of the same rank.
    """
    depthwise_kernel, rank = _arrays.kernel("depthwise_kernel", depthwise_kernel, DEPTHWISE_LAYOUT)
    pointwise_kernel, _ = _arrays.kernel("pointwise_kernel", pointwise_kernel, POINTWISE_LAYOUT, (rank,))
    x_checked, _ = _arrays.batch("x", x, rank)
    _arrays.channels_match(
        x_checked, "x", depthwise_kernel, "depthwise_kernel", rank, x_checked.shape[-1], "C_in"
    )
    middle = x_checked.shape[-1] * depthwise_kernel.shape[-1]
    if math.prod(pointwise_kernel.shape[:rank]) != 1:
        raise ValueError(
            f"pointwise_kernel must be 1x1, ({'1, ' * rank}{POINTWISE_LAYOUT}), "
            f"got pointwise_kernel of shape {pointwise_kernel.shape}"
        )
    _arrays.channels_match(
        x_checked,
        f"depthwise_kernel of shape {depthwise_kernel.shape} and x",
        pointwise_kernel,
        "pointwise_kernel",
        rank,
        middle,
        "C_in * depth_multiplier",
    )
    options = {"stride": stride, "padding": padding, "dilation": dilation, "padding_mode": padding_mode}
    return conv(depthwise_conv(x, depthwise_kernel, **options), pointwise_kernel, bias)


# --8<-- [end:separable_conv]


# --8<-- [start:transposed_offset]
def transposed_offset(size: int, span: int, stride: int, padding: str | Pair, out_size: int) -> int:
    """Where the output window starts along one axis in the uncropped ("full") transposed output.

    The full output has length ``(n - 1) s + k_eff``. Numbers (PyTorch, ``padding`` the axis'
    ``(p, p)``): crop ``p`` on each side. ``'valid'``: no crop. ``'same'``: the adjoint of a
    ``'same'`` convolution whose output is ``n``: crop ``floor(t / 2)`` before, where
    ``t = max((n - 1) s + k_eff - out, 0)``, and the odd pixel after.
    """
    if padding == "valid":
        return 0
    if padding == "same":
        return max((size - 1) * stride + span - out_size, 0) // 2
    return padding[0]


# --8<-- [end:transposed_offset]


# --8<-- [start:conv_transpose]
def conv_transpose(
    x,
    kernel,
    bias=None,
    *,
    stride: int | Sizes = 1,
    padding: PaddingSpec = "valid",
    output_padding: int | Sizes | None = None,
    dilation: int | Sizes = 1,
    padding_mode: str = "zeros",
    padding_convention: str = "torch",
) -> np.ndarray:
    """Transposed convolution of any rank, Keras ``Conv1D/2D/3DTranspose`` (kernel ``(*k, C_out, C_in)``).

    Every input value scatters ``x[n,h,w,:] @ k[u,v,:,:].T`` to output pixel
    ``(h s + u d - p_top, w s + v d - p_left)`` in 2-D (one such index per axis in general):
    ``y[n,i,j,o] = b[o] + sum_{h s + u d - p_top = i, w s + v d - p_left = j} sum_c x[n,h,w,c] k[u,v,o,c]``.
    It is the adjoint (the input gradient) of :func:`conv` with the same kernel array. Output
    shape: :func:`transposed_output_shape`; ``p_top``: :func:`transposed_offset`.
    ``padding_mode`` must be ``'zeros'``, the only one PyTorch's ConvTranspose takes.

    ``'SAME_LOWER'`` (jax.lax's; stride 1 only) computes as ``'same'``. With
    ``padding_convention="flax"`` the padding is Flax's ``nnx.ConvTranspose``'s
    (:func:`snippets.shapes.flax_transposed_output_shape`): numbers pad the stretched input by
    ``(lo, hi)``, so ``p_top = d (k - 1) - lo`` (negative: zeros before the full output), and
    ``'SAME'``/``'VALID'`` compute as Keras' ``'same'``/``'valid'`` with stride and dilation
    together allowed. The kernel is Keras' as always: for Flax's default ``transpose_kernel=False``
    kernel, reverse its spatial axes and swap its last two (:func:`snippets.porting.port_kernel`).
    """
    if padding_mode != "zeros":
        raise ValueError(
            f"padding_mode must be 'zeros' for a transposed convolution (PyTorch's ConvTranspose "
            f"takes no other), got {padding_mode!r}"
        )
    kernel, rank = _arrays.kernel("kernel", kernel, TRANSPOSE_LAYOUT)
    x, batched = _arrays.batch("x", x, rank)
    n, *spatial, c_in = x.shape
    *kernel_size, c_out, _ = kernel.shape
    _arrays.channels_match(x, "x", kernel, "kernel", rank + 1, c_in, "C_in")
    bias = _arrays.bias_vector(bias, c_out, kernel)
    dtype = _arrays.common_dtype(x, kernel, bias)
    strides, dilations = check_sizes("stride", stride, rank), check_sizes("dilation", dilation, rank)
    flax = check_padding_convention(padding_convention) == "flax"
    if flax and output_padding is not None:
        raise ValueError(
            f"output_padding must be None with padding_convention='flax' (Flax's ConvTranspose has none; "
            f"add it to the after side of the padding), got {output_padding!r}"
        )
    if flax:
        *out, _ = flax_transposed_output_shape(
            (*spatial, c_in), c_out, tuple(kernel_size), strides, padding, dilation=dilations
        )
    else:
        *out, _ = transposed_output_shape(
            (*spatial, c_in),
            c_out,
            tuple(kernel_size),
            strides,
            padding,
            output_padding=output_padding,
            dilation=dilations,
        )
    sides = check_padding(padding, rank, negative=flax, jax_strings=flax)
    if isinstance(sides, str):
        sides = "same" if sides.startswith(("same", "SAME")) else "valid"  # jax.lax's pad as Keras'
    elif flax:  # Flax's (lo, hi) of the stretched input: crop d (k - 1) - lo
        sides = [(d * (k - 1) - lo,) * 2 for (lo, _), k, d in zip(sides, kernel_size, dilations, strict=True)]
    offsets = [
        transposed_offset(size, d * (k - 1) + 1, s, sides if isinstance(sides, str) else sides[axis], length)
        for axis, (size, k, s, d, length) in enumerate(
            zip(spatial, kernel_size, strides, dilations, out, strict=True)
        )
    ]
    x, kernel = x.astype(dtype, copy=False), kernel.astype(dtype, copy=False)
    method = phase_transpose if sums_taps((1,) * rank, c_in, dtype) else scatter_transpose
    y = method(x, kernel, tuple(out), strides, dilations, tuple(offsets))
    return _finish(y, bias, dtype, batched)


def scatter_transpose(
    x: np.ndarray, kernel: np.ndarray, out_size: Sizes, stride: Sizes, dilation: Sizes, offsets: Sizes
) -> np.ndarray:
    """The transposed convolution as one matrix multiply and a scatter: every input value times
    the whole kernel, ``(N prod(spatial), C_in) @ (C_in, C_out)`` for each tap, added into the
    output by :func:`col2im`. ``kernel`` is ``(*k, C_out, C_in)``; returns ``(N, *out, C_out)``
    without bias. Same result as :func:`phase_transpose`.
    """
    rank, (n, *spatial, c_in) = len(stride), x.shape
    *kernel_size, c_out, _ = kernel.shape
    # stored tap by tap so that col2im reads each tap's slice from one contiguous block
    taps = math.prod(kernel_size)
    rows, flat_kernel = x.reshape(-1, c_in), kernel.reshape(taps, c_out, c_in)
    cols = np.empty((taps, rows.shape[0], c_out), x.dtype)
    for tap in range(taps):
        product(rows, flat_kernel[tap].T, cols[tap])
    cols = cols.reshape(*kernel_size, n, *spatial, c_out)
    cols = cols.transpose(rank, *range(rank + 1, 2 * rank + 1), *range(rank), 2 * rank + 1)  # a view
    y = np.zeros((n, *out_size, c_out), x.dtype)
    col2im(cols, y, stride, dilation, offsets)
    return y


# --8<-- [end:conv_transpose]


# --8<-- [start:phase_transpose]
def phase_taps(k: int, stride: int, dilation: int, offset: int, phase: int) -> tuple[list[int], int, int]:
    """The taps of one axis that land on the output positions ``o = q s + phase``, as a convolution.

    Input ``h`` and tap ``u`` reach ``o = h s + u d - offset`` (:func:`conv_transpose`), so
    ``o = q s + r`` takes the taps with ``u d - offset - r = c_u s`` for an integer ``c_u``, from
    ``x[q - c_u]``. Those taps are every ``s / g``-th (``g = gcd(d, s)``) and ``c_u`` grows by
    ``d / g`` from one to the next: reversed, they are a kernel of dilation ``d / g`` over ``x``
    padded by ``max(c_u)`` before. Returns ``(taps reversed, d / g, max(c_u))``; no taps: ``([], 1, 0)``.
    """
    taps = [u for u in range(k) if (u * dilation - offset - phase) % stride == 0]
    if not taps:
        return [], 1, 0
    return (
        taps[::-1],
        dilation // math.gcd(dilation, stride),
        (taps[-1] * dilation - offset - phase) // stride,
    )


def phase_transpose(
    x: np.ndarray, kernel: np.ndarray, out_size: Sizes, stride: Sizes, dilation: Sizes, offsets: Sizes
) -> np.ndarray:
    """The transposed convolution as ``prod(s)`` ordinary ones, one per output phase (the
    "sub-pixel" form), each computed by :func:`tap_conv` or :func:`gemm_conv`, as :func:`conv` picks.

    The output positions ``o = q s + r`` of phase ``r`` (one per axis) form a stride-1
    convolution of ``x`` with the taps of :func:`phase_taps`: ``y[q s + r] = sum_u x[q - c_u] k[u]``.
    No value is scattered and nothing is added twice: no ``prod(k)`` times the input's size of
    columns is written and read back as in :func:`col2im`. A phase no tap reaches (``gcd(d, s) > 1``)
    stays zero. ``kernel`` is ``(*k, C_out, C_in)``; returns ``(N, *out, C_out)`` without bias.
    """
    rank, n, c_out = len(stride), x.shape[0], kernel.shape[-2]
    y = np.zeros((n, *out_size, c_out), x.dtype)
    weights = np.swapaxes(kernel, -1, -2)  # (*k, C_in, C_out): the layout of conv's kernel
    for phase in itertools.product(*(range(min(s, size)) for s, size in zip(stride, out_size, strict=True))):
        plan = [
            phase_taps(k, s, d, offset, r)
            for k, s, d, offset, r in zip(kernel.shape[:rank], stride, dilation, offsets, phase, strict=True)
        ]
        if not all(taps for taps, _, _ in plan):
            continue
        counts = tuple(-(-(size - r) // s) for size, r, s in zip(out_size, phase, stride, strict=True))
        lengths = tuple(
            count + (len(taps) - 1) * step for (taps, step, _), count in zip(plan, counts, strict=True)
        )
        xp = _placed(x, tuple(before for _, _, before in plan), lengths)
        sub = weights[np.ix_(*(taps for taps, _, _ in plan))]
        steps, ones = tuple(step for _, step, _ in plan), (1,) * rank
        method = dense_method(ones, x.shape[-1], x.dtype)
        y[(slice(None), *(slice(r, None, s) for r, s in zip(phase, stride, strict=True)))] = method(
            xp, sub, counts, ones, steps, 1
        )
    return y


# --8<-- [end:phase_transpose]


# --8<-- [start:col2im]
def col2im(cols: np.ndarray, y: np.ndarray, stride: Sizes, dilation: Sizes, offsets: Sizes) -> None:
    """Scatter-add ``cols[n, h, w, u, v, :]`` into ``y[n, h s + u d - top, w s + v d - left, :]``
    (2-D; one such index per axis in general).

    One strided slice add per kernel tap; contributions that land outside ``y`` (the
    cropped border) are dropped.
    """
    rank = len(stride)
    spatial, kernel_size = cols.shape[1 : rank + 1], cols.shape[rank + 1 : 2 * rank + 1]
    for tap in itertools.product(*map(range, kernel_size)):
        ranges = [
            _tap_range(size, u * d - offset, s, length)
            for size, u, d, offset, s, length in zip(
                spatial, tap, dilation, offsets, stride, y.shape[1:-1], strict=True
            )
        ]
        if None in ranges:
            continue
        target = y[
            (
                slice(None),
                *(
                    slice(i0, i0 + (h1 - h0 - 1) * s + 1, s)
                    for (h0, h1, i0), s in zip(ranges, stride, strict=True)
                ),
            )
        ]
        target += cols[(slice(None), *(slice(h0, h1) for h0, h1, _ in ranges), *tap)]


# --8<-- [end:col2im]


def _tap_range(size: int, shift: int, stride: int, out_size: int) -> tuple[int, int, int] | None:
    """Inputs ``h`` in ``[h0, h1)`` whose ``h s + shift`` lands in ``[0, out_size)``, and ``h0 s + shift``."""
    first = max(0, (-shift + stride - 1) // stride)
    stop = min(size, (out_size - 1 - shift) // stride + 1)
    if stop <= first:
        return None
    return first, stop, first * stride + shift


# --8<-- [start:two_d]
def _two_d(name: str, kernel, layout: str) -> np.ndarray:
    """``kernel`` checked to be 2-D: the ``*2d`` names refuse other ranks."""
    return _arrays.kernel(name, kernel, layout, ranks=(2,))[0]


def conv2d(x, kernel, bias=None, **options) -> np.ndarray:
    """:func:`conv` in 2-D only (Keras ``Conv2D``): ``x`` ``(N, H, W, C)``, kernel ``(kh, kw, C_in / groups, C_out)``."""
    return conv(x, _two_d("kernel", kernel, CONV_LAYOUT), bias, **options)


def depthwise_conv2d(x, kernel, bias=None, **options) -> np.ndarray:
    """:func:`depthwise_conv` in 2-D only (Keras ``DepthwiseConv2D``): kernel ``(kh, kw, C_in, m)``."""
    return depthwise_conv(x, _two_d("kernel", kernel, DEPTHWISE_LAYOUT), bias, **options)


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, bias=None, **options) -> np.ndarray:
    """:func:`separable_conv` in 2-D only (Keras ``SeparableConv2D``)."""
    depthwise_kernel = _two_d("depthwise_kernel", depthwise_kernel, DEPTHWISE_LAYOUT)
    return separable_conv(x, depthwise_kernel, pointwise_kernel, bias, **options)


def conv2d_transpose(x, kernel, bias=None, **options) -> np.ndarray:
    """:func:`conv_transpose` in 2-D only (Keras ``Conv2DTranspose``): kernel ``(kh, kw, C_out, C_in)``."""
    return conv_transpose(x, _two_d("kernel", kernel, TRANSPOSE_LAYOUT), bias, **options)


# --8<-- [end:two_d]
