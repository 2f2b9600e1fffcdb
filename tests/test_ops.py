"""snippets.ops on its own: the adjoint identity, equivalent formulations, dtypes and errors.

The comparisons with torch and Keras are in ``test_ops_parity.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st

from snippets import conv_output_shape, ops, transposed_output_shape
from snippets.ops import (
    conv2d,
    conv2d_transpose,
    depthwise_conv2d,
    gemm_conv,
    im2col,
    im2col_planes,
    phase_taps,
    phase_transpose,
    scatter_transpose,
    separable_conv2d,
    sums_taps,
    tap_conv,
)


def normal(seed, *shapes, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype(dtype) for shape in shapes]


# --- The transposed convolution is the adjoint of the convolution --------------------


@st.composite
def adjoint_cases(draw):
    """A forward conv ``x (L) -> z (n)`` and the transposed-conv arguments that map ``n`` back to ``L``."""
    kernel = draw(st.tuples(st.integers(1, 5), st.integers(1, 5)))
    stride = draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    dilation = draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    padding = draw(st.one_of(st.sampled_from(["valid", "same"]), st.integers(0, 3)))
    if isinstance(padding, str) and max(stride) > 1:
        dilation = (1, 1)
    size = (draw(st.integers(1, 12)), draw(st.integers(1, 12)))
    return kernel, stride, dilation, padding, size, draw(st.integers(0, 2**32 - 1))


def output_padding_back_to(size, n, kernel, stride, dilation, padding):
    """The ``output_padding`` with which the transposed conv of ``n`` pixels gives ``size`` back."""
    extras = []
    for length, out, k, s, d in zip(size, n, kernel, stride, dilation, strict=True):
        span = d * (k - 1) + 1
        if padding == "same":
            extras.append(length - (out - 1) * s - span % 2)
        elif padding == "valid":
            extras.append(length - (out - 1) * s - span)
        else:
            extras.append(length + 2 * padding - (out - 1) * s - span)
    if padding == "same" and all(e == s for e, s in zip(extras, stride, strict=True)):
        return None  # exactly n * s: Keras' default
    return tuple(extras)


@given(adjoint_cases())
def test_transposed_conv_is_the_adjoint_of_conv(case):
    """``<conv2d(x, k), y> == <x, conv2d_transpose(y, k)>``: the same kernel array, read as
    ``(kh, kw, C_in, C_out)`` by the conv and ``(kh, kw, C_out, C_in)`` by the transposed conv."""
    kernel_size, stride, dilation, padding, size, seed = case
    c_in, c_out = 2, 3
    try:
        n_h, n_w, _ = conv_output_shape((*size, c_in), c_out, kernel_size, stride, padding, dilation=dilation)
    except ValueError:
        event("kernel does not fit")
        return
    output_padding = output_padding_back_to(size, (n_h, n_w), kernel_size, stride, dilation, padding)
    limits = stride if isinstance(padding, str) else np.maximum(stride, dilation)
    if output_padding is not None and not all(
        0 <= e < m for e, m in zip(output_padding, limits, strict=True)
    ):
        # 'same', an even span, and one axis a multiple of the stride but not the other: that
        # axis needs the default (op = None, n * s), the other an explicit op; Keras takes one
        # or the other for both axes, so no transposed conv maps back.
        event("no transposed conv maps back")
        return
    x, kernel, y = normal(seed, (2, *size, c_in), (*kernel_size, c_in, c_out), (2, n_h, n_w, c_out))
    forward = conv2d(x, kernel, stride=stride, padding=padding, dilation=dilation)
    backward = conv2d_transpose(
        y, kernel, stride=stride, padding=padding, output_padding=output_padding, dilation=dilation
    )
    assert backward.shape == x.shape
    lhs, rhs = np.vdot(forward, y), np.vdot(x, backward)
    assert lhs == pytest.approx(rhs, rel=1e-10, abs=1e-10)
    event(f"padding {type(padding).__name__}")


def test_adjoint_on_the_benchmark_geometry():
    """4x4 kernel, stride 2, 'same': the decoder upsampling of the benchmark."""
    x, kernel, y = normal(0, (1, 14, 14, 4), (4, 4, 4, 6), (1, 7, 7, 6))
    lhs = np.vdot(conv2d(x, kernel, stride=2, padding="same"), y)
    rhs = np.vdot(x, conv2d_transpose(y, kernel, stride=2, padding="same"))
    assert lhs == pytest.approx(rhs, rel=1e-12)


# --- Equivalent formulations -----------------------------------------------------------


def test_one_by_one_is_a_matmul_over_pixels():
    x, kernel, bias = normal(1, (2, 5, 6, 7), (1, 1, 7, 4), (4,))
    expected = x.reshape(-1, 7) @ kernel.reshape(7, 4) + bias
    np.testing.assert_allclose(conv2d(x, kernel, bias).reshape(-1, 4), expected, rtol=1e-12)
    strided = conv2d(x, kernel, stride=2)
    np.testing.assert_allclose(strided, conv2d(x[:, ::2, ::2], kernel), rtol=1e-12)


def test_im2col_rows_are_receptive_fields():
    x = np.arange(2 * 4 * 5 * 3, dtype=np.float64).reshape(2, 4, 5, 3)
    cols = im2col(x, (2, 3), (1, 2), (2, 1))
    assert cols.shape == (1, 2 * 2 * 2, 2 * 3 * 3)
    # Row (n=1, i=1, j=0) is x[1, i*1 + u*2, j*2 + v, :] for u < 2, v < 3.
    expected = np.stack([x[1, 1 + 2 * u, v] for u in range(2) for v in range(3)]).ravel()
    np.testing.assert_array_equal(cols[0, 1 * 4 + 1 * 2 + 0], expected)


@given(
    shape=st.tuples(st.integers(1, 2), st.integers(1, 9), st.integers(1, 9)),
    kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    groups=st.integers(1, 3),
    channels_per_group=st.integers(1, 3),
)
def test_im2col_planes_is_im2col_transposed(shape, kernel, stride, dilation, groups, channels_per_group):
    """The two gathers build the same matrix, one from pixels, the other from channel planes."""
    (n, height, width), channels = shape, groups * channels_per_group
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True)]
    assume(spans[0] <= height and spans[1] <= width)
    x = np.arange(n * height * width * channels, dtype=np.float32).reshape(n, height, width, channels)
    rows = im2col(x, kernel, stride, dilation, groups)
    columns = im2col_planes(np.ascontiguousarray(x.transpose(0, 3, 1, 2)), kernel, stride, dilation, groups)
    np.testing.assert_array_equal(columns, rows.transpose(0, 2, 1))


@st.composite
def dense_cases(draw):
    """A padded input of rank 1, 2 or 3, a grouped kernel, stride and dilation it fits."""
    rank = draw(st.integers(1, 3))
    kernel = draw(st.tuples(*[st.integers(1, 3)] * rank))
    stride = draw(st.tuples(*[st.integers(1, 3)] * rank))
    dilation = draw(st.tuples(*[st.integers(1, 2)] * rank))
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True)]
    spatial = tuple(draw(st.integers(span, span + 6)) for span in spans)
    groups, c_group, per_group = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    return draw(st.integers(1, 2)), spatial, kernel, stride, dilation, groups, c_group, per_group


@given(dense_cases())
def test_tap_conv_equals_gemm_conv(case):
    """The two dense methods give the same output in every rank, with groups and dilations
    (tap_conv's stride: 1 on every axis)."""
    n, spatial, kernel_size, stride, dilation, groups, c_group, per_group = case
    stride = (1,) * len(stride)
    xp, kernel = normal(0, (n, *spatial, groups * c_group), (*kernel_size, c_group, groups * per_group))
    out = tuple(
        (size - d * (k - 1) - 1) // s + 1
        for size, k, s, d in zip(spatial, kernel_size, stride, dilation, strict=True)
    )
    args = (xp, kernel, out, stride, dilation, groups)
    np.testing.assert_allclose(tap_conv(*args), gemm_conv(*args), rtol=1e-12, atol=1e-12)


def test_depthwise_is_a_grouped_conv_and_keeps_the_keras_channel_order():
    x, kernel = normal(2, (1, 6, 6, 3), (3, 3, 3, 2))
    grouped = conv2d(x, kernel.reshape(3, 3, 1, 6), padding="same", groups=3)
    np.testing.assert_allclose(depthwise_conv2d(x, kernel, padding="same"), grouped, rtol=1e-12)
    # Output channel c*m + j filters input channel c with kernel[..., c, j].
    single = conv2d(x[..., 1:2], kernel[:, :, 1:2, 0:1], padding="same")
    np.testing.assert_allclose(depthwise_conv2d(x, kernel, padding="same")[..., 1 * 2 + 0], single[..., 0])


def test_separable_is_depthwise_then_pointwise():
    x, dw, pw, bias = normal(3, (2, 7, 7, 3), (3, 3, 3, 2), (1, 1, 6, 5), (5,))
    expected = conv2d(depthwise_conv2d(x, dw, stride=2, padding="same"), pw, bias)
    np.testing.assert_allclose(separable_conv2d(x, dw, pw, bias, stride=2, padding="same"), expected)


def test_dilated_kernel_is_a_zero_stuffed_kernel():
    x, kernel = normal(4, (1, 11, 11, 2), (3, 3, 2, 4))
    stuffed = np.zeros((5, 5, 2, 4))
    stuffed[::2, ::2] = kernel
    np.testing.assert_allclose(conv2d(x, kernel, dilation=2), conv2d(x, stuffed), rtol=1e-12)


def test_padding_forms_mean_the_same():
    x, kernel = normal(5, (1, 6, 7, 2), (3, 3, 2, 2))
    one = conv2d(x, kernel, padding=1)
    for same in ((1, 1), ((1, 1), (1, 1)), "same", [1, 1]):
        np.testing.assert_array_equal(conv2d(x, kernel, padding=same), one)
    asymmetric = conv2d(x, kernel, padding=((0, 2), (1, 0)))
    padded = np.pad(x, ((0, 0), (0, 2), (1, 0), (0, 0)))
    np.testing.assert_allclose(asymmetric, conv2d(padded, kernel), rtol=1e-12)


def test_even_kernel_same_pads_the_odd_pixel_at_the_bottom_right():
    x, kernel = normal(6, (1, 8, 8, 1), (4, 4, 1, 1))
    padded = np.pad(x, ((0, 0), (1, 2), (1, 2), (0, 0)))
    np.testing.assert_allclose(conv2d(x, kernel, padding="same"), conv2d(padded, kernel), rtol=1e-12)


def test_single_image_in_single_image_out():
    x, kernel, bias = normal(7, (5, 5, 2), (3, 3, 2, 3), (3,))
    y = conv2d(x, kernel, bias, padding="same")
    assert y.shape == (5, 5, 3)
    np.testing.assert_array_equal(y, conv2d(x[None], kernel, bias, padding="same")[0])
    assert depthwise_conv2d(x, kernel[..., :1]).shape == (3, 3, 2)
    assert conv2d_transpose(x, kernel.transpose(0, 1, 3, 2), stride=2, padding="same").shape == (10, 10, 3)


def test_transposed_output_shapes_and_checkerboard_counts():
    ones = np.ones((1, 4, 4, 1))
    counts = conv2d_transpose(ones, np.ones((3, 3, 1, 1)), stride=2, padding="valid")[0, :, :, 0]
    assert counts.shape == transposed_output_shape((4, 4, 1), 1, 3, 2, "valid")[:2] == (9, 9)
    assert set(np.unique(counts[1:-1, 1:-1])) == {1, 2, 4}  # uneven overlap: the checkerboard
    even = conv2d_transpose(ones, np.ones((4, 4, 1, 1)), stride=2, padding="same")[0, :, :, 0]
    assert set(np.unique(even[1:-1, 1:-1])) == {4}  # kernel divisible by the stride: even


# --- dtypes ------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype):
    x, kernel, bias = normal(8, (1, 6, 6, 2), (3, 3, 2, 4), (4,), dtype=dtype)
    assert conv2d(x, kernel, bias, padding="same").dtype == dtype
    assert conv2d(x, kernel[:1, :1], bias).dtype == dtype
    assert depthwise_conv2d(x, kernel[..., :2], bias).dtype == dtype
    assert separable_conv2d(x, kernel[..., :1], kernel[:1, :1, :, :], bias).dtype == dtype
    assert conv2d_transpose(x, kernel.transpose(0, 1, 3, 2)[..., :2], bias, stride=2).dtype == dtype


def test_mixed_floats_promote_as_numpy_does():
    x, kernel = normal(9, (1, 4, 4, 2), (3, 3, 2, 1))
    assert conv2d(x.astype(np.float32), kernel).dtype == np.float64
    assert conv2d(x.astype(np.float32), kernel.astype(np.float32)).dtype == np.float32


# --- errors ------------------------------------------------------------------------------

X = np.zeros((1, 8, 8, 3))


@pytest.mark.parametrize(
    ("call", "error", "fragments"),
    [
        (lambda: conv2d(np.zeros((8, 8)), np.zeros((3, 3, 1, 2))), ValueError, ["x must be", "(8, 8)"]),
        (
            lambda: conv2d(X, np.zeros((3, 3, 4, 2))),
            ValueError,
            ["kernel axis 2", "(1, 8, 8, 3)", "(3, 3, 4, 2)"],
        ),
        (
            lambda: conv2d(X, np.zeros((3, 3, 3, 6)), groups=3),
            ValueError,
            ["kernel axis 2", "C_in // groups = 1", "(3, 3, 3, 6)"],
        ),
        (
            lambda: conv2d(X, np.zeros((3, 3, 1, 4)), groups=2),
            ValueError,
            ["groups must divide", "(1, 8, 8, 3)", "(3, 3, 1, 4)"],
        ),
        (lambda: conv2d(X, np.zeros((3, 3, 3))), ValueError, ["kernel must have the layout", "(3, 3, 3)"]),
        (lambda: conv2d(X.astype(int), np.zeros((3, 3, 3, 2))), TypeError, ["x must be", "int64"]),
        (lambda: conv2d(X, np.zeros((3, 3, 3, 2), complex)), TypeError, ["kernel", "complex128"]),
        (lambda: conv2d(X > 0, np.zeros((3, 3, 3, 2))), TypeError, ["x must be", "bool"]),
        (lambda: conv2d([[[1, 2, 3]]], np.zeros((1, 1, 3, 2))), TypeError, ["int64", "(1, 1, 3)"]),
        (
            lambda: conv2d(X, np.zeros((3, 3, 3, 2)), np.zeros(3)),
            ValueError,
            ["bias must have shape (2,)", "(3, 3, 3, 2)", "(3,)"],
        ),
        (lambda: conv2d(X, np.zeros((9, 9, 3, 2))), ValueError, ["kernel_size must fit"]),
        (lambda: conv2d(X, np.zeros((3, 3, 3, 2)), padding="full"), ValueError, ["padding must be"]),
        (lambda: conv2d(X, np.zeros((3, 3, 3, 2)), stride=0), ValueError, ["stride must be"]),
        (
            lambda: conv2d(X, np.zeros((3, 3, 3, 2)), stride=2, dilation=2, padding="same"),
            ValueError,
            ["Keras' Conv and ConvTranspose layers refuse it"],
        ),
        (
            lambda: depthwise_conv2d(X, np.zeros((3, 3, 2, 1))),
            ValueError,
            ["kernel axis 2", "(1, 8, 8, 3)", "(3, 3, 2, 1)"],
        ),
        (
            lambda: separable_conv2d(X, np.zeros((3, 3, 3, 2)), np.zeros((1, 1, 3, 4))),
            ValueError,
            ["pointwise_kernel axis 2", "C_in * depth_multiplier = 6", "(3, 3, 3, 2)", "(1, 1, 3, 4)"],
        ),
        (
            lambda: separable_conv2d(X, np.zeros((3, 3, 3, 1)), np.zeros((3, 3, 3, 4))),
            ValueError,
            ["pointwise_kernel must be 1x1", "(3, 3, 3, 4)"],
        ),
        (
            lambda: conv2d_transpose(X, np.zeros((3, 3, 3, 2))),
            ValueError,
            ["kernel axis 3", "C_in = 3", "(1, 8, 8, 3)", "(3, 3, 3, 2)"],
        ),
        (
            lambda: conv2d_transpose(X, np.zeros((3, 3, 2, 3)), stride=2, padding=((0, 1), (0, 1))),
            ValueError,
            ["symmetric"],
        ),
        (
            lambda: conv2d_transpose(X, np.zeros((3, 3, 2, 3)), stride=2, output_padding=2, padding="same"),
            ValueError,
            ["output_padding must be smaller"],
        ),
    ],
)
def test_bad_input_names_the_shapes_and_dtypes(call, error, fragments):
    with pytest.raises(error) as raised:
        call()
    for fragment in fragments:
        assert fragment in str(raised.value)


@st.composite
def transposed_cases(draw):
    """Input, kernel, stride, dilation and the window's offset in the full output (any sign:
    Flax's padding can put zeros before it) of a transposed convolution of rank 1, 2 or 3."""
    rank = draw(st.integers(1, 3))
    axes = [
        draw(st.tuples(st.integers(1, 5), st.integers(1, 4), st.integers(1, 3), st.integers(1, 3)))
        for _ in range(rank)
    ]  # (n, k, s, d) per axis
    full = [(n - 1) * s + d * (k - 1) + 1 for n, k, s, d in axes]
    offsets = tuple(draw(st.integers(-2, length - 1)) for length in full)
    out = tuple(draw(st.integers(1, length + 2)) for length in full)
    c_in, c_out = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    return draw(st.integers(1, 2)), axes, offsets, out, c_in, c_out


@given(transposed_cases())
def test_phase_transpose_equals_scatter_transpose(case):
    """The sub-pixel form (one convolution per output phase) and the scatter form (col2im)
    give the same output in every rank, with strides, dilations sharing a factor with the
    stride (phases no tap reaches) and outputs cropped or padded on either side."""
    batch, axes, offsets, out, c_in, c_out = case
    spatial, kernel_size, stride, dilation = (tuple(column) for column in zip(*axes, strict=True))
    x, kernel = normal(0, (batch, *spatial, c_in), (*kernel_size, c_out, c_in))
    event(f"a phase without taps: {any(s % d == 0 and d > 1 for s, d in zip(stride, dilation, strict=True))}")
    args = (x, kernel, out, stride, dilation, offsets)
    np.testing.assert_allclose(phase_transpose(*args), scatter_transpose(*args), rtol=1e-12, atol=1e-12)


def test_phase_taps_of_a_4_tap_kernel_at_stride_2():
    """Kernel 4, stride 2, no crop: output 2q takes taps 2, 0 from x[q-1], x[q]; output 2q+1
    taps 3, 1; with dilation 2 every tap lands on the even outputs and the odd ones get none."""
    assert phase_taps(4, 2, 1, 0, 0) == ([2, 0], 1, 1)
    assert phase_taps(4, 2, 1, 0, 1) == ([3, 1], 1, 1)
    assert phase_taps(4, 2, 2, 0, 0) == ([3, 2, 1, 0], 1, 3)
    assert phase_taps(4, 2, 2, 0, 1) == ([], 1, 0)


def test_conv_transpose_uses_phases_for_wide_inputs(monkeypatch):
    """The method rule of conv (sums_taps) also picks the transposed convolution's method."""
    called = []
    monkeypatch.setattr(ops, "phase_transpose", lambda *a: called.append("phase") or scatter_transpose(*a))
    x, kernel = normal(0, (1, 3, 3, 16), (4, 4, 2, 16), dtype=np.float32)
    conv2d_transpose(x, kernel, stride=2, padding="same")
    x, kernel = normal(0, (1, 3, 3, 8), (4, 4, 2, 8), dtype=np.float32)
    conv2d_transpose(x, kernel, stride=2, padding="same")
    assert called == ["phase"]


@pytest.mark.parametrize("stride", [(2, 1), (1, 2)])
def test_tap_conv_refuses_a_stride(stride):
    xp, kernel = normal(1, (1, 6, 6, 2), (3, 3, 2, 2))
    out = tuple((6 - 3) // s + 1 for s in stride)
    with pytest.raises(ValueError, match=rf"stride 1 on every axis, got stride=\({stride[0]}, {stride[1]}\)"):
        tap_conv(xp, kernel, out, stride, (1, 1), 1)


def test_the_method_rule_follows_the_strides_the_dtype_and_the_channels():
    assert sums_taps((1, 1), 64, np.float32) and sums_taps((1, 1, 1), 32, np.float64)
    assert sums_taps((1,), 16, np.float32)
    assert not sums_taps((1, 2), 64, np.float32)  # a stride: the phase copy costs more than it saves
    assert not sums_taps((2,), 512, np.float32)
    assert not sums_taps((1, 1), 15, np.float32)  # less than a cache line of channels
    assert not sums_taps((1, 1), 64, np.float16)  # BLAS has no float16 product


@pytest.mark.parametrize("band_elements", [1, 2, 64])
def test_tap_conv_with_the_smallest_bands(monkeypatch, band_elements):
    """Bands of one output row and fewer values than a row still give the whole result."""
    monkeypatch.setattr(ops, "BAND_ELEMENTS", band_elements)
    xp, kernel = normal(1, (2, 9, 4), (3, 2, 6))
    args = (xp, kernel, (7,), (1,), (1,), 2)
    np.testing.assert_allclose(tap_conv(*args), gemm_conv(*args), rtol=1e-12, atol=1e-12)


@st.composite
def runs_and_band(draw):
    """Increasing, disjoint runs ``[start, stop)`` with gaps between them, and a band size."""
    runs, position = [], draw(st.integers(0, 5))
    for _ in range(draw(st.integers(1, 6))):
        length = draw(st.integers(1, 20))
        runs.append((position, position + length))
        position += length + draw(st.integers(1, 8))
    return runs, draw(st.integers(1, 40))


@given(runs_and_band())
def test_packed_bands_cover_every_run_in_bands_that_fit(case):
    """Every output row lies in exactly one band, in order; no band is longer than ``band``;
    a band starts and ends on a run's rows; two runs share a band only where both fit in one."""
    runs, band = case
    bands = ops._packed_bands(runs, band)
    covered = [row for first, stop in bands for row in range(first, stop)]
    assert covered == sorted(set(covered))
    assert {row for start, stop in runs for row in range(start, stop)} <= set(covered)
    assert all(0 < stop - first <= band for first, stop in bands)
    inside = [any(start <= row < stop for start, stop in runs) for row in covered]
    assert all(inside[covered.index(first)] and inside[covered.index(stop - 1)] for first, stop in bands)
    for (_, stop), (start, next_stop) in zip(runs, runs[1:], strict=False):
        shared = any(first < stop and start < last for first, last in bands)
        band_of_stop = next(first for first, last in bands if first < stop <= last)
        assert shared == (next_stop - band_of_stop <= band)


@pytest.mark.parametrize("band_elements", [2, 64, 1 << 19])
def test_tap_conv_3d_with_planes_apart_and_packed(monkeypatch, band_elements):
    """A volume whose output planes get bands of their own (small bands) or share one: the
    rows between planes are computed and dropped, and the result is gemm_conv's."""
    monkeypatch.setattr(ops, "BAND_ELEMENTS", band_elements)
    xp, kernel = normal(3, (2, 5, 6, 7, 4), (2, 3, 2, 4, 3))
    args = (xp, kernel, (4, 4, 6), (1, 1, 1), (1, 1, 1), 1)
    np.testing.assert_allclose(tap_conv(*args), gemm_conv(*args), rtol=1e-12, atol=1e-12)
