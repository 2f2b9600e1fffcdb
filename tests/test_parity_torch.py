"""snippets agrees with real ``torch.nn`` layers on hypothesis-generated configurations.

Every property builds fresh ``torch.nn.Conv2d`` / ``ConvTranspose2d`` layers, runs a
zero (or random) NCHW tensor of batch 1 through them and compares what torch reports
(output shape, ``sum(p.numel())``, FLOPs from ``FlopCounterMode``, input gradients)
with snippets. When torch refuses a configuration, snippets must raise ``ValueError``;
when snippets refuses one that torch accepts, the property fails.

PyTorch semantics apply to numeric padding (``padding=p``, ``(ph, pw)`` and, through
``F.pad``, ``((top, bottom), (left, right))``). Strings follow Keras in snippets, so they
are compared with torch only where the two agree: ``'valid'`` without stride x dilation,
``'same'`` at stride 1; the cases where they part ways are pinned separately.
"""

from __future__ import annotations

import math

import parity_support
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from parity_support import outcome
from torch.utils.flop_counter import FlopCounterMode

import snippets

pytestmark = [
    pytest.mark.parity,
    pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel lengths:UserWarning"),
]

# Tiny layers: one thread is faster than two, and leaves the other core to the rest.
torch.set_num_threads(1)


class EmptyOutput(RuntimeError):
    """torch returned a tensor with a zero-sized spatial dimension.

    ``ConvTranspose2d`` does this when the padding crops the output to exactly 0 pixels
    (it raises only below 0). snippets never returns a zero dimension, so it refuses
    these, and the tests count them as refusals.
    """


#: What torch raises for a configuration it refuses (anything else is a bug in the test).

sizes = st.integers(1, 40)
channels = st.integers(1, 8)


def ints_or_pairs(low: int, high: int) -> st.SearchStrategy:
    """An int or an ``(h, w)`` pair: asymmetric sizes, even kernels and all."""
    one = st.integers(low, high)
    return st.one_of(one, st.tuples(one, one))


def more_than_one(high: int) -> st.SearchStrategy:
    """An int or pair from 1..high with at least one value > 1 (no filtering)."""
    return st.one_of(
        st.integers(2, high),
        st.tuples(st.integers(2, high), st.integers(1, high)),
        st.tuples(st.integers(1, high), st.integers(2, high)),
    )


kernels = ints_or_pairs(1, 7)
strides = ints_or_pairs(1, 4)
dilations = ints_or_pairs(1, 4)
numeric_paddings = st.one_of(
    st.integers(0, 4),
    st.tuples(st.integers(0, 4), st.integers(0, 4)),
    st.tuples(
        st.tuples(st.integers(0, 4), st.integers(0, 4)), st.tuples(st.integers(0, 4), st.integers(0, 4))
    ),
)


def pair(value: int | tuple[int, int]) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


def is_nested(padding) -> bool:
    return isinstance(padding, tuple) and isinstance(padding[0], tuple)


def torch_padding_args(padding):
    """``(F.pad amounts or None, padding= for torch)``: the nested form becomes an explicit pad."""
    if is_nested(padding):
        (top, bottom), (left, right) = padding
        return (left, right, top, bottom), 0
    return None, padding


def assert_agrees(expected, snippets_call) -> None:
    parity_support.assert_agrees("torch", expected, snippets_call)


def n_params(*modules: torch.nn.Module) -> int:
    return sum(p.numel() for module in modules for p in module.parameters())


def nhwc(output: torch.Tensor) -> tuple[int, int, int]:
    """NCHW output of batch 1 -> channels-last ``(H, W, C)``."""
    batch, c, h, w = output.shape
    assert batch == 1
    if min(h, w) == 0:
        raise EmptyOutput(f"torch returned an empty output of shape {tuple(output.shape)}")
    return (h, w, c)


def run_conv(h, w, c_in, filters, kernel, stride, padding, dilation, groups=1):
    """Output shape of a real ``Conv2d`` on a zero input, channels-last."""
    pad, torch_padding = torch_padding_args(padding)
    layer = torch.nn.Conv2d(c_in, filters, kernel, stride, torch_padding, dilation, groups)
    x = torch.zeros(1, c_in, h, w)
    with torch.no_grad():
        return nhwc(layer(x if pad is None else F.pad(x, pad)))


def flops_of(layers: list[torch.nn.Module], x: torch.Tensor) -> int:
    """Total FLOPs torch counts for running ``x`` through ``layers`` in order."""
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        for layer in layers:
            x = layer(x)
    nhwc(x)  # refuses an empty output
    return counter.get_total_flops()


@st.composite
def conv_configs(draw, *, groups: bool = False) -> dict:
    """A Conv2d configuration torch can be asked about: numeric padding at any stride and
    dilation, ``'valid'`` with stride or dilation (Keras refuses both), ``'same'`` at stride 1."""
    padding = draw(st.one_of(numeric_paddings, st.sampled_from(["valid", "same"])))
    stride, dilation = draw(strides), draw(dilations)
    if padding == "same":
        stride = 1
    elif padding == "valid" and max(pair(stride)) > 1:
        dilation = 1
    g = draw(st.integers(1, 4)) if groups else 1
    if groups and draw(st.booleans()):  # mostly dividing channels, sometimes not
        c_in, filters = g * draw(st.integers(1, 3)), g * draw(st.integers(1, 3))
    else:
        c_in, filters = draw(channels), draw(channels)
    return dict(
        h=draw(sizes),
        w=draw(sizes),
        c_in=c_in,
        filters=filters,
        kernel=draw(kernels),
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=g,
    )


# --- output shapes -------------------------------------------------------------------


@given(conv_configs())
def test_conv_output_shape_matches_conv2d(cfg):
    expected = outcome(lambda: run_conv(**cfg))
    assert_agrees(
        expected,
        lambda: snippets.conv_output_shape(
            (cfg["h"], cfg["w"], cfg["c_in"]),
            cfg["filters"],
            cfg["kernel"],
            cfg["stride"],
            cfg["padding"],
            dilation=cfg["dilation"],
        ),
    )


@given(h=sizes, w=sizes, c=channels, kernel=kernels, stride=more_than_one(4))
def test_same_with_stride_torch_refuses_snippets_follows_keras(h, w, c, kernel, stride):
    """torch refuses ``padding='same'`` with stride > 1; snippets gives Keras' ``ceil(n / s)``,
    which is what torch computes on the input padded by :func:`padding_amounts`."""
    with pytest.raises(ValueError, match="strided"):
        torch.nn.Conv2d(c, 2, kernel, stride, padding="same")
    sh, sw = pair(stride)
    shape = snippets.conv_output_shape((h, w, c), 2, kernel, stride, "same")
    assert shape == (math.ceil(h / sh), math.ceil(w / sw), 2)
    (top, bottom), (left, right) = snippets.padding_amounts((h, w, c), kernel, stride, "same")
    assert run_conv(h, w, c, 2, kernel, stride, ((top, bottom), (left, right)), 1) == shape


@given(
    h=sizes,
    w=sizes,
    kernel=kernels,
    stride=more_than_one(4),
    dilation=more_than_one(4),
    padding=st.sampled_from(["valid", "same"]),
)
def test_strings_with_stride_and_dilation_refused_like_keras(h, w, kernel, stride, dilation, padding):
    """Keras refuses stride > 1 with dilation > 1; snippets does too for string padding,
    and points to numeric padding, which gives torch's answer."""
    with pytest.raises(ValueError, match="dilation"):
        snippets.conv_output_shape((h, w, 1), 1, kernel, stride, padding, dilation=dilation)
    expected = outcome(lambda: run_conv(h, w, 1, 1, kernel, stride, 0, dilation))
    assert_agrees(
        expected, lambda: snippets.conv_output_shape((h, w, 1), 1, kernel, stride, 0, dilation=dilation)
    )


@st.composite
def transposed_configs(draw) -> dict:
    return dict(
        h=draw(sizes),
        w=draw(sizes),
        c_in=draw(channels),
        filters=draw(channels),
        kernel=draw(kernels),
        stride=draw(strides),
        padding=draw(st.one_of(st.integers(0, 4), st.tuples(st.integers(0, 4), st.integers(0, 4)))),
        output_padding=draw(st.one_of(st.none(), ints_or_pairs(0, 4))),
        dilation=draw(dilations),
    )


def run_transposed(h, w, c_in, filters, kernel, stride, padding, output_padding, dilation):
    op = 0 if output_padding is None else output_padding
    layer = torch.nn.ConvTranspose2d(c_in, filters, kernel, stride, padding, op, dilation=dilation)
    with torch.no_grad():
        return nhwc(layer(torch.zeros(1, c_in, h, w)))


@given(transposed_configs())
def test_transposed_output_shape_matches_conv_transpose2d(cfg):
    expected = outcome(lambda: run_transposed(**cfg))
    assert_agrees(
        expected,
        lambda: snippets.transposed_output_shape(
            (cfg["h"], cfg["w"], cfg["c_in"]),
            cfg["filters"],
            cfg["kernel"],
            cfg["stride"],
            cfg["padding"],
            output_padding=cfg["output_padding"],
            dilation=cfg["dilation"],
        ),
    )


@given(h=sizes, w=sizes, c=channels, filters=channels, kernel=kernels, stride=strides)
def test_transposed_defaults_match_conv_transpose2d_defaults(h, w, c, filters, kernel, stride):
    """``ConvTranspose2d(c, filters, kernel, stride)`` with torch's default ``padding=0`` gives
    the shape of ``transposed_output_shape`` with its default padding wherever the kernel is
    at least the stride (``'valid'``: ``n s + k - s = (n - 1) s + k``). For a kernel smaller than
    the stride Keras' ``'valid'`` keeps ``n s`` and torch gives ``(n - 1) s + k``; the default
    follows Keras there, and ``padding=0`` gives torch's answer."""
    layer = torch.nn.ConvTranspose2d(c, filters, kernel, stride)
    with torch.no_grad():
        expected = nhwc(layer(torch.zeros(1, c, h, w)))
    assert snippets.transposed_output_shape((h, w, c), filters, kernel, stride, 0) == expected
    ours = snippets.transposed_output_shape((h, w, c), filters, kernel, stride)
    for axis, (n, k, s) in enumerate(zip((h, w), pair(kernel), pair(stride), strict=True)):
        assert ours[axis] == (expected[axis] if k >= s else n * s)
    assert ours[2] == expected[2]
    assert (
        snippets.transposed_macs((h, w, c), filters, kernel, stride)
        == h * w * c * math.prod(pair(kernel)) * filters
    )


# --- padding amounts, checked on values ----------------------------------------------


@st.composite
def padding_configs(draw) -> dict:
    padding = draw(
        st.one_of(
            st.integers(0, 4),
            st.tuples(st.integers(0, 4), st.integers(0, 4)),
            st.sampled_from(["same", "valid"]),
        )
    )
    stride = 1 if isinstance(padding, str) else draw(strides)
    kernel, dilation = draw(kernels), draw(dilations)
    kh, kw = snippets.effective_kernel_size(pair(kernel), pair(dilation))
    # big enough that 'valid' fits: this property is about values, refusals are tested above
    h, w = draw(st.integers(kh, kh + 12)), draw(st.integers(kw, kw + 12))
    return dict(
        h=h, w=w, c=draw(st.integers(1, 3)), kernel=kernel, stride=stride, padding=padding, dilation=dilation
    )


@given(padding_configs())
def test_padding_amounts_reproduce_torch_padding(cfg):
    """A torch conv without padding on ``F.pad(x, padding_amounts(...))`` computes exactly
    what ``Conv2d(padding=...)`` computes ('same' at stride 1: torch's own odd-pixel split)."""
    h, w, c = cfg["h"], cfg["w"], cfg["c"]
    layer = torch.nn.Conv2d(
        c, 2, cfg["kernel"], cfg["stride"], cfg["padding"], cfg["dilation"], dtype=torch.float64
    )
    x = torch.randn(1, c, h, w, dtype=torch.float64)
    (top, bottom), (left, right) = snippets.padding_amounts(
        (h, w, c), cfg["kernel"], cfg["stride"], cfg["padding"], dilation=cfg["dilation"]
    )
    with torch.no_grad():
        expected = layer(x)
        padded = F.conv2d(
            F.pad(x, (left, right, top, bottom)), layer.weight, layer.bias, cfg["stride"], 0, cfg["dilation"]
        )
    assert padded.shape == expected.shape
    torch.testing.assert_close(padded, expected)


# --- parameter counts ----------------------------------------------------------------


@given(
    c_in=st.integers(1, 12),
    filters=st.integers(1, 12),
    kernel=kernels,
    use_bias=st.booleans(),
    data=st.data(),
)
def test_count_conv_params_matches_conv2d(c_in, filters, kernel, use_bias, data):
    groups = data.draw(
        st.one_of(st.just(1), st.sampled_from([g for g in range(1, 13) if c_in % g == 0]), st.integers(1, 6))
    )

    def build():
        layer = torch.nn.Conv2d(c_in, filters, kernel, groups=groups, bias=use_bias)
        with torch.no_grad():
            layer(torch.zeros(1, c_in, *pair(kernel)))
        return n_params(layer)

    assert_agrees(
        outcome(build), lambda: snippets.count_conv_params(c_in, filters, kernel, use_bias, groups=groups)
    )


@given(c_in=channels, kernel=kernels, multiplier=st.integers(1, 4), use_bias=st.booleans())
def test_depthwise_params_match_grouped_conv2d(c_in, kernel, multiplier, use_bias):
    """Depthwise = ``Conv2d(C, C m, k, groups=C)``."""
    layer = torch.nn.Conv2d(c_in, c_in * multiplier, kernel, groups=c_in, bias=use_bias)
    with torch.no_grad():
        layer(torch.zeros(1, c_in, *pair(kernel)))
    assert snippets.depthwise_params(
        c_in, kernel, depth_multiplier=multiplier, use_bias=use_bias
    ) == n_params(layer)


@given(c_in=channels, c_out=channels, kernel=kernels, multiplier=st.integers(1, 4), use_bias=st.booleans())
def test_separable_params_match_depthwise_then_pointwise(c_in, c_out, kernel, multiplier, use_bias):
    """Separable = bias-free ``Conv2d(C, C m, k, groups=C)`` then ``Conv2d(C m, C_out, 1)``
    with the one bias (Keras ``SeparableConv2D``'s layout)."""
    depthwise = torch.nn.Conv2d(c_in, c_in * multiplier, kernel, groups=c_in, bias=False)
    pointwise = torch.nn.Conv2d(c_in * multiplier, c_out, 1, bias=use_bias)
    with torch.no_grad():
        assert pointwise(depthwise(torch.zeros(1, c_in, *pair(kernel)))).shape == (1, c_out, 1, 1)
    counted = snippets.separable_params(c_in, c_out, kernel, depth_multiplier=multiplier, use_bias=use_bias)
    assert counted == n_params(depthwise, pointwise)


# --- MACs against torch's FLOP counter -----------------------------------------------


@given(conv_configs(groups=True))
def test_conv_macs_match_flop_counter(cfg):
    """torch counts ``2 x`` multiply-accumulates for a convolution."""
    h, w, c_in = cfg["h"], cfg["w"], cfg["c_in"]

    def flops():
        pad, torch_padding = torch_padding_args(cfg["padding"])
        layer = torch.nn.Conv2d(
            c_in, cfg["filters"], cfg["kernel"], cfg["stride"], torch_padding, cfg["dilation"], cfg["groups"]
        )
        x = torch.zeros(1, c_in, h, w)
        return flops_of([layer], x if pad is None else F.pad(x, pad))

    expected = outcome(flops)
    if not isinstance(expected, Exception):
        assert expected % 2 == 0
        expected //= 2
    assert_agrees(
        expected,
        lambda: snippets.conv_macs(
            (h, w, c_in),
            cfg["filters"],
            cfg["kernel"],
            cfg["stride"],
            cfg["padding"],
            dilation=cfg["dilation"],
            groups=cfg["groups"],
        ),
    )


@st.composite
def depthwise_configs(draw) -> dict:
    padding = draw(
        st.one_of(st.integers(0, 3), st.tuples(st.integers(0, 3), st.integers(0, 3)), st.just("same"))
    )
    return dict(
        h=draw(sizes),
        w=draw(sizes),
        c_in=draw(channels),
        c_out=draw(channels),
        kernel=draw(kernels),
        stride=1 if padding == "same" else draw(strides),
        padding=padding,
        dilation=draw(dilations),
        multiplier=draw(st.integers(1, 3)),
    )


@given(depthwise_configs())
def test_depthwise_and_separable_macs_match_flop_counter(cfg):
    h, w, c_in, m = cfg["h"], cfg["w"], cfg["c_in"], cfg["multiplier"]
    args = ((h, w, c_in), cfg["kernel"], cfg["stride"], cfg["padding"])
    depthwise = torch.nn.Conv2d(
        c_in, c_in * m, cfg["kernel"], cfg["stride"], cfg["padding"], cfg["dilation"], groups=c_in, bias=False
    )
    pointwise = torch.nn.Conv2d(c_in * m, cfg["c_out"], 1)
    x = torch.zeros(1, c_in, h, w)
    expected = outcome(lambda: (flops_of([depthwise], x) // 2, flops_of([depthwise, pointwise], x) // 2))
    assert_agrees(
        expected,
        lambda: (
            snippets.depthwise_macs(*args, dilation=cfg["dilation"], depth_multiplier=m),
            snippets.separable_macs(
                args[0], cfg["c_out"], *args[1:], dilation=cfg["dilation"], depth_multiplier=m
            ),
        ),
    )


@given(transposed_configs())
def test_transposed_macs_match_flop_counter(cfg):
    def flops():
        op = 0 if cfg["output_padding"] is None else cfg["output_padding"]
        layer = torch.nn.ConvTranspose2d(
            cfg["c_in"],
            cfg["filters"],
            cfg["kernel"],
            cfg["stride"],
            cfg["padding"],
            op,
            dilation=cfg["dilation"],
        )
        return flops_of([layer], torch.zeros(1, cfg["c_in"], cfg["h"], cfg["w"])) // 2

    assert_agrees(
        outcome(flops),
        lambda: snippets.transposed_macs(
            (cfg["h"], cfg["w"], cfg["c_in"]),
            cfg["filters"],
            cfg["kernel"],
            cfg["stride"],
            cfg["padding"],
            output_padding=cfg["output_padding"],
            dilation=cfg["dilation"],
        ),
    )


# --- receptive fields, measured by backpropagation -----------------------------------

layer_geometries = st.builds(
    snippets.LayerGeometry,
    kernel_size=st.integers(1, 5),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 3),
    padding=st.integers(0, 3),
)


@st.composite
def stacks(draw) -> tuple[list, list]:
    """Per-layer geometry along the height and along the width of one stack."""
    depth = draw(st.integers(1, 4))
    return (
        draw(st.lists(layer_geometries, min_size=depth, max_size=depth)),
        draw(st.lists(layer_geometries, min_size=depth, max_size=depth)),
    )


def nonzero_span(mask: torch.Tensor) -> tuple[int, int]:
    """``(first index, extent)`` of the True entries of a 1-D mask."""
    where = torch.nonzero(mask).flatten().tolist()
    return where[0], where[-1] - where[0] + 1


@settings(max_examples=max(10, settings().max_examples // 4))
@given(stack=stacks(), data=st.data())
def test_receptive_field_matches_input_gradient(stack, data):
    """Ones for weights, no bias, no nonlinearity: the input gradient of one output pixel is
    nonzero exactly on the pixels it sees. Its extent is ``r``; it starts at ``j S - P``."""
    rows, cols = stack
    layers = [
        torch.nn.Conv2d(
            1,
            1,
            (lh.kernel_size, lw.kernel_size),
            (lh.stride, lw.stride),
            (lh.padding, lw.padding),
            (lh.dilation, lw.dilation),
            bias=False,
            dtype=torch.float64,
        )
        for lh, lw in zip(rows, cols, strict=True)
    ]
    for layer in layers:
        torch.nn.init.ones_(layer.weight)
    positions, lengths, fields = [], [], []
    for geometry in (rows, cols):
        field = snippets.receptive_field(geometry)
        assert snippets.receptive_fields(geometry)[-1] == field
        # the first output whose whole field lies inside the input, or one of the next two
        j = -(-field.padding // field.stride) + data.draw(st.integers(0, 2))
        start = j * field.stride - field.padding
        lengths.append(start + field.size + data.draw(st.integers(0, 3)))  # the field fits
        positions.append(j)
        fields.append(field)
    x = torch.zeros(1, 1, *lengths, dtype=torch.float64, requires_grad=True)
    y = x
    for layer in layers:
        y = layer(y)
    assert y.shape[2] > positions[0] and y.shape[3] > positions[1]
    y[0, 0, positions[0], positions[1]].backward()
    seen = x.grad[0, 0] != 0
    for axis, (j, field) in enumerate(zip(positions, fields, strict=True)):
        first, extent = nonzero_span(seen.any(dim=1 - axis))
        assert extent == field.size
        assert first == j * field.stride - field.padding
