"""Trainable parameter counts of convolutional and dense layers, as Keras and PyTorch count them.

Every rank: a kernel of one int per axis counts its taps ``prod_i k_i``. An int kernel is the
2-D square ``k x k`` (the source document's calls) unless ``rank=`` says how many axes it spans.
"""

# --8<-- [start:imports]
from __future__ import annotations

import math

from snippets._validate import Sizes, check_bool, check_divides, check_int, check_rank, check_sizes

# --8<-- [end:imports]


# --8<-- [start:kernel_taps]
def kernel_taps(kernel_size: int | Sizes, rank: int | None = None) -> int:
    """Weights one filter has per input channel: ``prod_i k_i`` over the kernel's axes.

    An int is ``k`` on each of ``rank`` axes, 2 (a square) when ``rank`` is None; a tuple
    gives the rank itself, and must have ``rank`` entries when both are given.
    """
    if rank is None:
        rank = (
            len(kernel_size) if isinstance(kernel_size, (tuple, list)) and len(kernel_size) in (1, 3) else 2
        )
    return math.prod(check_sizes("kernel_size", kernel_size, check_rank("rank", rank)))


# --8<-- [end:kernel_taps]


# --8<-- [start:count_conv_params]
def count_conv_params(
    input_channels: int,
    filters: int,
    kernel_size: int | Sizes,
    use_bias: bool = True,
    *,
    groups: int = 1,
    rank: int | None = None,
) -> int:
    """Weights and biases of a convolution of any rank:

    ``prod_i k_i * (C_in / groups) * filters + (filters if use_bias else 0)``

    (``kh * kw * ...`` in 2-D). Same count as ``keras.layers.Conv1D/2D/3D(filters, kernel_size,
    groups=groups)`` and ``torch.nn.Conv1d/2d/3d(C_in, filters, kernel_size, groups=groups,
    bias=use_bias)``. An int kernel is 2-D unless ``rank`` says otherwise.
    """
    c_in = check_int("input_channels", input_channels)
    c_out = check_int("filters", filters)
    taps = kernel_taps(kernel_size, rank)
    check_bool("use_bias", use_bias)
    check_int("groups", groups)
    check_divides("groups", groups, {"input_channels": c_in, "filters": c_out})
    return taps * (c_in // groups) * c_out + (c_out if use_bias else 0)


# --8<-- [end:count_conv_params]


# --8<-- [start:depthwise_params]
def depthwise_params(
    input_channels: int,
    kernel_size: int | Sizes,
    *,
    depth_multiplier: int = 1,
    use_bias: bool = True,
    rank: int | None = None,
) -> int:
    """One filter per input channel and multiplier, in any rank:

    ``prod_i k_i * C_in * m + (C_in * m if use_bias else 0)``,

    as ``keras.layers.DepthwiseConv1D/2D`` (and ``torch.nn.Conv1d/2d/3d`` with ``groups=C_in``).
    """
    c_in = check_int("input_channels", input_channels)
    taps = kernel_taps(kernel_size, rank)
    multiplier = check_int("depth_multiplier", depth_multiplier)
    check_bool("use_bias", use_bias)
    return taps * c_in * multiplier + (c_in * multiplier if use_bias else 0)


# --8<-- [end:depthwise_params]


# --8<-- [start:separable_params]
def separable_params(
    input_channels: int,
    output_channels: int,
    kernel_size: int | Sizes,
    *,
    depth_multiplier: int = 1,
    use_bias: bool = True,
    rank: int | None = None,
) -> int:
    """Depthwise then pointwise, one bias after the pointwise step (Keras ``SeparableConv1D/2D``):

    ``prod_i k_i * C_in * m + C_in * m * C_out + (C_out if use_bias else 0)``.
    """
    c_in = check_int("input_channels", input_channels)
    c_out = check_int("output_channels", output_channels)
    taps = kernel_taps(kernel_size, rank)
    multiplier = check_int("depth_multiplier", depth_multiplier)
    check_bool("use_bias", use_bias)
    depthwise = taps * c_in * multiplier
    pointwise = c_in * multiplier * c_out
    return depthwise + pointwise + (c_out if use_bias else 0)


# --8<-- [end:separable_params]


# --8<-- [start:dense_params]
def dense_params(input_units: int, units: int, use_bias: bool = True) -> int:
    """A fully connected layer: ``input_units * units + (units if use_bias else 0)``
    (``keras.layers.Dense``, ``torch.nn.Linear``)."""
    n_in = check_int("input_units", input_units)
    n_out = check_int("units", units)
    check_bool("use_bias", use_bias)
    return n_in * n_out + (n_out if use_bias else 0)


# --8<-- [end:dense_params]
