"""Real networks as lists of layer specs, and their layer-by-layer summary.

A network is a :class:`Network`: a name, an input shape ``(H, W, C)`` and a tuple of
layer specs (:class:`Conv`, :class:`DepthwiseConv`, :class:`SeparableConv`,
:class:`ConvTranspose`, :class:`Pool`, :class:`GlobalPool`, :class:`BatchNorm`,
:class:`LayerNorm`, :class:`LayerScale`, :class:`Flatten`, :class:`Dense` and the two-branch :class:`Residual`). Every number of
:func:`summary` comes from the other modules of this package: shapes from
``snippets.shapes``, parameters from ``snippets.params``, MACs from ``snippets.cost`` and
receptive fields from ``snippets.receptive``.

Conventions of the summary:

* ``params`` are trainable parameters (what ``torch`` counts as parameters);
  ``non_trainable`` are BatchNorm's moving mean and variance, which Keras adds to its
  "Total params" and PyTorch keeps as buffers.
* ``macs`` count multiply-accumulates of convolutions and dense layers (``FLOPs ~ 2 x
  MACs``); normalisation, layer scale, pooling, additions and activations count 0, as
  torch's ``FlopCounterMode`` and torchvision's published figures count them.
* ``activation`` names the element-wise function after a layer (``"relu"``): it changes no
  shape, parameter or MAC; it runs in place and keeps its output for the backward pass.
* Activation memory comes as two figures, for one image (:func:`activation_memory`): the
  *inference peak*, the most activation memory alive at once when the network runs forward
  layer by layer and frees each tensor as soon as nothing needs it; and *kept for
  training*, the tensors the backward pass needs, which a training step holds from its
  forward pass until the backward pass has used them. Neither is the sum of every layer's
  output.
* The receptive field and effective stride are those of the longest path: for a
  :class:`Residual` block, its main path (the shortcut's field is never larger).
"""

# --8<-- [start:imports]
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from snippets.cost import conv_macs, depthwise_macs, separable_macs, transposed_macs
from snippets.graph import (
    FLOAT_BYTES,
    INDEX_BYTES,
    MERGE,
    ActivationMemory,
    Graph,
    Node,
    Row,  # noqa: F401  (re-exported: the spec pages import them from here)
    Summary,
    Upsample,
    format_summary,  # noqa: F401
    graph_memory,
    input_node,
    summarize,
)
from snippets.params import count_conv_params, dense_params, depthwise_params, separable_params
from snippets.pooling import pool_output_shape
from snippets.receptive import LayerGeometry, conv_geometry, pool_geometry
from snippets.shapes import PaddingSpec, conv_output_shape, padding_amounts, transposed_output_shape

# --8<-- [end:imports]

Pair = tuple[int, int]
Shape = tuple[int, ...]  # (H, W, C) for feature maps, (units,) after Flatten / Dense


# --8<-- [start:specs]
@dataclass(frozen=True)
class Conv:
    """``Conv2D`` / ``nn.Conv2d``: string padding is Keras', numbers are PyTorch's."""

    filters: int
    kernel_size: int | Pair
    stride: int | Pair = 1
    padding: PaddingSpec = "valid"
    dilation: int | Pair = 1
    groups: int = 1
    use_bias: bool = True
    name: str = ""
    activation: str | None = None


@dataclass(frozen=True)
class DepthwiseConv:
    """``DepthwiseConv2D`` / ``nn.Conv2d(C, C * m, groups=C)``."""

    kernel_size: int | Pair
    stride: int | Pair = 1
    padding: PaddingSpec = "valid"
    dilation: int | Pair = 1
    depth_multiplier: int = 1
    use_bias: bool = True
    name: str = ""
    activation: str | None = None


@dataclass(frozen=True)
class SeparableConv:
    """``SeparableConv2D``: depthwise then pointwise, one bias after the pointwise step."""

    filters: int
    kernel_size: int | Pair
    stride: int | Pair = 1
    padding: PaddingSpec = "valid"
    dilation: int | Pair = 1
    depth_multiplier: int = 1
    use_bias: bool = True
    name: str = ""
    activation: str | None = None


@dataclass(frozen=True)
class ConvTranspose:
    """``Conv2DTranspose`` / ``nn.ConvTranspose2d`` (dilation 1); padding defaults to
    'valid', as in both frameworks."""

    filters: int
    kernel_size: int | Pair
    stride: int | Pair
    padding: PaddingSpec = "valid"
    output_padding: int | Pair | None = None
    use_bias: bool = True
    name: str = ""
    activation: str | None = None


@dataclass(frozen=True)
class Pool:
    """``MaxPooling2D`` / ``AveragePooling2D`` (``kind`` ``"max"`` or ``"avg"``); stride defaults to the pool size."""

    pool_size: int | Pair
    stride: int | Pair | None = None
    padding: PaddingSpec = "valid"
    kind: str = "max"
    name: str = ""


@dataclass(frozen=True)
class GlobalPool:
    """Global average (or max) pooling: ``(H, W, C)`` to ``(C,)``, or ``(1, 1, C)`` with ``keepdims``."""

    kind: str = "avg"
    keepdims: bool = False
    name: str = ""


@dataclass(frozen=True)
class BatchNorm:
    """BatchNorm over channels: ``2 C`` trainable (gamma, beta), ``2 C`` moving statistics."""

    name: str = ""
    activation: str | None = None


@dataclass(frozen=True)
class LayerNorm:
    """LayerNorm over channels at each position (ConvNeXt's ``LayerNorm2d``, Keras'
    ``LayerNormalization(axis=-1)``): ``2 C`` trainable (gamma, beta), no moving statistics."""

    name: str = ""
    activation: str | None = None


@dataclass(frozen=True)
class LayerScale:
    """A learned per-channel factor ``gamma * x`` (ConvNeXt's ``layer_scale``, CaiT's
    LayerScale): ``C`` trainable parameters, no MACs counted (as for BatchNorm)."""

    name: str = ""


@dataclass(frozen=True)
class Flatten:
    """``(H, W, C)`` to ``(H * W * C,)``."""

    name: str = ""


@dataclass(frozen=True)
class Dense:
    """``Dense`` / ``nn.Linear`` on a flat input."""

    units: int
    use_bias: bool = True
    name: str = ""
    activation: str | None = None


@dataclass(frozen=True)
class Residual:
    """``main(x) + shortcut(x)``; an empty ``shortcut`` is the identity.

    Both branches must give the same shape. ``kind`` labels the block in the summary. The
    main path runs first, then the shortcut, and the sum is written into the main path's
    output (torchvision's ``out += identity``); ``activation`` follows the sum.
    """

    main: tuple
    shortcut: tuple = ()
    kind: str = "Residual"
    name: str = ""
    activation: str | None = None


Layer = (
    Conv
    | DepthwiseConv
    | SeparableConv
    | ConvTranspose
    | Pool
    | GlobalPool
    | BatchNorm
    | LayerNorm
    | LayerScale
    | Flatten
    | Dense
    | Residual
)


@dataclass(frozen=True)
class Network:
    """A named stack of layer specs and the input shape it was built for."""

    name: str
    input_shape: tuple[int, int, int]
    layers: tuple = field(default_factory=tuple)


# --8<-- [end:specs]


# --- the numbers of one layer, any rank -------------------------------------------------------


def _sizes(value, rank: int) -> tuple[int, ...]:
    """An int written out for ``rank`` axes; a tuple as it is."""
    return (value,) * rank if isinstance(value, int) else tuple(value)


def layer_geometry(layer, shape: Shape, rank: int) -> tuple:
    """Kernel, stride, dilation and padding-before of a layer along each of the ``rank``
    spatial axes of the network's input (an :class:`~snippets.graph.Upsample` per axis for a
    transposed convolution); a layer on a flat input is 1x1 on every axis."""
    one = tuple(LayerGeometry(1) for _ in range(rank))
    if len(shape) == 1:
        return one
    if isinstance(layer, (Conv, DepthwiseConv, SeparableConv)):
        layer_rule = {DepthwiseConv: "depthwise", SeparableConv: "separable"}.get(type(layer), "conv")
        geometry = conv_geometry(
            shape, layer.kernel_size, layer.stride, layer.padding, dilation=layer.dilation, layer=layer_rule
        )
        return tuple(LayerGeometry(*(values[a] for values in geometry)) for a in range(rank))
    if isinstance(layer, Pool):
        geometry = pool_geometry(shape, layer.pool_size, layer.stride, layer.padding)
        return tuple(LayerGeometry(*(values[a] for values in geometry)) for a in range(rank))
    if isinstance(layer, (GlobalPool, Flatten)):  # one window over the whole map
        return tuple(LayerGeometry(n) for n in shape[:-1])
    if isinstance(layer, ConvTranspose):
        kernel, stride = _sizes(layer.kernel_size, rank), _sizes(layer.stride, rank)
        if isinstance(layer.padding, str):  # Keras crops as the 'same' conv it is the transpose of
            crop = [
                max(k - s, 0) // 2 if layer.padding == "same" else 0
                for k, s in zip(kernel, stride, strict=True)
            ]
        else:
            crop = [side[0] for side in padding_amounts(shape, kernel, 1, layer.padding)]
        return tuple(Upsample(kernel[a], stride[a], crop[a]) for a in range(rank))
    return one  # BatchNorm, Dense


def _window(kernel, stride=1, dilation=1) -> str:
    """``3x3 s2 d2``: the kernel, then the stride and the dilation where they are not 1."""
    k = _sizes(kernel, 2)
    s, d = _sizes(stride, len(k)), _sizes(dilation, len(k))

    def joined(values):
        return str(values[0]) if len(set(values)) == 1 else "x".join(map(str, values))

    text = "x".join(map(str, k))
    if set(s) != {1}:
        text += f" s{joined(s)}"
    if set(d) != {1}:
        text += f" d{joined(d)}"
    return text


def describe(layer) -> str:
    """The summary's "Type" cell of a layer spec: ``Conv 3x3 s2``, ``MaxPool 2x2 s2``."""
    if isinstance(layer, Conv):
        return f"Conv {_window(layer.kernel_size, layer.stride, layer.dilation)}"
    if isinstance(layer, DepthwiseConv):
        return f"DWConv {_window(layer.kernel_size, layer.stride, layer.dilation)}"
    if isinstance(layer, SeparableConv):
        return f"SepConv {_window(layer.kernel_size, layer.stride, layer.dilation)}"
    if isinstance(layer, ConvTranspose):
        return f"ConvT {_window(layer.kernel_size, layer.stride)}"
    if isinstance(layer, Pool):
        stride = layer.pool_size if layer.stride is None else layer.stride
        return f"{layer.kind.capitalize()}Pool {_window(layer.pool_size, stride)}"
    if isinstance(layer, GlobalPool):
        return f"Global{layer.kind.capitalize()}Pool"
    return type(layer).__name__


def layer_numbers(layer, shape: Shape) -> tuple[Shape, int, int, int]:
    """Output shape, trainable parameters, non-trainable parameters and MACs of one layer on
    a channels-last input ``shape`` of any rank (an int kernel, stride or dilation is used
    on every axis)."""
    if isinstance(layer, Dense):
        if len(shape) != 1:
            raise ValueError(f"Dense needs a flat input (add Flatten or GlobalPool), got shape {shape}")
        return (layer.units,), dense_params(shape[0], layer.units, layer.use_bias), 0, shape[0] * layer.units
    channels = shape[-1]
    if isinstance(layer, BatchNorm):
        return shape, 2 * channels, 2 * channels, 0
    if isinstance(layer, LayerNorm):
        return shape, 2 * channels, 0, 0
    if isinstance(layer, LayerScale):
        return shape, channels, 0, 0
    if len(shape) < 2:
        raise ValueError(f"{type(layer).__name__} needs a channels-last input (..., C), got shape {shape}")
    rank = len(shape) - 1
    if isinstance(layer, Conv):
        kernel = _sizes(layer.kernel_size, rank)
        args = (layer.filters, kernel, layer.stride, layer.padding)
        out = conv_output_shape(shape, *args, dilation=layer.dilation)
        params = count_conv_params(channels, layer.filters, kernel, layer.use_bias, groups=layer.groups)
        return out, params, 0, conv_macs(shape, *args, dilation=layer.dilation, groups=layer.groups)
    if isinstance(layer, DepthwiseConv):
        m, kernel = layer.depth_multiplier, _sizes(layer.kernel_size, rank)
        args = (kernel, layer.stride, layer.padding)
        out = conv_output_shape(shape, channels * m, *args, dilation=layer.dilation)
        params = depthwise_params(channels, kernel, depth_multiplier=m, use_bias=layer.use_bias)
        return out, params, 0, depthwise_macs(shape, *args, dilation=layer.dilation, depth_multiplier=m)
    if isinstance(layer, SeparableConv):
        m, kernel = layer.depth_multiplier, _sizes(layer.kernel_size, rank)
        args = (kernel, layer.stride, layer.padding)
        out = conv_output_shape(shape, layer.filters, *args, dilation=layer.dilation)
        params = separable_params(
            channels, layer.filters, kernel, depth_multiplier=m, use_bias=layer.use_bias
        )
        macs = separable_macs(shape, layer.filters, *args, dilation=layer.dilation, depth_multiplier=m)
        return out, params, 0, macs
    if isinstance(layer, ConvTranspose):
        kernel = _sizes(layer.kernel_size, rank)
        args = (layer.filters, kernel, layer.stride, layer.padding)
        out = transposed_output_shape(shape, *args, output_padding=layer.output_padding)
        params = count_conv_params(channels, layer.filters, kernel, layer.use_bias)
        return out, params, 0, transposed_macs(shape, *args, output_padding=layer.output_padding)
    if isinstance(layer, Pool):
        return pool_output_shape(shape, layer.pool_size, layer.stride, layer.padding), 0, 0, 0
    if isinstance(layer, GlobalPool):
        return ((1,) * rank + (channels,) if layer.keepdims else (channels,)), 0, 0, 0
    if isinstance(layer, Flatten):
        return (math.prod(shape),), 0, 0, 0
    raise TypeError(f"layer must be one of the layer specs of snippets.networks, got {layer!r}")


def layer_saves(layer, shape: Shape, out_shape: Shape) -> tuple[bool, int]:
    """Whether the layer keeps its input for the backward pass, and the bytes it keeps
    besides: convolutions and dense layers their input (for the weight gradient),
    BatchNorm its input and ``2 C`` statistics, LayerNorm its input and a mean and an
    inverse deviation per position, LayerScale its input, max pooling its input and an int64 index
    per output value, average pooling its input (as PyTorch's autograd saves); global
    average pooling and ``Flatten`` nothing."""
    if isinstance(layer, (Conv, DepthwiseConv, SeparableConv, ConvTranspose, Dense)):
        return True, 0
    if isinstance(layer, BatchNorm):
        return True, FLOAT_BYTES * 2 * shape[-1]
    if isinstance(layer, LayerNorm):
        return True, FLOAT_BYTES * 2 * math.prod(shape[:-1])
    if isinstance(layer, LayerScale):
        return True, 0
    if isinstance(layer, Pool):
        return True, INDEX_BYTES * math.prod(out_shape) if layer.kind == "max" else 0
    if isinstance(layer, GlobalPool) and layer.kind == "max":
        return True, INDEX_BYTES * math.prod(out_shape)
    return False, 0


_IN_PLACE = ("relu", "relu6")  # torchvision's ReLU(inplace=True): writes into its input, keeps its output


def layer_nodes(
    layer, shape: Shape, source: int, start: int, name: str, block: tuple, rank: int
) -> list[Node]:
    """The graph nodes of one layer spec reading node ``source``, numbered from ``start``:
    one node, two for a separable convolution (depthwise into a middle tensor, then the
    pointwise step, which carries the row), and a hidden node for an ``activation`` (in
    place for ReLU and ReLU6, keeping its output; a new tensor otherwise, keeping its input)."""
    out, params, frozen, macs = layer_numbers(layer, shape)
    geometry = layer_geometry(layer, shape, rank)
    kind = describe(layer)
    one = tuple(LayerGeometry(1) for _ in range(rank))
    if isinstance(layer, SeparableConv):
        middle = conv_output_shape(
            shape,
            shape[-1] * layer.depth_multiplier,
            _sizes(layer.kernel_size, rank),
            layer.stride,
            padding=layer.padding,
            dilation=layer.dilation,
        )
        nodes = [
            Node(name, kind, (source,), middle, geometry, saves=(source,), block=block, shown=False),
            Node(name, kind, (start,), out, one, params, frozen, macs, saves=(start,), block=block),
        ]
    elif isinstance(layer, Flatten):  # a view of its input
        nodes = [Node(name, kind, (source,), out, geometry, writes=False, block=block)]
    else:
        keeps, extra = layer_saves(layer, shape, out)
        saves = (source,) if keeps else ()
        nodes = [
            Node(name, kind, (source,), out, geometry, params, frozen, macs, True, saves, extra, block=block)
        ]
    activation = getattr(layer, "activation", None)
    if activation:
        last = start + len(nodes) - 1
        in_place = activation in _IN_PLACE
        saves = (last + 1,) if in_place else (last,)
        nodes.append(
            Node(
                name,
                activation,
                (last,),
                out,
                one,
                writes=not in_place,
                saves=saves,
                block=block,
                shown=False,
            )
        )
    return nodes


def _graph_layers(layers, shape: Shape, source: int, nodes: list[Node], prefix: str, block: tuple, rank: int):
    """Append the nodes of ``layers`` reading node ``source``; return the last node and its shape."""
    for index, layer in enumerate(layers):
        name = prefix + (getattr(layer, "name", "") or f"{type(layer).__name__.lower()}_{index}")
        if isinstance(layer, Residual):
            inner = (*block, (name, layer.kind))
            main, out = _graph_layers(layer.main, shape, source, nodes, name + ".", inner, rank)
            short, short_out = _graph_layers(layer.shortcut, shape, source, nodes, name + ".", inner, rank)
            if short_out != out:
                raise ValueError(
                    f"{name}: the main path gives {out} but the shortcut gives {short_out}; "
                    f"a residual block needs both the same"
                )
            # main += shortcut, in place; the block's input is held until then
            nodes.append(
                Node(
                    name,
                    "Add",
                    (main, short),
                    out,
                    MERGE,
                    writes=False,
                    holds=(source,),
                    block=inner,
                    shown=False,
                )
            )
            if layer.activation:
                last = len(nodes) - 1
                in_place = layer.activation in _IN_PLACE
                saves = (last + 1,) if in_place else (last,)
                nodes.append(
                    Node(
                        name,
                        layer.activation,
                        (last,),
                        out,
                        tuple(LayerGeometry(1) for _ in range(rank)),
                        writes=not in_place,
                        saves=saves,
                        block=inner,
                        shown=False,
                    )  # fmt: skip
                )
            source, shape = len(nodes) - 1, out
            continue
        nodes += layer_nodes(layer, shape, source, len(nodes), name, block, rank)
        source, shape = len(nodes) - 1, nodes[-1].output_shape
    return source, shape


def network_graph(network: Network, input_shape: Shape | None = None) -> Graph:
    """The :class:`~snippets.graph.Graph` of a spec: a residual block's layers, its sum and
    its activation are nodes inside the block, so its row sums them."""
    shape = tuple(network.input_shape if input_shape is None else input_shape)
    conv_output_shape(shape, 1, 1, padding="valid")  # validates the shape
    nodes = [input_node(shape)]
    _graph_layers(network.layers, shape, 0, nodes, "", (), len(shape) - 1)
    return Graph(network.name, shape, tuple(nodes))


# --8<-- [start:summary]
def summary(network: Network, input_shape: tuple[int, ...] | None = None) -> Summary:
    """Every layer's output shape, parameters, MACs and receptive field, in order, and the
    network's activation memory.

    ``input_shape`` defaults to ``network.input_shape``. Shapes, parameters and MACs come
    from ``conv_output_shape``/``transposed_output_shape``, ``count_conv_params`` and
    friends, ``conv_macs`` and friends (:func:`layer_numbers`); fields from the spans of
    :mod:`snippets.graph`; memory from :func:`activation_memory`. A residual block gives
    one row (its totals, the field of its output) followed by the rows of its layers.
    """
    return summarize(network_graph(network, input_shape))


# --8<-- [end:summary]


# --8<-- [start:activation_memory]
def activation_memory(network: Network, input_shape: tuple[int, ...] | None = None) -> ActivationMemory:
    """The two activation-memory figures of a network, for one image (bytes).

    The forward pass runs layer by layer. A layer reads its input and writes a new output
    of ``4 * H * W * C`` bytes; ``Flatten`` is a view and a ReLU works in place (both
    write nothing); a residual sum is written into the main path's output.

    * ``inference_peak_bytes = max over steps i of sum(bytes of the tensors alive at i)``,
      where a tensor is alive from the step that writes it to the last step that reads it:
      the input and output of the running layer, a residual block's input (held until the
      block's sum, as torchvision's forward holds ``x``) and the network's input, which its
      caller holds for the whole pass.
    * ``training_bytes = sum(bytes of every tensor some layer keeps for backward)``, each
      tensor once (:func:`layer_saves`): an activation keeps its output (ReLU in place, as
      PyTorch's ``inplace=True``); the residual sum keeps nothing. This is what PyTorch's
      autograd saves.
    """
    return graph_memory(network_graph(network, input_shape))[0]


# --8<-- [end:activation_memory]


def weight_group(kind: str) -> str | None:
    """The group a row's "Type" falls in for :func:`where_weights_go`: ``"pointwise 1x1"``
    (``Conv 1x1``), ``"depthwise"`` (``DWConv``), ``"spatial conv"`` (any other ``Conv``),
    ``"transposed"``, ``"separable"``, ``"dense"``; ``None`` for a row that computes no MACs
    of its own (normalisation, pooling, a block's total)."""
    word, _, window = kind.partition(" ")
    if word == "Conv":
        return "pointwise 1x1" if window.split(" ")[0] in ("1", "1x1", "1x1x1") else "spatial conv"
    return {"DWConv": "depthwise", "SepConv": "separable", "ConvT": "transposed", "Dense": "dense"}.get(word)


def where_weights_go(result: Summary) -> dict[str, tuple[int, int]]:
    """Trainable parameters and MACs summed per :func:`weight_group` over the layers that
    compute (each layer once: block rows, which repeat their layers' sums, are skipped),
    largest MACs first; the rest (normalisation, layer scale) under ``"other"``."""
    totals: dict[str, list[int]] = {}
    counted = 0
    for row in result.rows:
        group = weight_group(row.kind)
        if group is None:
            continue
        entry = totals.setdefault(group, [0, 0])
        entry[0] += row.params
        entry[1] += row.macs
        counted += row.params
    totals["other"] = [result.params - counted, result.macs - sum(m for _, m in totals.values())]
    ordered = sorted(totals.items(), key=lambda item: (item[0] == "other", -item[1][1]))
    return {group: (params, macs) for group, (params, macs) in ordered}


# --- the networks ---------------------------------------------------------------------------------


# --8<-- [start:vgg16]
def vgg16(classes: int = 1000) -> Network:
    """VGG16 (Simonyan & Zisserman 2015, configuration D), named as ``keras.applications.VGG16``:
    13 3x3 'same' convolutions with biases, 5 max-pools, 3 dense layers, a ReLU after every
    layer but the last (which gives the logits, as torchvision's; Keras adds a softmax)."""
    layers = []
    for block, (filters, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], 1):
        layers += [
            Conv(filters, 3, padding="same", name=f"block{block}_conv{i}", activation="relu")
            for i in range(1, convs + 1)
        ]
        layers.append(Pool(2, name=f"block{block}_pool"))
    layers += [
        Flatten(name="flatten"),
        Dense(4096, name="fc1", activation="relu"),
        Dense(4096, name="fc2", activation="relu"),
        Dense(classes, name="predictions"),
    ]
    return Network("VGG16", (224, 224, 3), tuple(layers))


# --8<-- [end:vgg16]


# --8<-- [start:resnet50]
def bottleneck(
    width: int,
    stride: int,
    downsample: bool,
    *,
    stride_in: str = "3x3",
    use_bias: bool = False,
    name: str = "",
    groups: int = 1,
    out: int | None = None,
) -> Residual:
    """ResNet's bottleneck, as torchvision names it: 1x1 (width), 3x3 (width), 1x1 (4 width),
    each followed by BatchNorm (conv biases off, as torchvision; Keras keeps them), a ReLU after
    the first two and after the sum. ``stride_in="3x3"`` is torchvision's "ResNet v1.5";
    ``"1x1"`` is the original paper's layout (stride in the first 1x1). ``groups`` splits
    the 3x3 into that many paths (ResNeXt); ``out`` (default ``4 width``) is the block's
    output width."""
    out = 4 * width if out is None else out
    s1, s3 = (stride, 1) if stride_in == "1x1" else (1, stride)
    main = (
        Conv(width, 1, s1, use_bias=use_bias, name="conv1"),
        BatchNorm(name="bn1", activation="relu"),
        Conv(width, 3, s3, padding=1, groups=groups, use_bias=use_bias, name="conv2"),
        BatchNorm(name="bn2", activation="relu"),
        Conv(out, 1, use_bias=use_bias, name="conv3"),
        BatchNorm(name="bn3"),
    )
    shortcut = ()
    if downsample:
        shortcut = (
            Conv(out, 1, stride, use_bias=use_bias, name="downsample.0"),
            BatchNorm(name="downsample.1"),
        )
    return Residual(main, shortcut, kind="Bottleneck", name=name, activation="relu")


def resnet50(
    classes: int = 1000,
    *,
    stride_in: str = "3x3",
    use_bias: bool = False,
    groups: int = 1,
    width_per_group: int = 64,
) -> Network:
    """ResNet-50 as ``torchvision.models.resnet50`` builds it (PyTorch padding, names).
    ``stride_in="1x1", use_bias=True`` is the layout of ``keras.applications.ResNet50``.
    A stage of ``planes`` (64, 128, 256, 512) has bottlenecks of width
    ``int(planes * width_per_group / 64) * groups`` and output ``4 planes``, as torchvision's
    ``ResNet`` computes it (``groups=32, width_per_group=4`` is ResNeXt-50 32x4d)."""
    if stride_in not in ("3x3", "1x1"):
        raise ValueError(
            f"stride_in must be '3x3' (torchvision, v1.5) or '1x1' (the paper), got {stride_in!r}"
        )
    layers = [
        Conv(64, 7, 2, padding=3, use_bias=use_bias, name="conv1"),
        BatchNorm(name="bn1", activation="relu"),
        Pool(3, 2, padding=1, name="maxpool"),
    ]
    for stage, (planes, blocks, stride) in enumerate([(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)], 1):
        width = planes * width_per_group // 64 * groups
        for index in range(blocks):
            first = index == 0
            layers.append(
                bottleneck(
                    width,
                    stride if first else 1,
                    first,
                    stride_in=stride_in,
                    use_bias=use_bias,
                    name=f"layer{stage}.{index}",
                    groups=groups,
                    out=4 * planes,
                )
            )
    layers += [GlobalPool(name="avgpool"), Dense(classes, name="fc")]
    label = (
        "ResNet-50 (v1.5, stride in the 3x3)" if stride_in == "3x3" else "ResNet-50 (v1, stride in the 1x1)"
    )
    return Network(label, (224, 224, 3), tuple(layers))


# --8<-- [end:resnet50]


# --8<-- [start:mobilenet_v1]
def mobilenet_v1(classes: int = 1000, *, alpha: float = 1.0) -> Network:
    """MobileNetV1 (Howard et al. 2017) as ``keras.applications.MobileNet`` builds it: a
    3x3 stride-2 conv, then 13 depthwise 3x3 + pointwise 1x1 pairs, each conv followed by
    BatchNorm and ReLU6 (no conv biases), global average pooling and a 1x1 conv classifier
    (its logits; Keras adds a softmax)."""

    def channels(n):
        return int(n * alpha)

    layers = [
        Conv(channels(32), 3, 2, padding="same", use_bias=False, name="conv1"),
        BatchNorm(name="conv1_bn", activation="relu6"),
    ]
    plan = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)]
    plan += [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
    for block, (filters, stride) in enumerate(plan, 1):
        layers += [
            DepthwiseConv(3, stride, padding="same", use_bias=False, name=f"conv_dw_{block}"),
            BatchNorm(name=f"conv_dw_{block}_bn", activation="relu6"),
            Conv(channels(filters), 1, use_bias=False, name=f"conv_pw_{block}"),
            BatchNorm(name=f"conv_pw_{block}_bn", activation="relu6"),
        ]
    layers += [
        GlobalPool(keepdims=True, name="global_average_pooling2d"),
        Conv(classes, 1, name="conv_preds"),
        Flatten(name="reshape_2"),
    ]
    return Network(f"MobileNetV1 (alpha {alpha})", (224, 224, 3), tuple(layers))


# --8<-- [end:mobilenet_v1]


# --8<-- [start:resnext50]
def resnext50_32x4d(classes: int = 1000) -> Network:
    """ResNeXt-50 (32x4d) (Xie et al. 2017, Table 1) as ``torchvision.models.resnext50_32x4d``
    builds it: :func:`resnet50` with every 3x3 convolution split into 32 groups of width 4
    per 64 channels of ``planes``, so a stage's ``width = int(planes * 4 / 64) * 32 = 2
    planes`` (128, 256, 512, 1024) against ResNet-50's ``planes``; the 1x1 convolutions
    widen to match, and the output of each block (``4 planes``) is ResNet-50's."""
    return replace(resnet50(classes, groups=32, width_per_group=4), name="ResNeXt-50 (32x4d)")


# --8<-- [end:resnext50]


# --8<-- [start:mobilenet_v2]
MOBILENET_V2_STAGES = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)
"""Sandler et al. 2018, Table 2: expansion ``t``, output channels ``c``, repeats ``n`` and
the stride ``s`` of the first repeat, per bottleneck stage."""


def inverted_residual(
    channels: int, out: int, stride: int, expansion: int, name: str, padding: PaddingSpec = 1
) -> tuple:
    """MobileNetV2's block, named as torchvision's ``InvertedResidual``: a 1x1 expansion to
    ``t C`` (BN, ReLU6; absent when ``t = 1``), a 3x3 depthwise convolution with the stride
    (BN, ReLU6) and a *linear* 1x1 projection to ``out`` (BN, no activation). With stride 1
    and ``out == C`` it is a :class:`Residual` (``x + block(x)``); otherwise its layers
    stand alone. No convolution has a bias; ``padding`` is the depthwise convolution's."""
    hidden = channels * expansion
    prefix = "" if stride == 1 and channels == out else name + "."
    layers = []
    if expansion != 1:
        layers += [
            Conv(hidden, 1, use_bias=False, name=f"{prefix}conv.0.0"),
            BatchNorm(name=f"{prefix}conv.0.1", activation="relu6"),
        ]
    step = len(layers) // 2
    layers += [
        DepthwiseConv(3, stride, padding=padding, use_bias=False, name=f"{prefix}conv.{step}.0"),
        BatchNorm(name=f"{prefix}conv.{step}.1", activation="relu6"),
        Conv(out, 1, use_bias=False, name=f"{prefix}conv.{step + 1}"),
        BatchNorm(name=f"{prefix}conv.{step + 2}"),
    ]
    if not prefix:
        return (Residual(tuple(layers), kind="InvertedResidual", name=name),)
    return tuple(layers)


def mobilenet_v2(classes: int = 1000, *, padding: str = "torchvision") -> Network:
    """MobileNetV2 (width 1.0, Sandler et al. 2018) as ``torchvision.models.mobilenet_v2``
    builds it: a 3x3 stride-2 convolution to 32 channels, the 17 inverted residuals of
    :data:`MOBILENET_V2_STAGES` (``features.1`` to ``features.17``), a 1x1 convolution to
    1280, global average pooling and the classifier (dropout, then dense).

    ``padding="torchvision"`` pads every 3x3 convolution by 1 on each side;
    ``padding="keras"`` is 'same', which at even sizes pads a stride-2 layer by 0 before and
    1 after, as ``keras.applications.MobileNetV2``'s ``ZeroPadding2D`` + 'valid' does: the
    same numbers, a field shifted by one input step of each stride-2 layer."""
    if padding not in ("torchvision", "keras"):
        raise ValueError(f"padding must be 'torchvision' or 'keras', got {padding!r}")
    pad = 1 if padding == "torchvision" else "same"
    layers = [
        Conv(32, 3, 2, padding=pad, use_bias=False, name="features.0.0"),
        BatchNorm(name="features.0.1", activation="relu6"),
    ]
    channels, index = 32, 1
    for expansion, out, repeats, stride in MOBILENET_V2_STAGES:
        for repeat in range(repeats):
            step = stride if repeat == 0 else 1
            layers += inverted_residual(channels, out, step, expansion, f"features.{index}", pad)
            channels, index = out, index + 1
    layers += [
        Conv(1280, 1, use_bias=False, name=f"features.{index}.0"),
        BatchNorm(name=f"features.{index}.1", activation="relu6"),
        GlobalPool(name="adaptive_avg_pool2d"),
        Dense(classes, name="classifier.1"),
    ]
    return Network("MobileNetV2 (width 1.0)", (224, 224, 3), tuple(layers))


# --8<-- [end:mobilenet_v2]


# --8<-- [start:convnext_tiny]
def convnext_block(width: int, name: str, kernel_size: int = 7) -> Residual:
    """ConvNeXt's block, named as torchvision's ``CNBlock``: a 7x7 depthwise convolution
    (``kernel_size``, padded ``kernel_size // 2``, bias), LayerNorm, a 1x1 expansion to ``4 C`` (torchvision's ``Linear`` on
    channels-last positions) with GELU, a 1x1 projection back to ``C``, a per-channel
    :class:`LayerScale`, and the input added."""
    main = (
        DepthwiseConv(kernel_size, padding=kernel_size // 2, name="block.0"),
        LayerNorm(name="block.2"),
        Conv(4 * width, 1, name="block.3", activation="gelu"),
        Conv(width, 1, name="block.5"),
        LayerScale(name="mul"),
    )
    return Residual(main, kind="CNBlock", name=name)


def convnext_tiny(
    classes: int = 1000, depths: tuple[int, ...] = (3, 3, 9, 3), *, kernel_size: int = 7
) -> Network:
    """ConvNeXt-T (Liu et al. 2022) as ``torchvision.models.convnext_tiny`` builds it: a
    4x4 stride-4 "patchify" stem with LayerNorm, four stages of :func:`convnext_block` with
    widths 96, 192, 384, 768 and ``depths`` blocks (``features.1, 3, 5, 7``), a LayerNorm
    and a 2x2 stride-2 convolution between stages (``features.2, 4, 6``), global average
    pooling, LayerNorm and the dense classifier. ``kernel_size`` (odd) is the depthwise
    kernel of every block: 7 in the paper, 3 as in its section 2.5 before the kernel grows."""
    widths = (96, 192, 384, 768)
    if len(depths) != len(widths) or min(depths) < 1:
        raise ValueError(f"depths must be four block counts >= 1, got {depths!r}")
    if kernel_size < 1 or kernel_size % 2 == 0:
        raise ValueError(f"kernel_size must be an odd number >= 1, got {kernel_size!r}")
    layers = [
        Conv(widths[0], 4, 4, name="features.0.0"),
        LayerNorm(name="features.0.1"),
    ]
    for stage, (width, depth) in enumerate(zip(widths, depths, strict=True)):
        layers += [
            convnext_block(width, f"features.{2 * stage + 1}.{index}", kernel_size) for index in range(depth)
        ]
        if stage + 1 < len(widths):
            layers += [
                LayerNorm(name=f"features.{2 * stage + 2}.0"),
                Conv(widths[stage + 1], 2, 2, name=f"features.{2 * stage + 2}.1"),
            ]
    layers += [
        GlobalPool(keepdims=True, name="avgpool"),
        LayerNorm(name="classifier.0"),
        Flatten(name="classifier.1"),
        Dense(classes, name="classifier.2"),
    ]
    label = "ConvNeXt-T" if kernel_size == 7 else f"ConvNeXt-T ({kernel_size}x{kernel_size} depthwise)"
    return Network(label, (224, 224, 3), tuple(layers))


# --8<-- [end:convnext_tiny]


# --8<-- [start:context_module]
def context_module(channels: int = 21, size: int = 64) -> Network:
    """Yu & Koltun (2016) basic context module: seven 3x3 convs with dilations
    1, 1, 2, 4, 8, 16, 1 and a final 1x1, all with ``channels`` in and out and 'same'
    padding, so the map keeps its size (the paper's front end gives 64x64 maps, 21 classes);
    a ReLU (the paper's "truncation") after each 3x3 convolution."""
    layers = [
        Conv(channels, 3, padding="same", dilation=d, name=f"ctx_conv{i}", activation="relu")
        for i, d in enumerate([1, 1, 2, 4, 8, 16, 1], 1)
    ]
    layers.append(Conv(channels, 1, name="ctx_final"))
    return Network(f"Context module (basic, C={channels})", (size, size, channels), tuple(layers))


# --8<-- [end:context_module]


# --8<-- [start:encoder_decoder]
def encoder_decoder(classes: int = 2, size: int = 128, channels: int = 3) -> Network:
    """A small segmentation network: two encoder stages (two 3x3 convs + BN, then a 2x2
    max-pool each) and a decoder that upsamples with 2x2 stride-2 transposed convolutions
    back to the input size, ending in a 1x1 conv with one channel per class; a ReLU after
    every BatchNorm."""

    def stage(filters, tag):
        return [
            Conv(filters, 3, padding="same", use_bias=False, name=f"{tag}_conv1"),
            BatchNorm(name=f"{tag}_bn1", activation="relu"),
            Conv(filters, 3, padding="same", use_bias=False, name=f"{tag}_conv2"),
            BatchNorm(name=f"{tag}_bn2", activation="relu"),
        ]

    layers = [
        *stage(32, "enc1"),
        Pool(2, name="enc1_pool"),
        *stage(64, "enc2"),
        Pool(2, name="enc2_pool"),
        *stage(128, "middle"),
        ConvTranspose(64, 2, 2, padding="same", name="up1"),
        *stage(64, "dec1"),
        ConvTranspose(32, 2, 2, padding="same", name="up2"),
        *stage(32, "dec2"),
        Conv(classes, 1, name="head"),
    ]
    return Network("Encoder-decoder", (size, size, channels), tuple(layers))


# --8<-- [end:encoder_decoder]


_SCALES = {"": 1, "M": 10**6, "G": 10**9, "million": 10**6}


class Published(NamedTuple):
    """A total printed in a paper or a framework's documentation, and where.

    ``value`` is always the plain count; ``what`` says what is counted (MACs, parameters),
    with the source's own name for it in brackets when that name is misleading.
    ``prefix`` (``"M"``, ``"G"`` or ``"million"``) is the scale the source prints the figure
    in: :attr:`text` shows ``value / 10**6`` or ``value / 10**9`` with that prefix, so a
    count of 15,470,000,000 MACs reads "15.47 GMACs", never "15,470,000,000 GFLOPS".
    """

    value: int
    what: str
    source: str
    prefix: str = ""

    @property
    def text(self) -> str:
        """The figure as its source prints it: ``f"{value / scale:g} {prefix}{what}"`` (a space
        after a word prefix: "4.2 million parameters", "15.47 GMACs")."""
        if self.prefix not in _SCALES:
            raise ValueError(f"prefix must be one of {sorted(_SCALES)}, got {self.prefix!r}")
        if not self.prefix:
            return f"{self.value:,} {self.what}"
        space = " " if len(self.prefix) > 1 else ""
        return f"{self.value / _SCALES[self.prefix]:g} {self.prefix}{space}{self.what}"


# Totals as their sources print them; tests/test_networks.py compares each with ours.
# torchvision's "GFLOPS" column counts one multiply-add as one operation: it is giga-MACs.
PUBLISHED: dict[str, Published] = {
    "vgg16.params": Published(
        138_357_544, "parameters", "torchvision docs, VGG16_Weights.IMAGENET1K_V1 (num_params)"
    ),
    "vgg16.params.paper": Published(
        138_000_000,
        "parameters (rounded)",
        "Simonyan & Zisserman 2015, Table 2 (config D: 138 million)",
        prefix="million",
    ),
    "vgg16.macs": Published(
        15_470_000_000,
        "MACs (torchvision's 'GFLOPS')",
        "torchvision docs, VGG16_Weights: 15.47 in the column headed GFLOPS",
        prefix="G",
    ),
    "resnet50.macs": Published(
        4_090_000_000,
        "MACs (torchvision's 'GFLOPS')",
        "torchvision docs, ResNet50_Weights: 4.09 in the column headed GFLOPS",
        prefix="G",
    ),
    "resnet50.params": Published(
        25_557_032, "parameters", "torchvision docs, ResNet50_Weights.IMAGENET1K_V1 (num_params)"
    ),
    "resnet50.macs.paper": Published(
        3_800_000_000,
        "MACs (the paper's 'FLOPs')",
        "He et al. 2016, Table 1 (50-layer: 3.8 x 10^9 FLOPs)",
        prefix="G",
    ),
    "resnet50.keras.total": Published(
        25_636_712,
        "total parameters (original layout, conv biases, BN statistics)",
        "keras.applications.ResNet50",
    ),
    "mobilenet.trainable": Published(
        4_231_976, "trainable parameters", "keras.applications.MobileNet(alpha=1.0), model.summary()"
    ),
    "mobilenet.total": Published(
        4_253_864,
        "total parameters incl. BN statistics",
        "keras.applications.MobileNet(alpha=1.0), model.summary()",
    ),
    "mobilenet.params.paper": Published(
        4_200_000,
        "parameters (rounded)",
        "Howard et al. 2017, Table 1/8 (1.0 MobileNet-224: 4.2 million)",
        prefix="million",
    ),
    "mobilenet.macs.paper": Published(
        569_000_000,
        "MACs (the paper's 'mult-adds', rounded)",
        "Howard et al. 2017, Table 8 (1.0 MobileNet-224: 569 million)",
        prefix="million",
    ),
    "mobilenet_v2.params": Published(
        3_504_872, "parameters", "torchvision docs, MobileNet_V2_Weights.IMAGENET1K_V1 (num_params)"
    ),
    "mobilenet_v2.macs": Published(
        300_000_000,
        "MACs (torchvision's 'GFLOPS')",
        "torchvision docs, MobileNet_V2_Weights: 0.3 in the column headed GFLOPS",
        prefix="G",
    ),
    "mobilenet_v2.params.paper": Published(
        3_400_000,
        "parameters (truncated)",
        "Sandler et al. 2018, Table 4 (MobileNetV2 1.0: 3.4M)",
        prefix="million",
    ),
    "mobilenet_v2.macs.paper": Published(
        300_000_000,
        "MACs (the paper's 'MAdds', rounded)",
        "Sandler et al. 2018, Table 4 (MobileNetV2 1.0: 300M)",
        prefix="million",
    ),
    "resnext50.params": Published(
        25_028_904, "parameters", "torchvision docs, ResNeXt50_32X4D_Weights.IMAGENET1K_V1 (num_params)"
    ),
    "resnext50.macs": Published(
        4_230_000_000,
        "MACs (torchvision's 'GFLOPS')",
        "torchvision docs, ResNeXt50_32X4D_Weights: 4.23 in the column headed GFLOPS",
        prefix="G",
    ),
    "resnext50.params.paper": Published(
        25_000_000,
        "parameters (rounded)",
        "Xie et al. 2017, Table 1 (ResNeXt-50 32x4d: 25.0 x 10^6)",
        prefix="million",
    ),
    "resnext50.macs.paper": Published(
        4_200_000_000,
        "MACs (the paper's 'FLOPs', rounded)",
        "Xie et al. 2017, Table 1 (ResNeXt-50 32x4d: 4.2 x 10^9 FLOPs)",
        prefix="G",
    ),
    "convnext_tiny.params": Published(
        28_589_128, "parameters", "torchvision docs, ConvNeXt_Tiny_Weights.IMAGENET1K_V1 (num_params)"
    ),
    "convnext_tiny.macs": Published(
        4_460_000_000,
        "MACs (torchvision's 'GFLOPS')",
        "torchvision docs, ConvNeXt_Tiny_Weights: 4.46 in the column headed GFLOPS",
        prefix="G",
    ),
    "convnext_tiny.params.paper": Published(
        29_000_000,
        "parameters (rounded)",
        "Liu et al. 2022, Table 1 (ConvNeXt-T, ImageNet-1K at 224: 29M)",
        prefix="million",
    ),
    "convnext_tiny.macs.paper": Published(
        4_500_000_000,
        "MACs (the paper's 'FLOPs', rounded)",
        "Liu et al. 2022, Table 1 (ConvNeXt-T at 224: 4.5G FLOPs)",
        prefix="G",
    ),
    "context.field": Published(67, "receptive field of the basic module", "Yu & Koltun 2016, Table 1"),
}
