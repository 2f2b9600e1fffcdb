"""A network as a graph of operations, and its summary: shapes, parameters, MACs, receptive
fields and activation memory, for any rank and any wiring.

A :class:`Graph` lists :class:`Node` objects in the order they run; node 0 is the input.
Each node names the nodes it reads, so residual additions, concatenations and branches are
followed as they are wired. The readers fill the nodes: :mod:`snippets.networks` from a
``Network`` spec, :mod:`snippets.summary` from a ``torch.nn.Module`` or a ``keras.Model``.
Every figure of a node comes from the arithmetic of this package; this module combines them.

Receptive field through a graph. Along one axis, the outputs ``o`` of a node read the input
indices ``lo(o) .. hi(o)`` (the field of output ``o``, padding included). The functions are
periodic-affine (a :class:`Span`): ``lo(o) = lo[o mod P] + (o div P) Q``, where ``P`` is the
product of the strides of the transposed layers on the way (1 without any) and ``Q / P`` is
the effective stride. A layer of kernel ``k``, stride ``s``, dilation ``d`` and padding
before ``p`` maps ``o`` to its window ``o s - p .. o s - p + d (k - 1)`` of the layer below;
a transposed layer maps ``o`` to the inputs ``ceil((o + p - k + 1) / s) .. floor((o + p) / s)``
that scatter into it. A node reading several nodes (an addition, a concatenation) takes the
union of their fields: the largest field over the paths, as Araujo et al. define it. The
node's :class:`~snippets.receptive.Field` is then

* ``size = max over one period of o of (hi(o) - lo(o) + 1)`` (the phases of a transposed
  layer differ; without one, every output has the same size),
* ``stride = Q / P`` (a fraction after upsampling),
* ``padding = -lo(0)``: how far the field of output 0 starts before input index 0.

Two paths whose fields do not share a centre (their effective padding differs for the same
stride) are *misaligned*: the union is still the field, and the row says ``aligned=False``.
Paths with different effective strides cannot be united into one periodic field: the node's
field is unknown (``None``), as is the field of a node after an unknown operation.

Activation memory, for batch 1, in bytes (float32 values, int64 max-pool indices): a node
writes a tensor of ``4 prod(output_shape)`` bytes unless it is a view or works in place. A
tensor is alive from the node that writes it to the last node that reads it or *holds* it
(a block keeps its input alive until it returns, as a Python ``forward`` does); the graph's
input and output are held throughout. ``inference_peak_bytes`` is the largest sum over the
tensors alive at one node; ``training_bytes`` the sum of the tensors some node keeps for the
backward pass (each once) and the bytes nodes keep besides (indices, statistics).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from snippets.receptive import Field, LayerGeometry

Shape = tuple[int, ...]
FLOAT_BYTES, INDEX_BYTES = 4, 8  # a float32 value, an int64 max-pool index


class Upsample(NamedTuple):
    """A transposed convolution along one axis: output ``o`` reads input ``j`` when
    ``o = j s - p + t`` for a tap ``t`` in ``0 .. k - 1`` (PyTorch's ``padding`` ``p``)."""

    kernel_size: int
    stride: int
    padding: int


MERGE = "merge"  # the geometry of a node that combines its inputs position by position


@dataclass(frozen=True)
class Node:
    """One operation of a forward pass.

    ``geometry`` is one :class:`~snippets.receptive.LayerGeometry` or :class:`Upsample` per
    spatial axis of the graph's input, ``MERGE`` for an element-wise combination of its
    inputs (addition, multiplication, concatenation along channels) or ``None`` when the
    operation is not known (its field, and every field after it, is unknown). ``saves``
    are the nodes whose tensors this node keeps for the backward pass (itself included
    when it keeps its output); ``holds`` the nodes whose tensors stay alive until it has
    run. ``block`` is the dotted name of each enclosing block, outermost first, with its
    type: ``(("layer1", "Sequential"), ("layer1.0", "Bottleneck"))``.
    """

    name: str
    kind: str
    inputs: tuple[int, ...]
    output_shape: Shape
    geometry: tuple | str | None
    params: int = 0
    non_trainable: int = 0
    macs: int = 0
    writes: bool = True
    saves: tuple[int, ...] = ()
    saved_extra: int = 0
    holds: tuple[int, ...] = ()
    block: tuple[tuple[str, str], ...] = ()
    shown: bool = True
    known: bool = True


class Graph(NamedTuple):
    """A network's operations in the order they run; ``nodes[0]`` is the input."""

    name: str
    input_shape: Shape
    nodes: tuple[Node, ...]


def input_node(shape: Shape) -> Node:
    """The graph's input: every output index reads itself."""
    return Node("input", "Input", (), tuple(shape), tuple(LayerGeometry(1) for _ in shape[:-1]))


# --- receptive fields ------------------------------------------------------------------------


class Span(NamedTuple):
    """The input indices output ``o`` reads along one axis: ``lo(o) .. hi(o)`` with
    ``lo(o) = lo[o mod period] + (o div period) * shift`` and ``hi`` alike."""

    period: int
    shift: int
    lo: tuple[int, ...]
    hi: tuple[int, ...]

    def lo_at(self, o: int) -> int:
        turns, phase = divmod(o, self.period)
        return self.lo[phase] + turns * self.shift

    def hi_at(self, o: int) -> int:
        turns, phase = divmod(o, self.period)
        return self.hi[phase] + turns * self.shift

    @property
    def slope(self) -> Fraction:
        """Input indices per output index: the effective stride ``shift / period``."""
        return Fraction(self.shift, self.period)


INPUT_SPAN = Span(1, 1, (0,), (0,))


def through_window(span: Span, step: LayerGeometry) -> Span:
    """The span after a layer whose output ``o`` reads ``o s - p .. o s - p + d (k - 1)``.

    The period shrinks to ``P / gcd(P, s)``: ``P / gcd(P, s)`` outputs later the window has
    moved ``lcm(P, s)`` positions, a whole number of the span's periods."""
    k, s, d, p = step
    period = span.period // math.gcd(span.period, s)
    lo = tuple(span.lo_at(o * s - p) for o in range(period))
    hi = tuple(span.hi_at(o * s - p + d * (k - 1)) for o in range(period))
    return Span(period, span.lo_at(period * s - p) - lo[0], lo, hi)


def through_upsample(span: Span, step: Upsample) -> Span:
    """The span after a transposed layer: output ``o`` reads the inputs
    ``ceil((o + p - k + 1) / s) .. floor((o + p) / s)``; the period grows ``s`` times."""
    k, s, p = step
    period = span.period * s
    lo = tuple(span.lo_at(-((k - 1 - o - p) // s)) for o in range(period))
    hi = tuple(span.hi_at((o + p) // s) for o in range(period))
    return Span(period, span.shift, lo, hi)


def _union(spans: list[Span], sizes: list[int], size: int) -> tuple[Span | None, bool]:
    """The union of the fields of the inputs of a merge, and whether their centres agree.

    An input of size 1 along an axis the output is longer in (a squeeze-and-excitation
    weight broadcast over the map) gives every output its one field. ``None`` when the
    other inputs have different effective strides."""
    moving = [span for span, n in zip(spans, sizes, strict=True) if n == size or size == 1]
    fixed = [span for span, n in zip(spans, sizes, strict=True) if not (n == size or size == 1)]
    if len({span.slope for span in moving}) > 1:
        return None, False
    period = math.lcm(*(span.period for span in moving))
    lo = [min(span.lo_at(o) for span in moving) for o in range(period)]
    hi = [max(span.hi_at(o) for span in moving) for o in range(period)]
    centres = {span.lo_at(0) + span.hi_at(0) for span in moving}
    shift = moving[0].lo_at(period) - moving[0].lo_at(0)
    if fixed:  # the broadcast fields cover every output: the union over the outputs
        first = min([lo[0]] + [span.lo_at(0) for span in fixed])
        last = max([Span(period, shift, tuple(lo), tuple(hi)).hi_at(size - 1)] + [s.hi_at(0) for s in fixed])
        return Span(1, 0, (first,), (last,)), len(centres) == 1
    return Span(period, shift, tuple(lo), tuple(hi)), len(centres) == 1


def span_field(span: Span) -> Field:
    """``Field(max size over a period, shift / period, -lo(0))`` (module docstring)."""
    size = max(last - first + 1 for first, last in zip(span.lo, span.hi, strict=True))
    stride = span.slope
    return Field(size, int(stride) if stride.denominator == 1 else stride, -span.lo[0])


def _spatial(shape: Shape, rank: int) -> tuple[int, ...]:
    """The node's extent along each of the input's spatial axes (1 once flat)."""
    return tuple(shape[:-1]) if len(shape) == rank + 1 else (1,) * rank


def graph_spans(graph: Graph) -> list[tuple[tuple[Span, ...] | None, bool]]:
    """Per node: its span along each spatial axis (``None`` if unknown), and whether the
    paths into it are aligned."""
    rank = len(graph.input_shape) - 1
    result: list[tuple[tuple[Span, ...] | None, bool]] = []
    for node in graph.nodes:
        if not node.inputs:
            result.append(((INPUT_SPAN,) * rank, True))
            continue
        below = [result[i][0] for i in node.inputs]
        if node.geometry is None or any(spans is None for spans in below):
            result.append((None, True))
        elif node.geometry == MERGE:
            out = _spatial(node.output_shape, rank)
            axes, aligned = [], True
            for axis in range(rank):
                sizes = [_spatial(graph.nodes[i].output_shape, rank)[axis] for i in node.inputs]
                span, same_centre = _union([spans[axis] for spans in below], sizes, out[axis])
                axes.append(span)
                aligned = aligned and same_centre
            result.append((None if None in axes else tuple(axes), aligned))
        else:
            spans = below[0]
            result.append(
                (
                    tuple(
                        through_upsample(span, step)
                        if isinstance(step, Upsample)
                        else through_window(span, step)
                        for span, step in zip(spans, node.geometry, strict=True)
                    ),
                    True,
                )
            )
    return result


# --- activation memory ---------------------------------------------------------------------------


class ActivationMemory(NamedTuple):
    """Activation memory of one input (batch 1; both figures grow linearly with the batch),
    in bytes. Weights and their gradients are not included (module docstring)."""

    inference_peak_bytes: int
    inference_peak_layer: str  # the node running when the peak is reached
    training_bytes: int


def _tensors(graph: Graph) -> list[int]:
    """The tensor each node's output lives in: its own, or (a view, in place) its input's."""
    tensor: list[int] = []
    for index, node in enumerate(graph.nodes):
        tensor.append(index if node.writes or not node.inputs else tensor[node.inputs[0]])
    return tensor


def graph_memory(graph: Graph) -> tuple[ActivationMemory, list[int], list[int]]:
    """The graph's :class:`ActivationMemory`, and per node the bytes it writes and the bytes
    it keeps for backward (a tensor kept by several nodes is counted at the first)."""
    tensor = _tensors(graph)
    size = {i: FLOAT_BYTES * math.prod(n.output_shape) for i, n in enumerate(graph.nodes) if tensor[i] == i}
    last = len(graph.nodes) - 1
    until = {0: last, tensor[last]: last}
    for index, node in enumerate(graph.nodes):
        for other in (*node.inputs, *node.holds):
            until[tensor[other]] = max(until.get(tensor[other], index), index)
    peak, peak_node = 0, 0
    for index in range(len(graph.nodes)):
        alive = sum(b for t, b in size.items() if t <= index <= until.get(t, t))
        if alive > peak:
            peak, peak_node = alive, index
    kept: set[int] = set()
    written, kept_by = [], []
    for index, node in enumerate(graph.nodes):
        written.append(size.get(index, 0))
        new = {tensor[i] for i in node.saves} - kept
        kept |= new
        kept_by.append(sum(size[t] for t in new) + node.saved_extra)
    memory = ActivationMemory(peak, graph.nodes[peak_node].name, sum(kept_by))
    return memory, written, kept_by


# --- the summary ---------------------------------------------------------------------------------


class Row(NamedTuple):
    """One line of a summary. ``field`` holds one :class:`~snippets.receptive.Field` per
    spatial axis of the input (size, effective stride, effective padding), ``None`` when
    unknown; ``depth`` counts the blocks around the row; a block's row sums its layers.
    ``output_bytes`` is what the row writes, ``kept_bytes`` what it keeps for backward."""

    name: str
    kind: str
    output_shape: Shape
    params: int
    non_trainable: int
    macs: int
    field: tuple[Field, ...] | None
    depth: int = 0
    known: bool = True
    aligned: bool = True
    output_bytes: int = 0
    kept_bytes: int = 0


class Summary(NamedTuple):
    """The rows of a network, its totals (over the top-level rows) and its activation memory."""

    name: str
    input_shape: Shape
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
        """BatchNorm moving statistics (buffers in PyTorch): Keras' total adds these."""
        return sum(row.non_trainable for row in self.top)

    @property
    def total_params(self) -> int:
        """Keras' "Total params": trainable plus non-trainable."""
        return self.params + self.non_trainable

    @property
    def macs(self) -> int:
        return sum(row.macs for row in self.top)

    @property
    def unknown(self) -> int:
        """How many layers the reader did not know (their parameters are counted, their MACs not)."""
        return sum(1 for row in self.rows if not row.known)

    @property
    def inference_peak_bytes(self) -> int:
        return self.memory.inference_peak_bytes

    @property
    def training_bytes(self) -> int:
        return self.memory.training_bytes

    @property
    def output_shape(self) -> Shape:
        return self.top[-1].output_shape


def _block_row(name: str, kind: str, members: list[int], rows: list[Row], depth: int) -> Row:
    """A block's row: the sums of its members' rows and the shape and field of its last."""
    inner = [rows[i] for i in members]
    last = inner[-1]
    return Row(
        name,
        kind,
        last.output_shape,
        sum(r.params for r in inner),
        sum(r.non_trainable for r in inner),
        sum(r.macs for r in inner),
        last.field,
        depth,
        all(r.known for r in inner),
        all(r.aligned for r in inner),
        sum(r.output_bytes for r in inner),
        sum(r.kept_bytes for r in inner),
    )


def summarize(graph: Graph) -> Summary:
    """Every node's row, each block's row before its nodes, and the totals.

    A block's row (a residual block, a torch container module, a Keras nested model) comes
    first, then its nodes one level deeper; a node hidden from the rows (an activation a
    spec folds into its layer, a residual sum) still counts in its block's row."""
    spans = graph_spans(graph)
    memory, written, kept = graph_memory(graph)
    leaf: list[Row] = []
    for index, node in enumerate(graph.nodes):
        axes, aligned = spans[index]
        field = None if axes is None else tuple(span_field(span) for span in axes)
        leaf.append(
            Row(
                node.name,
                node.kind,
                node.output_shape,
                node.params,
                node.non_trainable,
                node.macs,
                field,
                len(node.block),
                node.known,
                aligned,
                written[index],
                kept[index],
            )
        )
    rows: list[Row] = []
    opened: list[tuple[str, str]] = []
    for index in range(1, len(graph.nodes)):
        node = graph.nodes[index]
        common = 0
        while common < min(len(opened), len(node.block)) and opened[common] == node.block[common]:
            common += 1
        opened = opened[:common]
        for depth in range(common, len(node.block)):
            name, kind = node.block[depth]
            prefix = node.block[: depth + 1]
            members = []
            for later in range(index, len(graph.nodes)):
                if graph.nodes[later].block[: depth + 1] != prefix:
                    break
                members.append(later)
            rows.append(_block_row(name, kind, members, leaf, depth))
            opened.append(node.block[depth])
        if node.shown:
            rows.append(leaf[index])
    return Summary(graph.name, graph.input_shape, tuple(rows), memory)


# --- the table ------------------------------------------------------------------------------------


def _per_axis(field: tuple[Field, ...] | None, attr: str) -> str:
    """One figure when every axis agrees, else one per axis joined by ``x``; ``?`` if unknown."""
    if field is None:
        return "?"
    values = [str(getattr(axis, attr)) for axis in field]
    return values[0] if len(set(values)) == 1 else "x".join(values)


def format_summary(
    result: Summary, *, depth: int = 0, keras_params: bool = False, details: bool = False
) -> str:
    """A text table like Keras' ``Model.summary()``: one line per layer, then the totals.

    ``depth`` is how many levels of blocks to open (0: the top level only). ``keras_params``
    puts BatchNorm's moving statistics in the Params column, as Keras counts (4C, not 2C).
    ``details`` adds the non-trainable parameters, the effective padding and the bytes each
    row keeps for the backward pass. A field is ``?`` after a layer that is not known, and
    ``*`` marks a field united from misaligned paths."""
    header = ["Layer", "Type", "Output shape", "Params", "MACs", "Field", "Stride"]
    if details:
        header[4:4] = ["Non-train"]
        header += ["Padding", "Kept (train)"]
    lines = []
    for row in result.rows:
        if row.depth > depth:
            continue
        params = row.params + (row.non_trainable if keras_params else 0)
        cells = [
            "  " * row.depth + row.name,
            row.kind,
            str(tuple(row.output_shape)),
            f"{params:,}",
            f"{row.macs:,}",
            _per_axis(row.field, "size") + ("" if row.aligned else "*"),
            _per_axis(row.field, "stride"),
        ]
        if details:
            cells[4:4] = [f"{row.non_trainable:,}"]
            cells += [_per_axis(row.field, "padding"), f"{row.kept_bytes:,}"]
        lines.append(cells)
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]
    align = "<<<" + ">" * (len(header) - 3)

    def render(cells):
        return "  ".join(f"{c:{a}{w}}" for c, a, w in zip(cells, align, widths, strict=True)).rstrip()

    rule = "-" * len(render(header))
    text = [f"{result.name}, input {tuple(result.input_shape)}", rule, render(header), rule]
    text += [render(cells) for cells in lines]
    text += [
        rule,
        f"Trainable params:     {result.params:>15,}",
        f"Non-trainable params: {result.non_trainable:>15,}"
        + ("  (BatchNorm moving mean and variance, frozen weights)" if result.non_trainable else ""),
        f"Total params (Keras): {result.total_params:>15,}",
        f"MACs:                 {result.macs:>15,}  (multiply-accumulates; FLOPs ~ 2 x MACs)",
        f"Inference peak:       {result.inference_peak_bytes:>15,}  bytes (most alive at once, "
        f"at {result.memory.inference_peak_layer})",
        f"Kept for training:    {result.training_bytes:>15,}  bytes (what the backward pass reads)",
    ]
    if result.unknown:
        text.append(
            f"Unknown layers:       {result.unknown:>15,}  (shape listed; no MACs, no field after them)"
        )
    return "\n".join(text)
