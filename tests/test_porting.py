"""Kernels ported with :mod:`snippets.porting` make real PyTorch, Keras and Flax layers agree.

* Layouts: :func:`kernel_shape` (and so :func:`kernel_layout`, whose axes it fills in) is the
  shape of the kernel each real layer makes, for every kind and rank, with a kernel whose axes
  all differ so that a swapped pair would show.
* Round trips without a framework: ``a -> b -> a`` gives the kernel back exactly, and
  ``a -> b -> c`` equals ``a -> c``, for every pair of frameworks, kind and rank.
* Values: one PyTorch layer's weights, ported to Keras and to Flax (``nnx.ConvTranspose`` in
  both ``transpose_kernel`` settings), give equal outputs on random inputs, and port back to the
  weight they came from; conv (grouped too), depthwise, transposed (torch's grouped too),
  1-D, 2-D and 3-D. Keras has no ``DepthwiseConv3D``: in 3-D its ``keras.ops.depthwise_conv``
  stands in, with the same kernel layout.
* The issue's proof: a small network (conv, depthwise, transposed, dense head) ported from
  PyTorch to Keras, then to Flax, then back to PyTorch, equal outputs at every step.
* Every bad argument gets a message naming it, its value and what is allowed.
"""

from __future__ import annotations

import itertools
import os

os.environ["KERAS_BACKEND"] = "torch"
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402  (the backend is chosen above)
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from flax import nnx  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from snippets.porting import FRAMEWORKS, KINDS, kernel_layout, kernel_shape, port_kernel  # noqa: E402

pytestmark = pytest.mark.parity

torch.set_num_threads(1)
assert keras.backend.backend() == "torch"

# Every value example builds three or four real layers, and XLA compiles Flax's convolution
# again for every new shape: the CI profile's 2,000 examples per property would take about ten
# minutes. 20 per kind and rank (180 in all, about 20 s on the 2-core machine) keep this file
# near its share of the CI budget; the framework-free round trips are cheap and run 500.
VALUES = settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
ROUND_TRIPS = settings(VALUES, max_examples=500)

RANKS = (1, 2, 3)
CONV_KINDS = ("conv", "depthwise_conv", "conv_transpose")
ATOL = 1e-5


# --- real layers -----------------------------------------------------------------------


def torch_layer(kind: str, rank: int, c_in: int, c_out: int, k: tuple, stride=1, dilation=1, groups=1):
    if kind == "dense":
        return torch.nn.Linear(c_in, c_out)
    if kind == "conv_transpose":
        cls = getattr(torch.nn, f"ConvTranspose{rank}d")
    else:
        cls = getattr(torch.nn, f"Conv{rank}d")
        groups = c_in if kind == "depthwise_conv" else groups
    return cls(c_in, c_out, k, stride=stride, dilation=dilation, groups=groups)


def keras_layer(kind: str, rank: int, c_in: int, c_out: int, k: tuple, stride=1, dilation=1, groups=1):
    if kind == "dense":
        layer = keras.layers.Dense(c_out)
        layer.build((None, c_in))
        return layer
    if kind == "conv":
        layer = getattr(keras.layers, f"Conv{rank}D")(c_out, k, stride, dilation_rate=dilation, groups=groups)
    elif kind == "depthwise_conv":
        cls = getattr(keras.layers, f"DepthwiseConv{rank}D")
        layer = cls(k, stride, depth_multiplier=c_out // c_in, dilation_rate=dilation)
    else:
        layer = getattr(keras.layers, f"Conv{rank}DTranspose")(c_out, k, stride, dilation_rate=dilation)
    layer.build((None, *(9,) * rank, c_in))
    return layer


def given_array(array: np.ndarray | None = None):
    """A Flax initializer that hands over ``array`` (zeros when None), checking its shape.

    It runs no JAX computation: Flax's random initializers are compiled by XLA for every new
    shape, which would double the time of each generated case.
    """

    def init(key, shape, dtype=jnp.float32):
        if array is None:
            return jnp.asarray(np.zeros(shape, dtype))
        assert tuple(shape) == array.shape, (
            f"the layer wants a kernel of shape {tuple(shape)}, got {array.shape}"
        )
        return jnp.asarray(array)

    return init


def flax_layer(
    kind: str,
    rank: int,
    c_in: int,
    c_out: int,
    k: tuple,
    stride=1,
    dilation=1,
    groups=1,
    kernel=None,
    bias=None,
    **kw,
):
    inits = {"kernel_init": given_array(kernel), "bias_init": given_array(bias), "rngs": nnx.Rngs(0)}
    if kind == "dense":
        return nnx.Linear(c_in, c_out, **inits)
    if kind == "conv_transpose":
        return nnx.ConvTranspose(
            c_in, c_out, k, stride, padding="VALID", kernel_dilation=dilation, **inits, **kw
        )
    groups = c_in if kind == "depthwise_conv" else groups
    return nnx.Conv(
        c_in, c_out, k, stride, padding="VALID", kernel_dilation=dilation, feature_group_count=groups, **inits
    )


def weights_of(framework: str, layer) -> tuple[np.ndarray, np.ndarray]:
    if framework == "torch":
        return layer.weight.detach().numpy().copy(), layer.bias.detach().numpy().copy()
    if framework == "keras":
        kernel, bias = layer.get_weights()
        return kernel, bias
    return np.array(layer.kernel[...]), np.array(layer.bias[...])  # writable copies


def set_weights(framework: str, layer, kernel: np.ndarray, bias: np.ndarray) -> None:
    if framework == "torch":
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(kernel))
            layer.bias.copy_(torch.from_numpy(bias))
    elif framework == "keras":
        layer.set_weights([kernel, bias])
    else:
        layer.kernel[...] = jnp.asarray(kernel)  # refuses another shape
        layer.bias[...] = jnp.asarray(bias)


def run(framework: str, layer, x: np.ndarray) -> np.ndarray:
    """The layer on a channels-last batch, the result channels-last."""
    if framework == "torch":
        # A copy with plain channels-first strides (frameworks.md: torch 2.13's one-channel trap).
        planes = torch.from_numpy(np.ascontiguousarray(np.moveaxis(x, -1, 1)))
        return np.moveaxis(layer(planes).detach().numpy(), 1, -1)
    if framework == "keras":
        return keras.ops.convert_to_numpy(layer(x))
    return np.asarray(layer(jnp.asarray(x)))


# --- layouts ---------------------------------------------------------------------------

#: Sizes whose every axis differs: C_in 4, C_out 6 (groups 2), kernel 2, 3, 5 per axis.
C_IN, C_OUT, GROUPS, KERNEL = 4, 6, 2, (2, 3, 5)


def real_kernel_shapes(kind: str, rank: int) -> dict[tuple[str, bool], tuple[int, ...]]:
    """The kernel shape each framework's own layer makes, keyed (framework, transpose_kernel)."""
    k = KERNEL[:rank]
    c_out = 8 if kind == "depthwise_conv" else C_OUT  # depth multiplier 2
    groups = GROUPS if kind == "conv" else 1
    shapes = {
        ("torch", False): tuple(torch_layer(kind, rank, C_IN, c_out, k, groups=groups).weight.shape),
        ("flax", False): tuple(flax_layer(kind, rank, C_IN, c_out, k, groups=groups).kernel.shape),
    }
    if kind == "conv_transpose":
        shapes["flax", True] = tuple(
            flax_layer(kind, rank, C_IN, c_out, k, transpose_kernel=True).kernel.shape
        )
    if (
        kind == "depthwise_conv" and rank == 3
    ):  # no DepthwiseConv3D: the layout keras.ops.depthwise_conv takes
        x = np.zeros((1, 6, 6, 6, C_IN), "float32")
        kernel = np.zeros((*k, C_IN, 2), "float32")
        assert keras.ops.depthwise_conv(x, kernel).shape[-1] == c_out
        shapes["keras", False] = kernel.shape
    else:
        shapes["keras", False] = tuple(keras_layer(kind, rank, C_IN, c_out, k, groups=groups).kernel.shape)
    return shapes


@pytest.mark.parametrize(("kind", "rank"), list(itertools.product(CONV_KINDS, RANKS)))
def test_kernel_shape_is_the_real_layers_kernel(kind: str, rank: int) -> None:
    c_out = 8 if kind == "depthwise_conv" else C_OUT
    groups = GROUPS if kind == "conv" else 1
    for (framework, flipped), real in real_kernel_shapes(kind, rank).items():
        computed = kernel_shape(
            framework, kind, C_IN, c_out, KERNEL[:rank], groups=groups, transpose_kernel=flipped
        )
        assert computed == real, (framework, kind, rank, flipped)
        layout = kernel_layout(framework, kind, rank, transpose_kernel=flipped)
        assert layout.count(",") + 1 == len(real)


def test_dense_kernel_shapes() -> None:
    for framework in FRAMEWORKS:
        layer = {"torch": torch_layer, "keras": keras_layer, "flax": flax_layer}[framework](
            "dense", 0, 3, 5, ()
        )
        real = tuple((layer.weight if framework == "torch" else layer.kernel).shape)
        assert kernel_shape(framework, "dense", 3, 5) == real
        assert kernel_layout(framework, "dense") == ("(out, in)" if framework == "torch" else "(in, out)")


def test_torch_grouped_transposed_weight_shape() -> None:
    layer = torch.nn.ConvTranspose2d(C_IN, C_OUT, KERNEL[:2], groups=GROUPS)
    assert (
        kernel_shape("torch", "conv_transpose", C_IN, C_OUT, KERNEL[:2], groups=GROUPS) == layer.weight.shape
    )


def test_layout_strings() -> None:
    """The text of three layouts, as the page prints them (one per kind that differs most)."""
    assert kernel_layout("torch", "conv", 3) == "(C_out, C_in / groups, kd, kh, kw)"
    assert kernel_layout("keras", "depthwise_conv", 1) == "(k, C_in, m)"
    assert kernel_layout("flax", "conv_transpose", 2, transpose_kernel=True) == "(kh, kw, C_out, C_in)"


# --- round trips without a framework -----------------------------------------------------


@st.composite
def kernels(draw):
    """A kind, a rank, a kernel in some framework's layout, and the arguments its port needs."""
    kind = draw(st.sampled_from(KINDS))
    rank = draw(st.sampled_from(RANKS))
    source = draw(st.sampled_from(FRAMEWORKS))
    c_in = draw(st.integers(1, 4))
    groups, m, flipped = 1, None, False
    if kind == "depthwise_conv":
        m = draw(st.integers(1, 3))
        c_out = c_in * m
    else:
        groups = draw(st.integers(1, 3)) if kind in ("conv", "conv_transpose") else 1
        c_in *= groups
        c_out = groups * draw(st.integers(1, 3))
    sizes = () if kind == "dense" else tuple(draw(st.lists(st.integers(1, 4), min_size=rank, max_size=rank)))
    if kind == "conv_transpose":
        flipped = draw(st.booleans())
        if source != "torch":
            groups = 1  # only a torch weight can be grouped
    shape = kernel_shape(
        source, kind, c_in, c_out, sizes, groups=groups, transpose_kernel=flipped and source == "flax"
    )
    values = np.arange(1, np.prod(shape) + 1, dtype="float32").reshape(shape)  # every weight distinct
    return kind, source, values, {"groups": groups, "depth_multiplier": m, "transpose_kernel": flipped}


def port(kernel, source, target, kind, groups, depth_multiplier, transpose_kernel):
    """port_kernel with the arguments that apply between ``source`` and ``target``."""
    return port_kernel(
        kernel,
        source=source,
        target=target,
        kind=kind,
        groups=groups if "torch" in (source, target) else 1,
        depth_multiplier=depth_multiplier if source != "keras" else None,
        transpose_kernel=transpose_kernel and "flax" in (source, target),
    )


@ROUND_TRIPS
@given(kernels(), st.sampled_from(FRAMEWORKS), st.sampled_from(FRAMEWORKS))
def test_round_trips_give_the_kernel_back(case, middle: str, target: str) -> None:
    kind, source, kernel, args = case
    there = port(kernel, source, middle, kind, **args)
    assert there.flags.c_contiguous and there.dtype == kernel.dtype
    assert np.array_equal(port(there, middle, source, kind, **args), kernel)
    direct = port(kernel, source, target, kind, **args)
    assert np.array_equal(port(there, middle, target, kind, **args), direct)
    assert np.array_equal(np.sort(direct, axis=None)[-kernel.size :], np.sort(kernel, axis=None))


# --- values against real layers ------------------------------------------------------------


@st.composite
def layers(draw, kind: str, rank: int):
    """Sizes of one layer of ``kind`` and ``rank`` that all three frameworks build alike."""
    k = tuple(draw(st.lists(st.integers(1, 3 if rank == 3 else 4), min_size=rank, max_size=rank)))
    stride = draw(st.integers(1, 2))
    dilation = 1 if stride > 1 else draw(st.integers(1, 2))  # Keras refuses both above 1
    if kind == "conv_transpose":
        stride = min(stride, *k)  # Keras' 'valid' adds s - k zeros past torch's output when s > k
    groups = draw(st.integers(1, 2)) if kind != "depthwise_conv" else 1
    c_in = groups * draw(st.integers(1, 3))
    m = draw(st.integers(1, 2))
    c_out = c_in * m if kind == "depthwise_conv" else groups * draw(st.integers(1, 3))
    spans = [dilation * (size - 1) + 1 for size in k]
    spatial = tuple(draw(st.integers(span, span + 3)) for span in spans)
    return {"k": k, "stride": stride, "dilation": dilation, "groups": groups, "c_in": c_in, "c_out": c_out,
            "spatial": spatial, "m": m, "batch": draw(st.integers(1, 2))}  # fmt: skip


def check_layer(kind: str, rank: int, sizes: dict) -> None:
    rng = np.random.default_rng(0)
    k, c_in, c_out, groups = sizes["k"], sizes["c_in"], sizes["c_out"], sizes["groups"]
    geometry = {"stride": sizes["stride"], "dilation": sizes["dilation"]}
    x = rng.standard_normal((sizes["batch"], *sizes["spatial"], c_in)).astype("float32")
    source = torch_layer(kind, rank, c_in, c_out, k, groups=groups, **geometry)
    weight, bias = weights_of("torch", source)
    expected = run("torch", source, x)
    common = {"kind": kind, "groups": groups if kind != "depthwise_conv" else 1}
    if kind == "depthwise_conv":
        common["depth_multiplier"] = sizes["m"]

    # Keras: the layer where there is one (no grouped transposed or 3-D depthwise layer)
    keras_groups = 1 if kind == "conv_transpose" else groups
    kernel = port_kernel(weight, source="torch", target="keras", **common)
    if kind == "depthwise_conv" and rank == 3:
        y = keras.ops.convert_to_numpy(
            keras.ops.depthwise_conv(x, kernel, sizes["stride"], dilation_rate=sizes["dilation"]) + bias
        )
    else:
        layer = keras_layer(kind, rank, c_in, c_out, k, groups=keras_groups, **geometry)
        set_weights("keras", layer, kernel, bias)
        y = run("keras", layer, x)
        back = port_kernel(weights_of("keras", layer)[0], source="keras", target="torch", **common)
        assert np.array_equal(back, weight)
    np.testing.assert_allclose(y, expected, atol=ATOL, rtol=ATOL)

    # Flax: nnx.Conv / nnx.ConvTranspose in both transpose_kernel settings
    settings_ = (False, True) if kind == "conv_transpose" else (False,)
    for flipped in settings_:
        extra = {"transpose_kernel": True} if flipped else {}
        kernel = port_kernel(weight, source="torch", target="flax", transpose_kernel=flipped, **common)
        layer = flax_layer(kind, rank, c_in, c_out, k, groups=1 if kind == "conv_transpose" else groups,
                           kernel=kernel, bias=bias, **geometry, **extra)  # fmt: skip
        np.testing.assert_allclose(run("flax", layer, x), expected, atol=ATOL, rtol=ATOL)
        back = port_kernel(
            weights_of("flax", layer)[0], source="flax", target="torch", transpose_kernel=flipped, **common
        )
        assert np.array_equal(back, weight)


def _value_test(kind: str, rank: int):
    @VALUES
    @given(layers(kind, rank))
    def test(sizes: dict) -> None:
        check_layer(kind, rank, sizes)

    test.__name__ = f"test_{kind}_{rank}d_ported_weights_give_equal_outputs"
    return test


for _kind, _rank in itertools.product(CONV_KINDS, RANKS):
    _test = _value_test(_kind, _rank)
    globals()[_test.__name__] = _test


def test_dense_ported_weights_give_equal_outputs() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 5)).astype("float32")
    source = torch_layer("dense", 0, 5, 4, ())
    weight, bias = weights_of("torch", source)
    expected = source(torch.from_numpy(x)).detach().numpy()
    for framework in ("keras", "flax"):
        layer = {"keras": keras_layer, "flax": flax_layer}[framework]("dense", 0, 5, 4, ())
        set_weights(
            framework, layer, port_kernel(weight, source="torch", target=framework, kind="dense"), bias
        )
        y = (
            keras.ops.convert_to_numpy(layer(x))
            if framework == "keras"
            else np.asarray(layer(jnp.asarray(x)))
        )
        np.testing.assert_allclose(y, expected, atol=ATOL, rtol=ATOL)


def test_flax_transpose_kernel_false_needs_the_flip() -> None:
    """Without the reversal, Flax's default ConvTranspose gives other numbers: the flip is needed."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((1, 6, 5, 2)).astype("float32")
    source = torch_layer("conv_transpose", 2, 2, 3, (3, 2), stride=2)
    weight, bias = weights_of("torch", source)
    layer = flax_layer("conv_transpose", 2, 2, 3, (3, 2), stride=2)
    unflipped = port_kernel(
        weight, source="torch", target="flax", kind="conv_transpose", transpose_kernel=True
    )
    set_weights("flax", layer, unflipped.swapaxes(-1, -2), bias)  # right shape, not reversed
    assert not np.allclose(run("flax", layer, x), run("torch", source, x), atol=1e-3)


# --- the proof: a network ported round the three frameworks ----------------------

IMAGE, CLASSES = (10, 12, 3), 5


class TorchNet(torch.nn.Module):
    """Conv 3x3 (8), depthwise 3x3, transposed 4x4 stride 2 (4), global average, dense (5)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.depthwise = torch.nn.Conv2d(8, 8, 3, padding=1, groups=8)
        self.up = torch.nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1)
        self.head = torch.nn.Linear(4, CLASSES)

    def forward(self, x):
        x = torch.relu(self.depthwise(torch.relu(self.conv(x))))
        return self.head(torch.relu(self.up(x)).mean(dim=(2, 3)))


def keras_net():
    inputs = keras.Input(IMAGE)
    x = keras.layers.ZeroPadding2D(1)(inputs)
    x = keras.layers.Conv2D(8, 3, activation="relu", name="conv")(x)
    x = keras.layers.ZeroPadding2D(1)(x)
    x = keras.layers.DepthwiseConv2D(3, activation="relu", name="depthwise")(x)
    # torch's padding=1 crops one pixel from each side of the 'valid' transposed output
    x = keras.layers.Conv2DTranspose(4, 4, strides=2, activation="relu", name="up")(x)
    x = keras.layers.Cropping2D(1)(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(CLASSES, name="head")(x))


class FlaxNet(nnx.Module):
    """TorchNet in Flax, its weights zeros until they are ported in."""

    def __init__(self) -> None:
        zeros = {"kernel_init": given_array(), "bias_init": given_array(), "rngs": nnx.Rngs(0)}
        self.conv = nnx.Conv(3, 8, (3, 3), padding=((1, 1), (1, 1)), **zeros)
        self.depthwise = nnx.Conv(8, 8, (3, 3), padding=((1, 1), (1, 1)), feature_group_count=8, **zeros)
        # Flax pads the stretched input: torch's padding p is k - 1 - p = 2 here
        self.up = nnx.ConvTranspose(8, 4, (4, 4), strides=(2, 2), padding=((2, 2), (2, 2)), **zeros)
        self.head = nnx.Linear(4, CLASSES, **zeros)

    def __call__(self, x):
        x = nnx.relu(self.depthwise(nnx.relu(self.conv(x))))
        return self.head(nnx.relu(self.up(x)).mean(axis=(1, 2)))


NET_KINDS = {"conv": "conv", "depthwise": "depthwise_conv", "up": "conv_transpose", "head": "dense"}


def test_a_network_ported_torch_keras_flax_torch() -> None:
    torch.manual_seed(0)
    x = np.random.default_rng(3).standard_normal((2, *IMAGE)).astype("float32")
    original = TorchNet()
    expected = original(torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))).detach().numpy()

    to_keras = keras_net()
    for name, kind in NET_KINDS.items():
        weight, bias = weights_of("torch", getattr(original, name))
        to_keras.get_layer(name).set_weights(
            [port_kernel(weight, source="torch", target="keras", kind=kind), bias]
        )
    np.testing.assert_allclose(keras.ops.convert_to_numpy(to_keras(x)), expected, atol=ATOL)

    to_flax = FlaxNet()
    for name, kind in NET_KINDS.items():
        kernel, bias = to_keras.get_layer(name).get_weights()
        set_weights(
            "flax",
            getattr(to_flax, name),
            port_kernel(kernel, source="keras", target="flax", kind=kind),
            bias,
        )
    np.testing.assert_allclose(np.asarray(to_flax(jnp.asarray(x))), expected, atol=ATOL)

    back = TorchNet()
    for name, kind in NET_KINDS.items():
        kernel, bias = weights_of("flax", getattr(to_flax, name))
        set_weights(
            "torch", getattr(back, name), port_kernel(kernel, source="flax", target="torch", kind=kind), bias
        )
    y = back(torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))).detach().numpy()
    np.testing.assert_allclose(y, expected, atol=ATOL)
    for name in NET_KINDS:
        assert torch.equal(getattr(back, name).weight, getattr(original, name).weight)


# --- errors ------------------------------------------------------------------------------------

K2 = np.zeros((3, 3, 2, 4), "float32")


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: port_kernel(K2, source="pytorch", target="keras"), ValueError,
         "source must be one of ('torch', 'keras', 'flax'), got 'pytorch'"),
        (lambda: port_kernel(K2, source="keras", target="jax"), ValueError,
         "target must be one of ('torch', 'keras', 'flax'), got 'jax'"),
        (lambda: port_kernel(K2, source="keras", target=None), TypeError, "target must be one of"),
        (lambda: port_kernel(K2, source="keras", target="torch", kind="depthwise"), ValueError,
         "kind must be one of ('conv', 'depthwise_conv', 'conv_transpose', 'dense'), got 'depthwise'"),
        (lambda: port_kernel(np.zeros((3, 3), "float32"), source="keras", target="torch"), ValueError,
         "kernel must have the keras conv layout (k, C_in / groups, C_out) or (kh, kw, C_in / groups, C_out) or "
         "(kd, kh, kw, C_in / groups, C_out) with no empty axis, got shape (3, 3)"),
        (lambda: port_kernel(np.zeros((1,) * 6, "float32"), source="torch", target="keras"), ValueError,
         "kernel must have the torch conv layout (C_out, C_in / groups, k)"),
        (lambda: port_kernel(np.zeros((4, 4, 3)), source="torch", target="keras", kind="dense"), ValueError,
         "kernel must have the torch dense layout (out, in) with no empty axis, got shape (4, 4, 3)"),
        (lambda: port_kernel(np.zeros((3, 0, 2)), source="keras", target="torch"), ValueError,
         "with no empty axis, got shape (3, 0, 2)"),
        (lambda: port_kernel(np.zeros((3, 2, 4), int), source="keras", target="torch"), TypeError,
         "kernel must be a floating-point array, got shape (3, 2, 4) and dtype int64"),
        (lambda: port_kernel(K2, source="keras", target="torch", groups=0), ValueError,
         "groups must be a positive int, got 0"),
        (lambda: port_kernel(K2, source="keras", target="torch", groups=3), ValueError,
         "groups must divide the kernel's C_out (4), got 3"),
        (lambda: port_kernel(K2, source="keras", target="flax", kind="conv_transpose", groups=2), ValueError,
         "groups must be 1 between 'keras' and 'flax': only PyTorch's ConvTranspose has groups, got 2"),
        (lambda: port_kernel(K2, source="keras", target="torch", kind="depthwise_conv", groups=2), ValueError,
         "groups must be 1 for kind='depthwise_conv'"),
        (lambda: port_kernel(K2, source="keras", target="torch", transpose_kernel=True), ValueError,
         "transpose_kernel=True is Flax's ConvTranspose argument: it needs kind='conv_transpose' and 'flax' "
         "as source or target, got kind='conv' between 'keras' and 'torch'"),
        (lambda: port_kernel(K2, source="keras", target="flax", kind="conv_transpose", transpose_kernel=1),
         TypeError, "transpose_kernel must be True or False, got 1"),
        (lambda: port_kernel(K2, source="keras", target="torch", depth_multiplier=2), ValueError,
         "depth_multiplier applies to kind='depthwise_conv' only, got 2 with kind='conv'"),
        (lambda: port_kernel(K2, source="keras", target="torch", kind="depthwise_conv", depth_multiplier=3),
         ValueError, "depth_multiplier must be None or the kernel's last axis (4) for a keras kernel of shape "
         "(3, 3, 2, 4), got 3"),
        (lambda: port_kernel(np.zeros((6, 1, 3), "float32"), source="torch", target="keras",
                             kind="depthwise_conv", depth_multiplier=4), ValueError,
         "depth_multiplier must divide the kernel's channel axis (6), got 4"),
        (lambda: port_kernel(np.zeros((6, 2, 3), "float32"), source="torch", target="keras",
                             kind="depthwise_conv"), ValueError,
         "kernel must have the torch depthwise_conv layout (C_in * m, 1, k), got shape (6, 2, 3)"),
        (lambda: port_kernel(np.ones((3, 4, 4), "float32"), source="keras", target="torch",
                             kind="conv_transpose", groups=2), ValueError,
         "groups=2 needs a block-diagonal kernel (input channels of one group feed only that group's outputs), "
         "but the kernel of shape (3, 4, 4) has weights outside the blocks"),
        (lambda: kernel_layout("tensorflow"), ValueError,
         "framework must be one of ('torch', 'keras', 'flax'), got 'tensorflow'"),
        (lambda: kernel_layout("keras", rank=4), ValueError,
         "rank must be 1, 2 or 3 (the number of spatial axes), got 4"),
        (lambda: kernel_layout("keras", rank=2.0), TypeError, "rank must be 1, 2 or 3"),
        (lambda: kernel_shape("keras", "conv", 4, 6, (3, 3, 3, 3)), ValueError,
         "kernel_size must have 1, 2 or 3 ints (one per spatial axis), got (3, 3, 3, 3)"),
        (lambda: kernel_shape("keras", "conv", 4, 6, 3), TypeError,
         "kernel_size must be a tuple of ints, one per spatial axis, got 3"),
        (lambda: kernel_shape("keras", "dense", 4, 6, (3,)), ValueError,
         "kernel_size must be () for kind='dense' (no spatial axes), got (3,)"),
        (lambda: kernel_shape("keras", "depthwise_conv", 4, 6, (3,)), ValueError,
         "in_channels must divide out_channels (6), got 4"),
        (lambda: kernel_shape("keras", "conv_transpose", 4, 6, (3,), groups=2), ValueError,
         "groups must be 1 for a keras conv_transpose (only PyTorch groups a conv_transpose), got 2"),
        (lambda: kernel_shape("torch", "conv", 4, 6, (3,), groups=4), ValueError,
         "groups must divide out_channels (6), got 4"),
    ],
)  # fmt: skip
def test_bad_arguments_are_named(call, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as raised:
        call()
    assert message in str(raised.value)


def test_a_grouped_weight_goes_to_keras_block_diagonal() -> None:
    weight = np.arange(1, 2 * 3 * 2 + 1, dtype="float32").reshape(2, 3, 2)  # torch (C_in 2, C_out/2 3, k 2)
    full = port_kernel(weight, source="torch", target="keras", kind="conv_transpose", groups=2)
    assert full.shape == (2, 6, 2)  # (k, C_out, C_in)
    assert np.count_nonzero(full) == weight.size
    assert not full[:, 3:, 0].any() and not full[:, :3, 1].any()
