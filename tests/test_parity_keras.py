"""snippets agrees with real Keras 3 layers (torch backend) on hypothesis-generated configurations.

Every property builds fresh ``keras.layers`` objects, calls them on a zero (or random)
NHWC array of batch 1 and compares what Keras reports (output shape,
``layer.count_params()``, output values) with snippets. String padding in snippets
follows Keras, so here ``'valid'``/``'same'`` are compared at every stride and dilation;
where Keras refuses (stride > 1 with dilation > 1, a kernel larger than the input,
``output_padding >= stride``, groups not dividing the channels), snippets must raise
``ValueError``, and where Keras accepts, snippets must not raise.
"""

from __future__ import annotations

import os

os.environ["KERAS_BACKEND"] = "torch"

import keras  # noqa: E402  (the backend is chosen by the line above)
import numpy as np  # noqa: E402
import parity_support  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from hypothesis import event, given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from parity_support import outcome  # noqa: E402

import snippets  # noqa: E402

pytestmark = [
    pytest.mark.parity,
    # Keras warns when its torch backend cannot mirror TF's transposed padding exactly;
    # the shapes are what is compared here.
    pytest.mark.filterwarnings("ignore:You might experience inconsistencies:UserWarning"),
    pytest.mark.filterwarnings("ignore:Torch backend requires output_padding:UserWarning"),
]

# Tiny layers: one thread is faster than two, and leaves the other core to the rest.
torch.set_num_threads(1)
assert keras.backend.backend() == "torch"


class EmptyOutput(RuntimeError):
    """Keras returned an output with a zero-sized spatial dimension; snippets refuses those."""


#: What Keras raises for a configuration it refuses (anything else is a bug in the test).

sizes = st.integers(1, 40)
channels = st.integers(1, 8)
string_paddings = st.sampled_from(["valid", "same"])


def ints_or_pairs(low: int, high: int) -> st.SearchStrategy:
    """An int or an ``(h, w)`` pair: asymmetric sizes, even kernels and all."""
    one = st.integers(low, high)
    return st.one_of(one, st.tuples(one, one))


kernels = ints_or_pairs(1, 7)
strides = ints_or_pairs(1, 4)
dilations = ints_or_pairs(1, 4)
#: ``(stride, dilation)``: strided, dilated, or both (which Keras refuses) in equal parts.
strides_and_dilations = st.one_of(
    st.tuples(strides, st.just(1)), st.tuples(st.just(1), dilations), st.tuples(strides, dilations)
)


@st.composite
def output_paddings(draw, stride) -> int | tuple[int, int] | None:
    """None, a value Keras accepts (``< stride`` on each axis), or anything in 0..4."""
    sh, sw = pair(stride)
    return draw(
        st.one_of(
            st.none(),
            st.tuples(st.integers(0, sh - 1), st.integers(0, sw - 1)),
            st.integers(0, min(sh, sw) - 1),
            ints_or_pairs(0, 4),
        )
    )


def pair(value: int | tuple[int, int]) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


def assert_agrees(expected, snippets_call) -> None:
    parity_support.assert_agrees("keras", expected, snippets_call)


def zeros(h: int, w: int, c: int) -> np.ndarray:
    return np.zeros((1, h, w, c), dtype="float32")


def output_shape(layer: keras.layers.Layer, h: int, w: int, c: int) -> tuple[int, int, int]:
    """``(H, W, C)`` of ``layer`` called on a zero NHWC input of batch 1."""
    batch, out_h, out_w, out_c = layer(zeros(h, w, c)).shape
    assert batch == 1
    if min(out_h, out_w) == 0:
        raise EmptyOutput(f"keras returned an empty output of shape {(batch, out_h, out_w, out_c)}")
    return (out_h, out_w, out_c)


# --- output shapes -------------------------------------------------------------------


@given(
    h=sizes, w=sizes, c=channels, filters=channels, kernel=kernels, stride_dilation=strides_and_dilations,
    padding=string_paddings,
)  # fmt: skip
def test_conv_output_shape_matches_conv2d(h, w, c, filters, kernel, stride_dilation, padding):
    """Includes 'same' at stride > 1 (``ceil(n / s)``), even kernels and the stride x dilation
    refusal."""
    stride, dilation = stride_dilation
    expected = outcome(
        lambda: output_shape(
            keras.layers.Conv2D(filters, kernel, strides=stride, padding=padding, dilation_rate=dilation),
            h,
            w,
            c,
        )  # fmt: skip
    )
    assert_agrees(
        expected,
        lambda: snippets.conv_output_shape((h, w, c), filters, kernel, stride, padding, dilation=dilation),
    )


@given(
    h=sizes, w=sizes, c=channels, filters=channels, kernel=kernels, stride_dilation=strides_and_dilations,
    padding=string_paddings, data=st.data(),
)  # fmt: skip
def test_transposed_output_shape_matches_conv2d_transpose(
    h, w, c, filters, kernel, stride_dilation, padding, data
):
    stride, dilation = stride_dilation
    output_padding = data.draw(output_paddings(stride), label="output_padding")

    def run():
        layer = keras.layers.Conv2DTranspose(
            filters,
            kernel,
            strides=stride,
            padding=padding,
            output_padding=output_padding,
            dilation_rate=dilation,
        )
        return output_shape(layer, h, w, c)

    assert_agrees(
        outcome(run),
        lambda: snippets.transposed_output_shape(
            (h, w, c), filters, kernel, stride, padding, output_padding=output_padding, dilation=dilation
        ),
    )


@given(h=sizes, w=sizes, c=channels, filters=channels, kernel=kernels, stride=strides)
def test_transposed_defaults_match_conv2d_transpose_defaults(h, w, c, filters, kernel, stride):
    """``Conv2DTranspose(filters, kernel, strides=stride)`` with Keras' default ``'valid'`` gives
    the shape of ``transposed_output_shape`` with its default padding."""
    expected = output_shape(keras.layers.Conv2DTranspose(filters, kernel, strides=stride), h, w, c)
    assert snippets.transposed_output_shape((h, w, c), filters, kernel, stride) == expected


# --- padding amounts, checked on values ----------------------------------------------


@given(
    h=sizes, w=sizes, c=st.integers(1, 3), kernel=kernels, stride_dilation=strides_and_dilations,
    padding=string_paddings,
)  # fmt: skip
def test_padding_amounts_reproduce_keras_padding(h, w, c, kernel, stride_dilation, padding):
    """A torch conv without padding on ``F.pad(x, padding_amounts(...))``, with the Keras layer's
    own weights, computes exactly the Keras layer's output (for 'same': ``ceil(n / s)``
    outputs, the odd pixel at the bottom/right)."""

    stride, dilation = stride_dilation

    def run():
        layer = keras.layers.Conv2D(
            2,
            kernel,
            strides=stride,
            padding=padding,
            dilation_rate=dilation,
            use_bias=False,
            dtype="float64",
        )
        out = layer(x_nhwc)
        return out.detach().numpy(), layer.kernel.value.detach().numpy()

    x_nhwc = np.random.default_rng(h * 1000 + w).standard_normal((1, h, w, c))
    keras_result = outcome(run)
    if isinstance(keras_result, Exception):
        # stride x dilation: padding_amounts refuses too; a kernel too large: the shape refuses
        def padded_shape():
            snippets.padding_amounts((h, w, c), kernel, stride, padding, dilation=dilation)
            return snippets.conv_output_shape((h, w, c), 2, kernel, stride, padding, dilation=dilation)

        assert_agrees(keras_result, padded_shape)
        return
    event("keras accepts")
    expected, kernel_hwio = keras_result
    (top, bottom), (left, right) = snippets.padding_amounts(
        (h, w, c), kernel, stride, padding, dilation=dilation
    )
    x = torch.from_numpy(x_nhwc).permute(0, 3, 1, 2)
    weight = torch.from_numpy(kernel_hwio).permute(3, 2, 0, 1)  # (kh, kw, in, out) -> (out, in, kh, kw)
    ours = F.conv2d(F.pad(x, (left, right, top, bottom)), weight, None, stride, 0, dilation)
    ours = ours.permute(0, 2, 3, 1).numpy()
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-10)


# --- parameter counts ----------------------------------------------------------------


@given(
    c=st.integers(1, 12), filters=st.integers(1, 12), kernel=kernels, use_bias=st.booleans(), data=st.data()
)
def test_count_conv_params_matches_conv2d(c, filters, kernel, use_bias, data):
    groups = data.draw(
        st.one_of(st.just(1), st.sampled_from([g for g in range(1, 13) if c % g == 0]), st.integers(1, 6))
    )

    def build():
        layer = keras.layers.Conv2D(filters, kernel, groups=groups, use_bias=use_bias)
        output_shape(layer, *pair(kernel), c)
        return layer.count_params()

    assert_agrees(
        outcome(build), lambda: snippets.count_conv_params(c, filters, kernel, use_bias, groups=groups)
    )


@given(c=channels, kernel=kernels, multiplier=st.integers(1, 4), use_bias=st.booleans())
def test_depthwise_params_match_depthwise_conv2d(c, kernel, multiplier, use_bias):
    layer = keras.layers.DepthwiseConv2D(kernel, depth_multiplier=multiplier, use_bias=use_bias)
    assert output_shape(layer, *pair(kernel), c) == (1, 1, c * multiplier)
    assert snippets.depthwise_params(c, kernel, depth_multiplier=multiplier, use_bias=use_bias) == (
        layer.count_params()
    )


@given(c=channels, c_out=channels, kernel=kernels, multiplier=st.integers(1, 4), use_bias=st.booleans())
def test_separable_params_match_separable_conv2d(c, c_out, kernel, multiplier, use_bias):
    layer = keras.layers.SeparableConv2D(c_out, kernel, depth_multiplier=multiplier, use_bias=use_bias)
    assert output_shape(layer, *pair(kernel), c) == (1, 1, c_out)
    counted = snippets.separable_params(c, c_out, kernel, depth_multiplier=multiplier, use_bias=use_bias)
    assert counted == layer.count_params()
