"""snippets.ops computes what torch and Keras compute, on hypothesis-generated configurations.

torch works in NCHW with ``(C_out, C_in / groups, kh, kw)`` weights; the helpers below
transpose in and out. Keras' asymmetric ``'same'`` padding is applied with ``F.pad``
first (``padding_amounts`` says where), numeric padding is handed to torch as is.
float64 must agree to 1e-10; float32 to a tolerance that grows with the length of the
sum behind every output value.

String padding of a transposed convolution has no torch argument: there the reference is
torch's uncropped output cut to the window Keras' own padding helper computes (what
Keras' torch backend does), and a few fixed cases go through ``Conv2DTranspose`` itself.
"""

from __future__ import annotations

import os
from unittest import mock

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import event, given, settings
from hypothesis import strategies as st

from snippets import conv_output_shape, ops, padding_amounts, transposed_output_shape
from snippets.ops import conv2d, conv2d_transpose, depthwise_conv2d, separable_conv2d

pytestmark = [
    pytest.mark.parity,
    pytest.mark.filterwarnings(
        "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
    ),
]

torch.set_num_threads(1)

FLOAT32_EPS = float(np.finfo(np.float32).eps)

small = st.integers(1, 3)
kernels = st.tuples(st.integers(1, 5), st.integers(1, 5))
numeric_paddings = st.one_of(
    st.integers(0, 3),
    st.tuples(st.integers(0, 3), st.integers(0, 3)),
    st.tuples(
        st.tuples(st.integers(0, 3), st.integers(0, 3)), st.tuples(st.integers(0, 3), st.integers(0, 3))
    ),
)

STRINGS = st.sampled_from(["valid", "same"])
ALL_PADDINGS = st.one_of(STRINGS, STRINGS, numeric_paddings)  # about half strings, half numbers


@st.composite
def geometry(draw, paddings=ALL_PADDINGS):
    """``(stride, padding, dilation)``; strings never get stride and dilation both > 1 (Keras)."""
    stride = draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    dilation = draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    padding = draw(paddings)
    if isinstance(padding, str) and max(stride) > 1 and max(dilation) > 1:
        dilation = (1, 1) if draw(st.booleans()) else dilation
        stride = stride if dilation == (1, 1) else (1, 1)
    return stride, padding, dilation


def arrays(seed: int, dtype, *shapes):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype(dtype) for shape in shapes]


def plain(array: np.ndarray) -> torch.Tensor:
    """A torch copy of ``array`` with plain row-major strides, whatever the array's strides were.

    A one-channel NHWC array transposed to NCHW is both "contiguous" and "channels-last" to
    torch, and torch 2.13's CPU conv2d gets some such inputs wrong (batch 2, one channel,
    output width 1: values from the wrong rows). Plain strides keep the reference right.
    """
    return torch.from_numpy(array).clone(memory_format=torch.contiguous_format)


def nchw(x: np.ndarray) -> torch.Tensor:
    return plain(x.transpose(0, 3, 1, 2))


def nhwc(y: torch.Tensor) -> np.ndarray:
    return y.detach().permute(0, 2, 3, 1).numpy()


def torch_conv2d(x, kernel, bias, stride, padding, dilation, groups):
    """torch's conv2d with the padding resolved as snippets resolves it."""
    (top, bottom), (left, right) = padding_amounts(
        x.shape[1:], kernel.shape[:2], stride, padding, dilation=dilation
    )
    weight = plain(kernel.transpose(3, 2, 0, 1))
    padded = F.pad(nchw(x), (left, right, top, bottom))
    b = None if bias is None else torch.from_numpy(bias)
    return nhwc(F.conv2d(padded, weight, b, stride=stride, dilation=dilation, groups=groups))


def float32_tolerance(reduction: int) -> dict:
    """Rounding grows with the number of terms summed (standard normal data)."""
    return {"rtol": 1e-5, "atol": 8 * FLOAT32_EPS * reduction}


@st.composite
def conv_cases(draw):
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    # 9 and 17 channels per group fill a cache line in float64 / float32 (ops.gathers_from_planes)
    c_in, c_out = groups * draw(st.sampled_from([1, 2, 3, 9, 17])), groups * draw(small)
    n, height, width = draw(st.integers(1, 2)), draw(st.integers(1, 12)), draw(st.integers(1, 12))
    kernel = draw(kernels)
    stride, padding, dilation = draw(geometry())
    return {
        "shapes": ((n, height, width, c_in), (*kernel, c_in // groups, c_out), (c_out,)),
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "groups": groups,
        "bias": draw(st.booleans()),
        "batched": draw(st.booleans()) if n == 1 else True,
        "seed": draw(st.integers(0, 2**32 - 1)),
        "band_elements": draw(st.sampled_from([1, 60, ops.BAND_ELEMENTS])),  # one row, a few, all
    }


def run_conv(case, dtype):
    x_shape, k_shape, b_shape = case["shapes"]
    x, kernel, bias = arrays(case["seed"], dtype, x_shape, k_shape, b_shape)
    bias = bias if case["bias"] else None
    geometry = {k: case[k] for k in ("stride", "padding", "dilation")}
    try:
        expected_shape = conv_output_shape(x_shape[1:], k_shape[3], k_shape[:2], **geometry)
    except ValueError:
        with pytest.raises(ValueError):
            conv2d(x, kernel, bias, groups=case["groups"], **geometry)
        event("refused (kernel does not fit)")
        return None
    given_x = x if case["batched"] else x[0]
    with mock.patch.object(ops, "BAND_ELEMENTS", case["band_elements"]):
        ours = conv2d(given_x, kernel, bias, groups=case["groups"], **geometry)
    ours = ours if case["batched"] else ours[np.newaxis]
    assert ours.shape == (x_shape[0], *expected_shape)
    assert ours.dtype == dtype
    theirs = torch_conv2d(x, kernel, bias, groups=case["groups"], **geometry)
    event(f"padding {type(case['padding']).__name__}")
    event(f"patches from {'planes' if ops.gathers_from_planes(k_shape[2], x.itemsize) else 'pixels'}")
    return ours, theirs, k_shape[0] * k_shape[1] * k_shape[2]


@given(conv_cases())
def test_conv2d_matches_torch_float64(case):
    result = run_conv(case, np.float64)
    if result:
        np.testing.assert_allclose(result[0], result[1], rtol=0, atol=1e-10)


@given(conv_cases())
def test_conv2d_matches_torch_float32(case):
    result = run_conv(case, np.float32)
    if result:
        np.testing.assert_allclose(result[0], result[1], **float32_tolerance(result[2]))


@given(
    st.integers(1, 4),
    st.integers(1, 3),
    st.tuples(st.integers(1, 10), st.integers(1, 10)),
    kernels,
    geometry(),
    st.integers(0, 2**32 - 1),
)
def test_depthwise_and_separable_match_torch(channels, multiplier, size, kernel, geom, seed):
    stride, padding, dilation = geom
    c_out = 3
    x, dw, pw, bias = arrays(
        seed,
        np.float64,
        (2, *size, channels),
        (*kernel, channels, multiplier),
        (1, 1, channels * multiplier, c_out),
        (c_out,),
    )
    try:
        conv_output_shape((*size, channels), 1, kernel, stride, padding, dilation=dilation)
    except ValueError:
        with pytest.raises(ValueError):
            depthwise_conv2d(x, dw, stride=stride, padding=padding, dilation=dilation)
        return
    ours = depthwise_conv2d(x, dw, stride=stride, padding=padding, dilation=dilation)
    # Keras' (kh, kw, C, m) is torch's groups=C conv whose output channel c*m + j uses dw[..., c, j].
    grouped = dw.reshape(*kernel, 1, channels * multiplier)
    theirs = torch_conv2d(x, grouped, None, stride, padding, dilation, channels)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10)
    separable = separable_conv2d(x, dw, pw, bias, stride=stride, padding=padding, dilation=dilation)
    pointwise = torch_conv2d(theirs, pw, bias, 1, 0, 1, 1)
    np.testing.assert_allclose(separable, pointwise, rtol=0, atol=1e-10)


@st.composite
def transposed_cases(draw):
    n, height, width = draw(st.integers(1, 2)), draw(st.integers(1, 8)), draw(st.integers(1, 8))
    c_in, c_out = draw(small), draw(small)
    kernel = draw(kernels)
    # PyTorch's transposed padding is symmetric: p or (ph, pw).
    paddings = st.one_of(STRINGS, STRINGS, st.integers(0, 3), st.tuples(st.integers(0, 3), st.integers(0, 3)))
    stride, padding, dilation = draw(geometry(paddings))
    limits = (
        stride if isinstance(padding, str) else [max(s, d) for s, d in zip(stride, dilation, strict=True)]
    )
    output_padding = draw(
        st.one_of(st.none(), st.tuples(st.integers(0, limits[0] - 1), st.integers(0, limits[1] - 1)))
    )
    return {
        "x": (n, height, width, c_in),
        "kernel": (*kernel, c_out, c_in),
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "output_padding": output_padding,
        "bias": draw(st.booleans()),
        "seed": draw(st.integers(0, 2**32 - 1)),
    }


def run_transposed(case, dtype):
    x, kernel, bias = arrays(case["seed"], dtype, case["x"], case["kernel"], case["kernel"][2:3])
    bias = bias if case["bias"] else None
    geometry = {k: case[k] for k in ("stride", "padding", "output_padding", "dilation")}
    try:
        shape = transposed_output_shape(case["x"][1:], case["kernel"][2], case["kernel"][:2], **geometry)
    except ValueError:
        with pytest.raises(ValueError):
            conv2d_transpose(x, kernel, bias, **geometry)
        event("refused")
        return None
    ours = conv2d_transpose(x, kernel, bias, **geometry)
    assert ours.shape == (case["x"][0], *shape)
    assert ours.dtype == dtype
    weight = plain(kernel.transpose(3, 2, 0, 1))
    b = None if bias is None else torch.from_numpy(bias)
    stride, dilation = case["stride"], case["dilation"]
    if isinstance(case["padding"], str):
        full = F.conv_transpose2d(nchw(x), weight, stride=stride, dilation=dilation)
        theirs = keras_crop(full, case)  # then the bias, on every output pixel (as Keras adds it)
        theirs = theirs if b is None else theirs + b[:, None, None]
    else:
        theirs = F.conv_transpose2d(
            nchw(x),
            weight,
            b,
            stride=stride,
            padding=case["padding"],
            output_padding=case["output_padding"] or 0,
            dilation=dilation,
        )
    event(f"padding {type(case['padding']).__name__}")
    return ours, nhwc(theirs), case["kernel"][0] * case["kernel"][1] * case["kernel"][3]


def keras_crop(full: torch.Tensor, case) -> torch.Tensor:
    """Keras' own window on torch's uncropped output (its torch backend does the same):
    crop ``(left, right)`` per axis, a negative crop being zeros added (where no input reaches)."""
    from keras.src.backend.common.backend_utils import compute_conv_transpose_output_crops_for_torch

    n, h, w, c_in = case["x"]
    crops = compute_conv_transpose_output_crops_for_torch(
        (n, c_in, h, w),
        case["kernel"],
        case["stride"],
        case["padding"],
        case["output_padding"],
        case["dilation"],
    )
    (top, bottom), (left, right) = crops
    # F.pad with negative amounts crops; positive amounts add zeros.
    return F.pad(full, (-left, -right, -top, -bottom))


@given(transposed_cases())
def test_conv2d_transpose_matches_torch_float64(case):
    result = run_transposed(case, np.float64)
    if result:
        np.testing.assert_allclose(result[0], result[1], rtol=0, atol=1e-10)


@given(transposed_cases())
@settings(max_examples=max(300, settings.default.max_examples // 4))
def test_conv2d_transpose_matches_torch_float32(case):
    result = run_transposed(case, np.float32)
    if result:
        np.testing.assert_allclose(result[0], result[1], **float32_tolerance(result[2]))


# Keras layers with set weights, a few fixed cases each.

KERAS_CASES = [
    # (input (N, H, W, C), kernel, strides, padding, dilation, depth_multiplier)
    ((2, 9, 9, 3), 3, 1, "same", 1, 1),
    ((1, 10, 7, 4), 4, 2, "same", 1, 2),
    ((1, 11, 11, 2), (2, 3), (2, 1), "valid", 1, 3),
    ((2, 12, 12, 3), 3, 1, "same", 2, 1),
    ((1, 8, 8, 5), 5, 3, "same", 1, 1),
]


@pytest.fixture(scope="module")
def keras():
    import keras

    assert keras.backend.backend() == "torch"
    return keras


@pytest.mark.parametrize(("shape", "kernel", "strides", "padding", "dilation", "multiplier"), KERAS_CASES)
def test_depthwise_matches_keras(keras, shape, kernel, strides, padding, dilation, multiplier):
    layer = keras.layers.DepthwiseConv2D(
        kernel, strides, padding, depth_multiplier=multiplier, dilation_rate=dilation, dtype="float64"
    )
    x = np.random.default_rng(0).standard_normal(shape)
    layer.build(shape)
    kernel_value, bias_value = arrays(1, np.float64, tuple(layer.kernel.shape), tuple(layer.bias.shape))
    layer.set_weights([kernel_value, bias_value])
    theirs = keras.ops.convert_to_numpy(layer(x))
    ours = depthwise_conv2d(x, kernel_value, bias_value, stride=strides, padding=padding, dilation=dilation)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10)


@pytest.mark.parametrize(("shape", "kernel", "strides", "padding", "dilation", "multiplier"), KERAS_CASES)
def test_separable_matches_keras(keras, shape, kernel, strides, padding, dilation, multiplier):
    layer = keras.layers.SeparableConv2D(
        6, kernel, strides, padding, depth_multiplier=multiplier, dilation_rate=dilation, dtype="float64"
    )
    x = np.random.default_rng(0).standard_normal(shape)
    layer.build(shape)
    weights = arrays(2, np.float64, *(tuple(w.shape) for w in layer.weights))
    layer.set_weights(weights)
    named = {w.path.split("/")[-1]: value for w, value in zip(layer.weights, weights, strict=True)}
    theirs = keras.ops.convert_to_numpy(layer(x))
    ours = separable_conv2d(
        x,
        named["depthwise_kernel"],
        named["pointwise_kernel"],
        named["bias"],
        stride=strides,
        padding=padding,
        dilation=dilation,
    )
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10)


@pytest.mark.parametrize(
    ("shape", "filters", "kernel", "strides", "padding"),
    [
        ((1, 7, 7, 3), 4, 4, 2, "same"),  # even k_eff - s: the same crop on both sides
        ((2, 5, 6, 2), 3, (2, 4), 2, "same"),
        ((1, 5, 5, 3), 2, 3, 1, "same"),
        ((1, 5, 6, 2), 3, 3, 2, "same"),  # odd k_eff - s: the odd pixel is cropped at the bottom/right
        ((1, 4, 4, 2), 2, 5, 3, "same"),
        ((1, 5, 5, 3), 2, 3, 2, "valid"),
        ((1, 4, 6, 2), 3, (1, 5), (3, 2), "valid"),
    ],
)
def test_conv2d_transpose_matches_keras(keras, shape, filters, kernel, strides, padding):
    layer = keras.layers.Conv2DTranspose(filters, kernel, strides, padding, dtype="float64")
    x = np.random.default_rng(0).standard_normal(shape)
    layer.build(shape)
    kernel_value, bias_value = arrays(3, np.float64, tuple(layer.kernel.shape), tuple(layer.bias.shape))
    layer.set_weights([kernel_value, bias_value])
    theirs = keras.ops.convert_to_numpy(layer(x))
    ours = conv2d_transpose(x, kernel_value, bias_value, stride=strides, padding=padding)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10)


def test_conv2d_matches_keras_even_kernel_same(keras):
    """The asymmetric 'same' pad of an even kernel: one more zero at the bottom/right."""
    layer = keras.layers.Conv2D(5, 4, 2, "same", dtype="float64")
    x = np.random.default_rng(0).standard_normal((1, 9, 10, 3))
    layer.build(x.shape)
    kernel_value, bias_value = arrays(4, np.float64, (4, 4, 3, 5), (5,))
    layer.set_weights([kernel_value, bias_value])
    theirs = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(
        conv2d(x, kernel_value, bias_value, stride=2, padding="same"), theirs, atol=1e-10
    )
