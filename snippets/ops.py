"""Convolutions that compute, in NumPy: channels-last arrays, Keras kernel layouts.

``x`` is ``(N, H, W, C)`` or a single image ``(H, W, C)`` (the result comes back the same
way). Padding takes every form :func:`snippets.shapes.conv_output_shape` takes, with the
same meaning: strings are Keras' ``'valid'``/``'same'`` (odd pixel at the bottom/right),
numbers are PyTorch's ``padding=``. Output shapes are always those of
:mod:`snippets.shapes`. float32 stays float32 and float64 stays float64 (mixed inputs
promote as NumPy does); integer, complex and bool arrays are refused.

How each one is computed: :func:`conv2d` gathers every receptive-field patch as a row
(:func:`im2col`) and does one matrix multiply per group; a 1x1 convolution is a plain
matrix multiply; :func:`depthwise_conv2d` adds ``kh * kw`` shifted, scaled copies of the
input; :func:`conv2d_transpose` multiplies every input pixel by the whole kernel and
scatter-adds the results into the output (col2im).
"""

# --8<-- [start:imports]
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from snippets import _arrays
from snippets._validate import Pair, check_int, check_pair
from snippets.shapes import PaddingSpec, conv_output_shape, padding_amounts, transposed_output_shape

# --8<-- [end:imports]

__all__ = [
    "conv2d",
    "conv2d_transpose",
    "depthwise_conv2d",
    "gathers_from_planes",
    "gemm_conv2d",
    "im2col",
    "im2col_planes",
    "separable_conv2d",
]


# --8<-- [start:pad]
def pad(x: np.ndarray, pads: tuple[Pair, Pair]) -> np.ndarray:
    """Zeros around the spatial axes of ``(N, H, W, C)``: ``pads = ((top, bottom), (left, right))``."""
    if pads == ((0, 0), (0, 0)):
        return x
    return np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))


# --8<-- [end:pad]


# --8<-- [start:im2col]
def _windows(x: np.ndarray, kernel_size: Pair, stride: Pair, dilation: Pair, axes: Pair) -> np.ndarray:
    """Strided view of every receptive field of ``x`` over its spatial ``axes``, taps last.

    ``windows[..., i, j, ..., u, v] = x[..., i s + u d, j s + v d, ...]`` (no copy).
    """
    (kh, kw), (sh, sw), (dh, dw) = kernel_size, stride, dilation
    windows = sliding_window_view(x, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=axes)
    steps = [slice(None)] * x.ndim
    steps[axes[0]], steps[axes[1]] = slice(None, None, sh), slice(None, None, sw)
    return windows[(*steps, slice(None, None, dh), slice(None, None, dw))]


def im2col(
    x: np.ndarray, kernel_size: Pair, stride: Pair = (1, 1), dilation: Pair = (1, 1), groups: int = 1
) -> np.ndarray:
    """Every receptive field of the (already padded) ``x`` as a row, one matrix per group.

    ``cols[g, (n, i, j), (u, v, c)] = x[n, i s + u d, j s + v d, g C_g + c]``, shape
    ``(groups, N H_out W_out, kh kw C_g)`` with ``C_g = C / groups``. The windows are a
    strided view (no copy); the one copy lays the rows out contiguously for the matmul.
    """
    kh, kw = kernel_size
    windows = _windows(x, kernel_size, stride, dilation, (1, 2))  # (N, H_out, W_out, C, kh, kw)
    n, out_h, out_w, channels = windows.shape[:4]
    windows = windows.reshape(n, out_h, out_w, groups, channels // groups, kh, kw)
    rows = windows.transpose(3, 0, 1, 2, 5, 6, 4)  # (G, N, H_out, W_out, kh, kw, C_g)
    return np.ascontiguousarray(rows).reshape(groups, n * out_h * out_w, kh * kw * (channels // groups))


# --8<-- [end:im2col]


# --8<-- [start:im2col_planes]
def im2col_planes(
    planes: np.ndarray,
    kernel_size: Pair,
    stride: Pair = (1, 1),
    dilation: Pair = (1, 1),
    groups: int = 1,
) -> np.ndarray:
    """:func:`im2col`'s matrix transposed, gathered from channel planes ``(N, C, H, W)``.

    ``cols[g, (u, v, c), (n, i, j)] = planes[n, g C_g + c, i s + u d, j s + v d]``, shape
    ``(groups, kh kw C_g, N H_out W_out)``: one *column* per receptive field, the layout
    that gave im2col its name (Caffe's, for channels-first images). Its copy runs along
    image rows, so it stays fast when there are only a few channels.
    """
    kh, kw = kernel_size
    windows = _windows(planes, kernel_size, stride, dilation, (2, 3))  # (N, C, H_out, W_out, kh, kw)
    n, channels, out_h, out_w = windows.shape[:4]
    windows = windows.reshape(n, groups, channels // groups, out_h, out_w, kh, kw)
    columns = windows.transpose(1, 5, 6, 2, 0, 3, 4)  # (G, kh, kw, C_g, N, H_out, W_out)
    return np.ascontiguousarray(columns).reshape(groups, kh * kw * (channels // groups), n * out_h * out_w)


# --8<-- [end:im2col_planes]


def _finish(y: np.ndarray, bias: np.ndarray | None, dtype: np.dtype, batched: bool) -> np.ndarray:
    """Add the bias per output channel, settle the dtype, drop the batch axis if ``x`` had none."""
    if bias is not None:
        y += bias
    y = y.astype(dtype, copy=False)
    return y if batched else y[0]


# --8<-- [start:conv2d]
def conv2d(
    x,
    kernel,
    bias=None,
    *,
    stride: int | Pair = 1,
    padding: PaddingSpec = "valid",
    dilation: int | Pair = 1,
    groups: int = 1,
) -> np.ndarray:
    """2D convolution (cross-correlation, as every framework computes it), Keras ``Conv2D``.

    ``y[n,i,j,o] = b[o] + sum_{u,v,c} x[n, i s + u d - p_top, j s + v d - p_left, g C_g + c] k[u,v,c,o]``
    with ``g = o // (C_out / groups)``, zeros outside ``x``. ``kernel`` is
    ``(kh, kw, C_in / groups, C_out)``; the output shape is :func:`conv_output_shape`'s.
    Computed as :func:`im2col` then one matrix multiply per group (:func:`gemm_conv2d`).
    """
    x, batched = _arrays.images("x", x)
    kernel = _arrays.kernel4("kernel", kernel, "(kh, kw, C_in // groups, C_out)")
    n, height, width, c_in = x.shape
    kh, kw, c_group, c_out = kernel.shape
    groups = _check_groups(groups, x, kernel)
    bias = _arrays.bias_vector(bias, c_out, kernel)
    dtype = _arrays.common_dtype(x, kernel, bias)
    strides, dilations = check_pair("stride", stride), check_pair("dilation", dilation)
    pads = padding_amounts((height, width, c_in), (kh, kw), strides, padding, dilation=dilations)
    out_h, out_w, _ = conv_output_shape(
        (height, width, c_in), c_out, (kh, kw), strides, padding, dilation=dilations
    )
    x, kernel = x.astype(dtype, copy=False), kernel.astype(dtype, copy=False)
    if (kh, kw) == (1, 1) and groups == 1 and pads == ((0, 0), (0, 0)):
        y = pointwise(x[:, :: strides[0], :: strides[1], :], kernel)
    else:
        y = gemm_conv2d(pad(x, pads), kernel, (out_h, out_w), strides, dilations, groups)
    return _finish(y, bias, dtype, batched)


# --8<-- [end:conv2d]


# --8<-- [start:gemm_conv2d]
BAND_ELEMENTS = 1 << 19  # patch-matrix values per band: 2 MiB of float32, about one core's L2
CACHE_LINE = 64  # bytes


def gathers_from_planes(channels_per_group: int, itemsize: int) -> bool:
    """Whether :func:`gemm_conv2d` gathers with :func:`im2col_planes`: ``C_g * itemsize < 64`` bytes.

    That is, when a pixel's channels in one group fill less than a cache line.
    """
    return channels_per_group * itemsize < CACHE_LINE


def gemm_conv2d(
    xp: np.ndarray, kernel: np.ndarray, out_size: Pair, stride: Pair, dilation: Pair, groups: int
) -> np.ndarray:
    """Convolve the padded ``xp`` (no padding left to do) as im2col + matmul, band by band.

    For each band of output rows of one image: copy its patches into a matrix
    ``(rows W_out, kh kw C_g)`` per group, then ``y_band[:, group] = patches @ k_group``.
    Bands of about ``BAND_ELEMENTS`` values keep the matrix in the CPU cache from the copy
    that writes it to the product that reads it. When a pixel's channels in a group fill
    less than a 64-byte cache line, the copy gathers from channel planes instead
    (:func:`im2col_planes`): long runs along image rows rather than a few values per pixel.
    """
    kh, kw, c_group, c_out = kernel.shape
    out_h, out_w = out_size
    n, span_h = xp.shape[0], dilation[0] * (kh - 1) + 1
    weights = kernel.reshape(kh * kw * c_group, groups, c_out // groups)  # group g: weights[:, g]
    from_planes = gathers_from_planes(c_group, xp.itemsize)
    source = np.ascontiguousarray(xp.transpose(0, 3, 1, 2)) if from_planes else xp  # (N, C, H, W)
    y = np.empty((n, out_h, out_w, c_out), xp.dtype)
    patch_values_per_row = out_w * kh * kw * xp.shape[3]  # all groups
    for image, first, stop in _row_blocks(n, out_h, patch_values_per_row, BAND_ELEMENTS):
        rows = slice(first * stride[0], (stop - 1) * stride[0] + span_h)  # the input rows this band reads
        y_band = y[image, first:stop].reshape(-1, groups, c_out // groups)  # a view
        if from_planes:
            columns = im2col_planes(source[image : image + 1, :, rows], (kh, kw), stride, dilation, groups)
            patches = columns.transpose(0, 2, 1)  # (G, M, K): the transposed view, no copy
        else:
            patches = im2col(source[image : image + 1, rows], (kh, kw), stride, dilation, groups)
        for g in range(groups):  # one 2D matmul per group, written straight into y
            np.matmul(patches[g], weights[:, g], out=y_band[:, g])
    return y


# --8<-- [end:gemm_conv2d]


def _check_groups(groups, x: np.ndarray, kernel: np.ndarray) -> int:
    """``groups`` must divide both channel counts, and the kernel must see ``C_in / groups``."""
    groups = check_int("groups", groups)
    c_in, c_out = x.shape[-1], kernel.shape[-1]
    if c_in % groups or c_out % groups:
        raise ValueError(
            f"groups must divide the input channels of x (shape {x.shape}) and the output channels "
            f"of kernel (shape {kernel.shape}), got groups={groups}"
        )
    _arrays.channels_match(x, "x", kernel, "kernel", 2, c_in // groups, "C_in // groups")
    return groups


# --8<-- [start:pointwise]
def pointwise(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """A 1x1 convolution is a dense layer applied at every pixel: one matmul over all pixels.

    ``y[n,i,j,o] = sum_c x[n,i,j,c] k[0,0,c,o]``, i.e. ``x.reshape(-1, C) @ k.reshape(C, C_out)``.
    """
    n, height, width, channels = x.shape
    y = x.reshape(n * height * width, channels) @ kernel.reshape(channels, -1)
    return y.reshape(n, height, width, -1)


# --8<-- [end:pointwise]


# --8<-- [start:depthwise_conv2d]
def depthwise_conv2d(
    x, kernel, bias=None, *, stride: int | Pair = 1, padding: PaddingSpec = "valid", dilation: int | Pair = 1
) -> np.ndarray:
    """Each input channel filtered on its own, Keras ``DepthwiseConv2D``.

    ``y[n,i,j,c m + q] = b[c m + q] + sum_{u,v} x[n, i s + u d - p_top, j s + v d - p_left, c] k[u,v,c,q]``
    for a kernel ``(kh, kw, C_in, m)`` (``m`` the depth multiplier): output channel
    ``c m + q``, as Keras orders them. Computed as ``kh * kw`` shifted multiply-adds.
    """
    x, batched = _arrays.images("x", x)
    kernel = _arrays.kernel4("kernel", kernel, "(kh, kw, C_in, depth_multiplier)")
    n, height, width, c_in = x.shape
    kh, kw, _, multiplier = kernel.shape
    _arrays.channels_match(x, "x", kernel, "kernel", 2, c_in, "C_in")
    bias = _arrays.bias_vector(bias, c_in * multiplier, kernel)
    dtype = _arrays.common_dtype(x, kernel, bias)
    (sh, sw), (dh, dw) = check_pair("stride", stride), check_pair("dilation", dilation)
    pads = padding_amounts((height, width, c_in), (kh, kw), (sh, sw), padding, dilation=(dh, dw))
    out_h, out_w, _ = conv_output_shape(
        (height, width, c_in), c_in, (kh, kw), (sh, sw), padding, dilation=(dh, dw)
    )
    xp = pad(x.astype(dtype, copy=False), pads)
    along_rows = np.repeat(kernel.astype(dtype)[:, :, None], out_w, axis=2)  # (kh, kw, W_out, C, m)
    y = np.empty((n, out_h, out_w, c_in, multiplier), dtype)
    for block in _row_blocks(n, out_h, out_w * c_in * multiplier):
        _depthwise_taps(xp, along_rows, y, block, (sh, sw), (dh, dw))
    return _finish(y.reshape(n, out_h, out_w, c_in * multiplier), bias, dtype, batched)


# --8<-- [end:depthwise_conv2d]


# --8<-- [start:depthwise_taps]
def _depthwise_taps(xp, kernel, y, block, stride: Pair, dilation: Pair) -> None:
    """``y[block] = sum over taps of x shifted by (u d, v d), strided by s, times k[u, v]``.

    ``block = (image, first_row, stop_row)``: the output is done a band of rows at a time so
    that the running sum stays in the CPU cache (NumPy cannot fuse the multiply and add).
    ``kernel`` is ``(kh, kw, W_out, C, m)``, each tap's weights repeated along a row: then a
    multiply runs over whole rows at once, not ``C`` values at a time.
    """
    (image, first, stop), (sh, sw), (dh, dw) = block, stride, dilation
    kh, kw = kernel.shape[:2]
    out = y[image, first:stop]  # (rows, W_out, C, m), a view
    scratch = np.empty_like(out)
    rows, out_w = out.shape[:2]
    for u in range(kh):
        for v in range(kw):
            top, left = first * sh + u * dh, v * dw
            patch = xp[
                image, top : top + (rows - 1) * sh + 1 : sh, left : left + (out_w - 1) * sw + 1 : sw, :, None
            ]
            if u == v == 0:  # the first tap starts the sum
                np.multiply(patch, kernel[u, v], out=out)
            else:
                np.multiply(patch, kernel[u, v], out=scratch)
                out += scratch


# --8<-- [end:depthwise_taps]


def _row_blocks(n: int, out_h: int, row_size: int, budget: int = 1 << 17):
    """``(image, first_row, stop_row)``: each image's rows in equal bands of at most about ``budget`` values."""
    bands = -(-out_h * max(row_size, 1) // budget)  # ceil: how many bands each image needs
    rows = -(-out_h // min(bands, out_h))
    for image in range(n):
        for first in range(0, out_h, rows):
            yield image, first, min(first + rows, out_h)


# --8<-- [start:separable_conv2d]
def separable_conv2d(
    x,
    depthwise_kernel,
    pointwise_kernel,
    bias=None,
    *,
    stride: int | Pair = 1,
    padding: PaddingSpec = "valid",
    dilation: int | Pair = 1,
) -> np.ndarray:
    """Depthwise then pointwise, Keras ``SeparableConv2D`` (one bias, after the pointwise step).

    ``y = b + pointwise(depthwise(x, k_dw), k_pw)``: ``depthwise_kernel`` is
    ``(kh, kw, C_in, m)``, ``pointwise_kernel`` ``(1, 1, C_in m, C_out)``.
    """
    x_checked, _ = _arrays.images("x", x)
    depthwise_kernel = _arrays.kernel4(
        "depthwise_kernel", depthwise_kernel, "(kh, kw, C_in, depth_multiplier)"
    )
    pointwise_kernel = _arrays.kernel4(
        "pointwise_kernel", pointwise_kernel, "(1, 1, C_in * depth_multiplier, C_out)"
    )
    _arrays.channels_match(
        x_checked, "x", depthwise_kernel, "depthwise_kernel", 2, x_checked.shape[-1], "C_in"
    )
    middle = x_checked.shape[-1] * depthwise_kernel.shape[-1]
    if pointwise_kernel.shape[:2] != (1, 1):
        raise ValueError(
            f"pointwise_kernel must be 1x1, (1, 1, C_in * depth_multiplier, C_out), "
            f"got pointwise_kernel of shape {pointwise_kernel.shape}"
        )
    _arrays.channels_match(
        x_checked,
        f"depthwise_kernel of shape {depthwise_kernel.shape} and x",
        pointwise_kernel,
        "pointwise_kernel",
        2,
        middle,
        "C_in * depth_multiplier",
    )
    spatial = depthwise_conv2d(x, depthwise_kernel, stride=stride, padding=padding, dilation=dilation)
    return conv2d(spatial, pointwise_kernel, bias)


# --8<-- [end:separable_conv2d]


# --8<-- [start:transposed_offset]
def transposed_offset(
    size: int, span: int, stride: int, padding: PaddingSpec, out_size: int, axis: int
) -> int:
    """Where the output window starts in the uncropped ("full") transposed output.

    The full output has length ``(n - 1) s + k_eff``. Numbers (PyTorch): crop ``p`` on
    each side. ``'valid'``: no crop. ``'same'``: the adjoint of a ``'same'`` convolution
    whose output is ``n``: crop ``floor(t / 2)`` before, where
    ``t = max((n - 1) s + k_eff - out, 0)``, and the odd pixel after (bottom/right).
    """
    if padding == "valid":
        return 0
    if padding == "same":
        return max((size - 1) * stride + span - out_size, 0) // 2
    return padding_amounts((1, 1, 1), 1, 1, padding)[axis][0]  # numbers: parsed, not derived


# --8<-- [end:transposed_offset]


# --8<-- [start:conv2d_transpose]
def conv2d_transpose(
    x,
    kernel,
    bias=None,
    *,
    stride: int | Pair = 1,
    padding: PaddingSpec = "valid",
    output_padding: int | Pair | None = None,
    dilation: int | Pair = 1,
) -> np.ndarray:
    """Transposed convolution, Keras ``Conv2DTranspose`` (kernel ``(kh, kw, C_out, C_in)``).

    Every input pixel scatters ``x[n,h,w,:] @ k[u,v,:,:].T`` to output pixel
    ``(h s + u d - p_top, w s + v d - p_left)``:
    ``y[n,i,j,o] = b[o] + sum_{h s + u d - p_top = i, w s + v d - p_left = j} sum_c x[n,h,w,c] k[u,v,o,c]``.
    It is the adjoint (the input gradient) of :func:`conv2d` with the same kernel array.
    Output shape: :func:`transposed_output_shape`; ``p_top``: :func:`transposed_offset`.
    """
    x, batched = _arrays.images("x", x)
    kernel = _arrays.kernel4("kernel", kernel, "(kh, kw, C_out, C_in)")
    n, height, width, c_in = x.shape
    kh, kw, c_out, _ = kernel.shape
    _arrays.channels_match(x, "x", kernel, "kernel", 3, c_in, "C_in")
    bias = _arrays.bias_vector(bias, c_out, kernel)
    dtype = _arrays.common_dtype(x, kernel, bias)
    strides, dilations = check_pair("stride", stride), check_pair("dilation", dilation)
    out_h, out_w, _ = transposed_output_shape(
        (height, width, c_in),
        c_out,
        (kh, kw),
        strides,
        padding,
        output_padding=output_padding,
        dilation=dilations,
    )
    offsets = [
        transposed_offset(size, d * (k - 1) + 1, s, padding, out, axis)
        for axis, (size, k, s, d, out) in enumerate(
            zip((height, width), (kh, kw), strides, dilations, (out_h, out_w), strict=True)
        )
    ]
    x, kernel = x.astype(dtype, copy=False), kernel.astype(dtype, copy=False)
    # Every pixel times the whole kernel: (N H W, C_in) @ (C_in, C_out) for each tap, stored
    # tap by tap so that col2im reads each tap's slice from one contiguous block.
    cols = np.matmul(x.reshape(-1, c_in), kernel.transpose(0, 1, 3, 2).reshape(kh * kw, c_in, c_out))
    cols = cols.reshape(kh, kw, n, height, width, c_out).transpose(2, 3, 4, 0, 1, 5)  # a view
    y = np.zeros((n, out_h, out_w, c_out), dtype)
    col2im(cols, y, strides, dilations, offsets)
    return _finish(y, bias, dtype, batched)


# --8<-- [end:conv2d_transpose]


# --8<-- [start:col2im]
def col2im(cols: np.ndarray, y: np.ndarray, stride: Pair, dilation: Pair, offsets: Pair) -> None:
    """Scatter-add ``cols[n, h, w, u, v, :]`` into ``y[n, h s + u d - top, w s + v d - left, :]``.

    One strided slice add per kernel tap; contributions that land outside ``y`` (the
    cropped border) are dropped.
    """
    _, height, width, kh, kw, _ = cols.shape
    for u in range(kh):
        rows = _tap_range(height, u * dilation[0] - offsets[0], stride[0], y.shape[1])
        for v in range(kw):
            cols_range = _tap_range(width, v * dilation[1] - offsets[1], stride[1], y.shape[2])
            if rows is None or cols_range is None:
                continue
            (h0, h1, i0), (w0, w1, j0) = rows, cols_range
            target = y[
                :,
                i0 : i0 + (h1 - h0 - 1) * stride[0] + 1 : stride[0],
                j0 : j0 + (w1 - w0 - 1) * stride[1] + 1 : stride[1],
            ]
            target += cols[:, h0:h1, w0:w1, u, v]


# --8<-- [end:col2im]


def _tap_range(size: int, shift: int, stride: int, out_size: int) -> tuple[int, int, int] | None:
    """Inputs ``h`` in ``[h0, h1)`` whose ``h s + shift`` lands in ``[0, out_size)``, and ``h0 s + shift``."""
    first = max(0, (-shift + stride - 1) // stride)
    stop = min(size, (out_size - 1 - shift) // stride + 1)
    if stop <= first:
        return None
    return first, stop, first * stride + shift
