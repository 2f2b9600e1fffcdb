"""snippets agrees with jax.lax and Flax in 1-D, 2-D and 3-D, on hypothesis-generated configurations.

Four functions, each asked for shapes (and refusals) and for values:

* ``jax.lax.conv_general_dilated`` with explicit channels-last ``dimension_numbers``,
  ``window_strides``, ``rhs_dilation``, ``feature_group_count`` and ``lhs_dilation``; padding
  ``'VALID'``/``'SAME'``/``'SAME_LOWER'`` or ``(lo, hi)`` pairs. Without ``lhs_dilation`` it is
  :func:`snippets.conv_output_shape` / :func:`snippets.conv` (jax's ``'SAME'`` and ``'VALID'``
  are Keras' ``'same'`` and ``'valid'`` there, so no stride with dilation; ``'SAME_LOWER'`` is
  jax's own). With ``lhs_dilation`` the input is stretched (``L - 1`` zeros between values)
  before it is padded: snippets' transposed convolution of stride ``L`` in Flax's convention
  (:func:`snippets.shapes.flax_transposed_output_shape`, ``conv_transpose(...,
  padding_convention="flax")`` with the kernel reversed, one call per group), taken every
  ``window_strides``-th value.
* ``jax.lax.conv_transpose`` (both ``transpose_kernel`` settings): Flax's convention;
  with ``use_consistent_padding=True``, which reads PyTorch's numbers,
  :func:`snippets.transposed_output_shape` / :func:`snippets.conv_transpose` as they are.
* ``flax.nnx.Conv`` and ``flax.nnx.ConvTranspose`` (both ``transpose_kernel`` settings).

Shapes are asked of ``jax.eval_shape``, which runs jax's shape rules (and their refusals)
without compiling (Flax layers are built inside it, so their kernels are abstract too). Values
need XLA, which compiles once per new shape and geometry (about 30-50 ms each): the value
properties draw from a few hundred cases (:data:`SMALL_CONV`, :data:`SMALL_TRANSPOSE`,
:data:`SMALL_SIZE`) and jit each once (:func:`compiled`), so every property runs the
profile's examples (2,000 under CI, about 75 s for the file on one core). jax computes in
float32 (x64 stays off, as in the other test files); snippets computes in float64 and the
float32 result must be within its rounding bound of it. Where jax refuses (it raises, or
returns an empty output) snippets must raise ``ValueError``, and the other way round; the
differences that remain are pinned at the end.
"""

from __future__ import annotations

import math
import os

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import parity_support  # noqa: E402
import pytest  # noqa: E402
from flax import nnx  # noqa: E402
from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import snippets  # noqa: E402
from snippets.porting import port_kernel  # noqa: E402
from snippets.shapes import flax_transposed_output_shape, flax_transposed_padding  # noqa: E402

pytestmark = pytest.mark.parity

RANKS = (1, 2, 3)
#: channels-last layouts, as Flax passes them
DIMENSION_NUMBERS = {
    1: ("NHC", "HIO", "NHC"),
    2: ("NHWC", "HWIO", "NHWC"),
    3: ("NDHWC", "DHWIO", "NDHWC"),
}
JAX_STRINGS = ("VALID", "SAME", "SAME_LOWER")
FLOAT32_EPS = float(np.finfo(np.float32).eps)

#: shapes through jax.eval_shape: no compilation, so the profile's examples (2,000 under CI)
SHAPES = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: values: each new geometry costs an XLA compilation, so the cases come from small sets,
#: and 300 examples, as the rank parity modules take for values (2,000 took 35-60 s a test
#: and put the whole suite near its 15-minute budget)
VALUES = settings(SHAPES, max_examples=300)
#: Flax's shapes: a module is built and traced per example (2,000 took 35-60 s a test)
FLAX_SHAPES = settings(SHAPES, max_examples=500)


#: the value properties' few geometries, ``(k, s, d, lhs_dilation)`` and ``(k, s, d)``, and input
#: sizes: every case is one of a few hundred, so XLA compiles each once and reuses it
SMALL_CONV = [
    (1, 1, 1, 1),
    (2, 1, 1, 1),
    (3, 2, 1, 1),
    (3, 1, 2, 1),
    (2, 2, 2, 1),
    (4, 3, 1, 1),
    (3, 1, 1, 2),
    (2, 2, 1, 2),
]
SMALL_TRANSPOSE = [(1, 1, 1), (2, 1, 1), (3, 2, 1), (2, 3, 1), (3, 1, 2), (2, 2, 2), (4, 2, 1)]
SMALL_SIZE = {1: 7, 2: 6, 3: 5}
_COMPILED: dict = {}


def compiled(name: str, case: dict, function):
    """``jax.jit(function)``, one per case (seeds aside): a case seen before reuses its XLA program."""
    key = (name, tuple(sorted(case.items())))
    if key not in _COMPILED:
        _COMPILED[key] = jax.jit(function)
    return _COMPILED[key]


class EmptyOutput(ValueError):
    """jax returned an output with a zero-sized spatial axis; snippets refuses those."""


def assert_agrees(expected, snippets_call) -> None:
    parity_support.assert_agrees("jax", expected, snippets_call)


def outcome(call):
    try:
        return call()
    except (ValueError, TypeError, RuntimeError, AssertionError) as refusal:  # Flax asserts
        return refusal


def spatial_out(shape) -> tuple[int, ...]:
    """``(1, *spatial, C)`` -> ``(*spatial, C)``; an empty output counts as a refusal."""
    _, *spatial, c = shape
    if min(spatial) <= 0:
        raise EmptyOutput(f"jax returned an empty output of shape {tuple(shape)}")
    return (*spatial, c)


def struct(shape) -> jax.ShapeDtypeStruct:
    return jax.ShapeDtypeStruct(tuple(shape), jnp.float32)


# --- strategies ------------------------------------------------------------------------------


def tuples(values: st.SearchStrategy, rank: int) -> st.SearchStrategy:
    return st.tuples(*[values] * rank)


def pairs(rank: int, low: int, high: int) -> st.SearchStrategy:
    side = st.integers(low, high)
    return tuples(st.tuples(side, side), rank)


@st.composite
def conv_general_cases(draw, *, small: bool = False) -> dict:
    """A ``conv_general_dilated`` call; ``small`` draws from few values (compiled ones recur)."""
    rank = draw(st.sampled_from(RANKS))
    if small:
        first = draw(st.integers(0, len(SMALL_CONV) - 1))  # axis i takes geometry first + i
        geometry = [SMALL_CONV[(first + i) % len(SMALL_CONV)] for i in range(rank)]
        kernel, stride, dilation, lhs = (st.just(tuple(g[j] for g in geometry)) for j in range(4))
        spatial = st.just((SMALL_SIZE[rank],) * rank)
        c_in, c_out, groups = draw(st.sampled_from([(1, 2, 1), (4, 4, 2)]))
        pad_values = st.sampled_from([*JAX_STRINGS, ((0, 0),) * rank, ((1, 2),) * rank])
    else:
        high = {1: 16, 2: 9, 3: 6}[rank]
        spatial = tuples(st.integers(1, high), rank)
        kernel, stride = tuples(st.integers(1, 4), rank), tuples(st.integers(1, 3), rank)
        dilation, lhs = (
            tuples(st.integers(1, 3), rank),
            st.one_of(st.just((1,) * rank), tuples(st.integers(1, 3), rank)),
        )
        groups = draw(st.integers(1, 3))
        if draw(st.integers(0, 9)) == 0:  # now and then a group count that does not divide
            c_in, c_out = draw(st.integers(1, 5)), draw(st.integers(1, 5))
        else:
            c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
        pad_values = st.one_of(st.sampled_from(JAX_STRINGS), pairs(rank, 0, 3))
    lhs_dilation = draw(lhs)
    padding = draw(pad_values)
    stride_drawn, dilation_drawn = draw(stride), draw(dilation)
    if padding in ("SAME", "VALID") and max(stride_drawn) > 1:  # Keras' words: no stride with dilation
        dilation_drawn = (1,) * rank
    if isinstance(padding, str) and max(lhs_dilation) > 1:  # jax refuses: pinned below
        padding = ((1, 2),) * rank if small else draw(pairs(rank, 0, 2))
    return dict(
        rank=rank,
        spatial=draw(spatial),
        c_in=c_in,
        c_out=c_out,
        kernel=draw(kernel),
        stride=stride_drawn,
        dilation=dilation_drawn,
        lhs_dilation=lhs_dilation,
        groups=groups,
        padding=padding,
    )


def jax_conv_general(case, x, kernel):
    return jax.lax.conv_general_dilated(
        x,
        kernel,
        case["stride"],
        case["padding"],
        lhs_dilation=case["lhs_dilation"],
        rhs_dilation=case["dilation"],
        dimension_numbers=DIMENSION_NUMBERS[case["rank"]],
        feature_group_count=case["groups"],
    )


def conv_general_shapes(case) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``x`` and the kernel: Flax's (and Keras') ``(*k, C_in / groups, C_out)``."""
    return (1, *case["spatial"], case["c_in"]), (
        *case["kernel"],
        max(case["c_in"] // case["groups"], 1),
        case["c_out"],
    )


def keras_word(padding):
    """jax's 'SAME' and 'VALID' are Keras' 'same' and 'valid' in snippets ('SAME_LOWER' is jax's own)."""
    return {"SAME": "same", "VALID": "valid"}.get(padding, padding) if isinstance(padding, str) else padding


def snippets_conv_general_shape(case) -> tuple[int, ...]:
    """``conv_output_shape``, or with ``lhs_dilation`` the stride-``L`` transposed shape in Flax's
    convention (the stretched, padded input convolved), taken every ``window_strides``-th."""
    shape_in = (*case["spatial"], case["c_in"])
    if case["c_in"] % case["groups"] or case["c_out"] % case["groups"]:
        raise ValueError("groups must divide both channel counts")
    if max(case["lhs_dilation"]) == 1:
        return snippets.conv_output_shape(
            shape_in,
            case["c_out"],
            case["kernel"],
            case["stride"],
            keras_word(case["padding"]),
            dilation=case["dilation"],
        )
    *full, c = flax_transposed_output_shape(
        shape_in,
        case["c_out"],
        case["kernel"],
        case["lhs_dilation"],
        case["padding"],
        dilation=case["dilation"],
    )
    return (*(-(-n // s) for n, s in zip(full, case["stride"], strict=True)), c)


# --- 1. jax.lax.conv_general_dilated -----------------------------------------------------------


@SHAPES
@given(case=conv_general_cases())
def test_conv_general_dilated_shapes_match(case):
    x_shape, k_shape = conv_general_shapes(case)
    expected = outcome(
        lambda: spatial_out(
            jax.eval_shape(lambda x, k: jax_conv_general(case, x, k), struct(x_shape), struct(k_shape)).shape
        )
    )
    event(f"{case['rank']}-D, lhs_dilation {max(case['lhs_dilation']) > 1}, {type(case['padding']).__name__}")
    assert_agrees(expected, lambda: snippets_conv_general_shape(case))


def random_arrays(seed: int, *shapes) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype(np.float32) for shape in shapes]


def within_float32_rounding(theirs: np.ndarray, exact: np.ndarray, magnitude: np.ndarray, terms: int) -> None:
    """jax's float32 sum of ``terms`` products is within ``2 (terms + 1) eps sum|x||k|`` of snippets'
    float64 value (the classic bound with room to spare; ``magnitude`` is that ``sum|x||k|``)."""
    assert theirs.shape == exact.shape
    bound = 2 * (terms + 1) * FLOAT32_EPS * magnitude + 1e-30
    excess = np.abs(theirs.astype(np.float64) - exact) - bound
    assert excess.max() <= 0, (
        f"jax's float32 result is off by more than its rounding bound at {np.argmax(excess)}"
    )


def snippets_conv_general(case, x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """snippets' value of the call: ``conv``, or per group a transposed convolution of stride
    ``lhs_dilation`` in Flax's convention (kernel reversed and its channel axes swapped, as
    ``port_kernel`` does for Flax's ConvTranspose), subsampled by ``window_strides``."""
    rank, groups = case["rank"], case["groups"]
    if max(case["lhs_dilation"]) == 1:
        return snippets.conv(
            x,
            kernel,
            stride=case["stride"],
            padding=keras_word(case["padding"]),
            dilation=case["dilation"],
            groups=groups,
        )
    c_in, c_out = x.shape[-1] // groups, kernel.shape[-1] // groups
    parts = []
    for g in range(groups):
        flax_kernel = kernel[..., g * c_out : (g + 1) * c_out]  # (*k, C_in / groups, C_out / groups)
        keras_kernel = port_kernel(flax_kernel, source="flax", target="keras", kind="conv_transpose")
        y = snippets.conv_transpose(
            x[..., g * c_in : (g + 1) * c_in],
            keras_kernel,
            stride=case["lhs_dilation"],
            padding=case["padding"],
            dilation=case["dilation"],
            padding_convention="flax",
        )
        parts.append(y[(slice(None), *(slice(None, None, s) for s in case["stride"]))])
    del rank
    return np.concatenate(parts, axis=-1)


def check_values(jax_call, snippets_call, arrays, terms: int) -> None:
    """jax (float32) against snippets (float64) on the same numbers; both refuse or neither."""
    theirs = outcome(lambda: np.asarray(jax_call(*map(jnp.asarray, arrays))))
    if not isinstance(theirs, Exception) and 0 in theirs.shape:
        theirs = EmptyOutput(f"jax returned an empty output of shape {theirs.shape}")
    if isinstance(theirs, Exception):
        event("jax refuses")
        with pytest.raises(ValueError):
            snippets_call(*(a.astype(np.float64) for a in arrays))
        return
    event("jax accepts")
    exact = snippets_call(*(a.astype(np.float64) for a in arrays))
    magnitude = snippets_call(*(np.abs(a).astype(np.float64) for a in arrays))
    within_float32_rounding(theirs, exact, magnitude, terms)


@VALUES
@given(case=conv_general_cases(small=True), seed=st.integers(0, 2**32 - 1))
def test_conv_general_dilated_values_match(case, seed):
    x_shape, k_shape = conv_general_shapes(case)
    x_shape = (2, *x_shape[1:])
    event(f"{case['rank']}-D, lhs_dilation {max(case['lhs_dilation']) > 1}")
    check_values(
        compiled("conv_general_dilated", case, lambda x, k: jax_conv_general(case, x, k)),
        lambda x, k: snippets_conv_general(case, x, k),
        random_arrays(seed, x_shape, k_shape),
        math.prod(case["kernel"]) * k_shape[-2],
    )


# --- 2. jax.lax.conv_transpose -----------------------------------------------------------------


@st.composite
def transpose_cases(draw, *, small: bool = False, consistent: bool = True) -> dict:
    rank = draw(st.sampled_from(RANKS))
    if small:
        first = draw(st.integers(0, len(SMALL_TRANSPOSE) - 1))  # axis i takes geometry first + i
        geometry = [SMALL_TRANSPOSE[(first + i) % len(SMALL_TRANSPOSE)] for i in range(rank)]
        kernel, stride, dilation = (st.just(tuple(g[j] for g in geometry)) for j in range(3))
        spatial = st.just((SMALL_SIZE[rank] - 2,) * rank)
        c_in, c_out = 2, 3
        numbers = st.sampled_from([((0, 0),) * rank, ((1, 2),) * rank, ((-1, 1),) * rank])
    else:
        high = {1: 12, 2: 7, 3: 5}[rank]
        spatial = tuples(st.integers(1, high), rank)
        kernel, stride, dilation = (
            tuples(st.integers(1, 4), rank),
            tuples(st.integers(1, 3), rank),
            tuples(st.integers(1, 3), rank),
        )
        c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        numbers = pairs(rank, -1, 4)
    use_consistent = consistent and draw(st.booleans()) and not (small and draw(st.integers(0, 2)))
    if use_consistent and small:
        padding = ((1, 1),) * rank
    elif use_consistent:  # PyTorch's p, symmetric
        padding = draw(
            st.one_of(
                st.sampled_from(["SAME", "VALID"]),
                tuples(st.integers(0, 3), rank).map(lambda p: tuple((v, v) for v in p)),
            )
        )
    else:
        padding = draw(st.one_of(st.sampled_from(JAX_STRINGS), numbers))
    return dict(
        rank=rank,
        spatial=draw(spatial),
        c_in=c_in,
        c_out=c_out,
        kernel=draw(kernel),
        stride=draw(stride),
        dilation=draw(dilation),
        padding=padding,
        transpose_kernel=draw(st.booleans()),
        use_consistent_padding=use_consistent,
    )


def jax_conv_transpose(case, x, kernel):
    return jax.lax.conv_transpose(
        x,
        kernel,
        case["stride"],
        case["padding"],
        rhs_dilation=case["dilation"],
        dimension_numbers=DIMENSION_NUMBERS[case["rank"]],
        transpose_kernel=case["transpose_kernel"],
        use_consistent_padding=case["use_consistent_padding"],
    )


def transposed_padding_of(case):
    """snippets' ``padding=`` and ``padding_convention=`` for the case: PyTorch's ``p`` when jax
    reads it consistently, Flax's convention otherwise (its strings too)."""
    padding = case["padding"]
    if isinstance(padding, str):
        return padding, "flax"
    if case["use_consistent_padding"]:
        return tuple(p for p, _ in padding), "torch"
    return padding, "flax"


@SHAPES
@given(case=transpose_cases())
def test_conv_transpose_shapes_match(case):
    x_shape = (1, *case["spatial"], case["c_in"])
    k_shape = (*case["kernel"], case["c_in"], case["c_out"])  # (*k, I, O); transposed: O and I swapped
    if case["transpose_kernel"]:
        k_shape = (*case["kernel"], case["c_out"], case["c_in"])
    expected = outcome(
        lambda: spatial_out(
            jax.eval_shape(
                lambda x, k: jax_conv_transpose(case, x, k), struct(x_shape), struct(k_shape)
            ).shape
        )
    )
    padding, convention = transposed_padding_of(case)
    event(f"{case['rank']}-D, {type(padding).__name__}, {convention}")
    function = flax_transposed_output_shape if convention == "flax" else snippets.transposed_output_shape
    assert_agrees(
        expected,
        lambda: function(
            (*case["spatial"], case["c_in"]),
            case["c_out"],
            case["kernel"],
            case["stride"],
            padding,
            dilation=case["dilation"],
        ),
    )


def keras_kernel_for(case, kernel: np.ndarray) -> np.ndarray:
    """The Keras kernel ``(*k, C_out, C_in)`` of the kernel jax was given: as it is with
    ``transpose_kernel=True``, else Flax's unflipped ``(*k, C_in, C_out)`` ported."""
    if case["transpose_kernel"]:
        return kernel
    return port_kernel(kernel, source="flax", target="keras", kind="conv_transpose")


@VALUES
@given(case=transpose_cases(small=True), seed=st.integers(0, 2**32 - 1))
def test_conv_transpose_values_match(case, seed):
    x_shape = (2, *case["spatial"], case["c_in"])
    channels = (case["c_out"], case["c_in"]) if case["transpose_kernel"] else (case["c_in"], case["c_out"])
    padding, convention = transposed_padding_of(case)
    event(f"{case['rank']}-D, {convention}, transpose_kernel={case['transpose_kernel']}")
    check_values(
        compiled("conv_transpose", case, lambda x, k: jax_conv_transpose(case, x, k)),
        lambda x, k: snippets.conv_transpose(
            x,
            keras_kernel_for(case, k),
            stride=case["stride"],
            padding=padding,
            dilation=case["dilation"],
            padding_convention=convention,
        ),
        random_arrays(seed, x_shape, (*case["kernel"], *channels)),
        math.prod(case["kernel"]) * case["c_in"],
    )


# --- 3. flax.nnx.Conv and nnx.ConvTranspose ----------------------------------------------------


def given_array(array: np.ndarray | None):
    """A Flax initializer that hands over ``array`` (zeros when None) without a JAX computation."""

    def init(key, shape, dtype=jnp.float32):
        return jnp.zeros(shape, dtype) if array is None else jnp.asarray(array)

    return init


def flax_int_padding(draw, case: dict, small: bool) -> dict:
    """Now and then Flax's int forms of symmetric pairs: one int, or one int per axis."""
    if not small and isinstance(case["padding"], tuple) and draw(st.booleans()):
        sides = [lo for lo, _ in case["padding"]]
        case["padding"] = sides[0] if draw(st.booleans()) else tuple(sides)
    return case


def flax_conv(case, kernel=None):
    return nnx.Conv(
        case["c_in"],
        case["c_out"],
        case["kernel"],
        case["stride"],
        padding=case["padding"],
        kernel_dilation=case["dilation"],
        feature_group_count=case["groups"],
        use_bias=False,
        kernel_init=given_array(kernel),
        rngs=nnx.Rngs(0),
    )


@st.composite
def flax_conv_cases(draw, *, small: bool = False) -> dict:
    case = draw(conv_general_cases(small=small))
    case["lhs_dilation"] = (1,) * case["rank"]
    flax_int_padding(draw, case, small)
    return case


def flax_call_shape(build, x_shape) -> tuple[int, ...]:
    """The layer built and called inside ``jax.eval_shape``: its kernel is abstract too, so
    nothing is compiled (a concrete one costs a compilation per new kernel shape)."""
    return spatial_out(jax.eval_shape(lambda x: build()(x), struct(x_shape)).shape)


@FLAX_SHAPES
@given(case=flax_conv_cases())
def test_flax_conv_shapes_match(case):
    x_shape, _ = conv_general_shapes(case)
    expected = outcome(lambda: flax_call_shape(lambda: flax_conv(case), x_shape))
    event(f"{case['rank']}-D, {type(case['padding']).__name__}")
    assert_agrees(expected, lambda: snippets_conv_general_shape(case))


@VALUES
@given(case=flax_conv_cases(small=True), seed=st.integers(0, 2**32 - 1))
def test_flax_conv_values_match(case, seed):
    x_shape, k_shape = conv_general_shapes(case)
    x, kernel = random_arrays(seed, (2, *x_shape[1:]), k_shape)
    check_values(
        compiled("nnx.Conv", case, lambda x, k: flax_conv(case, k)(x)),
        lambda x, k: snippets_conv_general(case, x, k),
        [x, kernel],
        math.prod(case["kernel"]) * k_shape[-2],
    )


def flax_conv_transpose(case, kernel=None):
    return nnx.ConvTranspose(
        case["c_in"],
        case["c_out"],
        case["kernel"],
        case["stride"],
        padding=case["padding"],
        kernel_dilation=case["dilation"],
        transpose_kernel=case["transpose_kernel"],
        use_bias=False,
        kernel_init=given_array(kernel),
        rngs=nnx.Rngs(0),
    )


@st.composite
def flax_transpose_cases(draw, *, small: bool = False) -> dict:
    case = draw(transpose_cases(small=small, consistent=False))
    flax_int_padding(draw, case, small)
    return case


@FLAX_SHAPES
@given(case=flax_transpose_cases())
def test_flax_conv_transpose_shapes_match(case):
    x_shape = (1, *case["spatial"], case["c_in"])
    expected = outcome(lambda: flax_call_shape(lambda: flax_conv_transpose(case), x_shape))
    event(f"{case['rank']}-D, {type(case['padding']).__name__}, transpose_kernel={case['transpose_kernel']}")
    assert_agrees(
        expected,
        lambda: flax_transposed_output_shape(
            (*case["spatial"], case["c_in"]),
            case["c_out"],
            case["kernel"],
            case["stride"],
            case["padding"],
            dilation=case["dilation"],
        ),
    )


@VALUES
@given(case=flax_transpose_cases(small=True), seed=st.integers(0, 2**32 - 1))
def test_flax_conv_transpose_values_match(case, seed):
    channels = (case["c_out"], case["c_in"]) if case["transpose_kernel"] else (case["c_in"], case["c_out"])
    x, kernel = random_arrays(seed, (2, *case["spatial"], case["c_in"]), (*case["kernel"], *channels))
    event(f"{case['rank']}-D, transpose_kernel={case['transpose_kernel']}")
    check_values(
        compiled("nnx.ConvTranspose", case, lambda x, k: flax_conv_transpose(case, k)(x)),
        lambda x, k: snippets.conv_transpose(
            x,
            keras_kernel_for(case, k),
            stride=case["stride"],
            padding=case["padding"],
            dilation=case["dilation"],
            padding_convention="flax",
        ),
        [x, kernel],
        math.prod(case["kernel"]) * case["c_in"],
    )


# --- 4. the conversion, and the differences that remain ------------------------------------------


@SHAPES
@given(
    rank=st.sampled_from(RANKS),
    data=st.data(),
)
def test_flax_transposed_padding_is_torchs_layer(rank, data):
    """PyTorch's ``padding=p, output_padding=op`` converted by :func:`flax_transposed_padding`
    gives jax's Flax-convention shape equal to snippets' PyTorch shape."""
    spatial = data.draw(tuples(st.integers(1, 6), rank))
    kernel, stride, dilation = (data.draw(tuples(st.integers(1, 4), rank)) for _ in range(3))
    p = data.draw(tuples(st.integers(0, 3), rank))
    op = data.draw(st.tuples(*[st.integers(0, max(s, d) - 1) for s, d in zip(stride, dilation, strict=True)]))
    torch_shape = outcome(
        lambda: snippets.transposed_output_shape(
            (*spatial, 2), 3, kernel, stride, p, output_padding=op, dilation=dilation
        )
    )
    pads = flax_transposed_padding(p, kernel, dilation, op)
    jax_shape = outcome(
        lambda: spatial_out(
            jax.eval_shape(
                lambda x, k: jax.lax.conv_transpose(
                    x, k, stride, pads, rhs_dilation=dilation, dimension_numbers=DIMENSION_NUMBERS[rank]
                ),
                struct((1, *spatial, 2)),
                struct((*kernel, 2, 3)),
            ).shape
        )
    )
    if isinstance(torch_shape, Exception):
        assert isinstance(jax_shape, Exception)
    else:
        assert jax_shape == torch_shape


def test_same_lower_puts_the_odd_pixel_first_in_every_rank():
    for rank in RANKS:
        shape = (8,) * rank
        assert (
            snippets.padding_amounts((*shape, 1), 4, 1, "SAME_LOWER")
            == tuple(jax.lax.padtype_to_pads(shape, (4,) * rank, (1,) * rank, "SAME_LOWER"))
            == ((2, 1),) * rank
        )
        assert snippets.padding_amounts((*shape, 1), 4, 1, "same") == ((1, 2),) * rank


def test_pinned_differences():
    """What jax accepts and snippets refuses, on purpose."""
    x, k = struct((1, 6, 1)), struct((3, 1, 1))
    dn = DIMENSION_NUMBERS[1]
    # negative padding of a convolution crops in jax; snippets' numbers are PyTorch's, >= 0
    shape = jax.eval_shape(
        lambda a, b: jax.lax.conv_general_dilated(a, b, (1,), ((-1, 0),), dimension_numbers=dn), x, k
    ).shape
    assert shape == (1, 3, 1)
    with pytest.raises(ValueError, match="padding must be"):
        snippets.conv_output_shape((6, 1), 1, 3, 1, ((-1, 0),))
    # string padding with lhs_dilation: jax refuses; snippets' transposed functions compute it
    with pytest.raises(ValueError, match="String padding is not implemented"):
        jax.eval_shape(
            lambda a, b: jax.lax.conv_general_dilated(
                a, b, (1,), "SAME", lhs_dilation=(2,), dimension_numbers=dn
            ),
            x,
            k,
        )
    # 'SAME' with stride and dilation: jax computes it; snippets' 'same' is Keras' and refuses it
    # (its 'SAME_LOWER' and Flax's transposed 'SAME' follow jax's rule)
    shape = jax.eval_shape(
        lambda a, b: jax.lax.conv_general_dilated(
            a, b, (2,), "SAME", rhs_dilation=(2,), dimension_numbers=dn
        ),
        x,
        k,
    ).shape
    assert shape == (1, 3, 1)
    with pytest.raises(ValueError, match="stride and dilation"):
        snippets.conv_output_shape((6, 1), 1, 3, 2, "same", dilation=2)
    assert snippets.conv_output_shape((6, 1), 1, 3, 2, "SAME_LOWER", dilation=2) == (3, 1)


def test_bad_padding_convention_is_named():
    x, kernel = np.zeros((5, 1)), np.zeros((3, 1, 1))
    with pytest.raises(
        ValueError, match="padding_convention must be one of \\('torch', 'flax'\\).*got 'jax'"
    ):
        snippets.conv_transpose(x, kernel, stride=2, padding=1, padding_convention="jax")
    with pytest.raises(ValueError, match="output_padding must be None"):
        snippets.conv_transpose(
            x, kernel, stride=2, padding=((1, 1),), output_padding=1, padding_convention="flax"
        )
    with pytest.raises(ValueError, match="padding must be .*'SAME_LOWER'.*got 'SAME'"):
        snippets.transposed_output_shape((5, 1), 1, 3, 2, "SAME")
