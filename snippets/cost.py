"""Multiply-accumulates (MACs) of a layer's forward pass.

Every rank: the spatial axes come from ``input_shape`` (``(L, C)``, ``(H, W, C)`` or
``(D, H, W, C)``) and ``prod`` runs over all of them.

Convention: one MAC is one multiply and one add, so ``FLOPs = 2 x MACs``; bias additions
and activations are not counted (as in the MobileNet and ResNet papers' "mult-adds").
"""

# --8<-- [start:imports]
from __future__ import annotations

import math

from snippets._validate import Sizes, check_divides, check_int, check_shape, check_sizes
from snippets.shapes import PaddingSpec, conv_output_shape, transposed_output_shape

# --8<-- [end:imports]


# --8<-- [start:conv_macs]
def conv_macs(
    input_shape: tuple[int, ...],
    filters: int,
    kernel_size: int | Sizes,
    stride: int | Sizes = 1,
    padding: PaddingSpec = "valid",
    *,
    dilation: int | Sizes = 1,
    groups: int = 1,
    layer: str = "conv",
) -> int:
    """MACs of a convolution: ``prod(spatial_out) * filters * prod(k) * C_in / groups``

    (``H_out * W_out * filters * kh * kw * C_in / groups`` in 2-D). Every output value is a dot
    product of length ``prod(k) * C_in / groups``. ``layer`` is :func:`padding_amounts`' rule.
    """
    spatial, c_in = check_shape("input_shape", input_shape)
    check_int("groups", groups)
    check_divides("groups", groups, {"input_channels": c_in, "filters": check_int("filters", filters)})
    *out, c_out = conv_output_shape(
        input_shape, filters, kernel_size, stride, padding, dilation=dilation, layer=layer
    )
    taps = math.prod(check_sizes("kernel_size", kernel_size, len(spatial)))
    return math.prod(out) * c_out * taps * (c_in // groups)


# --8<-- [end:conv_macs]


# --8<-- [start:depthwise_macs]
def depthwise_macs(
    input_shape: tuple[int, ...],
    kernel_size: int | Sizes,
    stride: int | Sizes = 1,
    padding: PaddingSpec = "valid",
    *,
    dilation: int | Sizes = 1,
    depth_multiplier: int = 1,
) -> int:
    """MACs of a depthwise convolution: ``prod(spatial_out) * C_in * m * prod(k)``, with the
    rules of Keras' DepthwiseConv (stride and dilation together are allowed)."""
    _, c_in = check_shape("input_shape", input_shape)
    multiplier = check_int("depth_multiplier", depth_multiplier)
    return conv_macs(
        input_shape,
        c_in * multiplier,
        kernel_size,
        stride,
        padding,
        dilation=dilation,
        groups=c_in,
        layer="depthwise",
    )


# --8<-- [end:depthwise_macs]


# --8<-- [start:separable_macs]
def separable_macs(
    input_shape: tuple[int, ...],
    output_channels: int,
    kernel_size: int | Sizes,
    stride: int | Sizes = 1,
    padding: PaddingSpec = "valid",
    *,
    dilation: int | Sizes = 1,
    depth_multiplier: int = 1,
) -> int:
    """Depthwise MACs plus pointwise MACs ``prod(spatial_out) * C_in * m * C_out``."""
    depthwise = depthwise_macs(
        input_shape, kernel_size, stride, padding, dilation=dilation, depth_multiplier=depth_multiplier
    )
    _, c_in = check_shape("input_shape", input_shape)
    *out, _ = conv_output_shape(
        input_shape, 1, kernel_size, stride, padding, dilation=dilation, layer="separable"
    )
    pointwise = math.prod(out) * c_in * depth_multiplier * check_int("output_channels", output_channels)
    return depthwise + pointwise


# --8<-- [end:separable_macs]


# --8<-- [start:transposed_macs]
def transposed_macs(
    input_shape: tuple[int, ...],
    filters: int,
    kernel_size: int | Sizes,
    stride: int | Sizes,
    padding: PaddingSpec = "valid",
    *,
    output_padding: int | Sizes | None = None,
    dilation: int | Sizes = 1,
) -> int:
    """MACs of a transposed convolution: ``prod(spatial_in) * C_in * prod(k) * filters``.

    Each input value is scattered through the whole kernel; outputs cropped away by
    the padding are still counted, as the frameworks compute them. ``padding`` (default
    ``"valid"``, as in ``transposed_output_shape``) only decides which layers are refused.
    """
    transposed_output_shape(
        input_shape, filters, kernel_size, stride, padding, output_padding=output_padding, dilation=dilation
    )
    spatial, c_in = check_shape("input_shape", input_shape)
    taps = math.prod(check_sizes("kernel_size", kernel_size, len(spatial)))
    return math.prod(spatial) * c_in * taps * int(filters)


# --8<-- [end:transposed_macs]
