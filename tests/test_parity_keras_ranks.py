"""snippets agrees with real Keras 3 layers (torch backend) in 1-D and 3-D.

The 2-D comparisons are in ``test_parity_keras.py``; this file does the same for
``Conv1D`` (``'valid'``, ``'same'``, ``'causal'``), ``Conv3D``, ``Conv1DTranspose``,
``Conv3DTranspose``, ``DepthwiseConv1D`` and ``SeparableConv1D``, and for ``DepthwiseConv2D`` /
``SeparableConv2D`` with a stride and a dilation both above 1 (which those two layers accept
and Keras' Conv layers refuse). Each layer is built fresh and called on a zero (or random)
channels-last input of batch 1.

* Shapes, parameter counts and refusals, 2,000 generated cases per layer and rank, in one
  property per layer (one layer build answers all three; three properties of 2,000 builds each
  would not fit the file's time budget): where Keras accepts, snippets gives the same output
  shape and ``layer.count_params()`` (``count_conv_params`` / ``depthwise_params`` /
  ``separable_params`` with ``rank=``); where Keras raises ``ValueError`` (making or calling
  the layer) or returns an empty output, snippets raises ``ValueError``.
* Values, 200 cases per layer type: the NumPy layers of ``snippets.ops`` with the Keras layer's
  own weights (Keras' kernel layouts are snippets'), in float32.
* Keras' own test figures for 1-D and 3-D shapes (``KERAS_SUITE_CASES``), carried over as data.
"""

from __future__ import annotations

import math
import os
from typing import NamedTuple

os.environ["KERAS_BACKEND"] = "torch"

import keras  # noqa: E402  (the backend is chosen by the line above)
import numpy as np  # noqa: E402
import parity_support  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from parity_support import outcome  # noqa: E402

import snippets  # noqa: E402

pytestmark = pytest.mark.parity

# Tiny layers: one thread is faster than two, and leaves the other core to the rest.
torch.set_num_threads(1)
assert keras.backend.backend() == "torch"

#: Shapes, refusals and parameter counts: 1,000 cases each, the same ones on every run. Half
#: the CI profile's 2,000: each case makes and calls a real Keras layer (about 6 ms), and these
#: eight properties took about 120 s of the CI's 15-minute budget at 2,000. The same 1-D and
#: 3-D shape arithmetic is also checked against torch's layers at 2,000 cases a property
#: (test_parity_torch_ranks.py).
PROPERTY = settings(
    max_examples=1000,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
#: Values: a forward pass per case, 200 cases per layer type.
VALUES = settings(PROPERTY, max_examples=200)

EPS32 = float(np.finfo(np.float32).eps)


class EmptyOutput(RuntimeError):
    """Keras returned an output with a zero-sized spatial axis; snippets refuses those."""


# --- strategies ------------------------------------------------------------------------

#: Tiny sizes: sequences of 1..30, volumes of 1..7 per axis.
SIZE = {1: 30, 3: 7}
#: Largest kernel, stride and dilation per axis.
KERNEL = {1: 7, 2: 5, 3: 4}
STEP = {1: 4, 2: 4, 3: 3}
channels = st.integers(1, 4)


def ints_or_tuples(low: int, high: int, rank: int) -> st.SearchStrategy:
    """An int (every axis) or one int per axis: a 1-tuple in 1-D, a triple in 3-D."""
    one = st.integers(low, high)
    return st.one_of(one, st.tuples(*[one] * rank))


def spatial_sizes(rank: int) -> st.SearchStrategy:
    return st.tuples(*[st.integers(1, SIZE[rank])] * rank)


def strides_and_dilations(rank: int) -> st.SearchStrategy:
    """``(stride, dilation)``: strided, dilated, or both (which Keras' Conv layers refuse)."""
    steps = ints_or_tuples(1, STEP[rank], rank)
    return st.one_of(st.tuples(steps, st.just(1)), st.tuples(st.just(1), steps), st.tuples(steps, steps))


@st.composite
def above_one(draw, rank: int):
    """A stride or dilation greater than 1 on at least one axis: an int, or one per axis."""
    high = STEP[rank]
    if draw(st.booleans()):
        return draw(st.integers(2, high))
    steps = list(draw(st.tuples(*[st.integers(1, high)] * rank)))
    if max(steps) == 1:
        steps[draw(st.integers(0, rank - 1))] = draw(st.integers(2, high))
    return tuple(steps)


#: 'causal' exists in Conv1D only; elsewhere it is one case in five, to check the refusal.
PADDINGS_CONV1D = st.sampled_from(["valid", "same", "causal"])
PADDINGS_NO_CAUSAL = st.sampled_from(["valid", "same", "valid", "same", "causal"])


@st.composite
def output_paddings(draw, stride, rank: int):
    """None, a value Keras accepts (``< stride`` on each axis), or anything in 0..4."""
    strides = per_axis(stride, rank)
    return draw(
        st.one_of(
            st.none(),
            st.tuples(*[st.integers(0, s - 1) for s in strides]),
            st.integers(0, min(strides) - 1),
            ints_or_tuples(0, 4, rank),
        )
    )


def per_axis(value, rank: int) -> tuple[int, ...]:
    return (value,) * rank if isinstance(value, int) else tuple(value)


def span(kernel, dilation, rank: int) -> tuple[int, ...]:
    return tuple(
        d * (k - 1) + 1 for k, d in zip(per_axis(kernel, rank), per_axis(dilation, rank), strict=True)
    )


# --- running Keras ---------------------------------------------------------------------


def assert_agrees(expected, snippets_call) -> None:
    parity_support.assert_agrees("keras", expected, snippets_call)


def zeros(spatial: tuple[int, ...], c: int) -> np.ndarray:
    return np.zeros((1, *spatial, c), dtype="float32")


def output_shape(layer: keras.layers.Layer, spatial: tuple[int, ...], c: int) -> tuple[int, ...]:
    """``(*spatial_out, C_out)`` of ``layer`` called on a zero input of batch 1."""
    batch, *out = (int(n) for n in layer(zeros(spatial, c)).shape)
    assert batch == 1
    if min(out[:-1]) == 0:
        raise EmptyOutput(f"keras returned an empty output of shape {(batch, *out)}")
    return tuple(out)


def numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().cpu().numpy()


CONV = {1: keras.layers.Conv1D, 3: keras.layers.Conv3D}
TRANSPOSE = {1: keras.layers.Conv1DTranspose, 3: keras.layers.Conv3DTranspose}


def padding_event(padding: str, stride, rank: int, spatial, kernel, dilation) -> None:
    """Say in the statistics when 'same' pads unevenly at stride > 1 (the odd pixel after)."""
    if padding == "same" and max(per_axis(stride, rank)) > 1:
        totals = [
            max((math.ceil(n / s) - 1) * s + e - n, 0)
            for n, s, e in zip(spatial, per_axis(stride, rank), span(kernel, dilation, rank), strict=True)
        ]
        event(
            "'same' at stride > 1, padded unevenly" if any(t % 2 for t in totals) else "'same' at stride > 1"
        )


# --- output shapes, parameter counts and refusals: one layer build answers all three ---


def weights_of(layer: keras.layers.Layer, spatial: tuple[int, ...], c: int) -> keras.layers.Layer:
    """``layer`` with its weights made, if calling it did not make them (on unknown sizes:
    Keras' build checks the output size, which the weights do not depend on)."""
    if not layer.built:
        layer.build((1, *[None] * len(spatial), c))
    return layer


def check_layer(make_layer, spatial: tuple[int, ...], c: int, shape_call, params_call) -> None:
    """Keras' ``(output shape, count_params())`` equals snippets', or both refuse.

    Keras refuses by raising ``ValueError`` when the layer is made or called, or by returning
    an empty output; snippets then raises ``ValueError`` from the shape or the count. Where
    Keras made the layer but refused its output (a kernel larger than the input, an output
    cropped to nothing), the layer's weights are still made and counted, or both refuse them
    (groups not dividing the input channels).
    """
    layer = outcome(make_layer)
    made = not isinstance(layer, Exception)
    expected = outcome(lambda: (output_shape(layer, spatial, c), layer.count_params())) if made else layer
    assert_agrees(expected, lambda: (shape_call(), params_call()))
    if made and isinstance(expected, Exception):
        counted = outcome(lambda: weights_of(layer, spatial, c).count_params())
        if isinstance(counted, Exception):
            with pytest.raises(ValueError):
                params_call()
        else:
            event("keras refuses the output but counts the weights")
            assert params_call() == counted


def kernel_and_rank(data, rank: int):
    """A kernel, and the ``rank=`` to count it with: always for an int (alone it means 2-D),
    the rank or None for a tuple (which says its rank itself)."""
    kernel = data.draw(ints_or_tuples(1, KERNEL[rank], rank), label="kernel")
    rank_arg = rank if isinstance(kernel, int) else data.draw(st.sampled_from([rank, None]), label="rank=")
    return kernel, rank_arg


@pytest.mark.parametrize("rank", [1, 3])
@PROPERTY
@given(data=st.data())
def test_conv_shape_params_refusals_match_conv1d_conv3d(rank, data):
    """Conv1D/Conv3D: 'same' at stride > 1 (``ceil(n / s)``), 'causal' (Conv1D only), kernels
    larger than the input and stride x dilation refused; groups dividing both channel counts
    or not (refused)."""
    spatial = data.draw(spatial_sizes(rank), label="spatial")
    c, filters = data.draw(channels, label="c"), data.draw(channels, label="filters")
    kernel, rank_arg = kernel_and_rank(data, rank)
    stride, dilation = data.draw(strides_and_dilations(rank), label="stride, dilation")
    padding = data.draw(PADDINGS_CONV1D if rank == 1 else PADDINGS_NO_CAUSAL, label="padding")
    use_bias = data.draw(st.booleans(), label="use_bias")
    groups = data.draw(
        st.one_of(st.just(1), st.sampled_from([g for g in range(1, 5) if c % g == 0]), st.integers(1, 4)),
        label="groups",
    )
    padding_event(padding, stride, rank, spatial, kernel, dilation)
    options = {"strides": stride, "padding": padding, "dilation_rate": dilation, "groups": groups}
    check_layer(
        lambda: CONV[rank](filters, kernel, use_bias=use_bias, **options),
        spatial,
        c,
        lambda: snippets.conv_output_shape(
            (*spatial, c), filters, kernel, stride, padding, dilation=dilation
        ),
        lambda: snippets.count_conv_params(c, filters, kernel, use_bias, groups=groups, rank=rank_arg),
    )


@pytest.mark.parametrize("rank", [1, 3])
@PROPERTY
@given(data=st.data())
def test_transposed_shape_params_refusals_match_conv1d_conv3d_transpose(rank, data):
    """Conv1DTranspose/Conv3DTranspose with and without ``output_padding``; refused: stride x
    dilation, ``output_padding >= stride``, 'causal', and an output cropped to nothing. The
    kernel ``(*k, filters, C_in)`` holds as many weights as a convolution's."""
    spatial = data.draw(spatial_sizes(rank), label="spatial")
    c, filters = data.draw(channels, label="c"), data.draw(channels, label="filters")
    kernel, rank_arg = kernel_and_rank(data, rank)
    stride, dilation = data.draw(strides_and_dilations(rank), label="stride, dilation")
    padding = data.draw(PADDINGS_NO_CAUSAL, label="padding")
    output_padding = data.draw(output_paddings(stride, rank), label="output_padding")
    use_bias = data.draw(st.booleans(), label="use_bias")
    options = {
        "strides": stride,
        "padding": padding,
        "output_padding": output_padding,
        "dilation_rate": dilation,
    }
    check_layer(
        lambda: TRANSPOSE[rank](filters, kernel, use_bias=use_bias, **options),
        spatial,
        c,
        lambda: snippets.transposed_output_shape(
            (*spatial, c), filters, kernel, stride, padding, output_padding=output_padding, dilation=dilation
        ),
        lambda: snippets.count_conv_params(c, filters, kernel, use_bias, rank=rank_arg),
    )


def depthwise_configuration(data, rank: int):
    """Sizes, channels, kernel, stride, dilation, padding and bias of a depthwise or separable
    layer: in 1-D any stride and dilation; in 2-D a stride and a dilation both above 1."""
    high = SIZE[1] if rank == 1 else 24
    spatial = data.draw(st.tuples(*[st.integers(1, high)] * rank), label="spatial")
    c, multiplier = data.draw(channels, label="c"), data.draw(channels, label="multiplier")
    kernel, rank_arg = kernel_and_rank(data, rank)
    if rank == 1:
        stride, dilation = data.draw(strides_and_dilations(rank), label="stride, dilation")
    else:
        stride, dilation = (
            data.draw(above_one(rank), label="stride"),
            data.draw(above_one(rank), label="dilation"),
        )
    padding = data.draw(PADDINGS_NO_CAUSAL, label="padding")
    use_bias = data.draw(st.booleans(), label="use_bias")
    padding_event(padding, stride, rank, spatial, kernel, dilation)
    options = {
        "strides": stride,
        "padding": padding,
        "dilation_rate": dilation,
        "depth_multiplier": multiplier,
    }
    return spatial, c, multiplier, kernel, rank_arg, stride, dilation, padding, use_bias, options


DEPTHWISE = {1: keras.layers.DepthwiseConv1D, 2: keras.layers.DepthwiseConv2D}
SEPARABLE = {1: keras.layers.SeparableConv1D, 2: keras.layers.SeparableConv2D}


@pytest.mark.parametrize("rank", [1, 2])
@PROPERTY
@given(data=st.data())
def test_depthwise_shape_params_refusals_match_depthwise_conv(rank, data):
    """DepthwiseConv1D at any stride and dilation, and DepthwiseConv2D with a stride and a
    dilation both above 1, which Keras accepts as snippets does with ``layer="depthwise"``;
    'causal' refused."""
    spatial, c, multiplier, kernel, rank_arg, stride, dilation, padding, use_bias, options = (
        depthwise_configuration(data, rank)
    )
    check_layer(
        lambda: DEPTHWISE[rank](kernel, use_bias=use_bias, **options),
        spatial,
        c,
        lambda: snippets.conv_output_shape(
            (*spatial, c), c * multiplier, kernel, stride, padding, dilation=dilation, layer="depthwise"
        ),
        lambda: snippets.depthwise_params(
            c, kernel, depth_multiplier=multiplier, use_bias=use_bias, rank=rank_arg
        ),
    )


@pytest.mark.parametrize("rank", [1, 2])
@PROPERTY
@given(data=st.data())
def test_separable_shape_params_refusals_match_separable_conv(rank, data):
    """SeparableConv1D, and SeparableConv2D with a stride and a dilation both above 1
    (``layer="separable"``); 'causal' refused."""
    spatial, c, multiplier, kernel, rank_arg, stride, dilation, padding, use_bias, options = (
        depthwise_configuration(data, rank)
    )
    c_out = data.draw(channels, label="c_out")
    check_layer(
        lambda: SEPARABLE[rank](c_out, kernel, use_bias=use_bias, **options),
        spatial,
        c,
        lambda: snippets.conv_output_shape(
            (*spatial, c), c_out, kernel, stride, padding, dilation=dilation, layer="separable"
        ),
        lambda: snippets.separable_params(
            c, c_out, kernel, depth_multiplier=multiplier, use_bias=use_bias, rank=rank_arg
        ),
    )


# --- values ----------------------------------------------------------------------------


def assert_close(ours: np.ndarray, theirs: np.ndarray, bound: np.ndarray, terms: int) -> None:
    """float32 agreement: each output may differ by rounding in a sum of ``terms`` products,
    at most about ``terms * eps * sum |x| |k|`` (``bound``, computed in float64)."""
    assert ours.dtype == np.float32
    assert ours.shape == theirs.shape
    allowed = 2 * (terms + 1) * EPS32 * bound
    excess = np.abs(ours.astype(np.float64) - theirs) - allowed
    assert excess.max(initial=-1.0) <= 0, (
        f"largest difference {np.abs(ours - theirs).max()} exceeds what rounding allows"
    )


def random_arrays(seed: int, *shapes: tuple[int, ...]) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype(np.float32) for shape in shapes]


def absolute(*arrays: np.ndarray) -> list[np.ndarray]:
    return [np.abs(a).astype(np.float64) for a in arrays]


def value_steps(rank: int, together: bool) -> st.SearchStrategy:
    """``(stride, dilation)`` for the value tests, a stride above 1 in most cases (where 'same'
    pads unevenly); both above 1 only where the layer takes them (``together``)."""
    steps, above = ints_or_tuples(1, STEP[rank], rank), above_one(rank)
    choices = [st.tuples(above, st.just(1)), st.tuples(above, st.just(1)), st.tuples(st.just(1), steps)]
    return st.one_of(*choices, *([st.tuples(above, above)] * 2 if together else []))


def fitting(spatial, kernel, dilation, rank: int, padding: str) -> tuple[int, ...]:
    """``spatial``, grown where needed so that 'valid' leaves an output (the others always do)."""
    if padding != "valid":
        return spatial
    return tuple(max(n, e) for n, e in zip(spatial, span(kernel, dilation, rank), strict=True))


@pytest.mark.parametrize("rank", [1, 3])
@VALUES
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_conv_values_match_conv1d_conv3d(rank, data, seed):
    """``snippets.conv`` with 'valid', 'same' (stride > 1 included) and 'causal' (1-D), groups
    included, computes what Conv1D/Conv3D compute."""
    spatial = data.draw(spatial_sizes(rank), label="spatial")
    c_group, per_group = data.draw(st.integers(1, 3), label="c/groups"), data.draw(st.integers(1, 3))
    groups = data.draw(st.integers(1, 2), label="groups")
    c, filters = c_group * groups, per_group * groups
    kernel_size = per_axis(data.draw(ints_or_tuples(1, KERNEL[rank], rank), label="kernel"), rank)
    stride, dilation = data.draw(value_steps(rank, together=False), label="stride, dilation")
    padding = data.draw(PADDINGS_CONV1D if rank == 1 else st.sampled_from(["valid", "same"]), label="padding")
    spatial = fitting(spatial, kernel_size, dilation, rank, padding)
    event(padding)
    padding_event(padding, stride, rank, spatial, kernel_size, dilation)
    x, kernel, bias = random_arrays(seed, (1, *spatial, c), (*kernel_size, c_group, filters), (filters,))

    layer = CONV[rank](
        filters, kernel_size, strides=stride, padding=padding, dilation_rate=dilation, groups=groups
    )
    layer.build(x.shape)
    layer.set_weights([kernel, bias])
    options = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    ours = snippets.conv(x, kernel, bias, **options)
    bound = snippets.conv(*absolute(x, kernel, bias), **options)
    assert_close(
        ours, parity_support.torch_answer(lambda: numpy(layer(x))), bound, math.prod(kernel_size) * c_group
    )


@pytest.mark.parametrize("rank", [1, 3])
@VALUES
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_transposed_values_match_conv1d_conv3d_transpose(rank, data, seed):
    """``snippets.conv_transpose`` ('valid'/'same', with and without ``output_padding``) computes
    what Conv1DTranspose/Conv3DTranspose compute; the kernel is ``(*k, filters, C_in)`` in both."""
    spatial = data.draw(spatial_sizes(rank), label="spatial")
    c, filters = data.draw(channels, label="c"), data.draw(channels, label="filters")
    kernel_size = per_axis(data.draw(ints_or_tuples(1, KERNEL[rank], rank), label="kernel"), rank)
    stride, dilation = data.draw(value_steps(rank, together=False), label="stride, dilation")
    padding = data.draw(st.sampled_from(["valid", "same"]), label="padding")
    strides = per_axis(stride, rank)
    output_padding = data.draw(
        st.one_of(st.none(), st.tuples(*[st.integers(0, s - 1) for s in strides])), label="output_padding"
    )
    shape = outcome(
        lambda: snippets.transposed_output_shape(
            (*spatial, c),
            filters,
            kernel_size,
            stride,
            padding,
            output_padding=output_padding,
            dilation=dilation,
        )
    )
    if isinstance(shape, Exception):  # cropped to nothing: the shape test covers that refusal
        output_padding = None
    event(f"{padding}, output_padding {'given' if output_padding is not None else 'None'}")
    if padding == "same" and max(strides) > 1:
        event("'same' at stride > 1")
    x, kernel, bias = random_arrays(seed, (1, *spatial, c), (*kernel_size, filters, c), (filters,))

    layer = TRANSPOSE[rank](
        filters,
        kernel_size,
        strides=stride,
        padding=padding,
        output_padding=output_padding,
        dilation_rate=dilation,
    )
    layer.build(x.shape)
    layer.set_weights([kernel, bias])
    options = {"stride": stride, "padding": padding, "output_padding": output_padding, "dilation": dilation}
    ours = snippets.conv_transpose(x, kernel, bias, **options)
    bound = snippets.conv_transpose(*absolute(x, kernel, bias), **options)
    assert_close(
        ours, parity_support.torch_answer(lambda: numpy(layer(x))), bound, math.prod(kernel_size) * c
    )


def depthwise_case(data, rank: int, strided_and_dilated: bool):
    """Sizes, kernel, stride, dilation and padding of a depthwise or separable layer."""
    high = SIZE[rank] if rank == 1 else 24
    spatial = data.draw(st.tuples(*[st.integers(1, high)] * rank), label="spatial")
    kernel_size = per_axis(data.draw(ints_or_tuples(1, KERNEL[rank], rank), label="kernel"), rank)
    if strided_and_dilated:
        stride, dilation = (
            data.draw(above_one(rank), label="stride"),
            data.draw(above_one(rank), label="dilation"),
        )
    else:
        stride, dilation = data.draw(value_steps(rank, together=True), label="stride, dilation")
    padding = data.draw(st.sampled_from(["valid", "same"]), label="padding")
    spatial = fitting(spatial, kernel_size, dilation, rank, padding)
    if max(per_axis(stride, rank)) > 1 and max(per_axis(dilation, rank)) > 1:
        event(f"{padding}, stride and dilation > 1")
    padding_event(padding, stride, rank, spatial, kernel_size, dilation)
    return spatial, kernel_size, stride, dilation, padding


@pytest.mark.parametrize("rank", [1, 2])
@VALUES
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_depthwise_values_match_depthwise_conv(rank, data, seed):
    """``snippets.depthwise_conv`` computes what DepthwiseConv1D computes (any stride and
    dilation) and what DepthwiseConv2D computes with a stride and a dilation both above 1."""
    spatial, kernel_size, stride, dilation, padding = depthwise_case(
        data, rank, strided_and_dilated=rank == 2
    )
    c, multiplier = data.draw(channels, label="c"), data.draw(st.integers(1, 3), label="multiplier")
    x, kernel, bias = random_arrays(seed, (1, *spatial, c), (*kernel_size, c, multiplier), (c * multiplier,))

    layer = DEPTHWISE[rank](
        kernel_size, strides=stride, padding=padding, depth_multiplier=multiplier, dilation_rate=dilation
    )
    layer.build(x.shape)
    layer.set_weights([kernel, bias])
    options = {"stride": stride, "padding": padding, "dilation": dilation}
    ours = snippets.depthwise_conv(x, kernel, bias, **options)
    bound = snippets.depthwise_conv(*absolute(x, kernel, bias), **options)
    assert_close(ours, parity_support.torch_answer(lambda: numpy(layer(x))), bound, math.prod(kernel_size))


@pytest.mark.parametrize("rank", [1, 2])
@VALUES
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_separable_values_match_separable_conv(rank, data, seed):
    """``snippets.separable_conv`` computes what SeparableConv1D computes (any stride and
    dilation) and what SeparableConv2D computes with a stride and a dilation both above 1."""
    spatial, kernel_size, stride, dilation, padding = depthwise_case(
        data, rank, strided_and_dilated=rank == 2
    )
    c, c_out = data.draw(channels, label="c"), data.draw(channels, label="c_out")
    multiplier = data.draw(st.integers(1, 3), label="multiplier")
    x, depthwise, pointwise, bias = random_arrays(
        seed, (1, *spatial, c), (*kernel_size, c, multiplier), (*[1] * rank, c * multiplier, c_out), (c_out,)
    )

    layer = SEPARABLE[rank](
        c_out,
        kernel_size,
        strides=stride,
        padding=padding,
        depth_multiplier=multiplier,
        dilation_rate=dilation,
    )
    layer.build(x.shape)
    layer.set_weights([depthwise, pointwise, bias])
    options = {"stride": stride, "padding": padding, "dilation": dilation}
    ours = snippets.separable_conv(x, depthwise, pointwise, bias, **options)
    bound = snippets.separable_conv(*absolute(x, depthwise, pointwise, bias), **options)
    assert_close(
        ours,
        parity_support.torch_answer(lambda: numpy(layer(x))),
        bound,
        math.prod(kernel_size) + c * multiplier,
    )


# --- Keras' own test figures -----------------------------------------------------------


class KerasCase(NamedTuple):
    """One shape case of Keras' test suite: what is built, on what, and the shape it expects.

    ``input_shape`` and ``expected`` are channels-last without the batch axis (the suite's
    batch sizes do not matter); ``expected`` None means the suite expects a ``ValueError``.
    ``kind`` is a ``keras.layers`` class name, or ``ops.<name>`` for a ``keras.ops`` call, whose
    ``arguments`` then hold the kernel shapes instead of ``filters``/``kernel_size``.
    """

    source: str
    kind: str
    input_shape: tuple[int, ...]
    arguments: dict
    expected: tuple[int, ...] | None


CONV_TEST = "keras/src/layers/convolutional/conv_test.py"
TRANSPOSE_TEST = "keras/src/layers/convolutional/conv_transpose_test.py"
DEPTHWISE_TEST = "keras/src/layers/convolutional/depthwise_conv_test.py"
SEPARABLE_TEST = "keras/src/layers/convolutional/separable_conv_test.py"
NN_TEST = "keras/src/ops/nn_test.py"

#: Every 1-D and 3-D shape case of Keras 3.15.1's tests (keras-team/keras, the files named in
#: ``source``), channels-last, with the suite's expected output shape; the batch axis dropped.
#: ``keras/src/ops/operation_utils_test.py`` has conv shape cases in 2-D only (none here).
#: ``nn_test.py``'s dynamic-shape tests (batch None) repeat its static-shape figures and are
#: not listed twice. Refusals (``expected=None``) come with the suite's input where it gives
#: one; ``test_bad_init_args`` refuses at construction, so any input does.
KERAS_SUITE_CASES = [
    # conv_test.py, ConvBasicTest.test_conv1d_basic
    KerasCase(f"{CONV_TEST}::test_conv1d_basic", "Conv1D", (5, 4),
              {"filters": 5, "kernel_size": 2, "strides": 1, "padding": "valid", "dilation_rate": 1, "groups": 1},
              (4, 5)),
    KerasCase(f"{CONV_TEST}::test_conv1d_basic", "Conv1D", (4, 4),
              {"filters": 6, "kernel_size": 2, "strides": 1, "padding": "same", "dilation_rate": (2,), "groups": 2},
              (4, 6)),
    KerasCase(f"{CONV_TEST}::test_conv1d_basic", "Conv1D", (4, 4),
              {"filters": 6, "kernel_size": 2, "strides": 1, "padding": "causal", "dilation_rate": (2,), "groups": 2},
              (4, 6)),
    KerasCase(f"{CONV_TEST}::test_conv1d_basic", "Conv1D", (5, 4),
              {"filters": 6, "kernel_size": 2, "strides": (2,), "padding": "valid", "dilation_rate": 1, "groups": 2},
              (2, 6)),
    # conv_test.py, ConvBasicTest.test_conv3d_basic
    KerasCase(f"{CONV_TEST}::test_conv3d_basic", "Conv3D", (5, 5, 5, 4),
              {"filters": 5, "kernel_size": 2, "strides": 1, "padding": "valid", "dilation_rate": 1, "groups": 1},
              (4, 4, 4, 5)),
    KerasCase(f"{CONV_TEST}::test_conv3d_basic", "Conv3D", (4, 4, 4, 4),
              {"filters": 6, "kernel_size": 2, "strides": 1, "padding": "same", "dilation_rate": (2, 2, 2),
               "groups": 2},
              (4, 4, 4, 6)),
    KerasCase(f"{CONV_TEST}::test_conv3d_basic", "Conv3D", (5, 5, 5, 4),
              {"filters": 6, "kernel_size": (2, 2, 3), "strides": (2, 1, 2), "padding": "valid",
               "dilation_rate": (1, 1, 1), "groups": 2},
              (2, 4, 2, 6)),
    # conv_test.py, ConvBasicTest.test_enable_lora (named_parameters, 1-D and 3-D)
    KerasCase(f"{CONV_TEST}::test_enable_lora conv1d_kernel_size3_strides1", "Conv1D", (5, 4),
              {"filters": 6, "kernel_size": 3, "strides": 1, "padding": "valid", "dilation_rate": 1, "groups": 1},
              (3, 6)),
    KerasCase(f"{CONV_TEST}::test_enable_lora conv1d_kernel_size2_strides2", "Conv1D", (5, 4),
              {"filters": 6, "kernel_size": 2, "strides": 2, "padding": "valid", "dilation_rate": 1, "groups": 2},
              (2, 6)),
    KerasCase(f"{CONV_TEST}::test_enable_lora conv3d_kernel_size3_strides1", "Conv3D", (5, 5, 5, 4),
              {"filters": 6, "kernel_size": 3, "strides": 1, "padding": "valid", "dilation_rate": 1, "groups": 1},
              (3, 3, 3, 6)),
    KerasCase(f"{CONV_TEST}::test_enable_lora conv3d_kernel_size2_strides2", "Conv3D", (5, 5, 5, 4),
              {"filters": 6, "kernel_size": 2, "strides": 2, "padding": "valid", "dilation_rate": 1, "groups": 2},
              (2, 2, 2, 6)),
    # conv_test.py, ConvBasicTest.test_conv_symbolic_invalid_configuration: the dilated kernel
    # spans 11 on an axis of 10
    KerasCase(f"{CONV_TEST}::test_conv_symbolic_invalid_configuration", "Conv1D", (10, 3),
              {"filters": 1, "kernel_size": 2, "dilation_rate": 10}, None),
    KerasCase(f"{CONV_TEST}::test_conv_symbolic_invalid_configuration", "Conv3D", (10, 10, 10, 3),
              {"filters": 1, "kernel_size": (2, 2, 2), "dilation_rate": (10, 10, 10)}, None),
    # conv_transpose_test.py, ConvTransposeBasicTest.test_conv1d_transpose_basic
    KerasCase(f"{TRANSPOSE_TEST}::test_conv1d_transpose_basic", "Conv1DTranspose", (8, 4),
              {"filters": 5, "kernel_size": 2, "strides": 2, "padding": "valid", "output_padding": None,
               "dilation_rate": 1},
              (16, 5)),
    KerasCase(f"{TRANSPOSE_TEST}::test_conv1d_transpose_basic", "Conv1DTranspose", (8, 4),
              {"filters": 6, "kernel_size": 2, "strides": 3, "padding": "same", "output_padding": 2,
               "dilation_rate": (1,)},
              (23, 6)),
    KerasCase(f"{TRANSPOSE_TEST}::test_conv1d_transpose_basic", "Conv1DTranspose", (8, 4),
              {"filters": 6, "kernel_size": (2,), "strides": (2,), "padding": "valid", "output_padding": None,
               "dilation_rate": 1},
              (16, 6)),
    # conv_transpose_test.py, ConvTransposeBasicTest.test_conv3d_transpose_basic
    KerasCase(f"{TRANSPOSE_TEST}::test_conv3d_transpose_basic", "Conv3DTranspose", (8, 8, 8, 4),
              {"filters": 5, "kernel_size": 2, "strides": 2, "padding": "valid", "output_padding": None,
               "dilation_rate": 1},
              (16, 16, 16, 5)),
    KerasCase(f"{TRANSPOSE_TEST}::test_conv3d_transpose_basic", "Conv3DTranspose", (8, 8, 8, 4),
              {"filters": 6, "kernel_size": 2, "strides": 3, "padding": "same", "output_padding": 2,
               "dilation_rate": (1, 1, 1)},
              (23, 23, 23, 6)),
    KerasCase(f"{TRANSPOSE_TEST}::test_conv3d_transpose_basic", "Conv3DTranspose", (8, 8, 8, 4),
              {"filters": 6, "kernel_size": (2, 2, 3), "strides": (2, 1, 2), "padding": "valid",
               "output_padding": None, "dilation_rate": (1, 1, 1)},
              (16, 9, 17, 6)),
    # conv_transpose_test.py, ConvTransposeBasicTest.test_bad_init_args: output_padding >= strides
    # (inputs of test_output_padding_serialization)
    KerasCase(f"{TRANSPOSE_TEST}::test_bad_init_args", "Conv1DTranspose", (8, 3),
              {"filters": 2, "kernel_size": 3, "strides": 2, "output_padding": 2}, None),
    KerasCase(f"{TRANSPOSE_TEST}::test_bad_init_args", "Conv1DTranspose", (8, 3),
              {"filters": 2, "kernel_size": 2, "strides": 2, "output_padding": 2}, None),
    KerasCase(f"{TRANSPOSE_TEST}::test_bad_init_args", "Conv3DTranspose", (5, 5, 5, 3),
              {"filters": 8, "kernel_size": 3, "strides": 1, "output_padding": 1}, None),
    # depthwise_conv_test.py, DepthwiseConvBasicTest.test_depthwise_conv1d_basic (the last one is
    # channels_first in the suite: input (4, 10), output (24, 10); transposed here)
    KerasCase(f"{DEPTHWISE_TEST}::test_depthwise_conv1d_basic", "DepthwiseConv1D", (5, 4),
              {"depth_multiplier": 5, "kernel_size": 2, "strides": 1, "padding": "valid", "dilation_rate": 1},
              (4, 20)),
    KerasCase(f"{DEPTHWISE_TEST}::test_depthwise_conv1d_basic", "DepthwiseConv1D", (4, 4),
              {"depth_multiplier": 6, "kernel_size": 2, "strides": 1, "padding": "same", "dilation_rate": (2,)},
              (4, 24)),
    KerasCase(f"{DEPTHWISE_TEST}::test_depthwise_conv1d_basic", "DepthwiseConv1D", (5, 4),
              {"depth_multiplier": 6, "kernel_size": 2, "strides": (2,), "padding": "valid", "dilation_rate": 1},
              (2, 24)),
    KerasCase(f"{DEPTHWISE_TEST}::test_depthwise_conv1d_basic (channels_first)", "DepthwiseConv1D", (10, 4),
              {"depth_multiplier": 6, "kernel_size": 2, "strides": 1, "padding": "same", "dilation_rate": (2,)},
              (10, 24)),
    # depthwise_conv_test.py, test_invalid_output_shape_raises: kernel 11 on a length of 10
    KerasCase(f"{DEPTHWISE_TEST}::test_invalid_output_shape_raises", "DepthwiseConv1D", (10, 3),
              {"kernel_size": 11, "strides": 5, "padding": "valid"}, None),
    # separable_conv_test.py, SeparableConvBasicTest.test_separable_conv1d_basic
    KerasCase(f"{SEPARABLE_TEST}::test_separable_conv1d_basic", "SeparableConv1D", (5, 4),
              {"depth_multiplier": 5, "filters": 5, "kernel_size": 2, "strides": 1, "padding": "valid",
               "dilation_rate": 1},
              (4, 5)),
    KerasCase(f"{SEPARABLE_TEST}::test_separable_conv1d_basic", "SeparableConv1D", (4, 4),
              {"depth_multiplier": 6, "filters": 6, "kernel_size": 2, "strides": 1, "padding": "same",
               "dilation_rate": (2,)},
              (4, 6)),
    KerasCase(f"{SEPARABLE_TEST}::test_separable_conv1d_basic", "SeparableConv1D", (5, 4),
              {"depth_multiplier": 6, "filters": 6, "kernel_size": 2, "strides": (2,), "padding": "valid",
               "dilation_rate": 1},
              (2, 6)),
    # separable_conv_test.py, test_invalid_output_shape_raises: kernel 11 on a length of 10
    KerasCase(f"{SEPARABLE_TEST}::test_invalid_output_shape_raises", "SeparableConv1D", (10, 12),
              {"filters": 64, "kernel_size": 11, "strides": 5, "padding": "valid"}, None),
    # ops/nn_test.py, NNOpsStaticShapeTest.test_conv (1-D and 3-D)
    KerasCase(f"{NN_TEST}::NNOpsStaticShapeTest::test_conv", "ops.conv", (20, 3),
              {"kernel": (4, 3, 2), "strides": 1, "padding": "valid"}, (17, 2)),
    KerasCase(f"{NN_TEST}::NNOpsStaticShapeTest::test_conv", "ops.conv", (20, 3),
              {"kernel": (4, 3, 2), "strides": 1, "padding": "same"}, (20, 2)),
    KerasCase(f"{NN_TEST}::NNOpsStaticShapeTest::test_conv", "ops.conv", (20, 3),
              {"kernel": (4, 3, 2), "strides": (2,), "dilation_rate": 2}, (7, 2)),
    KerasCase(f"{NN_TEST}::NNOpsStaticShapeTest::test_conv", "ops.conv", (8, 8, 8, 3),
              {"kernel": (3, 3, 3, 3, 2), "strides": 1, "padding": "valid"}, (6, 6, 6, 2)),
    KerasCase(f"{NN_TEST}::NNOpsStaticShapeTest::test_conv", "ops.conv", (8, 8, 8, 3),
              {"kernel": (3, 3, 3, 3, 2), "strides": (2, 1, 2), "padding": "same"}, (4, 8, 4, 2)),
    KerasCase(f"{NN_TEST}::NNOpsStaticShapeTest::test_conv", "ops.conv", (8, 8, 8, 3),
              {"kernel": (3, 3, 3, 3, 2), "strides": 1, "padding": "valid", "dilation_rate": (1, 2, 2)},
              (6, 4, 4, 2)),
    # ops/nn_test.py, NNOpsStaticShapeTest.test_depthwise_conv (1-D)
    KerasCase(f"{NN_TEST}::NNOpsStaticShapeTest::test_depthwise_conv", "ops.depthwise_conv", (20, 3),
              {"kernel": (4, 3, 1), "strides": 1, "padding": "valid"}, (17, 3)),
    KerasCase(f"{NN_TEST}::NNOpsStaticShapeTest::test_depthwise_conv", "ops.depthwise_conv", (20, 3),
              {"kernel": (4, 3, 1), "strides": (1,), "padding": "same"}, (20, 3)),
    KerasCase(f"{NN_TEST}::NNOpsStaticShapeTest::test_depthwise_conv", "ops.depthwise_conv", (20, 3),
              {"kernel": (4, 3, 1), "strides": 2, "dilation_rate": 2}, (7, 3)),
    # ops/nn_test.py, NNOpsStaticShapeTest.test_separable_conv (1-D)
    KerasCase(f"{NN_TEST}::NNOpsStaticShapeTest::test_separable_conv", "ops.separable_conv", (20, 3),
              {"kernel": (4, 3, 2), "pointwise": (1, 6, 5), "strides": 1, "padding": "valid"}, (17, 5)),
    KerasCase(f"{NN_TEST}::NNOpsStaticShapeTest::test_separable_conv", "ops.separable_conv", (20, 3),
              {"kernel": (4, 3, 2), "pointwise": (1, 6, 5), "strides": 1, "padding": "same"}, (20, 5)),
    KerasCase(f"{NN_TEST}::NNOpsStaticShapeTest::test_separable_conv", "ops.separable_conv", (20, 3),
              {"kernel": (4, 3, 2), "pointwise": (1, 6, 5), "strides": 2, "dilation_rate": 2}, (7, 5)),
    # ops/nn_test.py, NNOpsStaticShapeTest.test_conv_transpose (1-D; kernel (k, C_out, C_in))
    KerasCase(f"{NN_TEST}::NNOpsStaticShapeTest::test_conv_transpose", "ops.conv_transpose", (4, 3),
              {"kernel": (2, 5, 3), "strides": 2}, (8, 5)),
    KerasCase(f"{NN_TEST}::NNOpsStaticShapeTest::test_conv_transpose", "ops.conv_transpose", (4, 3),
              {"kernel": (2, 5, 3), "strides": 2, "padding": "same"}, (8, 5)),
    KerasCase(f"{NN_TEST}::NNOpsStaticShapeTest::test_conv_transpose", "ops.conv_transpose", (4, 3),
              {"kernel": (2, 5, 3), "strides": 5, "padding": "valid", "output_padding": 4}, (21, 5)),
]  # fmt: skip


def above_1(value) -> bool:
    return max((value,) if isinstance(value, int) else value) > 1


def case_id(case: KerasCase) -> str:
    test = case.source.rsplit("::", 1)[-1].split(" ")[0]
    return f"{case.kind}-{test}-{case.input_shape}->{case.expected}"


def snippets_shape(case: KerasCase) -> tuple[int, ...]:
    """The shape snippets gives for ``case``, through the function the page would call."""
    a = dict(case.arguments)
    stride, padding, dilation = a.get("strides", 1), a.get("padding", "valid"), a.get("dilation_rate", 1)
    channels_in = case.input_shape[-1]
    if case.kind.startswith("ops."):
        kernel = a["kernel"]
        a["kernel_size"] = kernel[:-2]
        a["filters"] = {
            "ops.conv": kernel[-1],
            "ops.depthwise_conv": channels_in * kernel[-1],
            "ops.separable_conv": a.get("pointwise", (0,))[-1],
            "ops.conv_transpose": kernel[-2],
        }[case.kind]
    if case.kind in ("Conv1DTranspose", "Conv3DTranspose", "ops.conv_transpose"):
        return snippets.transposed_output_shape(
            case.input_shape, a["filters"], a["kernel_size"], stride, padding,
            output_padding=a.get("output_padding"), dilation=dilation,
        )  # fmt: skip
    layer = {"DepthwiseConv1D": "depthwise", "ops.depthwise_conv": "depthwise"}.get(case.kind, "conv")
    layer = {"SeparableConv1D": "separable", "ops.separable_conv": "separable"}.get(case.kind, layer)
    filters = (
        channels_in * a.get("depth_multiplier", 1) if case.kind == "DepthwiseConv1D" else a.get("filters")
    )
    if case.kind == "ops.conv" and above_1(stride) and above_1(dilation):
        # keras.ops.conv takes a stride and a dilation together; the Conv1D layer refuses them
        # and snippets follows the layer. The arithmetic is the one snippets applies to
        # DepthwiseConv1D (keras.ops.depthwise_conv is keras.ops.conv with groups=C on torch).
        with pytest.raises(ValueError, match="stride and dilation"):
            snippets.conv_output_shape(
                case.input_shape, filters, a["kernel_size"], stride, padding, dilation=dilation
            )
        layer = "depthwise"
    return snippets.conv_output_shape(
        case.input_shape, filters, a["kernel_size"], stride, padding, dilation=dilation, layer=layer
    )


def keras_shape(case: KerasCase) -> tuple[int, ...]:
    """The shape the installed Keras gives for ``case`` (batch 1), to check the transcription."""
    x = zeros(case.input_shape[:-1], case.input_shape[-1])
    a = dict(case.arguments)
    if case.kind.startswith("ops."):
        kernel = np.zeros(a.pop("kernel"), "float32")
        operands = (x, kernel, np.zeros(a.pop("pointwise"), "float32")) if "pointwise" in a else (x, kernel)
        y = getattr(keras.ops, case.kind[4:])(*operands, **a)
    else:
        y = getattr(keras.layers, case.kind)(**a)(x)
    batch, *out = (int(n) for n in y.shape)
    return tuple(out)


def test_keras_suite_cases_are_1d_and_3d():
    assert len(KERAS_SUITE_CASES) == 46
    assert {len(case.input_shape) - 1 for case in KERAS_SUITE_CASES} == {1, 3}
    assert sum(case.expected is None for case in KERAS_SUITE_CASES) == 7


@pytest.mark.parametrize("case", KERAS_SUITE_CASES, ids=case_id)
def test_snippets_reproduces_keras_suite_shapes(case):
    if case.expected is None:
        with pytest.raises(ValueError):
            snippets_shape(case)
    else:
        assert snippets_shape(case) == case.expected


@pytest.mark.parametrize("case", KERAS_SUITE_CASES, ids=case_id)
def test_keras_suite_cases_hold_in_the_installed_keras(case):
    """The figures above are the installed Keras' answers too (so none was miscopied)."""
    if case.expected is None:
        with pytest.raises(ValueError):
            keras_shape(case)
    else:
        assert keras_shape(case) == case.expected


def test_torchs_one_thread_conv3d_case():
    """The case hypothesis found (see parity_support.torch_answer): snippets gives the sum
    computed in float64, and so does torch_answer, whatever torch's default path returns."""
    rng = np.random.default_rng(0)
    x, kernel, bias = (
        rng.standard_normal(s).astype(np.float32) for s in [(1, 4, 5, 4, 1), (4, 4, 4, 1, 1), (1,)]
    )
    exact = np.array(
        [(x[0, :, j : j + 4, :, 0].astype(np.float64) * kernel[..., 0, 0]).sum() + bias[0] for j in (0, 1)]
    )
    ours = snippets.conv(x, kernel, bias, stride=(1, 1, 3))
    layer = CONV[3](1, 4, strides=(1, 1, 3))
    layer.build(x.shape)
    layer.set_weights([kernel, bias])
    theirs = parity_support.torch_answer(lambda: numpy(layer(x)))
    np.testing.assert_allclose(ours.ravel(), exact, rtol=1e-5)
    np.testing.assert_allclose(theirs.ravel(), exact, rtol=1e-5)
