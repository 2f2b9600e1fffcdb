"""Convolution arithmetic that matches Keras and PyTorch: shapes, parameters, cost, receptive fields.

Every rank, channels-last throughout: shapes are ``(L, C)``, ``(H, W, C)`` or ``(D, H, W, C)``,
kernels ``(*k, C_in / groups, C_out)``.
"""

from snippets.cost import conv_macs, depthwise_macs, separable_macs, transposed_macs
from snippets.graph import format_summary
from snippets.networks import Network
from snippets.ops import (
    conv,
    conv2d,
    conv2d_transpose,
    conv_transpose,
    depthwise_conv,
    depthwise_conv2d,
    separable_conv,
    separable_conv2d,
)
from snippets.params import count_conv_params, dense_params, depthwise_params, separable_params
from snippets.porting import kernel_layout, kernel_shape, port_kernel
from snippets.receptive import (
    Field,
    LayerGeometry,
    conv_geometry,
    pool_geometry,
    receptive_field,
    receptive_fields,
)
from snippets.shapes import (
    conv_output_shape,
    effective_kernel_size,
    padding_amounts,
    transposed_output_shape,
)
from snippets.summary import summary

__all__ = [
    "Field",
    "LayerGeometry",
    "Network",
    "conv",
    "conv2d",
    "conv2d_transpose",
    "conv_geometry",
    "conv_macs",
    "conv_transpose",
    "conv_output_shape",
    "count_conv_params",
    "dense_params",
    "depthwise_conv",
    "depthwise_conv2d",
    "depthwise_macs",
    "depthwise_params",
    "effective_kernel_size",
    "format_summary",
    "kernel_layout",
    "kernel_shape",
    "padding_amounts",
    "port_kernel",
    "pool_geometry",
    "receptive_field",
    "receptive_fields",
    "separable_conv",
    "separable_conv2d",
    "separable_macs",
    "separable_params",
    "summary",
    "transposed_macs",
    "transposed_output_shape",
]
