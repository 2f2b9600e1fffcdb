"""The geometry the pictures draw: which cells a window covers, how transposed outputs overlap,
which input pixels a stack of dilated kernels reaches. Pure NumPy, computed from the same
arithmetic the chapters teach (``padding_amounts``, ``conv_output_shape``)."""

# --8<-- [start:imports]
from __future__ import annotations

import numpy as np

from snippets._validate import Pair, check_int, check_pair
from snippets.shapes import PaddingSpec, conv_output_shape, padding_amounts

# --8<-- [end:imports]


def padded_input_mask(
    input_hw: Pair, kernel_size: int | Pair, stride: int | Pair = 1, padding: PaddingSpec = "valid"
) -> np.ndarray:
    """``True`` where the padded input holds a real pixel, ``False`` where it holds a padding zero;
    shape ``(H + top + bottom, W + left + right)``."""
    height, width = check_pair("input_hw", input_hw)
    (top, bottom), (left, right) = padding_amounts((height, width, 1), kernel_size, stride, padding)
    mask = np.zeros((height + top + bottom, width + left + right), dtype=bool)
    mask[top : top + height, left : left + width] = True
    return mask


def window_cells(
    output_index: Pair, kernel_size: int | Pair, stride: int | Pair = 1, dilation: int | Pair = 1
) -> list[Pair]:
    """Cells of the padded input that output ``(i, j)`` reads: ``(i s + u d, j s + v d)``
    for ``u < kh``, ``v < kw``."""
    i, j = check_pair("output_index", output_index, minimum=0)
    (kh, kw), (sh, sw), (dh, dw) = (
        check_pair("kernel_size", kernel_size),
        check_pair("stride", stride),
        check_pair("dilation", dilation),
    )
    return [(i * sh + u * dh, j * sw + v * dw) for u in range(kh) for v in range(kw)]


def output_grid_shape(
    input_hw: Pair, kernel_size: int | Pair, stride: int | Pair = 1, padding: PaddingSpec = "valid"
) -> Pair:
    """``(H_out, W_out)`` of the drawn output grid: the first two of ``conv_output_shape``."""
    height, width = check_pair("input_hw", input_hw)
    out_h, out_w, _ = conv_output_shape((height, width, 1), 1, kernel_size, stride, padding)
    return (out_h, out_w)


# --8<-- [start:overlap_counts]
def overlap_counts(input_size: int, kernel_size: int, stride: int) -> np.ndarray:
    """How many (input pixel, kernel tap) pairs land on each output pixel of a transposed
    convolution, before any cropping: input pixel ``i`` writes to ``i s + u`` for ``u < k``.
    Uneven counts (``k`` not divisible by ``s``) are the checkerboard pattern."""
    n = check_int("input_size", input_size)
    k = check_int("kernel_size", kernel_size)
    s = check_int("stride", stride)
    counts = np.zeros((n - 1) * s + k, dtype=int)
    for i in range(n):
        counts[i * s : i * s + k] += 1
    return np.outer(counts, counts)


# --8<-- [end:overlap_counts]


# --8<-- [start:dilated_reach]
def dilated_reach(dilations: list[int], kernel_size: int = 3) -> np.ndarray:
    """For a stack of ``k x k`` convolutions with the given dilations, how many paths lead from
    each input pixel to one output pixel (0 = never seen: the gridding holes). The array is
    ``r x r`` with ``r`` the stack's receptive field."""
    k = check_int("kernel_size", kernel_size)
    paths = np.ones(1, dtype=np.int64)
    for index, dilation in enumerate(dilations):
        d = check_int(f"dilations[{index}]", dilation)
        taps = np.zeros(d * (k - 1) + 1, dtype=np.int64)
        taps[::d] = 1
        paths = np.convolve(paths, taps)
    return np.outer(paths, paths)


# --8<-- [end:dilated_reach]
