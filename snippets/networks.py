"""Real networks as lists of layer specs, and their layer-by-layer summary.

A network is a :class:`Network`: a name, an input shape ``(H, W, C)`` and a tuple of
layer specs (:class:`Conv`, :class:`DepthwiseConv`, :class:`SeparableConv`,
:class:`ConvTranspose`, :class:`Pool`, :class:`GlobalPool`, :class:`BatchNorm`,
:class:`Flatten`, :class:`Dense` and the two-branch :class:`Residual`). Every number of
:func:`summary` comes from the other modules of this package: shapes from
``snippets.shapes``, parameters from ``snippets.params``, MACs from ``snippets.cost`` and
receptive fields from ``snippets.receptive``.

Conventions of the summary:

* ``params`` are trainable parameters (what ``torch`` counts as parameters);
  ``non_trainable`` are BatchNorm's moving mean and variance, which Keras adds to its
  "Total params" and PyTorch keeps as buffers.
* ``macs`` count multiply-accumulates of convolutions and dense layers (``FLOPs ~ 2 x
  MACs``); BatchNorm, pooling, additions and activations count 0.
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
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

from snippets.cost import conv_macs, depthwise_macs, separable_macs, transposed_macs
from snippets.params import count_conv_params, dense_params, depthwise_params, separable_params
from snippets.pooling import pool_output_shape
from snippets.receptive import Field, LayerGeometry, conv_geometry, pool_geometry, receptive_fields
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


class Row(NamedTuple):
    """One line of a summary: ``field`` is the ``(rows, cols)`` receptive field, measured in
    input pixels, of the output of this layer (``depth`` 1 for the layers inside a block)."""

    name: str
    kind: str
    output_shape: Shape
    params: int
    non_trainable: int
    macs: int
    field: tuple[Field, Field]
    depth: int = 0


class Summary(NamedTuple):
    """The rows of a network, its totals (over the top-level rows) and its activation memory
    (:func:`activation_memory`)."""

    name: str
    input_shape: tuple[int, int, int]
    rows: tuple[Row, ...]
    memory: ActivationMemory

    @property
    def top(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if row.depth == 0)

    @property
    def params(self) -> int:
        """Trainable parameters (PyTorch's count)."""
        return sum(row.params for row in self.top)

    @property
    def non_trainable(self) -> int:
        """BatchNorm moving statistics: Keras' total adds these."""
        return sum(row.non_trainable for row in self.top)

    @property
    def total_params(self) -> int:
        """Keras' "Total params": trainable plus non-trainable."""
        return self.params + self.non_trainable

    @property
    def macs(self) -> int:
        return sum(row.macs for row in self.top)

    @property
    def inference_peak_bytes(self) -> int:
        """The most activation memory alive at once in a forward pass (:func:`activation_memory`)."""
        return self.memory.inference_peak_bytes

    @property
    def training_bytes(self) -> int:
        """The activations a training step keeps for the backward pass (:func:`activation_memory`)."""
        return self.memory.training_bytes

    @property
    def output_shape(self) -> Shape:
        return self.top[-1].output_shape


# --- receptive fields ---------------------------------------------------------------------------


class Upsample(NamedTuple):
    """A transposed convolution along one axis: output ``o`` reads input ``j`` when
    ``o = j s - p + t`` for a tap ``t`` in ``0 .. k - 1`` (PyTorch's ``padding`` ``p``)."""

    kernel_size: int
    stride: int
    padding: int


def _field(path: list) -> Field:
    """The field of the last layer of ``path`` (geometries from the input on, along one axis).

    Without upsampling: :func:`snippets.receptive.receptive_fields`. With transposed
    convolutions the field depends on the output's phase; it is found exactly by carrying the
    interval of input indices back through every layer, for one period of outputs: ``size``
    is the largest over the phases, ``stride`` is a fraction and ``padding`` is where the
    field of output 0 starts (negated)."""
    if not path:
        return Field(1, 1, 0)
    if not any(isinstance(step, Upsample) for step in path):
        return receptive_fields(path)[-1]
    period = math.prod(step.stride for step in path if isinstance(step, Upsample))
    spans = []
    for output in range(period):
        lo = hi = output
        for step in reversed(path):
            if isinstance(step, Upsample):
                k, s, p = step
                lo, hi = -((k - 1 - lo - p) // s), (hi + p) // s  # ceil((lo + p - k + 1) / s), floor
            else:
                k, s, d, p = step
                lo, hi = lo * s - p, hi * s - p + d * (k - 1)
        spans.append((lo, hi))
    stride = Fraction(math.prod(step.stride for step in path if not isinstance(step, Upsample)), period)
    return Field(max(hi - lo + 1 for lo, hi in spans), _simplify(stride), -spans[0][0])


def _simplify(value):
    return int(value) if isinstance(value, Fraction) and value.denominator == 1 else value


def _geometry(layer, shape: Shape) -> tuple:
    """Kernel, stride, dilation and padding-before of a layer along rows and columns
    (an :class:`Upsample` for a transposed convolution)."""
    if len(shape) != 3:  # flat input: Dense
        return (LayerGeometry(1), LayerGeometry(1))
    if isinstance(layer, (Conv, DepthwiseConv, SeparableConv)):
        layer_rule = {DepthwiseConv: "depthwise", SeparableConv: "separable"}.get(type(layer), "conv")
        geometry = conv_geometry(
            shape, layer.kernel_size, layer.stride, layer.padding, dilation=layer.dilation, layer=layer_rule
        )
        return tuple(LayerGeometry(*(values[a] for values in geometry)) for a in (0, 1))
    if isinstance(layer, Pool):
        geometry = pool_geometry(shape, layer.pool_size, layer.stride, layer.padding)
        return tuple(LayerGeometry(*(values[a] for values in geometry)) for a in (0, 1))
    if isinstance(layer, (GlobalPool, Flatten)):  # one window over the whole map
        kernel, stride, dilation, pads = shape[:2], (1, 1), (1, 1), ((0, 0), (0, 0))
    elif isinstance(layer, ConvTranspose):
        kernel, stride = _pair(layer.kernel_size), _pair(layer.stride)
        if isinstance(layer.padding, str):  # Keras crops as the 'same' conv it is the transpose of
            crop = [
                max(k - s, 0) // 2 if layer.padding == "same" else 0
                for k, s in zip(kernel, stride, strict=True)
            ]
        else:
            crop = [side[0] for side in padding_amounts(shape, kernel, 1, layer.padding)]
        return tuple(Upsample(kernel[a], stride[a], crop[a]) for a in (0, 1))
    else:  # BatchNorm, Dense
        kernel, stride, dilation, pads = (1, 1), (1, 1), (1, 1), ((0, 0), (0, 0))
    return tuple(LayerGeometry(kernel[a], stride[a], dilation[a], pads[a][0]) for a in (0, 1))


def _pair(value) -> Pair:
    return (value, value) if isinstance(value, int) else tuple(value)


# --- shapes, parameters and MACs of one layer -----------------------------------------------


def _describe(layer, shape: Shape) -> str:
    def window(kernel, stride=1, dilation=1):
        k, s, d = _pair(kernel), _pair(stride), _pair(dilation)
        text = f"{k[0]}x{k[1]}"
        if s != (1, 1):
            text += f" s{s[0]}" if s[0] == s[1] else f" s{s[0]}x{s[1]}"
        if d != (1, 1):
            text += f" d{d[0]}" if d[0] == d[1] else f" d{d[0]}x{d[1]}"
        return text

    if isinstance(layer, Conv):
        return f"Conv {window(layer.kernel_size, layer.stride, layer.dilation)}"
    if isinstance(layer, DepthwiseConv):
        return f"DWConv {window(layer.kernel_size, layer.stride, layer.dilation)}"
    if isinstance(layer, SeparableConv):
        return f"SepConv {window(layer.kernel_size, layer.stride, layer.dilation)}"
    if isinstance(layer, ConvTranspose):
        return f"ConvT {window(layer.kernel_size, layer.stride)}"
    if isinstance(layer, Pool):
        stride = layer.pool_size if layer.stride is None else layer.stride
        return f"{layer.kind.capitalize()}Pool {window(layer.pool_size, stride)}"
    if isinstance(layer, GlobalPool):
        return f"Global{layer.kind.capitalize()}Pool"
    return type(layer).__name__


def _leaf(layer, shape: Shape) -> tuple[Shape, int, int, int]:
    """Output shape, trainable parameters, non-trainable parameters and MACs of one layer."""
    if isinstance(layer, Dense):
        if len(shape) != 1:
            raise ValueError(f"Dense needs a flat input (add Flatten or GlobalPool), got shape {shape}")
        return (layer.units,), dense_params(shape[0], layer.units, layer.use_bias), 0, shape[0] * layer.units
    if len(shape) != 3:
        raise ValueError(f"{type(layer).__name__} needs an (H, W, C) input, got shape {shape}")
    channels = shape[2]
    if isinstance(layer, Conv):
        args = (layer.filters, layer.kernel_size, layer.stride, layer.padding)
        out = conv_output_shape(shape, *args, dilation=layer.dilation)
        params = count_conv_params(
            channels, layer.filters, layer.kernel_size, layer.use_bias, groups=layer.groups
        )
        return out, params, 0, conv_macs(shape, *args, dilation=layer.dilation, groups=layer.groups)
    if isinstance(layer, DepthwiseConv):
        m = layer.depth_multiplier
        args = (layer.kernel_size, layer.stride, layer.padding)
        out = conv_output_shape(shape, channels * m, *args, dilation=layer.dilation)
        params = depthwise_params(channels, layer.kernel_size, depth_multiplier=m, use_bias=layer.use_bias)
        return out, params, 0, depthwise_macs(shape, *args, dilation=layer.dilation, depth_multiplier=m)
    if isinstance(layer, SeparableConv):
        m = layer.depth_multiplier
        args = (layer.kernel_size, layer.stride, layer.padding)
        out = conv_output_shape(shape, layer.filters, *args, dilation=layer.dilation)
        params = separable_params(
            channels, layer.filters, layer.kernel_size, depth_multiplier=m, use_bias=layer.use_bias
        )
        macs = separable_macs(shape, layer.filters, *args, dilation=layer.dilation, depth_multiplier=m)
        return out, params, 0, macs
    if isinstance(layer, ConvTranspose):
        args = (layer.filters, layer.kernel_size, layer.stride, layer.padding)
        out = transposed_output_shape(shape, *args, output_padding=layer.output_padding)
        params = count_conv_params(channels, layer.filters, layer.kernel_size, layer.use_bias)
        return out, params, 0, transposed_macs(shape, *args, output_padding=layer.output_padding)
    if isinstance(layer, Pool):
        return pool_output_shape(shape, layer.pool_size, layer.stride, layer.padding), 0, 0, 0
    if isinstance(layer, GlobalPool):
        return ((1, 1, channels) if layer.keepdims else (channels,)), 0, 0, 0
    if isinstance(layer, BatchNorm):
        return shape, 2 * channels, 2 * channels, 0
    if isinstance(layer, Flatten):
        return (math.prod(shape),), 0, 0, 0
    raise TypeError(f"layer must be one of the layer specs of snippets.networks, got {layer!r}")


def _walk(layers, shape: Shape, path: tuple[list, list], prefix: str, depth: int, rows: list) -> tuple:
    """Append a row per layer (and per layer inside each block); return the output shape and
    the geometries, along rows and columns, of the longest path from the input."""
    for index, layer in enumerate(layers):
        name = prefix + (getattr(layer, "name", "") or f"{type(layer).__name__.lower()}_{index}")
        if isinstance(layer, Residual):
            block_rows: list[Row] = []
            out, main_path = _walk(layer.main, shape, path, name + ".", depth + 1, block_rows)
            short_out, _ = _walk(layer.shortcut, shape, path, name + ".", depth + 1, block_rows)
            if short_out != out:
                raise ValueError(
                    f"{name}: the main path gives {out} but the shortcut gives {short_out}; "
                    f"a residual block needs both the same"
                )
            inner = [r for r in block_rows if r.depth == depth + 1]
            rows.append(
                Row(
                    name,
                    layer.kind,
                    out,
                    sum(r.params for r in inner),
                    sum(r.non_trainable for r in inner),
                    sum(r.macs for r in inner),
                    tuple(_field(axis) for axis in main_path),
                    depth,
                )
            )
            rows.extend(block_rows)
            shape, path = out, main_path
            continue
        out, params, frozen, macs = _leaf(layer, shape)
        path = tuple([*axis, step] for axis, step in zip(path, _geometry(layer, shape), strict=True))
        field = tuple(_field(axis) for axis in path)
        rows.append(Row(name, _describe(layer, shape), out, params, frozen, macs, field, depth))
        shape = out
    return shape, path


# --8<-- [start:summary]
def summary(network: Network, input_shape: tuple[int, int, int] | None = None) -> Summary:
    """Every layer's output shape, parameters, MACs and receptive field, in order, and the
    network's activation memory.

    ``input_shape`` defaults to ``network.input_shape``. Shapes, parameters and MACs come
    from ``conv_output_shape``/``transposed_output_shape``, ``count_conv_params`` and
    friends, ``conv_macs`` and friends; fields from ``receptive_fields``; memory from
    :func:`activation_memory`. A residual block gives one row (its totals, the field of its
    main path) followed by the rows of its layers.
    """
    shape = tuple(network.input_shape if input_shape is None else input_shape)
    conv_output_shape(shape, 1, 1, padding="valid")  # validates the shape
    rows: list[Row] = []
    _walk(network.layers, shape, ([], []), "", 0, rows)
    return Summary(network.name, shape, tuple(rows), activation_memory(network, shape))


# --8<-- [end:summary]


# --- activation memory ----------------------------------------------------------------------------


class ActivationMemory(NamedTuple):
    """Activation memory of one image (batch 1; both figures grow linearly with the batch),
    in bytes: float32 values, int64 max-pool indices. Weights and their gradients are not
    included. See :func:`activation_memory` for what is counted."""

    inference_peak_bytes: int
    inference_peak_layer: str  # the layer running when the peak is reached
    training_bytes: int


class _Step(NamedTuple):
    """One operation of a forward pass: the tensors it reads, the tensor it writes (``None``
    for a view or an in-place operation), the tensors it keeps for the backward pass and the
    bytes it keeps besides them (max-pool indices, BatchNorm statistics)."""

    name: str
    reads: tuple[int, ...]
    writes: int | None
    saves: tuple[int, ...]
    saved_extra: int = 0


_FLOAT, _INDEX = 4, 8  # bytes of a float32 value and of an int64 index


def _trace(layers, shape: Shape, tensor: int, prefix: str, sizes: list[int], tape: list[_Step]):
    """Append the forward pass of ``layers`` to ``tape`` (new tensors' bytes to ``sizes``);
    return the output shape and the id of the output tensor."""

    def new(elements: int) -> int:
        sizes.append(_FLOAT * elements)
        return len(sizes) - 1

    for index, layer in enumerate(layers):
        name = prefix + (getattr(layer, "name", "") or f"{type(layer).__name__.lower()}_{index}")
        if isinstance(layer, Residual):
            _, main = _trace(layer.main, shape, tensor, name + ".", sizes, tape)
            out_shape, short = _trace(layer.shortcut, shape, tensor, name + ".", sizes, tape)
            # main += shortcut, in place; the block's input is held until then
            tape.append(_Step(name, (main, short, tensor), None, ()))
            out = main
        else:
            out_shape = _leaf(layer, shape)[0]
            elements = math.prod(out_shape)
            if isinstance(layer, Flatten):  # a view of its input
                out = tensor
                tape.append(_Step(name, (tensor,), None, ()))
            elif isinstance(layer, SeparableConv):  # depthwise into a middle tensor, then pointwise
                middle_shape = conv_output_shape(
                    shape,
                    shape[2] * layer.depth_multiplier,
                    layer.kernel_size,
                    layer.stride,
                    padding=layer.padding,
                    dilation=layer.dilation,
                )
                middle = new(math.prod(middle_shape))
                tape.append(_Step(name, (tensor,), middle, (tensor,)))
                out = new(elements)
                tape.append(_Step(name, (middle,), out, (middle,)))
            else:
                out = new(elements)
                saves: tuple[int, ...] = ()
                extra = 0
                if isinstance(layer, (Conv, DepthwiseConv, ConvTranspose, Dense)):
                    saves = (tensor,)
                elif isinstance(layer, BatchNorm):  # its input, and a mean and 1/std per channel
                    saves, extra = (tensor,), _FLOAT * 2 * shape[2]
                elif isinstance(layer, Pool):  # max: input and int64 indices; avg: input (torch)
                    saves = (tensor,)
                    extra = _INDEX * elements if layer.kind == "max" else 0
                elif isinstance(layer, GlobalPool) and layer.kind == "max":
                    saves, extra = (tensor,), _INDEX * elements
                tape.append(_Step(name, (tensor,), out, saves, extra))
        if getattr(layer, "activation", None):  # in place; keeps its output
            tape.append(_Step(f"{name} ({layer.activation})", (out,), None, (out,)))
        shape, tensor = out_shape, out
    return shape, tensor


# --8<-- [start:activation_memory]
def activation_memory(network: Network, input_shape: tuple[int, int, int] | None = None) -> ActivationMemory:
    """The two activation-memory figures of a network, for one image (bytes).

    The forward pass runs layer by layer. A layer reads its input and writes a new output
    of ``4 * H * W * C`` bytes; ``Flatten`` is a view and an ``activation`` works in place
    (both write nothing); a residual sum is written into the main path's output.

    * ``inference_peak_bytes = max over steps i of sum(bytes of the tensors alive at i)``,
      where a tensor is alive from the step that writes it to the last step that reads it:
      the input and output of the running layer, a residual block's input (held until the
      block's sum, as torchvision's forward holds ``x``) and the network's input, which its
      caller holds for the whole pass.
    * ``training_bytes = sum(bytes of every tensor some layer keeps for backward)``, each
      tensor once: convolutions and dense layers keep their input (for the weight
      gradient), BatchNorm its input and ``2 C`` statistics, max pooling its input and an
      int64 index per output value, average pooling its input, an activation its output
      (ReLU in place, as PyTorch's ``inplace=True``); global average pooling, ``Flatten``
      and the residual sum keep nothing. This is what PyTorch's autograd saves.
    """
    shape = tuple(network.input_shape if input_shape is None else input_shape)
    sizes = [_FLOAT * math.prod(shape)]  # tensor 0: the network's input
    tape: list[_Step] = []
    _, output = _trace(network.layers, shape, 0, "", sizes, tape)
    written = {step.writes: i for i, step in enumerate(tape) if step.writes is not None}
    last_read = {0: len(tape), output: len(tape)}  # the input and the output are held
    for i, step in enumerate(tape):
        for tensor in step.reads:
            last_read[tensor] = max(last_read.get(tensor, i), i)
    peak, peak_step = 0, 0
    for i in range(len(tape)):
        alive = sum(
            size
            for tensor, size in enumerate(sizes)
            if written.get(tensor, -1) <= i <= last_read.get(tensor, written.get(tensor, -1))
        )
        if alive > peak:
            peak, peak_step = alive, i
    kept = {tensor for step in tape for tensor in step.saves}
    training = sum(sizes[tensor] for tensor in kept) + sum(step.saved_extra for step in tape)
    return ActivationMemory(peak, tape[peak_step].name.split(" (")[0] if tape else "", training)


# --8<-- [end:activation_memory]


def _fmt_field(pair: tuple[Field, Field], attr: str) -> str:
    rows, cols = (getattr(f, attr) for f in pair)
    return f"{rows}" if rows == cols else f"{rows}x{cols}"


def _fmt_shape(shape: Shape) -> str:
    return str(tuple(shape))


# --8<-- [start:format_summary]
def format_summary(result: Summary, *, depth: int = 0, keras_params: bool = False) -> str:
    """A text table like Keras' ``Model.summary()``: one line per layer, then the totals.

    ``depth=1`` also lists the layers inside residual blocks (indented). ``keras_params``
    puts BatchNorm's moving statistics in the Params column, as Keras counts (4C, not 2C).
    """
    header = ("Layer", "Type", "Output shape", "Params", "MACs", "Field", "Stride")
    lines = []
    for row in result.rows:
        if row.depth > depth:
            continue
        params = row.params + (row.non_trainable if keras_params else 0)
        lines.append(
            (
                "  " * row.depth + row.name,
                row.kind,
                _fmt_shape(row.output_shape),
                f"{params:,}",
                f"{row.macs:,}",
                _fmt_field(row.field, "size"),
                _fmt_field(row.field, "stride"),
            )
        )
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]
    align = "<<<>>>>"

    def render(cells):
        return "  ".join(f"{c:{a}{w}}" for c, a, w in zip(cells, align, widths, strict=True)).rstrip()

    rule = "-" * len(render(header))
    text = [f"{result.name}, input {_fmt_shape(result.input_shape)}", rule, render(header), rule]
    text += [render(cells) for cells in lines]
    text += [
        rule,
        f"Trainable params:     {result.params:>15,}",
        f"Non-trainable params: {result.non_trainable:>15,}  (BatchNorm moving mean and variance)",
        f"Total params (Keras): {result.total_params:>15,}",
        f"MACs:                 {result.macs:>15,}  (multiply-accumulates; FLOPs ~ 2 x MACs)",
        f"Inference peak:       {result.inference_peak_bytes:>15,}  bytes (most alive at once, "
        f"at {result.memory.inference_peak_layer})",
        f"Kept for training:    {result.training_bytes:>15,}  bytes (what the backward pass reads)",
    ]
    return "\n".join(text)


# --8<-- [end:format_summary]


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
) -> Residual:
    """ResNet's bottleneck, as torchvision names it: 1x1 (width), 3x3 (width), 1x1 (4 width),
    each followed by BatchNorm (conv biases off, as torchvision; Keras keeps them), a ReLU after
    the first two and after the sum. ``stride_in="3x3"`` is torchvision's "ResNet v1.5";
    ``"1x1"`` is the original paper's layout (stride in the first 1x1)."""
    s1, s3 = (stride, 1) if stride_in == "1x1" else (1, stride)
    main = (
        Conv(width, 1, s1, use_bias=use_bias, name="conv1"),
        BatchNorm(name="bn1", activation="relu"),
        Conv(width, 3, s3, padding=1, use_bias=use_bias, name="conv2"),
        BatchNorm(name="bn2", activation="relu"),
        Conv(4 * width, 1, use_bias=use_bias, name="conv3"),
        BatchNorm(name="bn3"),
    )
    shortcut = ()
    if downsample:
        shortcut = (
            Conv(4 * width, 1, stride, use_bias=use_bias, name="downsample.0"),
            BatchNorm(name="downsample.1"),
        )
    return Residual(main, shortcut, kind="Bottleneck", name=name, activation="relu")


def resnet50(classes: int = 1000, *, stride_in: str = "3x3", use_bias: bool = False) -> Network:
    """ResNet-50 as ``torchvision.models.resnet50`` builds it (PyTorch padding, names).
    ``stride_in="1x1", use_bias=True`` is the layout of ``keras.applications.ResNet50``."""
    if stride_in not in ("3x3", "1x1"):
        raise ValueError(
            f"stride_in must be '3x3' (torchvision, v1.5) or '1x1' (the paper), got {stride_in!r}"
        )
    layers = [
        Conv(64, 7, 2, padding=3, use_bias=use_bias, name="conv1"),
        BatchNorm(name="bn1", activation="relu"),
        Pool(3, 2, padding=1, name="maxpool"),
    ]
    for stage, (width, blocks, stride) in enumerate([(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)], 1):
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
    "context.field": Published(67, "receptive field of the basic module", "Yu & Koltun 2016, Table 1"),
}
