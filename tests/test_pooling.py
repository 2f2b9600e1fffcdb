"""snippets.pooling against real torch.nn and keras.layers pools, in every rank.

Hypothesis generates the configurations (2,000 per property under CI, see tests/conftest.py):
``MaxPool1d/2d/3d`` with dilation, ``ceil_mode`` and padding, ``AvgPool1d/2d/3d`` with
``ceil_mode`` and ``count_include_pad``, the adaptive pools, and Keras' 'valid'/'same' and
global pools. Where torch refuses, snippets must raise ``ValueError``, and the other way round.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from snippets import pooling  # noqa: E402
from snippets import shapes as snippets_shapes  # noqa: E402
from snippets.receptive import conv_geometry, pool_geometry, receptive_fields  # noqa: E402

pytestmark = pytest.mark.parity
torch.set_num_threads(1)


def channels_first(x: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(np.moveaxis(x, -1, 1)))


def run_torch(layer, x: np.ndarray):
    """The layer's output, channels-last, or the refusal (an empty output counts as one)."""
    try:
        with torch.no_grad():
            y = layer(channels_first(x))
    except RuntimeError as refusal:
        return refusal
    if 0 in y.shape:
        return RuntimeError(f"empty output {tuple(y.shape)}")
    return np.moveaxis(y.numpy(), 1, -1)


def run_snippets(call):
    try:
        return call()
    except ValueError as refusal:
        return refusal


def assert_same(ours, theirs) -> None:
    if isinstance(theirs, Exception) or isinstance(ours, Exception):
        assert isinstance(ours, Exception) and isinstance(theirs, Exception), (ours, theirs)
    else:
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


@st.composite
def pool_configs(draw) -> dict:
    rank = draw(st.integers(1, 3))
    return {
        "rank": rank,
        "size": draw(st.tuples(*[st.integers(1, 9)] * rank)),
        "k": draw(st.integers(1, 5)),
        "s": draw(st.integers(1, 3)),
        "p": draw(st.integers(0, 3)),
        "ceil_mode": draw(st.booleans()),
        "seed": draw(st.integers(0, 2**32 - 1)),
    }


@given(pool_configs(), st.integers(1, 3))
def test_max_pool_equals_torch(case, dilation):
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal((2, *case["size"], 2))
    layer = getattr(torch.nn, f"MaxPool{case['rank']}d")(
        case["k"], case["s"], case["p"], dilation=dilation, ceil_mode=case["ceil_mode"]
    )
    ours = run_snippets(
        lambda: pooling.max_pool(
            x, case["k"], case["s"], case["p"], dilation=dilation, ceil_mode=case["ceil_mode"]
        )
    )
    assert_same(ours, run_torch(layer, x))
    if not isinstance(ours, Exception):
        shape = pooling.pool_output_shape(x.shape[1:], case["k"], case["s"], case["p"], dilation=dilation,
                                          ceil_mode=case["ceil_mode"])  # fmt: skip
        assert ours.shape[1:] == shape


@given(pool_configs(), st.booleans())
def test_average_pool_equals_torch(case, count_include_pad):
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal((2, *case["size"], 2))
    layer = getattr(torch.nn, f"AvgPool{case['rank']}d")(
        case["k"], case["s"], case["p"], ceil_mode=case["ceil_mode"], count_include_pad=count_include_pad
    )
    theirs = run_torch(layer, x)
    if isinstance(theirs, Exception) and "smaller than kernel size" in str(theirs):
        # torch's AvgPool3d alone refuses an input smaller than the pool, padding or not
        assert case["rank"] == 3 and min(case["size"]) < case["k"]
        return
    ours = run_snippets(
        lambda: pooling.average_pool(
            x,
            case["k"],
            case["s"],
            case["p"],
            ceil_mode=case["ceil_mode"],
            count_include_pad=count_include_pad,
        )
    )
    assert_same(ours, theirs)


@given(st.integers(1, 3), st.data())
def test_adaptive_pools_equal_torch(rank, data):
    size = data.draw(st.tuples(*[st.integers(1, 12)] * rank))
    out = data.draw(st.tuples(*[st.integers(1, 12)] * rank))
    x = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1))).standard_normal((2, *size, 3))
    for ours, layer in [
        (pooling.adaptive_average_pool, getattr(torch.nn, f"AdaptiveAvgPool{rank}d")),
        (pooling.adaptive_max_pool, getattr(torch.nn, f"AdaptiveMaxPool{rank}d")),
    ]:
        assert_same(ours(x, out), run_torch(layer(out), x))


def test_adaptive_windows_overlap_when_the_sizes_do_not_divide():
    # 5 -> 3: [floor(i 5 / 3), ceil((i + 1) 5 / 3)) = [0, 2), [1, 4), [3, 5)
    assert pooling.adaptive_windows(5, 3) == [(0, 2), (1, 4), (3, 5)]
    assert pooling.adaptive_windows(6, 3) == [(0, 2), (2, 4), (4, 6)]


KERAS_POOLS = {
    ("max", 1): keras.layers.MaxPooling1D, ("max", 2): keras.layers.MaxPooling2D, ("max", 3): keras.layers.MaxPooling3D,
    ("avg", 1): keras.layers.AveragePooling1D, ("avg", 2): keras.layers.AveragePooling2D,
    ("avg", 3): keras.layers.AveragePooling3D,
}  # fmt: skip


@given(pool_configs(), st.sampled_from(["valid", "same"]), st.sampled_from(["max", "avg"]))
def test_string_padding_equals_keras(case, padding, kind):
    """Shapes always; values where Keras' torch backend pads evenly (see the test below)."""
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal((1, *case["size"], 2)).astype("float32")
    layer = KERAS_POOLS[kind, case["rank"]](case["k"], case["s"], padding)
    try:
        theirs = keras.ops.convert_to_numpy(layer(x))
        if 0 in theirs.shape:
            raise ValueError("empty output")
    except (ValueError, RuntimeError) as refusal:
        theirs = refusal
    if isinstance(theirs, RuntimeError) and "smaller than kernel size" in str(theirs.__cause__ or theirs):
        return  # Keras on torch inherits torch's AvgPool3d refusal; Keras' own rule has none
    function = pooling.max_pool if kind == "max" else pooling.average_pool
    ours = run_snippets(lambda: function(x, case["k"], case["s"], padding))
    if isinstance(ours, Exception) or isinstance(theirs, Exception):
        assert isinstance(ours, Exception) and isinstance(theirs, Exception), (ours, theirs)
        return
    assert ours.shape == theirs.shape
    pads = pooling.pool_padding(x.shape[1:], case["k"], case["s"], padding)
    if kind == "max" or all(before == after for before, after in pads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_keras_on_torch_repeats_the_edge_where_tensorflow_leaves_the_pad_out():
    """A measured backend difference: AveragePooling1D(3, 2, 'same') on [0, 1, 2, 3].

    The total padding is 1, after: TensorFlow's rule (and JAX's, and snippets') averages the
    last window [2, 3] over its 2 real values, 2.5. Keras 3 on the torch backend pads an uneven
    'same' with the edge value, [2, 3, 3], and gives 2.67.
    """
    x = np.arange(4.0, dtype="float32").reshape(1, 4, 1)
    ours = pooling.average_pool(x, 3, 2, "same")[0, :, 0]
    theirs = keras.ops.convert_to_numpy(keras.layers.AveragePooling1D(3, 2, "same")(x))[0, :, 0]
    assert pooling.pool_padding((4, 1), 3, 2, "same") == ((0, 1),)
    np.testing.assert_allclose(ours, [1.0, 2.5])
    np.testing.assert_allclose(theirs, [1.0, 8 / 3], rtol=1e-6)


def test_the_frameworks_count_the_corner_differently():
    """PyTorch's AvgPool2d(3, 1, 1) counts the pads (4/9 at a corner); Keras' 'same' does not (1)."""
    ones = np.ones((1, 4, 4, 1))
    torch_corner = run_torch(torch.nn.AvgPool2d(3, 1, 1), ones)[0, 0, 0, 0]
    keras_corner = keras.ops.convert_to_numpy(keras.layers.AveragePooling2D(3, 1, "same")(ones))[0, 0, 0, 0]
    assert (
        pooling.average_pool(ones, 3, 1, 1)[0, 0, 0, 0] == pytest.approx(torch_corner) == pytest.approx(4 / 9)
    )
    assert pooling.average_pool(ones, 3, 1, "same")[0, 0, 0, 0] == pytest.approx(keras_corner) == 1.0


def test_ceil_mode_maps_7_to_4():
    assert pooling.pool_output_shape((7, 1), 2, 2) == (3, 1)
    assert pooling.pool_output_shape((7, 1), 2, 2, ceil_mode=True) == (4, 1)
    # the last window would start at 6 = n + p_before: PyTorch drops it
    assert pooling.pool_output_shape((6, 1), 2, 2, ceil_mode=True) == (3, 1)


def test_max_pool_padding_is_minus_infinity_and_nan_propagates():
    x = np.array([[[1.0], [np.nan], [3.0]]])
    assert np.isnan(pooling.max_pool(x, 2, 1)[0, :, 0]).all()
    # pool 2, dilation 2, padding 1 on one value: the window reads the two pads, not the value
    y = pooling.max_pool(np.ones((1, 1, 1)), 2, 1, 1, dilation=2)
    theirs = run_torch(torch.nn.MaxPool1d(2, 1, 1, dilation=2), np.ones((1, 1, 1)))
    assert y.shape == theirs.shape == (1, 1, 1) and y[0, 0, 0] == theirs[0, 0, 0] == -np.inf


@given(st.integers(1, 3), st.data())
def test_global_pools_equal_keras(rank, data):
    size = data.draw(st.tuples(*[st.integers(1, 9)] * rank))
    seed = data.draw(st.integers(0, 2**32 - 1))
    x = np.random.default_rng(seed).standard_normal((2, *size, 3)).astype("float32")
    for ours, layer in [
        (pooling.global_average_pool, getattr(keras.layers, f"GlobalAveragePooling{rank}D")),
        (pooling.global_max_pool, getattr(keras.layers, f"GlobalMaxPooling{rank}D")),
    ]:
        np.testing.assert_allclose(ours(x), keras.ops.convert_to_numpy(layer()(x)), rtol=1e-5, atol=1e-6)
        kept = keras.ops.convert_to_numpy(layer(keepdims=True)(x))
        assert ours(x, keepdims=True).shape == kept.shape == (2, *(1,) * rank, 3)
        np.testing.assert_allclose(ours(x, keepdims=True), kept, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("call", "fragments"),
    [
        (
            lambda: pooling.pool_output_shape((8, 8, 3), 3, 1, 2),
            ["padding must be at most half the pool size", "pool size 3"],
        ),
        (lambda: pooling.pool_output_shape((3, 1), 4), ["pool_size must fit", "pool 4"]),
        (
            lambda: pooling.pool_output_shape((8, 1), 2, 2, "causal"),
            ["padding must be 'valid', 'same' or numbers"],
        ),
        (lambda: pooling.pool_output_shape((8, 1), 0), ["pool_size must be a positive int", "got 0"]),
        (lambda: pooling.max_pool(np.zeros((4, 3)), 2), ["x must be channels-last (N, L, C)", "(4, 3)"]),
        (lambda: pooling.adaptive_max_pool(np.zeros((1, 4, 3)), 0), ["output_size must be a positive int"]),
    ],
)
def test_bad_pools_are_named(call, fragments):
    with pytest.raises((TypeError, ValueError)) as caught:
        call()
    for fragment in fragments:
        assert fragment in str(caught.value)


@pytest.mark.parametrize("pool", [pooling.max_pool, pooling.average_pool])
def test_pools_return_a_new_array_and_leave_x_alone(pool):
    """The pools combine strided views of ``x`` without padding it: the result must still be
    its own array, and ``x`` untouched, even for a 1-wide pool that reads every value once."""
    x = np.arange(2 * 5 * 4 * 3, dtype="float32").reshape(2, 5, 4, 3)
    before = x.copy()
    for size, padding in [(1, 0), (2, 1), (3, 1)]:
        y = pool(x, size, 1, padding)
        assert not np.shares_memory(y, x)
        y[...] = -1
        np.testing.assert_array_equal(x, before)


@st.composite
def pooled_stacks(draw) -> list[tuple[str, int, int, int, int]]:
    """1 to 4 layers, each ("conv" | "pool", k, s, d, p) with PyTorch's limits on pool padding."""
    layers = []
    for _ in range(draw(st.integers(1, 4))):
        kind, k, s = draw(st.sampled_from(["conv", "pool"])), draw(st.integers(1, 4)), draw(st.integers(1, 3))
        d = draw(st.integers(1, 2)) if kind == "conv" else 1
        layers.append((kind, k, s, d, draw(st.integers(0, k // 2))))
    return layers


@given(pooled_stacks(), st.data())
def test_pool_geometry_gives_the_field_back_propagation_measures(layers, data):
    """receptive_fields over conv_geometry and pool_geometry: the inputs that reach an output
    (non-zero gradient through torch's Conv1d of ones and AvgPool1d counting its pads) are the
    field ``[i S - P, i S - P + r - 1]``: inside it (dilation leaves holes), and reaching both
    ends where they lie inside the input."""
    n, shape, geometries, modules = 64, (64, 1), [], []
    for kind, k, s, d, p in layers:
        try:
            if kind == "conv":
                geometries.append(conv_geometry(shape, k, s, p, dilation=d))
                shape = snippets_shapes.conv_output_shape(shape, 1, k, s, p, dilation=d)
                conv = torch.nn.Conv1d(1, 1, k, s, p, dilation=d, bias=False)
                torch.nn.init.ones_(conv.weight)
                modules.append(conv)
            else:
                geometries.append(pool_geometry(shape, k, s, p))
                shape = pooling.pool_output_shape(shape, k, s, p)
                modules.append(torch.nn.AvgPool1d(k, s, p, count_include_pad=True))
        except ValueError:
            return  # the stack does not fit in 64 samples
    field = receptive_fields(geometries)[-1]
    size, stride, padding = (value[0] for value in field)
    i = data.draw(st.integers(0, shape[0] - 1))
    x = torch.ones(1, 1, n, requires_grad=True)
    torch.nn.Sequential(*modules)(x)[0, 0, i].backward()
    reached = torch.nonzero(x.grad[0, 0]).flatten().tolist()
    start, end = i * stride - padding, i * stride - padding + size - 1
    assert reached and max(start, 0) <= reached[0] and reached[-1] <= min(end, n - 1), (reached, field)
    if start >= 0:
        assert reached[0] == start
    if end < n:
        assert reached[-1] == end
