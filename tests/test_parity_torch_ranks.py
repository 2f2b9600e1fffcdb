"""snippets agrees with real PyTorch in 1-D and 3-D, on hypothesis-generated configurations.

The 2-D comparisons live in ``test_parity_torch.py`` (shapes, parameters, MACs, receptive
fields) and ``test_ops_parity.py`` (values); this file asks the same questions of
``torch.nn.Conv1d``/``Conv3d``, ``ConvTranspose1d``/``ConvTranspose3d`` and
``torch.nn.functional.conv1d``/``conv3d``/``conv_transpose1d``/``conv_transpose3d``. Every
property is parametrized by the rank and runs its own examples for each.

Numeric padding is PyTorch's: an int, one int per axis (both given to torch as ``padding=``,
where ``padding_mode`` applies) and ``(before, after)`` per axis (given to ``F.pad`` with the
same mode, then ``padding=0``). Strings follow Keras in snippets, so they are compared only
where torch means the same thing: ``'valid'`` without stride x dilation, ``'same'`` at
stride 1 with zeros, and 1-D ``'causal'`` as ``F.pad(x, (d (k - 1), 0))``. Where torch
refuses (it raises, or returns an empty output) snippets must raise ``ValueError``, and the
other way round.

The value tests go further with strings, as test_ops_parity.py does in 2-D: Keras' strided
``'same'`` is torch on the input padded by :func:`snippets.padding_amounts`, and a transposed
convolution with string padding is torch's uncropped output cut to the window Keras' own
torch backend computes.
"""

from __future__ import annotations

import math
import os
from typing import NamedTuple
from unittest import mock

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np
import parity_support
import pytest
import torch
import torch.nn.functional as F
from hypothesis import event, given, settings
from hypothesis import strategies as st
from parity_support import outcome
from torch.utils.flop_counter import FlopCounterMode

import snippets
from snippets import ops
from snippets.receptive import input_gradient

pytestmark = [
    pytest.mark.parity,
    pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel lengths:UserWarning"),
]

# Tiny layers: one thread is faster than two, and leaves the other core to the rest.
torch.set_num_threads(1)

RANKS = (1, 3)
ranks = pytest.mark.parametrize("rank", RANKS, ids=["1d", "3d"])

#: shapes, parameter counts, MACs and refusals: cheap, so many examples
MANY = settings(max_examples=2000, deadline=None, derandomize=True)
#: values computed by NumPy and torch
VALUES = settings(max_examples=300, deadline=None, derandomize=True)

CONV = {1: torch.nn.Conv1d, 3: torch.nn.Conv3d}
TRANSPOSED = {1: torch.nn.ConvTranspose1d, 3: torch.nn.ConvTranspose3d}
F_CONV = {1: F.conv1d, 3: F.conv3d}
F_TRANSPOSED = {1: F.conv_transpose1d, 3: F.conv_transpose3d}

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
F_PAD_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}
FLOAT32_EPS = float(np.finfo(np.float32).eps)


class Limits(NamedTuple):
    """Largest value drawn for each argument of a configuration of one rank."""

    size: int
    channels: int
    kernel: int
    stride: int
    dilation: int
    padding: int


SHAPE_LIMITS = {1: Limits(40, 8, 7, 4, 4, 4), 3: Limits(9, 4, 4, 3, 3, 3)}
VALUE_LIMITS = {1: Limits(14, 3, 5, 3, 3, 3), 3: Limits(6, 3, 3, 2, 2, 2)}


class EmptyOutput(RuntimeError):
    """torch returned a tensor with a zero-sized spatial axis; snippets refuses those."""


def assert_agrees(expected, snippets_call) -> None:
    parity_support.assert_agrees("torch", expected, snippets_call)


# --- strategies ----------------------------------------------------------------------


def per_axis(values: st.SearchStrategy, rank: int) -> st.SearchStrategy:
    """An int (every axis) or a tuple of one int per axis (``(k,)`` in 1-D)."""
    return st.one_of(values, st.tuples(*[values] * rank))


def axes(value, rank: int) -> tuple[int, ...]:
    return (value,) * rank if isinstance(value, int) else tuple(value)


def numeric_paddings(rank: int, high: int) -> st.SearchStrategy:
    """PyTorch's padding: ``p``, one int per axis, or ``(before, after)`` per axis."""
    one = st.integers(0, high)
    return st.one_of(one, st.tuples(*[one] * rank), st.tuples(*[st.tuples(one, one)] * rank))


def is_nested(padding) -> bool:
    return isinstance(padding, tuple) and isinstance(padding[0], tuple)


def sizes_strategy(high: int) -> st.SearchStrategy:
    """Sizes from 1 to ``high``, often small: that is where padding modes refuse."""
    return st.one_of(st.integers(1, min(high, 5)), st.integers(1, high))


@st.composite
def geometry(
    draw,
    rank: int,
    limits: Limits,
    paddings: st.SearchStrategy,
    *,
    layer: str = "conv",
    strided_same: bool = False,
):
    """``(stride, padding, dilation)``. Strings only where torch and Keras mean the same:
    ``'same'`` at stride 1 (torch refuses a strided one) unless ``strided_same``; for Keras'
    Conv layers (``layer='conv'``) no string with stride and dilation both > 1 (Keras refuses
    it, torch does not)."""
    padding = draw(paddings)
    stride = draw(per_axis(st.integers(1, limits.stride), rank))
    dilation = draw(per_axis(st.integers(1, limits.dilation), rank))
    if padding == "same" and not strided_same:
        stride = 1
    if isinstance(padding, str) and layer == "conv" and max(axes(stride, rank)) > 1:
        dilation = 1
    return stride, padding, dilation


def string_paddings(rank: int) -> st.SearchStrategy:
    return st.sampled_from(["valid", "same", "causal"] if rank == 1 else ["valid", "same"])


@st.composite
def conv_configs(draw, rank: int, *, groups: str = "dividing", modes: bool = True) -> dict:
    """A ConvNd configuration. ``groups``: ``'one'``, ``'dividing'`` (divides both channel
    counts) or ``'any'`` (often dividing, sometimes not: torch refuses those)."""
    limits = SHAPE_LIMITS[rank]
    paddings = st.one_of(numeric_paddings(rank, limits.padding), string_paddings(rank))
    stride, padding, dilation = draw(geometry(rank, limits, paddings))
    strings_zeros_only = isinstance(padding, str) and padding != "valid"
    mode = "zeros" if strings_zeros_only or not modes else draw(st.sampled_from(PADDING_MODES))
    g = 1 if groups == "one" else draw(st.integers(1, 4))
    if groups == "dividing" or (groups == "any" and draw(st.booleans())):
        c_in, filters = g * draw(st.integers(1, 3)), g * draw(st.integers(1, 3))
    else:
        c_in, filters = draw(st.integers(1, limits.channels)), draw(st.integers(1, limits.channels))
    return dict(
        spatial=draw(st.tuples(*[sizes_strategy(limits.size)] * rank)),
        c_in=c_in,
        filters=filters,
        kernel=draw(per_axis(st.integers(1, limits.kernel), rank)),
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=g,
        padding_mode=mode,
    )


# --- torch side ----------------------------------------------------------------------


def f_pad_amounts(pairs) -> list[int]:
    """``F.pad``'s order: the last axis first, ``(before, after)`` each."""
    return [amount for before, after in reversed(pairs) for amount in (before, after)]


def torch_padding(padding, rank: int, kernel, dilation):
    """``(F.pad amounts or None, padding= for the torch layer)`` for a padding of snippets'.

    ``(before, after)`` per axis goes to ``F.pad``; ``'causal'`` is ``d (k - 1)`` before and
    nothing after, also through ``F.pad``; everything else is torch's own ``padding=``.
    """
    if is_nested(padding):
        return f_pad_amounts(padding), 0
    if padding == "causal":
        (k,), (d,) = axes(kernel, rank), axes(dilation, rank)
        return [d * (k - 1), 0], 0
    return None, padding


def channels_last(output: torch.Tensor) -> tuple[int, ...]:
    """``(1, C, *spatial)`` -> ``(*spatial, C)``; an empty output counts as a refusal."""
    batch, c, *spatial = output.shape
    assert batch == 1
    if min(spatial) == 0:
        raise EmptyOutput(f"torch returned an empty output of shape {tuple(output.shape)}")
    return (*spatial, c)


def conv_layer(rank, cfg, **options) -> tuple[torch.nn.Module, list[int] | None]:
    """The torch layer of ``cfg`` and the ``F.pad`` amounts its input needs first."""
    pad, padding = torch_padding(cfg["padding"], rank, cfg["kernel"], cfg["dilation"])
    layer = CONV[rank](
        cfg["c_in"],
        cfg["filters"],
        cfg["kernel"],
        cfg["stride"],
        padding,
        cfg["dilation"],
        cfg["groups"],
        padding_mode=cfg["padding_mode"] if pad is None else "zeros",
        **options,
    )
    return layer, pad


def padded(x: torch.Tensor, pad: list[int] | None, padding_mode: str) -> torch.Tensor:
    return x if pad is None else F.pad(x, pad, mode=F_PAD_MODES[padding_mode])


def run_conv(rank: int, cfg: dict) -> tuple[int, ...]:
    """Output shape of the real ConvNd on a zero input, channels-last."""
    layer, pad = conv_layer(rank, cfg, bias=False)
    x = torch.zeros(1, cfg["c_in"], *cfg["spatial"])
    with torch.no_grad():
        return channels_last(layer(padded(x, pad, cfg["padding_mode"])))


def flops_of(layer: torch.nn.Module, x: torch.Tensor) -> int:
    """FLOPs torch counts for ``layer(x)``; an empty output counts as a refusal."""
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        channels_last(layer(x))
    return counter.get_total_flops()


def n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


# --- 1. output shapes of convolutions ------------------------------------------------


@ranks
@MANY
@given(data=st.data())
def test_conv_output_shape_matches_torch(rank, data):
    cfg = data.draw(conv_configs(rank), label="config")
    expected = outcome(lambda: run_conv(rank, cfg))
    event(f"padding {type(cfg['padding']).__name__}, {cfg['padding_mode']}")
    assert_agrees(
        expected,
        lambda: snippets.conv_output_shape(
            (*cfg["spatial"], cfg["c_in"]),
            cfg["filters"],
            cfg["kernel"],
            cfg["stride"],
            cfg["padding"],
            dilation=cfg["dilation"],
            padding_mode=cfg["padding_mode"],
        ),
    )


# --- 2. output shapes (and 4. MACs) of transposed convolutions ---------------------


@st.composite
def transposed_configs(draw, rank: int) -> dict:
    limits = SHAPE_LIMITS[rank]
    return dict(
        spatial=draw(st.tuples(*[sizes_strategy(limits.size)] * rank)),
        c_in=draw(st.integers(1, limits.channels)),
        filters=draw(st.integers(1, limits.channels)),
        kernel=draw(per_axis(st.integers(1, limits.kernel), rank)),
        stride=draw(per_axis(st.integers(1, limits.stride), rank)),
        padding=draw(per_axis(st.integers(0, limits.padding), rank)),
        # up to the largest stride or dilation: the last value is one torch refuses
        output_padding=draw(st.one_of(st.none(), per_axis(st.integers(0, limits.stride), rank))),
        dilation=draw(per_axis(st.integers(1, limits.dilation), rank)),
    )


def transposed_layer(rank: int, cfg: dict) -> torch.nn.Module:
    op = 0 if cfg["output_padding"] is None else cfg["output_padding"]
    return TRANSPOSED[rank](
        cfg["c_in"],
        cfg["filters"],
        cfg["kernel"],
        cfg["stride"],
        cfg["padding"],
        op,
        dilation=cfg["dilation"],
    )


def run_transposed(rank: int, cfg: dict) -> tuple[tuple[int, ...], int]:
    """Output shape (channels-last) and MACs (half the FLOPs torch counts) of the real
    ConvTransposeNd on a zero input."""
    layer, x = transposed_layer(rank, cfg), torch.zeros(1, cfg["c_in"], *cfg["spatial"])
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        shape = channels_last(layer(x))
    flops = counter.get_total_flops()
    assert flops % 2 == 0
    return shape, flops // 2


def snippets_transposed(function, cfg: dict):
    return function(
        (*cfg["spatial"], cfg["c_in"]),
        cfg["filters"],
        cfg["kernel"],
        cfg["stride"],
        cfg["padding"],
        output_padding=cfg["output_padding"],
        dilation=cfg["dilation"],
    )


@ranks
@MANY
@given(data=st.data())
def test_transposed_output_shape_and_macs_match_torch(rank, data):
    """One run of the layer answers both: its output shape, and its FLOPs counted by
    ``FlopCounterMode`` (MACs are half). Refusals include ``output_padding >= max(s, d)``
    and padding that crops the output to nothing."""
    cfg = data.draw(transposed_configs(rank), label="config")
    expected = outcome(lambda: run_transposed(rank, cfg))
    assert_agrees(
        expected,
        lambda: (
            snippets_transposed(snippets.transposed_output_shape, cfg),
            snippets_transposed(snippets.transposed_macs, cfg),
        ),
    )


# --- 3. parameter counts -------------------------------------------------------------


@ranks
@MANY
@given(data=st.data())
def test_count_conv_params_matches_torch(rank, data):
    limits = SHAPE_LIMITS[rank]
    c_in, filters = (
        data.draw(st.integers(1, 12), label="c_in"),
        data.draw(st.integers(1, 12), label="filters"),
    )
    kernel = data.draw(per_axis(st.integers(1, limits.kernel), rank), label="kernel")
    use_bias = data.draw(st.booleans(), label="use_bias")
    divisors = [g for g in range(1, 13) if c_in % g == 0]
    groups = data.draw(st.one_of(st.just(1), st.sampled_from(divisors), st.integers(1, 6)), label="groups")
    # a tuple kernel gives the rank itself; an int needs rank= (it would be 2-D)
    given_rank = rank if isinstance(kernel, int) else data.draw(st.sampled_from([rank, None]), label="rank=")
    expected = outcome(lambda: n_params(CONV[rank](c_in, filters, kernel, groups=groups, bias=use_bias)))
    assert_agrees(
        expected,
        lambda: snippets.count_conv_params(c_in, filters, kernel, use_bias, groups=groups, rank=given_rank),
    )


@ranks
@MANY
@given(data=st.data())
def test_depthwise_params_match_grouped_torch_conv(rank, data):
    """Depthwise = ``ConvNd(C, C m, k, groups=C)``."""
    c_in = data.draw(st.integers(1, 8), label="c_in")
    kernel = data.draw(per_axis(st.integers(1, SHAPE_LIMITS[rank].kernel), rank), label="kernel")
    multiplier = data.draw(st.integers(1, 4), label="multiplier")
    use_bias = data.draw(st.booleans(), label="use_bias")
    layer = CONV[rank](c_in, c_in * multiplier, kernel, groups=c_in, bias=use_bias)
    counted = snippets.depthwise_params(
        c_in, kernel, depth_multiplier=multiplier, use_bias=use_bias, rank=rank
    )
    assert counted == n_params(layer)


# --- 4. MACs against torch's FLOP counter --------------------------------------------


@ranks
@MANY
@given(data=st.data())
def test_conv_macs_match_flop_counter(rank, data):
    """torch counts ``2 x`` multiply-accumulates; groups that do not divide are refused."""
    cfg = data.draw(conv_configs(rank, groups="any", modes=False), label="config")

    def macs():
        layer, pad = conv_layer(rank, cfg, bias=False)
        flops = flops_of(layer, padded(torch.zeros(1, cfg["c_in"], *cfg["spatial"]), pad, "zeros"))
        assert flops % 2 == 0
        return flops // 2

    assert_agrees(
        outcome(macs),
        lambda: snippets.conv_macs(
            (*cfg["spatial"], cfg["c_in"]),
            cfg["filters"],
            cfg["kernel"],
            cfg["stride"],
            cfg["padding"],
            dilation=cfg["dilation"],
            groups=cfg["groups"],
        ),
    )


# --- 5. values of the NumPy layers ---------------------------------------------------


def to_torch(array: np.ndarray) -> torch.Tensor:
    """A float64 torch copy with plain row-major strides (see ``plain`` in test_ops_parity.py)."""
    return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float64))


def channels_first(x: np.ndarray) -> torch.Tensor:
    """``(N, *spatial, C)`` -> ``(N, C, *spatial)``."""
    return to_torch(np.moveaxis(x, -1, 1))


def torch_weight(kernel: np.ndarray) -> torch.Tensor:
    """Keras' ``(*k, A, B)`` -> torch's ``(B, A, *k)``: conv ``(*k, C_in/g, C_out)`` gives
    ``(C_out, C_in/g, *k)``, transposed ``(*k, C_out, C_in)`` gives ``(C_in, C_out, *k)``."""
    rank = kernel.ndim - 2
    return to_torch(kernel.transpose(rank + 1, rank, *range(rank)))


def random_arrays(seed: int, *shapes) -> list[np.ndarray]:
    """Standard normal float32 values (so float64 copies of them hold the same numbers)."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype(np.float32) for shape in shapes]


def within_float32_rounding(ours: np.ndarray, exact: np.ndarray, magnitude: np.ndarray, terms: int) -> None:
    """A float32 sum of ``terms`` products (and a bias) is within about ``terms * eps / 2 *
    sum|x||k|`` of the exact value, in any order of summation (the classic bound; ``magnitude``
    is that ``sum|x||k|``, bias included). Allowed: ``2 (terms + 1) eps`` times it."""
    bound = 2 * (terms + 1) * FLOAT32_EPS * magnitude + 1e-30
    excess = np.abs(ours.astype(np.float64) - exact) - bound
    assert excess.max() <= 0, f"float32 result off by more than its rounding bound at {np.argmax(excess)}"


def compare_values(rank, case, snippets_call, torch_reference, terms: int) -> None:
    """snippets in float64 and float32 against torch's float64 on the same numbers; both
    refuse, or neither does. ``torch_reference(x, kernel, bias)`` takes float64 arrays."""
    x, kernel, bias = random_arrays(case["seed"], *case["shapes"])
    bias = bias if case["bias"] else None
    given_x = x if case["batched"] else x[0]
    exact = outcome(lambda: torch_reference(x, kernel, bias))
    if isinstance(exact, Exception):
        event("torch refuses")
        with pytest.raises(ValueError):
            snippets_call(given_x.astype(np.float64), kernel.astype(np.float64), bias)
        return
    event("torch accepts")
    magnitude = torch_reference(np.abs(x), np.abs(kernel), None if bias is None else np.abs(bias))
    for dtype in (np.float64, np.float32):
        ours = snippets_call(
            given_x.astype(dtype), kernel.astype(dtype), None if bias is None else bias.astype(dtype)
        )
        ours = ours if case["batched"] else ours[np.newaxis]
        assert ours.dtype == dtype
        assert ours.shape == exact.shape
        if dtype == np.float64:
            np.testing.assert_allclose(ours, exact, rtol=0, atol=1e-10)
        else:
            within_float32_rounding(ours, exact, magnitude, terms)


@st.composite
def conv_value_cases(draw, rank: int, *, depthwise: bool = False) -> dict:
    limits = VALUE_LIMITS[rank]
    paddings = st.one_of(string_paddings(rank), numeric_paddings(rank, limits.padding))
    layer = "depthwise" if depthwise else "conv"
    stride, padding, dilation = draw(geometry(rank, limits, paddings, layer=layer, strided_same=True))
    if depthwise and padding == "causal":  # Keras' DepthwiseConv1D has no 'causal'
        padding = "valid"
    strings_zeros_only = isinstance(padding, str) and padding != "valid"
    n = draw(st.integers(1, 2))
    spatial = draw(st.tuples(*[sizes_strategy(limits.size)] * rank))
    kernel = draw(st.tuples(*[st.integers(1, limits.kernel)] * rank))
    if depthwise:
        c_in, multiplier = draw(st.integers(1, 4)), draw(st.integers(1, 3))
        shapes, groups = ((n, *spatial, c_in), (*kernel, c_in, multiplier), (c_in * multiplier,)), c_in
    else:
        groups = draw(st.sampled_from([1, 1, 2, 3]))
        # 9 and 17 channels per group fill a cache line in float64 / float32 (ops.gathers_from_planes)
        c_group, c_out = draw(st.sampled_from([1, 2, 3, 9, 17])), groups * draw(st.integers(1, 3))
        shapes = ((n, *spatial, groups * c_group), (*kernel, c_group, c_out), (c_out,))
    return {
        "shapes": shapes,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "groups": groups,
        "layer": layer,
        "padding_mode": "zeros" if strings_zeros_only else draw(st.sampled_from(PADDING_MODES)),
        "bias": draw(st.booleans()),
        "batched": draw(st.booleans()) if n == 1 else True,
        "seed": draw(st.integers(0, 2**32 - 1)),
        "band_elements": draw(st.sampled_from([1, 60, ops.BAND_ELEMENTS])),  # one row, a few, all
    }


def torch_conv(rank: int, case: dict):
    """``torch_reference`` of a (grouped) convolution: torch's ConvNd with the weights set,
    ``padding_mode`` and all; Keras' ``'same'`` at stride > 1 (which torch refuses) pads by
    :func:`snippets.padding_amounts` first, as test_ops_parity.py does in 2-D."""

    def reference(x, kernel, bias):
        *kernel_size, c_group, c_out = kernel.shape
        padding, spatial = case["padding"], x.shape[1:]
        if padding == "same" and max(axes(case["stride"], rank)) > 1:
            padding = snippets.padding_amounts(
                spatial, kernel_size, case["stride"], "same", dilation=case["dilation"], layer=case["layer"]
            )
        cfg = dict(case, padding=padding, c_in=x.shape[-1], filters=c_out, kernel=tuple(kernel_size))
        layer, pad = conv_layer(rank, cfg, bias=bias is not None, dtype=torch.float64)
        with torch.no_grad():
            layer.weight.copy_(torch_weight(kernel))
            if bias is not None:
                layer.bias.copy_(to_torch(bias))
            y = layer(padded(channels_first(x), pad, case["padding_mode"]))
            channels_last(y[:1])
        return np.moveaxis(y.numpy(), 1, -1)

    return reference


@ranks
@VALUES
@given(data=st.data())
def test_conv_values_match_torch(rank, data):
    case = data.draw(conv_value_cases(rank), label="case")
    options = {k: case[k] for k in ("stride", "padding", "dilation", "groups", "padding_mode")}
    event(f"padding {type(case['padding']).__name__}, {case['padding_mode']}")

    def ours(x, kernel, bias):
        with mock.patch.object(ops, "BAND_ELEMENTS", case["band_elements"]):
            return snippets.conv(x, kernel, bias, **options)

    *kernel_size, c_group, _ = case["shapes"][1]
    compare_values(rank, case, ours, torch_conv(rank, case), math.prod(kernel_size) * c_group)


@ranks
@VALUES
@given(data=st.data())
def test_depthwise_values_match_grouped_torch_conv(rank, data):
    """Keras' ``(*k, C, m)`` is torch's ``groups=C`` conv whose output channel ``c m + q``
    uses ``kernel[..., c, q]``."""
    case = data.draw(conv_value_cases(rank, depthwise=True), label="case")
    options = {k: case[k] for k in ("stride", "padding", "dilation", "padding_mode")}
    grouped = torch_conv(rank, case)

    def reference(x, kernel, bias):
        *kernel_size, c_in, multiplier = kernel.shape
        return grouped(x, kernel.reshape(*kernel_size, 1, c_in * multiplier), bias)

    kernel_size = case["shapes"][1][:-2]
    compare_values(
        rank,
        case,
        lambda x, kernel, bias: snippets.depthwise_conv(x, kernel, bias, **options),
        reference,
        math.prod(kernel_size),
    )


@st.composite
def transposed_value_cases(draw, rank: int) -> dict:
    limits = VALUE_LIMITS[rank]
    paddings = st.one_of(st.sampled_from(["valid", "same"]), per_axis(st.integers(0, limits.padding), rank))
    stride, padding, dilation = draw(geometry(rank, limits, paddings, strided_same=True))
    strides, dilations = axes(stride, rank), axes(dilation, rank)
    if isinstance(padding, str):
        limits_op = strides
    else:
        limits_op = tuple(max(s, d) for s, d in zip(strides, dilations, strict=True))
    output_padding = draw(st.one_of(st.none(), st.tuples(*[st.integers(0, op - 1) for op in limits_op])))
    n, c_in, c_out = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    spatial = draw(st.tuples(*[st.integers(1, limits.size)] * rank))
    kernel = draw(st.tuples(*[st.integers(1, limits.kernel)] * rank))
    return {
        "shapes": ((n, *spatial, c_in), (*kernel, c_out, c_in), (c_out,)),
        "stride": stride,
        "padding": padding,
        "output_padding": output_padding,
        "dilation": dilation,
        # now and then a mode torch's ConvTranspose refuses
        "padding_mode": draw(st.sampled_from(["zeros"] * 9 + ["reflect", "replicate", "circular"])),
        "bias": draw(st.booleans()),
        "batched": draw(st.booleans()) if n == 1 else True,
        "seed": draw(st.integers(0, 2**32 - 1)),
    }


def keras_crops(case: dict, x_shape) -> list[tuple[int, int]]:
    """Keras' own window on torch's uncropped transposed output (its torch backend's helper):
    ``(before, after)`` per axis to crop, a negative crop being zeros added."""
    from keras.src.backend.common.backend_utils import compute_conv_transpose_output_crops_for_torch

    n, *spatial, c_in = x_shape
    return compute_conv_transpose_output_crops_for_torch(
        (n, c_in, *spatial),
        case["shapes"][1],
        case["stride"],
        case["padding"],
        case["output_padding"],
        case["dilation"],
    )


def torch_conv_transpose(rank: int, case: dict):
    def reference(x, kernel, bias):
        c_in, c_out = kernel.shape[-1], kernel.shape[-2]
        # the real layer refuses what it refuses (padding modes other than zeros)
        TRANSPOSED[rank](c_in, c_out, kernel.shape[:-2], padding_mode=case["padding_mode"])
        weight, b = torch_weight(kernel), None if bias is None else to_torch(bias)
        options = {"stride": case["stride"], "dilation": case["dilation"]}
        if isinstance(case["padding"], str):
            full = F_TRANSPOSED[rank](channels_first(x), weight, **options)
            crops = keras_crops(case, x.shape)
            y = F.pad(full, [-amount for amount in f_pad_amounts(crops)])
            y = y if b is None else y + b.reshape(-1, *[1] * rank)
        else:
            y = F_TRANSPOSED[rank](
                channels_first(x),
                weight,
                b,
                padding=case["padding"],
                output_padding=case["output_padding"] or 0,
                **options,
            )
        channels_last(y[:1])
        return np.moveaxis(y.numpy(), 1, -1)

    return reference


@ranks
@VALUES
@given(data=st.data())
def test_conv_transpose_values_match_torch(rank, data):
    case = data.draw(transposed_value_cases(rank), label="case")
    options = {k: case[k] for k in ("stride", "padding", "output_padding", "dilation", "padding_mode")}
    event(f"padding {type(case['padding']).__name__}, {case['padding_mode']}")
    *kernel_size, _, c_in = case["shapes"][1]
    compare_values(
        rank,
        case,
        lambda x, kernel, bias: snippets.conv_transpose(x, kernel, bias, **options),
        torch_conv_transpose(rank, case),
        math.prod(kernel_size) * c_in,
    )


# --- 6. receptive fields, measured by back-propagation -------------------------------


#: kernel, stride, dilation, padding limits per layer; 3-D kept small (the input is r^3 voxels)
STACK_LIMITS = {1: (5, 3, 3, 3), 3: (3, 2, 2, 2)}


@st.composite
def stacks(draw, rank: int) -> list[snippets.LayerGeometry]:
    """2 to 4 layers: plain ints in 1-D, tuples of one int per axis in 3-D."""
    kernel, stride, dilation, padding = STACK_LIMITS[rank]

    def value(low, high):
        one = st.integers(low, high)
        return one if rank == 1 else st.tuples(*[one] * rank)

    layer = st.builds(
        snippets.LayerGeometry,
        kernel_size=value(1, kernel),
        stride=value(1, stride),
        dilation=value(1, dilation),
        padding=value(0, padding),
    )
    return draw(st.lists(layer, min_size=2, max_size=4))


def nonzero_span(mask: torch.Tensor) -> tuple[int, int]:
    """``(first index, extent)`` of the True entries of a 1-D mask."""
    where = torch.nonzero(mask).flatten().tolist()
    return where[0], where[-1] - where[0] + 1


def check_receptive_field(rank: int, data) -> None:
    """Positive weights, no bias, no nonlinearity: the input gradient of one output value is
    nonzero exactly on the inputs it sees. Along each axis its extent is ``r`` and it starts at
    ``j S - P``."""
    stack = data.draw(stacks(rank), label="layers")
    field = snippets.receptive_field(stack)
    assert snippets.receptive_fields(stack)[-1] == field
    assert all(isinstance(value, int if rank == 1 else tuple) for value in field)
    sizes, strides, paddings = (axes(v, rank) for v in field)
    positions, lengths = [], []
    for size, stride, padding in zip(sizes, strides, paddings, strict=True):
        # the first output whose whole field lies inside the input, or one of the next two
        j = -(-padding // stride) + data.draw(st.integers(0, 2))
        start = j * stride - padding
        lengths.append(start + size + data.draw(st.integers(0, 3)))  # the field fits
        positions.append(j)
    layers = [
        CONV[rank](1, 1, g.kernel_size, g.stride, g.padding, g.dilation, bias=False, dtype=torch.float64)
        for g in stack
    ]
    generator = torch.Generator().manual_seed(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    with torch.no_grad():
        for layer in layers:
            layer.weight.copy_(0.5 + torch.rand(layer.weight.shape, generator=generator, dtype=torch.float64))
    x = torch.zeros(1, 1, *lengths, dtype=torch.float64, requires_grad=True)
    y = x
    for layer in layers:
        y = layer(y)
    assert all(n > j for n, j in zip(y.shape[2:], positions, strict=True))
    y[(0, 0, *positions)].backward()
    seen = x.grad[0, 0] != 0
    for axis, (j, size, stride, padding) in enumerate(zip(positions, sizes, strides, paddings, strict=True)):
        others = tuple(a for a in range(rank) if a != axis)
        first, extent = nonzero_span(seen.any(dim=others) if others else seen)
        assert (extent, first) == (size, j * stride - padding)


@settings(VALUES, max_examples=500)
@given(data=st.data())
def test_receptive_fields_1d_match_input_gradient(data):
    check_receptive_field(1, data)


@settings(VALUES, max_examples=300)  # fewer: an input is a volume of up to about 64^3 voxels
@given(data=st.data())
def test_receptive_fields_3d_match_input_gradient(data):
    check_receptive_field(3, data)


@ranks
@VALUES
@given(data=st.data())
def test_input_gradient_matches_autograd(rank, data):
    """A stride-1 linear stack (one channel, no bias, no padding) on an input exactly its
    receptive field has one output value; torch's gradient of it is ``input_gradient``'s."""
    high = 4 if rank == 1 else 3
    shape = st.tuples(*[st.integers(1, high)] * rank)
    shapes = data.draw(st.lists(shape, min_size=1, max_size=4), label="kernel shapes")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    kernels = [rng.standard_normal(s) for s in shapes]
    stacked = len(set(shapes)) == 1 and data.draw(st.booleans(), label="one stacked array")
    ours = input_gradient(np.stack(kernels) if stacked else kernels)
    field = [1 + sum(s[axis] - 1 for s in shapes) for axis in range(rank)]
    x = torch.zeros(1, 1, *field, dtype=torch.float64, requires_grad=True)
    y = x
    for kernel in kernels:
        y = F_CONV[rank](y, torch.from_numpy(kernel)[None, None])
    assert y.numel() == 1
    y.sum().backward()
    assert ours.shape == tuple(field)
    np.testing.assert_allclose(ours, x.grad[0, 0].numpy(), rtol=0, atol=1e-10)
