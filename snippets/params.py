"""Trainable parameter counts of convolutional and dense layers, as Keras and PyTorch count them."""

# --8<-- [start:imports]
from __future__ import annotations

from snippets._validate import Pair, check_bool, check_divides, check_int, check_pair

# --8<-- [end:imports]


# --8<-- [start:count_conv_params]
def count_conv_params(
    input_channels: int,
    filters: int,
    kernel_size: int | Pair,
    use_bias: bool = True,
    *,
    groups: int = 1,
) -> int:
    """Weights and biases of a 2D convolution:

    ``kh * kw * (C_in / groups) * filters + (filters if use_bias else 0)``.

    Same count as ``keras.layers.Conv2D(filters, kernel_size, groups=groups)`` and
    ``torch.nn.Conv2d(C_in, filters, kernel_size, groups=groups, bias=use_bias)``.
    """
    c_in = check_int("input_channels", input_channels)
    c_out = check_int("filters", filters)
    kh, kw = check_pair("kernel_size", kernel_size)
    check_bool("use_bias", use_bias)
    check_int("groups", groups)
    check_divides("groups", groups, {"input_channels": c_in, "filters": c_out})
    return kh * kw * (c_in // groups) * c_out + (c_out if use_bias else 0)


# --8<-- [end:count_conv_params]


# --8<-- [start:depthwise_params]
def depthwise_params(
    input_channels: int,
    kernel_size: int | Pair,
    *,
    depth_multiplier: int = 1,
    use_bias: bool = True,
) -> int:
    """One ``kh x kw`` filter per input channel and multiplier:

    ``kh * kw * C_in * m + (C_in * m if use_bias else 0)``,

    as ``keras.layers.DepthwiseConv2D`` (and ``torch.nn.Conv2d`` with ``groups=C_in``).
    """
    c_in = check_int("input_channels", input_channels)
    kh, kw = check_pair("kernel_size", kernel_size)
    multiplier = check_int("depth_multiplier", depth_multiplier)
    check_bool("use_bias", use_bias)
    return kh * kw * c_in * multiplier + (c_in * multiplier if use_bias else 0)


# --8<-- [end:depthwise_params]


# --8<-- [start:separable_params]
def separable_params(
    input_channels: int,
    output_channels: int,
    kernel_size: int | Pair,
    *,
    depth_multiplier: int = 1,
    use_bias: bool = True,
) -> int:
    """Depthwise then pointwise, one bias after the pointwise step (Keras ``SeparableConv2D``):

    ``kh * kw * C_in * m + C_in * m * C_out + (C_out if use_bias else 0)``.
    """
    c_in = check_int("input_channels", input_channels)
    c_out = check_int("output_channels", output_channels)
    kh, kw = check_pair("kernel_size", kernel_size)
    multiplier = check_int("depth_multiplier", depth_multiplier)
    check_bool("use_bias", use_bias)
    depthwise = kh * kw * c_in * multiplier
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
