"""One code path for every rank: a 1-D or 3-D call equals the 2-D call it embeds in.

A sequence ``(L, C)`` is an image of height 1, ``(1, L, C)``, and a kernel ``(k, ...)`` is a
``(1, k, ...)`` kernel; a 2-D image is a volume of depth 1. So each 1-D and 3-D result of
``snippets`` must equal the 2-D result of the embedded call, for every padding form (the
torch and Keras parity files check each rank against the frameworks themselves).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import snippets
from snippets import (
    LayerGeometry,
    conv_macs,
    conv_output_shape,
    count_conv_params,
    padding_amounts,
    receptive_fields,
    transposed_output_shape,
)
from snippets.receptive import input_gradient

SETTINGS = settings(max_examples=300, deadline=None, derandomize=True)


@st.composite
def sequences(draw) -> dict:
    """A 1-D convolution: sizes, kernel, stride, dilation and a padding of each form."""
    length, k, s, d = draw(st.integers(1, 30)), draw(st.integers(1, 5)), draw(st.integers(1, 3)), 1
    if s == 1:
        d = draw(st.integers(1, 3))
    padding = draw(
        st.one_of(
            st.sampled_from(["valid", "same", "causal"]),
            st.integers(0, 3),
            st.tuples(st.tuples(st.integers(0, 3), st.integers(0, 3))),
        )
    )
    return {"length": length, "k": k, "s": s, "d": d, "padding": padding}


def as_2d_padding(padding):
    """The 2-D padding of an image of height 1 that pads the row as ``padding`` pads the sequence."""
    if isinstance(padding, str):
        return padding
    if isinstance(padding, int):
        return ((0, 0), (padding, padding))
    return ((0, 0), padding[0])


def outcome(call):
    try:
        return call()
    except ValueError:
        return ValueError  # a Refusal (a framework rule) or a plain ValueError alike


def assert_same_outcome(one, other) -> None:
    """Both refused, or both computed the same array."""
    if isinstance(one, type) or isinstance(other, type):
        assert one == other
    else:
        np.testing.assert_allclose(one, other, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(sequences(), st.integers(1, 3), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_1d_layers_equal_2d_layers_on_a_row(case, c_in, c_out, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, case["length"], c_in))
    kernel = rng.standard_normal((case["k"], c_in, c_out))
    options = {"stride": case["s"], "dilation": case["d"]}
    pads = padding_amounts((case["length"], c_in), case["k"], case["s"], case["padding"], dilation=case["d"])
    flat = ((0, 0), pads[0]) if case["padding"] == "causal" else as_2d_padding(case["padding"])
    for layer_1d, layer_2d, weights in [
        (snippets.conv, snippets.conv2d, kernel),
        (snippets.depthwise_conv, snippets.depthwise_conv2d, rng.standard_normal((case["k"], c_in, 2))),
    ]:
        one = outcome(lambda: layer_1d(x, weights, padding=case["padding"], **options))  # noqa: B023
        if layer_1d is snippets.depthwise_conv and case["padding"] == "causal":
            assert one is ValueError  # Keras' DepthwiseConv1D has no 'causal'
            continue
        two = outcome(lambda: layer_2d(x[:, None], weights[None], padding=flat, **options))  # noqa: B023
        assert_same_outcome(one, two[:, 0] if isinstance(two, np.ndarray) else two)


@SETTINGS
@given(
    st.integers(1, 12),
    st.integers(1, 4),
    st.integers(1, 3),
    st.sampled_from(["valid", "same", 0, 1, 2]),
    st.integers(0, 2**32 - 1),
)
def test_1d_transposed_equals_2d_on_a_row(length, k, s, padding, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1, length, 3))
    kernel = rng.standard_normal((k, 2, 3))
    flat = padding if isinstance(padding, str) else (0, padding)
    one = outcome(lambda: snippets.conv_transpose(x, kernel, stride=s, padding=padding))
    two = outcome(lambda: snippets.conv2d_transpose(x[:, None], kernel[None], stride=(1, s), padding=flat))
    assert_same_outcome(one, two[:, 0] if isinstance(two, np.ndarray) else two)


@SETTINGS
@given(
    st.tuples(st.integers(1, 8), st.integers(1, 8)),
    st.integers(1, 3),
    st.sampled_from(["valid", "same", 1, (1, 0)]),
    st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
    st.integers(0, 2**32 - 1),
)
def test_3d_layers_equal_2d_layers_on_one_slice(size, k, padding, padding_mode, seed):
    """A volume of depth 1 with a kernel of depth 1 is an image; padding the depth by 0."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1, *size, 2))
    kernel = rng.standard_normal((k, k, 2, 3))
    volume_padding = (
        padding
        if isinstance(padding, str)
        else (0, *((padding,) * 2 if isinstance(padding, int) else padding))
    )
    mode = padding_mode if not isinstance(padding, str) else "zeros"
    two = outcome(lambda: snippets.conv2d(x, kernel, padding=padding, padding_mode=mode))
    three = outcome(
        lambda: snippets.conv(x[:, None], kernel[None], padding=volume_padding, padding_mode=mode)
    )
    assert_same_outcome(three[:, 0] if isinstance(three, np.ndarray) else three, two)


def test_causal_output_never_reads_the_future():
    """Changing the inputs after t leaves the outputs up to t as they were."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 2))
    kernel = rng.standard_normal((3, 2, 4))
    before = snippets.conv(x, kernel, padding="causal", dilation=4)
    changed = x.copy()
    changed[25:] = rng.standard_normal((15, 2))
    after = snippets.conv(changed, kernel, padding="causal", dilation=4)
    assert before.shape == (40, 4)
    np.testing.assert_array_equal(before[:25], after[:25])
    assert not np.allclose(before[25:], after[25:])
    assert padding_amounts((40, 2), 3, 1, "causal", dilation=4) == ((8, 0),)


def test_padding_modes_fill_the_border_as_numpy_pad_does():
    """reflect / replicate / circular are np.pad's reflect / edge / wrap, then a 'valid' conv."""
    x = np.arange(6.0).reshape(6, 1)
    kernel = np.zeros((3, 1, 1))
    kernel[0] = 1.0  # each output is its window's first value: the padded row, shifted
    for mode, numpy_mode in [("reflect", "reflect"), ("replicate", "edge"), ("circular", "wrap")]:
        y = snippets.conv(x, kernel, padding=2, padding_mode=mode)
        np.testing.assert_array_equal(y[:, 0], np.pad(x[:, 0], 2, mode=numpy_mode)[: y.shape[0]])


def test_shape_functions_take_every_rank():
    """The same call in three ranks, per axis ``floor((n + 2p - k) / s) + 1``."""
    for shape in [(31, 3), (31, 31, 3), (31, 31, 31, 3)]:
        rank = len(shape) - 1
        assert conv_output_shape(shape, 8, 3, 2, 1) == (16,) * rank + (8,)
        assert transposed_output_shape(shape, 8, 4, 2, 1) == (62,) * rank + (8,)
        assert conv_macs(shape, 8, 3, 2, 1) == 16**rank * 8 * 3**rank * 3


def test_an_int_kernel_counts_a_square_unless_rank_says_otherwise():
    assert count_conv_params(3, 8, 3) == 3 * 3 * 3 * 8 + 8  # the source document's call
    assert count_conv_params(3, 8, 3, rank=1) == 3 * 3 * 8 + 8
    assert count_conv_params(3, 8, 3, rank=3) == 27 * 3 * 8 + 8
    assert count_conv_params(3, 8, (3, 3, 3)) == count_conv_params(3, 8, 3, rank=3)
    with pytest.raises(TypeError, match=r"kernel_size must be a positive int or a tuple of 3 positive ints"):
        count_conv_params(3, 8, (3, 3), rank=3)


def test_receptive_fields_per_axis_equal_the_axes_one_at_a_time():
    stack = [LayerGeometry((3, 1, 7), (1, 2, 2), 1, (1, 0, 3)), LayerGeometry(3, 2, (2, 1, 1), 1)]
    volume = receptive_fields(stack)
    for axis in range(3):
        alone = receptive_fields(
            [tuple(v if isinstance(v, int) else v[axis] for v in layer) for layer in stack]
        )
        assert [tuple(f[i][axis] for i in range(3)) for f in volume] == [tuple(f) for f in alone]
    with pytest.raises(ValueError, match=r"the same number of axes throughout, got tuples of \[2, 3\]"):
        receptive_fields([((3, 3), 1), ((3, 3, 3), 1)])


@pytest.mark.parametrize("rank", [1, 3])
def test_input_gradient_in_other_ranks_is_the_field(rank):
    """All-ones kernels: the gradient is the product along the axes of 1-D triangle profiles."""
    gradient = input_gradient([np.ones((3,) * rank)] * 2)
    profile = np.array([1.0, 2, 3, 2, 1])
    expected = profile if rank == 1 else np.einsum("i,j,k->ijk", profile, profile, profile)
    np.testing.assert_array_equal(gradient, expected)


@pytest.mark.parametrize(
    ("call", "fragments"),
    [
        (
            lambda: snippets.conv2d(np.zeros((5, 2)), np.zeros((3, 2, 4))),
            ["kernel must have the layout (kh, kw,"],
        ),
        (
            lambda: snippets.conv(np.zeros((2, 5, 5, 2)), np.zeros((3, 2, 4))),
            ["x must be channels-last (N, L, C)"],
        ),
        (
            lambda: snippets.conv_transpose(
                np.zeros((5, 2)), np.zeros((3, 4, 2)), padding=1, padding_mode="reflect"
            ),
            ["padding_mode must be 'zeros' for a transposed convolution"],
        ),
        (
            lambda: snippets.separable_conv(np.zeros((5, 2)), np.zeros((3, 2, 1)), np.zeros((1, 1, 2, 4))),
            ["pointwise_kernel must have the layout (k, C_in * depth_multiplier, C_out)"],
        ),
    ],
)
def test_rank_mismatches_are_named(call, fragments):
    with pytest.raises(ValueError) as caught:
        call()
    for fragment in fragments:
        assert fragment in str(caught.value)
