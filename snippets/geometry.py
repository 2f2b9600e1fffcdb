"""The geometry the pictures draw: which cells a window covers, how transposed outputs overlap,
which input pixels a stack of dilated kernels reaches. Pure NumPy, computed from the same
arithmetic the chapters teach (``padding_amounts``, ``conv_output_shape``)."""

# --8<-- [start:imports]
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from snippets._validate import Pair, check_int, check_pair, describe
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
    Uneven counts (``k`` not divisible by ``s``) are the checkerboard pattern; even counts
    are not enough, since each phase of the output sums different taps of a learned kernel."""
    n = check_int("input_size", input_size)
    k = check_int("kernel_size", kernel_size)
    s = check_int("stride", stride)
    counts = np.zeros((n - 1) * s + k, dtype=int)
    for i in range(n):
        counts[i * s : i * s + k] += 1
    return np.outer(counts, counts)


# --8<-- [end:overlap_counts]


# --8<-- [start:check_rates]
def _check_rates(dilations: Sequence[int]) -> list[int]:
    """The dilation rates as ints, or an error naming the bad one (``dilations[i]``)."""
    if isinstance(dilations, (str, bytes)) or not isinstance(dilations, Sequence):
        raise TypeError(f"dilations must be a list or tuple of positive ints, got {describe(dilations)}")
    if len(dilations) == 0:
        raise ValueError(f"dilations must hold at least one rate, got {describe(dilations)}")
    return [check_int(f"dilations[{index}]", rate) for index, rate in enumerate(dilations)]


# --8<-- [end:check_rates]


# --8<-- [start:tap_paths]
def _tap_paths(dilations: Sequence[int], kernel_size: int) -> np.ndarray:
    """Along one axis, how many choices of one tap per layer lead to each input offset:
    ``taps_1 * taps_2 * ...`` (``*`` a full convolution; ``taps_l`` has a 1 at every
    ``d_l``-th of its ``d_l (k - 1) + 1`` positions)."""
    k = check_int("kernel_size", kernel_size)
    paths = np.ones(1, dtype=np.int64)  # before any layer: the output pixel itself
    for d in _check_rates(dilations):
        taps = np.zeros(d * (k - 1) + 1, dtype=np.int64)
        taps[::d] = 1
        paths = np.convolve(paths, taps)
    return paths


# --8<-- [end:tap_paths]


# --8<-- [start:dilated_reach]
def dilated_reach(dilations: list[int], kernel_size: int = 3) -> np.ndarray:
    """For a stack of ``k x k`` convolutions with the given dilations, how many paths lead from
    each input pixel to one output pixel (0 = never seen: the gridding holes). The array is
    ``r x r`` with ``r`` the stack's receptive field: the outer product of the 1-D path counts."""
    paths = _tap_paths(dilations, kernel_size)
    return np.outer(paths, paths)


# --8<-- [end:dilated_reach]


# --8<-- [start:dilated_coverage]
def dilated_coverage(dilations: Sequence[int], kernel_size: int = 3) -> np.ndarray:
    """Which offsets along one axis a stack of dilated ``k``-tap kernels reaches (stride 1).

    Counted from the first pixel of the receptive field, offset ``j`` is reached iff
    ``j = sum_l u_l d_l`` for some choice of one tap ``0 <= u_l < k`` per layer, that is iff
    its path count is not 0. The result is a boolean array of length
    ``r = (k - 1) sum_l d_l + 1``; the field has no holes iff every entry is ``True``. A 2-D
    field of square kernels reaches ``(i, j)`` iff both axes do.
    """
    return _tap_paths(dilations, kernel_size) > 0


# --8<-- [end:dilated_coverage]


# --8<-- [start:gridding_holes]
def gridding_holes(dilations: Sequence[int], kernel_size: int = 3) -> list[int]:
    """The offsets ``j`` in ``0..(k - 1) sum_l d_l`` that no tap combination reaches: the ``j``
    where ``dilated_coverage`` is ``False`` (empty: the field has no holes)."""
    return [int(j) for j in np.flatnonzero(~dilated_coverage(dilations, kernel_size))]


# --8<-- [end:gridding_holes]


# --8<-- [start:hdc_rule]
def hdc_max_distance(dilations: Sequence[int]) -> int:
    """``M_2`` of the hybrid dilated convolution rule (Wang et al. 2018): the largest gap
    between reached pixels that the first layer must fill. From the top layer down,
    ``M_n = r_n`` and ``M_i = max(M_{i+1} - 2 r_i, M_{i+1} - 2 (M_{i+1} - r_i), r_i)``
    for ``i = n - 1, ..., 2``; with one layer, ``M = r_1``."""
    rates = _check_rates(dilations)
    distance = rates[-1]
    for rate in reversed(rates[1:-1]):
        distance = max(distance - 2 * rate, distance - 2 * (distance - rate), rate)
    return distance


def hdc_rule(dilations: Sequence[int], kernel_size: int = 3) -> bool:
    """Wang et al.'s design rule: ``r_1 = 1`` and ``M_2 <= k`` (``hdc_max_distance``).

    For ``k >= 3`` it is sufficient for a field without holes, not necessary ((2, 1) has none);
    for ``k = 2`` it is not sufficient ((1, 2, 5) has holes). Compare ``gridding_holes``.
    """
    k = check_int("kernel_size", kernel_size)
    rates = _check_rates(dilations)
    return rates[0] == 1 and (len(rates) == 1 or hdc_max_distance(rates) <= k)


# --8<-- [end:hdc_rule]
