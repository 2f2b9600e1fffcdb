"""Multiply-accumulates (MACs) of a layer's forward pass.

Convention: one MAC is one multiply and one add, so ``FLOPs = 2 x MACs``; bias additions
and activations are not counted (as in the MobileNet and ResNet papers' "mult-adds").
"""

# --8<-- [start:imports]
from __future__ import annotations

from snippets._validate import Pair, check_divides, check_input_shape, check_int, check_pair
from snippets.shapes import PaddingSpec, conv_output_shape, transposed_output_shape

# --8<-- [end:imports]


# --8<-- [start:conv_macs]
def conv_macs(
    input_shape: tuple[int, int, int],
    filters: int,
    kernel_size: int | Pair,
    stride: int | Pair = 1,
    padding: PaddingSpec = "valid",
    *,
    dilation: int | Pair = 1,
    groups: int = 1,
) -> int:
    """MACs of a 2D convolution: ``H_out * W_out * filters * kh * kw * C_in / groups``.

    Every output value is a dot product of length ``kh * kw * C_in / groups``.
    """
    _, _, c_in = check_input_shape("input_shape", input_shape)
    check_int("groups", groups)
    check_divides("groups", groups, {"input_channels": c_in, "filters": check_int("filters", filters)})
    out_h, out_w, c_out = conv_output_shape(
        input_shape, filters, kernel_size, stride, padding, dilation=dilation
    )
    kh, kw = check_pair("kernel_size", kernel_size)
    return out_h * out_w * c_out * kh * kw * (c_in // groups)


# --8<-- [end:conv_macs]


# --8<-- [start:depthwise_macs]
def depthwise_macs(
    input_shape: tuple[int, int, int],
    kernel_size: int | Pair,
    stride: int | Pair = 1,
    padding: PaddingSpec = "valid",
    *,
    dilation: int | Pair = 1,
    depth_multiplier: int = 1,
) -> int:
    """MACs of a depthwise convolution: ``H_out * W_out * C_in * m * kh * kw``."""
    _, _, c_in = check_input_shape("input_shape", input_shape)
    multiplier = check_int("depth_multiplier", depth_multiplier)
    return conv_macs(
        input_shape, c_in * multiplier, kernel_size, stride, padding, dilation=dilation, groups=c_in
    )


# --8<-- [end:depthwise_macs]


# --8<-- [start:separable_macs]
def separable_macs(
    input_shape: tuple[int, int, int],
    output_channels: int,
    kernel_size: int | Pair,
    stride: int | Pair = 1,
    padding: PaddingSpec = "valid",
    *,
    dilation: int | Pair = 1,
    depth_multiplier: int = 1,
) -> int:
    """Depthwise MACs plus pointwise MACs ``H_out * W_out * C_in * m * C_out``."""
    depthwise = depthwise_macs(
        input_shape, kernel_size, stride, padding, dilation=dilation, depth_multiplier=depth_multiplier
    )
    _, _, c_in = check_input_shape("input_shape", input_shape)
    out_h, out_w, _ = conv_output_shape(input_shape, 1, kernel_size, stride, padding, dilation=dilation)
    return depthwise + out_h * out_w * c_in * depth_multiplier * check_int("output_channels", output_channels)


# --8<-- [end:separable_macs]


# --8<-- [start:transposed_macs]
def transposed_macs(
    input_shape: tuple[int, int, int],
    filters: int,
    kernel_size: int | Pair,
    stride: int | Pair,
    padding: PaddingSpec = "valid",
    *,
    output_padding: int | Pair | None = None,
    dilation: int | Pair = 1,
) -> int:
    """MACs of a transposed convolution: ``H_in * W_in * C_in * kh * kw * filters``.

    Each input value is scattered through the whole kernel; outputs cropped away by
    the padding are still counted, as the frameworks compute them. ``padding`` (default
    ``"valid"``, as in ``transposed_output_shape``) only decides which layers are refused.
    """
    transposed_output_shape(
        input_shape, filters, kernel_size, stride, padding, output_padding=output_padding, dilation=dilation
    )
    height, width, c_in = check_input_shape("input_shape", input_shape)
    kh, kw = check_pair("kernel_size", kernel_size)
    return height * width * c_in * kh * kw * int(filters)


# --8<-- [end:transposed_macs]
