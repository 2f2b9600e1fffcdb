"""Pooling in every rank, in NumPy, channels-last: shapes and values as Keras and PyTorch give them.

Named as ``keras.ops`` names them: :func:`max_pool`, :func:`average_pool`, plus PyTorch's
adaptive pooling (:func:`adaptive_max_pool`, :func:`adaptive_average_pool`) and Keras' global
pooling (:func:`global_max_pool`, :func:`global_average_pool`). ``x`` is ``(N, *spatial, C)``;
``rank`` (1, 2 or 3 spatial axes) is ``x.ndim - 2``. As in :mod:`snippets.shapes`, string
padding follows Keras ('valid', 'same'), numbers follow PyTorch's ``padding=`` (the same on
both sides of an axis, at most half the pool size).
"""

# --8<-- [start:imports]
from __future__ import annotations

import math

import numpy as np

from snippets import _arrays
from snippets._validate import AXES, Pair, Sizes, check_bool, check_shape, check_sizes
from snippets.frameworks import check_pool_padding, refuse_pool_causal, refuse_same_pool_dilation
from snippets.shapes import PaddingSpec, check_padding

# --8<-- [end:imports]

__all__ = [
    "adaptive_average_pool",
    "adaptive_max_pool",
    "adaptive_windows",
    "average_pool",
    "global_average_pool",
    "global_max_pool",
    "max_pool",
    "pool_output_shape",
    "pool_padding",
]


def _sizes(input_shape, pool_size, stride, dilation) -> tuple[Sizes, int, Sizes, Sizes, Sizes]:
    """Checked ``(spatial, channels, pool, stride, dilation)``, one int per axis; stride None is the pool."""
    spatial, channels = check_shape("input_shape", input_shape)
    rank = len(spatial)
    kernel = check_sizes("pool_size", pool_size, rank)
    strides = kernel if stride is None else check_sizes("stride", stride, rank)
    return spatial, channels, kernel, strides, check_sizes("dilation", dilation, rank)


def pool_padding(
    input_shape: tuple[int, ...],
    pool_size: int | Sizes,
    stride: int | Sizes | None = None,
    padding: PaddingSpec = "valid",
    *,
    dilation: int | Sizes = 1,
) -> tuple[Pair, ...]:
    """``(before, after)`` per axis that the frameworks pad with before pooling.

    ``'valid'``: none. ``'same'`` (Keras): total ``max((ceil(n / s) - 1) s + k - n, 0)``, the odd
    one after. Numbers (PyTorch): ``p`` on both sides, refused when ``p > k // 2`` as PyTorch
    refuses it (the pool size, whatever the dilation).
    """
    spatial, _, kernel, strides, dilations = _sizes(input_shape, pool_size, stride, dilation)
    rank = len(spatial)
    sides = check_padding(padding, rank)
    refuse_pool_causal(sides)
    if sides == "valid":
        return ((0, 0),) * rank
    if sides == "same":
        refuse_same_pool_dilation(dilation, dilations)
        totals = [
            max((math.ceil(n / s) - 1) * s + k - n, 0)
            for n, k, s in zip(spatial, kernel, strides, strict=True)
        ]
        return tuple((t // 2, t - t // 2) for t in totals)
    return check_pool_padding(padding, sides, kernel)


def _pool_length(axis: str, n: int, pads: Pair, k: int, s: int, d: int, ceil_mode: bool) -> int:
    """``floor`` (or ``ceil``) of ``(n + before + after - k_eff) / s``, plus 1; with ``ceil_mode``
    the last window must start inside the input or the left padding (PyTorch's rule), and may
    reach past the padded input by less than a stride. At least one window must result."""
    span = d * (k - 1) + 1
    padded = n + pads[0] + pads[1]
    out = (-(-(padded - span) // s) if ceil_mode else (padded - span) // s) + 1
    if ceil_mode and (out - 1) * s >= n + pads[0]:
        out -= 1
    if out < 1:
        raise ValueError(
            f"pool_size must fit in the padded input: along the {axis}, pool {k} with dilation {d} spans "
            f"{span} but the input is {n} + padding {pads[0]} + {pads[1]} = {padded}"
            + (f" (ceil_mode lets it overhang by less than the stride {s})" if ceil_mode else "")
        )
    return out


# --8<-- [start:pool_output_shape]
def pool_output_shape(
    input_shape: tuple[int, ...],
    pool_size: int | Sizes,
    stride: int | Sizes | None = None,
    padding: PaddingSpec = "valid",
    *,
    dilation: int | Sizes = 1,
    ceil_mode: bool = False,
) -> tuple[int, ...]:
    """Output ``(*spatial_out, C)`` of a max or average pool of any rank; along every axis

    ``out = floor((n + pad_before + pad_after - d (k - 1) - 1) / s) + 1``

    (``ceil`` with ``ceil_mode``, PyTorch's, less one when that last window would start past
    the input and its left padding). ``stride=None`` is the pool size, as in both frameworks;
    ``'same'`` gives ``ceil(n / s)``. The channels are unchanged.
    """
    spatial, channels, kernel, strides, dilations = _sizes(input_shape, pool_size, stride, dilation)
    rank = len(spatial)
    check_bool("ceil_mode", ceil_mode)
    pads = pool_padding(input_shape, pool_size, stride, padding, dilation=dilation)
    sizes = (
        _pool_length(*axis)
        for axis in zip(
            AXES[rank], spatial, pads, kernel, strides, dilations, [ceil_mode] * rank, strict=True
        )
    )
    return (*sizes, channels)


# --8<-- [end:pool_output_shape]


def _batch(x) -> tuple[np.ndarray, int]:
    """``x`` as a float array ``(N, *spatial, C)`` with 1 to 3 spatial axes, none empty, and that rank."""
    array = _arrays.float_array("x", x)
    rank = array.ndim - 2
    if rank not in (1, 2, 3) or 0 in array.shape:
        raise ValueError(
            f"x must be channels-last (N, L, C), (N, H, W, C) or (N, D, H, W, C) with no empty axis, "
            f"got shape {array.shape} and dtype {array.dtype}"
        )
    return array, rank


def _geometry(x, pool_size, stride, padding, dilation, ceil_mode):
    """Checked ``x`` (batched), its rank, the pool's sizes and the padding before/after per axis,
    the ``after`` grown by what ``ceil_mode``'s extra window reads past the padded input."""
    array, rank = _batch(x)
    shape = array.shape[1:]
    *out, _ = pool_output_shape(shape, pool_size, stride, padding, dilation=dilation, ceil_mode=ceil_mode)
    pads = pool_padding(shape, pool_size, stride, padding, dilation=dilation)
    _, _, kernel, strides, dilations = _sizes(shape, pool_size, stride, dilation)
    overflow = [
        max((o - 1) * s + d * (k - 1) + 1 - (n + b + a), 0)
        for o, s, d, k, n, (b, a) in zip(out, strides, dilations, kernel, shape[:-1], pads, strict=True)
    ]
    return array, rank, kernel, strides, dilations, pads, overflow, tuple(out)


def _reduce_windows(
    x: np.ndarray,
    kernel: Sizes,
    strides: Sizes,
    dilations: Sizes,
    before: Sizes,
    out: Sizes,
    combine,
    identity,
) -> np.ndarray:
    """``combine`` (``np.maximum`` or ``np.add``) over every pool window of ``(N, *spatial, C)``,
    the padding being ``identity`` (``-inf`` or ``0``): ``(N, *out, C)``, a new array.

    A box's max or sum is that along each axis in turn, so each axis takes ``k`` strided
    whole-array operations (``2 k`` for a square pool, not ``k^2``). Along an axis, tap ``u`` of
    output ``i`` reads input ``i s + u d - p``; the outputs whose tap lies in the padding (or past
    the input, with ``ceil_mode``) skip it, so nothing is padded or copied."""
    result = x
    for axis, (k, s, d, p, o) in enumerate(
        zip(kernel, strides, dilations, before, out, strict=True), start=1
    ):
        n, lead = result.shape[axis], (slice(None),) * axis
        reads = []  # per tap: the outputs that read the input, and what they read
        for u in range(k):
            first = max(0, -(-(p - u * d) // s))  # the first output whose tap u is inside the input
            last = min(o - 1, (n - 1 - u * d + p) // s)
            if first <= last:
                start = first * s + u * d - p
                reads.append((first, last, result[(*lead, slice(start, start + (last - first) * s + 1, s))]))
        reads.sort(key=lambda read: read[1] - read[0] < o - 1)  # taps every output reads come first
        full = [taps for first, last, taps in reads if last - first == o - 1]
        if len(full) >= 2:
            total, rest = combine(full[0], full[1]), reads[2:]
        elif full:
            total, rest = full[0].copy(), reads[1:]
        else:
            total, rest = (
                np.full((*result.shape[:axis], o, *result.shape[axis + 1 :]), identity, x.dtype),
                reads,
            )
        for first, last, taps in rest:
            combine(total[(*lead, slice(first, last + 1))], taps, out=total[(*lead, slice(first, last + 1))])
        result = total
    return result


#: Images pooled at once: about this many bytes of input, so each pass over them stays in cache.
CHUNK_BYTES = 1 << 20


def _by_chunks(x: np.ndarray, out: Sizes, pool_one) -> np.ndarray:
    """``pool_one`` (a chunk of images -> their pooled outputs) over ``x`` a few images at a
    time (:data:`CHUNK_BYTES`): the same result, each whole-array pass reading cached memory."""
    images = max(1, CHUNK_BYTES // max(x[:1].nbytes, 1))
    result = np.empty((x.shape[0], *out, x.shape[-1]), dtype=x.dtype)
    for start in range(0, x.shape[0], images):
        result[start : start + images] = pool_one(x[start : start + images])
    return result


def _pad(x: np.ndarray, sides, value: float) -> np.ndarray:
    """``x`` with ``value`` on the given sides of its spatial axes (``x`` itself when there are none)."""
    if not any(before or after for before, after in sides):
        return x
    padded = np.full((x.shape[0], *(n + b + a for n, (b, a) in zip(x.shape[1:-1], sides, strict=True)),
                      x.shape[-1]), value, dtype=x.dtype)  # fmt: skip
    inside = tuple(slice(b, b + n) for n, (b, _) in zip(x.shape[1:-1], sides, strict=True))
    padded[(slice(None), *inside)] = x
    return padded


# --8<-- [start:max_pool]
def max_pool(
    x,
    pool_size: int | Sizes,
    stride: int | Sizes | None = None,
    padding: PaddingSpec = "valid",
    *,
    dilation: int | Sizes = 1,
    ceil_mode: bool = False,
) -> np.ndarray:
    """Largest value of each window: ``y[n, i, c] = max_u x[n, i s + u d - p, c]`` per axis.

    Padding holds ``-inf``, so a window wholly in padding gives ``-inf`` (as PyTorch does) and a
    NaN in a window gives NaN. Shape: :func:`pool_output_shape`.
    """
    x, rank, kernel, strides, dilations, pads, overflow, out = _geometry(
        x, pool_size, stride, padding, dilation, ceil_mode
    )
    before = tuple(b for b, _ in pads)
    return _by_chunks(
        x,
        out,
        lambda images: _reduce_windows(images, kernel, strides, dilations, before, out, np.maximum, -np.inf),
    )


# --8<-- [end:max_pool]


# --8<-- [start:average_pool]
def average_pool(
    x,
    pool_size: int | Sizes,
    stride: int | Sizes | None = None,
    padding: PaddingSpec = "valid",
    *,
    ceil_mode: bool = False,
    count_include_pad: bool | None = None,
) -> np.ndarray:
    """Mean of each window: ``y = sum of the window / its divisor``.

    The divisor counts the window's cells inside the input, plus its padding cells when
    ``count_include_pad``; never the cells that ``ceil_mode``'s last window reads past the
    padding. The default is each framework's own: Keras' ``'same'`` leaves the pads out
    (``False``), PyTorch's numbers count them (``True``). So ``average_pool(ones, 3, 1, 1)``
    gives 4/9 at a corner (PyTorch's ``AvgPool2d(3, 1, 1)``) where ``'same'`` gives 1.
    """
    x, rank, kernel, strides, dilations, pads, overflow, out = _geometry(
        x, pool_size, stride, padding, 1, ceil_mode
    )
    include = (
        not isinstance(padding, str)
        if count_include_pad is None
        else check_bool("count_include_pad", count_include_pad)
    )
    before = tuple(b for b, _ in pads)
    # which cells the divisor counts: the input, and the padding when include (never the overflow)
    counted = np.ones((1, *x.shape[1:-1], 1), dtype=x.dtype)
    counted = _pad(counted, pads, 1.0 if include else 0.0)
    counted = _pad(counted, [(0, extra) for extra in overflow], 0.0)
    none = (0,) * rank
    divisors = _reduce_windows(counted, kernel, strides, dilations, none, out, np.add, 0)

    def mean(images: np.ndarray) -> np.ndarray:
        totals = _reduce_windows(images, kernel, strides, dilations, before, out, np.add, 0)
        return np.divide(totals, divisors, out=totals)

    return _by_chunks(x, out, mean)


# --8<-- [end:average_pool]


# --8<-- [start:adaptive]
def adaptive_windows(size: int, output_size: int) -> list[tuple[int, int]]:
    """PyTorch's adaptive pooling windows along one axis: output ``i`` pools
    ``[floor(i n / o), ceil((i + 1) n / o))``. They overlap when ``o`` does not divide ``n``."""
    return [(i * size // output_size, -(-(i + 1) * size // output_size)) for i in range(output_size)]


def _adaptive(x, output_size, reduce) -> np.ndarray:
    """Pool each axis in turn over its adaptive windows: a box's max or mean is that of its axes."""
    array, rank = _batch(x)
    sizes = check_sizes("output_size", output_size, rank)
    for axis, o in enumerate(sizes, start=1):
        pieces = [reduce(array[(slice(None),) * axis + (slice(a, b),)], axis=axis, keepdims=True)
                  for a, b in adaptive_windows(array.shape[axis], o)]  # fmt: skip
        array = np.concatenate(pieces, axis=axis)
    return array


def adaptive_average_pool(x, output_size: int | Sizes) -> np.ndarray:
    """PyTorch's ``AdaptiveAvgPool1d/2d/3d``: the mean over :func:`adaptive_windows` per axis."""
    return _adaptive(x, output_size, np.mean)


def adaptive_max_pool(x, output_size: int | Sizes) -> np.ndarray:
    """PyTorch's ``AdaptiveMaxPool1d/2d/3d``: the max over :func:`adaptive_windows` per axis."""
    return _adaptive(x, output_size, np.max)


# --8<-- [end:adaptive]


# --8<-- [start:global]
def _global(x, reduce, keepdims) -> np.ndarray:
    array, _ = _batch(x)
    return reduce(array, axis=tuple(range(1, array.ndim - 1)), keepdims=check_bool("keepdims", keepdims))


def global_average_pool(x, *, keepdims: bool = False) -> np.ndarray:
    """Keras' ``GlobalAveragePooling1D/2D/3D``: the mean over every spatial axis, ``(N, C)``, or
    ``(N, 1, ..., 1, C)`` with ``keepdims=True``."""
    return _global(x, np.mean, keepdims)


def global_max_pool(x, *, keepdims: bool = False) -> np.ndarray:
    """Keras' ``GlobalMaxPooling1D/2D/3D``: the max over every spatial axis, ``(N, C)``, or
    ``(N, 1, ..., 1, C)`` with ``keepdims=True``."""
    return _global(x, np.max, keepdims)


# --8<-- [end:global]
