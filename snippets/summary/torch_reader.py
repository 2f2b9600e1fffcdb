"""Read a ``torch.nn.Module`` as a :class:`~snippets.graph.Graph` by running it once.

The module runs in eval mode, without gradients, on zeros of batch 1 laid out as PyTorch
runs it (channels first). Two recorders watch the run: a forward hook on every submodule,
and a ``TorchFunctionMode`` that sees every tensor function called outside the layers this
reader knows (``out += identity``, ``torch.cat``, ``torch.flatten``, ``x.permute``,
``layer_scale * x``), so the graph is wired as the forward pass really ran, branches,
loops and all. Each tensor carries the meaning of its axes (channels, the input's spatial
axes, or flat features), so an ``nn.Linear`` on channels-last positions (ConvNeXt's) is a
1x1 convolution and an ``nn.Linear`` after ``flatten`` a dense layer.

Known layers get their output shape, parameters and MACs from the arithmetic of
:mod:`snippets.networks` (and the shape is checked against the tensor torch produced); normalisation
and element-wise layers count the parameters they hold. Anything else is a node of kind
``"Unknown (name)"`` with the shape torch gave it, the parameters it holds, no MACs and an
unknown receptive field from there on.

Normalisation layers count as 1x1 in the receptive field, as the field arithmetic of
Araujo et al. does, although GroupNorm's and LayerNorm2d's statistics span the whole map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from snippets import networks as nets
from snippets.graph import FLOAT_BYTES, MERGE, Graph, Node, Upsample, input_node
from snippets.receptive import LayerGeometry

CHANNELS, FLAT = "C", "F"  # axis labels; spatial axes are labelled 0, 1, 2 as in the input


@dataclass
class _Record:
    """A node under construction (``holds`` grows while enclosing blocks return)."""

    name: str
    kind: str
    inputs: tuple[int, ...]
    shape: tuple[int, ...]
    labels: tuple
    geometry: tuple | str | None
    params: int = 0
    non_trainable: int = 0
    macs: int = 0
    writes: bool = True
    saves: tuple[int, ...] = ()
    saved_extra: int = 0
    holds: set[int] = field(default_factory=set)
    block: tuple = ()
    shown: bool = True
    known: bool = True


def vars_of(node: Node) -> dict:
    """A node's fields as a record's keyword arguments."""
    values = {name: getattr(node, name) for name in Node.__dataclass_fields__}
    values["shape"] = values.pop("output_shape")
    values["holds"] = set(values["holds"])
    return values


def channels_last(shape: tuple[int, ...], labels: tuple) -> tuple[int, ...]:
    """A tensor's shape (no batch) in the summary's order: spatial axes, then channels;
    ``(features,)`` once flat."""
    if FLAT in labels or CHANNELS not in labels:
        return (math.prod(shape),)
    spatial = sorted((label, size) for label, size in zip(labels, shape, strict=True) if label != CHANNELS)
    return (*(size for _, size in spatial), shape[labels.index(CHANNELS)])


_IN_PLACE_SAFE = {"ReLU", "ReLU6", "Hardtanh", "LeakyReLU", "ELU", "SiLU", "Hardswish", "Mish"}
_KEEPS_OUTPUT = {"ReLU", "ReLU6", "Hardtanh", "Sigmoid", "Tanh", "ELU", "Softmax", "LeakyReLU"}
_ELEMENTWISE_MODULES = (
    _IN_PLACE_SAFE
    | _KEEPS_OUTPUT
    | {
        "GELU",
        "Hardsigmoid",
        "Identity",
        "Dropout",
        "Dropout1d",
        "Dropout2d",
        "Dropout3d",
        "PReLU",
    }
)
_UNARY = {
    "relu", "relu_", "relu6", "hardtanh", "hardtanh_", "gelu", "silu", "sigmoid", "tanh", "hardswish",
    "hardsigmoid", "leaky_relu", "elu", "softmax", "log_softmax", "dropout", "clone", "contiguous",
    "__neg__", "neg", "exp", "abs", "sigmoid_", "mish", "float",
}  # fmt: skip
_BINARY = {
    "add", "__add__", "__radd__", "__iadd__", "add_", "sub", "__sub__", "__rsub__", "__isub__", "mul",
    "__mul__", "__rmul__", "__imul__", "mul_", "div", "__truediv__", "__itruediv__", "div_",
}  # fmt: skip
_MERGE_KINDS = {"add": "Add", "sub": "Subtract", "mul": "Multiply", "div": "Divide", "truediv": "Divide"}
_LAYOUT = {"permute", "transpose", "movedim"}
_FLATTEN = {"flatten", "view", "reshape"}
_IGNORED = {"size", "dim", "__get__", "numel", "__len__", "__format__", "__repr__", "__bool__", "item"}


class _Reader:
    """The state of one run: the records, which tensor is which node, the open blocks."""

    def __init__(self, torch, input_shape: tuple[int, ...]):
        self.torch = torch
        self.rank = len(input_shape) - 1
        first = input_node(input_shape)
        self.records = [
            _Record(
                first.name, first.kind, (), tuple(input_shape), (CHANNELS, *range(self.rank)), first.geometry
            )
        ]
        self.node_of: dict[int, int] = {}
        self.keep: list = []  # every tracked tensor stays alive, so no id is reused
        self.stack: list[tuple[str, str, bool, tuple[int, ...]]] = []
        self.counted: set[int] = set()  # ids of parameters already attributed to a node
        self.names: dict[str, int] = {}

    # --- bookkeeping ---------------------------------------------------------------
    def track(self, tensor, node: int) -> None:
        self.node_of[id(tensor)] = node
        self.keep.append(tensor)

    def node(self, tensor) -> int | None:
        return self.node_of.get(id(tensor)) if isinstance(tensor, self.torch.Tensor) else None

    def inside_layer(self) -> bool:
        return any(is_layer for _, _, is_layer, _ in self.stack)

    def block(self) -> tuple:
        return tuple((name, kind) for name, kind, is_layer, _ in self.stack if not is_layer)

    def unique(self, name: str) -> str:
        count = self.names.get(name, 0)
        self.names[name] = count + 1
        return name if count == 0 else f"{name}_{count}"

    def own_params(self, tensors) -> int:
        """Parameters among ``tensors`` not yet counted: each is counted once, where it is used."""
        total = 0
        for tensor in tensors:
            if isinstance(tensor, self.torch.nn.Parameter) and id(tensor) not in self.counted:
                self.counted.add(id(tensor))
                total += tensor.numel()
        return total

    def add(self, record: _Record, out) -> None:
        real = tuple(out.shape[1:])
        if record.labels is not None and record.shape is None:
            record.shape = channels_last(real, record.labels)
        self.records.append(record)
        self.track(out, len(self.records) - 1)

    def unknown(self, name: str, kind: str, inputs: tuple[int, ...], out, params: int) -> _Record:
        """A node this reader does not know: torch's shape (read as channels first when it
        has the input's rank, PyTorch's convention), its parameters, no MACs, no field."""
        real = tuple(out.shape[1:])
        labels = (CHANNELS, *range(self.rank)) if len(real) == self.rank + 1 else None
        shape = channels_last(real, labels) if labels else real
        return _Record(name, f"Unknown ({kind})", inputs, shape, labels, None, params=params, block=self.block(),
                       known=False)  # fmt: skip

    # --- layers (modules this reader knows) -----------------------------------------------
    def module(self, name: str, module, inputs: tuple, out) -> None:
        torch = self.torch
        if not isinstance(out, torch.Tensor) or not inputs or self.node(inputs[0]) is None:
            return
        source = self.node(inputs[0])
        labels = self.records[source].labels
        shape = self.records[source].shape
        kind = type(module).__name__
        records = self.layer(name, module, kind, source, labels, shape, out)
        if records is None:
            params = sum(p.numel() for p in module.parameters())
            self.counted |= {id(p) for p in module.parameters()}
            records = self.unknown(name, kind, (source,), out, params)
        records = records if isinstance(records, list) else [records]
        last = records[-1]
        real = channels_last(tuple(out.shape[1:]), last.labels) if last.labels else tuple(out.shape[1:])
        if last.shape is None:
            last.shape = real
        if last.shape != real:
            raise RuntimeError(f"{name}: snippets computes {last.shape} but torch gives {real} ({module!r})")
        self.records += records
        self.track(out, len(self.records) - 1)

    def layer(self, name, module, kind, source, labels, shape, out) -> _Record | None:
        nn = self.torch.nn
        spatial_first = labels == (CHANNELS, *range(self.rank))
        common = {"block": self.block()}

        def from_spec(spec) -> list[_Record]:
            """The records of a spec, numbered from here: the one code path of snippets.networks."""
            self.counted |= {id(p) for p in module.parameters()}
            nodes = nets.layer_nodes(spec, shape, source, len(self.records), name, self.block(), self.rank)
            return [_Record(**{**vars_of(node), "labels": labels}) for node in nodes]

        def held() -> int:
            self.counted |= {id(p) for p in module.parameters()}
            return sum(p.numel() for p in module.parameters())

        def same(**extra) -> _Record:
            return _Record(
                name, kind, (source,), shape, labels, tuple(LayerGeometry(1) for _ in range(self.rank)),
                **common, **extra,
            )  # fmt: skip

        if isinstance(module, nn.modules.conv._ConvTransposeNd):
            if not spatial_first or module.groups != 1 or set(module.dilation) != {1}:
                return None
            return from_spec(
                nets.ConvTranspose(
                    module.out_channels,
                    tuple(module.kernel_size),
                    tuple(module.stride),
                    tuple(module.padding),
                    tuple(module.output_padding),
                    use_bias=module.bias is not None,
                )
            )
        if isinstance(module, nn.modules.conv._ConvNd):
            if not spatial_first:
                return None
            padding = module.padding if isinstance(module.padding, str) else tuple(module.padding)
            args = (tuple(module.kernel_size), tuple(module.stride), padding, tuple(module.dilation))
            bias = module.bias is not None
            if module.groups == module.in_channels and module.groups > 1:
                multiplier = module.out_channels // module.in_channels
                return from_spec(nets.DepthwiseConv(*args, depth_multiplier=multiplier, use_bias=bias))
            return from_spec(nets.Conv(module.out_channels, *args, groups=module.groups, use_bias=bias))
        if isinstance(module, (nn.modules.pooling._MaxPoolNd, nn.modules.pooling._AvgPoolNd)):
            dilation = getattr(module, "dilation", 1)
            if not spatial_first or module.ceil_mode or dilation not in (1, (1,) * self.rank):
                return None
            k = _sizes(module.kernel_size, self.rank)
            s = _sizes(module.stride or module.kernel_size, self.rank)
            p = _sizes(module.padding, self.rank)
            kind_of = "max" if isinstance(module, nn.modules.pooling._MaxPoolNd) else "avg"
            return from_spec(nets.Pool(k, s, p, kind=kind_of))
        if isinstance(module, (nn.modules.pooling._AdaptiveAvgPoolNd, nn.modules.pooling._AdaptiveMaxPoolNd)):
            if not spatial_first or set(_sizes(module.output_size, self.rank)) != {1}:
                return None
            kind_of = "max" if "Max" in kind else "avg"
            return from_spec(nets.GlobalPool(kind_of, keepdims=True))
        if isinstance(module, nn.modules.batchnorm._BatchNorm) and spatial_first:
            stats = sum(b.numel() for b in (module.running_mean, module.running_var) if b is not None)
            return same(
                params=held(),
                non_trainable=stats,
                saves=(source,),
                saved_extra=FLOAT_BYTES * 2 * shape[-1],
            )
        if isinstance(module, nn.Linear):
            channels = labels[-1] == CHANNELS
            if not (channels or labels == (FLAT,)):
                return None
            return (
                from_spec(nets.Conv(module.out_features, 1, use_bias=module.bias is not None))
                if channels and len(shape) > 1
                else from_spec(nets.Dense(module.out_features, use_bias=module.bias is not None))
            )
        if isinstance(module, nn.LayerNorm) and (labels[-1] == CHANNELS or labels == (FLAT,)):
            if tuple(module.normalized_shape) != (shape[-1],):
                return None
            positions = math.prod(shape[:-1])
            return same(params=held(), saves=(source,), saved_extra=FLOAT_BYTES * 2 * positions)
        if isinstance(module, nn.GroupNorm) and labels[0] == CHANNELS:
            return same(params=held(), saves=(source,), saved_extra=FLOAT_BYTES * 2 * module.num_groups)
        if isinstance(module, nn.Flatten) and module.start_dim == 1 and module.end_dim == -1:
            return self.flatten(name, source, out)
        if kind in _ELEMENTWISE_MODULES:
            in_place = getattr(module, "inplace", False)
            passes = kind == "Identity" or (kind.startswith("Dropout") and not module.training)
            keeps = (len(self.records),) if kind in _KEEPS_OUTPUT else (source,)
            return same(params=held(), writes=not (in_place or passes), saves=() if passes else keeps)
        if isinstance(module, (nn.modules.padding._ConstantPadNd, nn.modules.padding._ReflectionPadNd,
                               nn.modules.padding._ReplicationPadNd, nn.ZeroPad2d)) and spatial_first:  # fmt: skip
            before = module.padding[::2][::-1]  # torch lists (left, right) of the last axis first
            geometry = tuple(LayerGeometry(1, 1, 1, p) for p in before)
            return _Record(name, kind, (source,), None, labels, geometry, **common)
        if (
            isinstance(module, nn.Upsample)
            and spatial_first
            and module.mode == "nearest"
            and module.scale_factor
        ):
            factors = _sizes(tuple(int(f) for f in _sizes(module.scale_factor, self.rank)), self.rank)
            if _sizes(module.scale_factor, self.rank) != factors:
                return None
            return _Record(
                name, kind, (source,), None, labels, tuple(Upsample(f, f, 0) for f in factors), **common
            )
        return None

    def flatten(self, name: str, source: int, out) -> _Record:
        """``(..., C)`` to ``(features,)``: one window over the whole map, as ``Flatten``."""
        shape = self.records[source].shape
        geometry = tuple(LayerGeometry(n) for n in shape[:-1]) if len(shape) == self.rank + 1 else None
        if len(shape) == 1:
            geometry = tuple(LayerGeometry(1) for _ in range(self.rank))
        return _Record(name, "Flatten", (source,), None, (FLAT,), geometry, writes=False, block=self.block())

    # --- functions called between layers --------------------------------------------------
    def function(self, func, args, kwargs, out) -> None:
        torch = self.torch
        op = getattr(func, "__name__", str(func))
        if op in _IGNORED or not isinstance(out, torch.Tensor) or self.inside_layer():
            return
        flat_args = [*args, *kwargs.values()]
        if any(isinstance(a, (list, tuple)) for a in flat_args):
            flat_args += [t for a in flat_args if isinstance(a, (list, tuple)) for t in a]
        tracked = [self.node(a) for a in flat_args if self.node(a) is not None]
        tracked = list(dict.fromkeys(tracked))
        if not tracked:
            return
        returned_input = id(out) in self.node_of
        in_place = (
            (op.endswith("_") and not op.startswith("__")) or op.startswith("__i") or kwargs.get("inplace")
        )
        if returned_input and not in_place:
            return  # the function returned one of its inputs unchanged (dropout in eval mode)
        prefix = self.stack[-1][0] + "." if self.stack else ""
        name = self.unique(prefix + op.strip("_"))
        source = tracked[0]
        labels, shape = self.records[source].labels, self.records[source].shape
        identity = tuple(LayerGeometry(1) for _ in range(self.rank))
        block = self.block()
        record = None
        if labels is None:
            pass
        elif op in _UNARY and len(tracked) == 1:
            keeps = (
                (len(self.records),) if op.startswith(("relu", "sigmoid", "tanh", "softmax")) else (source,)
            )
            record = _Record(name, op.strip("_"), (source,), shape, labels, identity, writes=not in_place,
                             saves=() if op.startswith("dropout") else keeps, block=block)  # fmt: skip
        elif op in _BINARY and len(tracked) == 2:
            sizes = [self.records[t].shape for t in tracked]
            if all(self.records[t].labels is not None for t in tracked) and len({len(s) for s in sizes}) == 1:
                out_shape = tuple(max(dims) for dims in zip(*sizes, strict=True))
                product = op.lstrip("_").startswith(("mul", "imul", "rmul", "div", "truediv"))
                record = _Record(name, _MERGE_KINDS.get(op.strip("_").lstrip("ir"), op), tuple(tracked), out_shape, labels, MERGE, writes=not in_place,
                                 saves=tuple(tracked) if product else (), block=block)  # fmt: skip
        elif op in _BINARY and len(tracked) == 1:
            params = self.own_params(flat_args)
            product = op.lstrip("_").startswith(("mul", "imul", "rmul", "div", "truediv"))
            record = _Record(name, "Scale" if params else op.strip("_"), (source,), shape, labels, identity,
                             params=params, writes=not in_place, saves=(source,) if product else (),
                             block=block)  # fmt: skip
        elif op in ("cat", "concat", "concatenate") and len(tracked) == len(args[0]):
            dim = kwargs.get("dim", args[1] if len(args) > 1 else 0)
            parts = [self.records[t] for t in tracked]
            along_channels = CHANNELS in labels and dim % (len(labels) + 1) - 1 == labels.index(CHANNELS)
            if along_channels and all(p.labels == labels for p in parts):
                out_shape = (*shape[:-1], sum(p.shape[-1] for p in parts))
                record = _Record(name, "Concat", tuple(tracked), out_shape, labels, MERGE, block=block)
        elif op in ("layer_norm", "group_norm") and len(tracked) == 1:
            normalized = args[1] if len(args) > 1 else kwargs.get("normalized_shape")
            per_position = op == "layer_norm" and tuple(normalized) == (shape[-1],) and labels[-1] == CHANNELS
            if per_position or (op == "group_norm" and labels[0] == CHANNELS):
                groups = math.prod(shape[:-1]) if per_position else args[1]
                record = _Record(name, "LayerNorm" if per_position else "GroupNorm", (source,), shape, labels,
                                 identity, params=self.own_params(flat_args), saves=(source,),
                                 saved_extra=FLOAT_BYTES * 2 * groups, block=block)  # fmt: skip
        elif op in _LAYOUT and len(tracked) == 1:
            order = _permutation(op, args, kwargs, len(labels) + 1)
            if order is not None and order[0] == 0:
                new_labels = tuple(labels[i - 1] for i in order[1:])
                record = _Record(name, "Permute", (source,), shape, new_labels, identity, writes=False,
                                 block=block, shown=False)  # fmt: skip
        elif op in _FLATTEN and len(tracked) == 1 and out.dim() == 2:
            record = self.flatten(name, source, out)
        elif op.startswith("adaptive_") and len(tracked) == 1 and CHANNELS in labels:
            size = args[1] if len(args) > 1 else kwargs.get("output_size")
            if set(_sizes(size, self.rank)) == {1} and labels[0] == CHANNELS:
                spec = nets.GlobalPool("max" if "max" in op else "avg", keepdims=True)
                record = _Record(name, nets.describe(spec), (source,), None, labels, nets.layer_geometry(spec, shape, self.rank),
                                 block=block)  # fmt: skip
        if record is None:
            record = self.unknown(name, op, tuple(tracked), out, self.own_params(flat_args))
        self.add(record, out)


def _sizes(value, rank: int) -> tuple[int, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * rank


def _permutation(op: str, args, kwargs, ndim: int) -> tuple[int, ...] | None:
    """The axis order a ``permute``/``transpose``/``movedim`` call produces, batch included."""
    rest = list(args[1:])
    if op == "permute":
        dims = rest[0] if len(rest) == 1 and isinstance(rest[0], (tuple, list)) else rest
        dims = dims or kwargs.get("dims")
        return tuple(d % ndim for d in dims)
    if op == "transpose" and len(rest) == 2:
        a, b = (d % ndim for d in rest)
        order = list(range(ndim))
        order[a], order[b] = order[b], order[a]
        return tuple(order)
    if op == "movedim" and len(rest) == 2 and all(isinstance(d, int) for d in rest):
        order = list(range(ndim))
        order.insert(rest[1] % ndim, order.pop(rest[0] % ndim))
        return tuple(order)
    return None


def read_torch(module, input_shape: tuple[int, ...], *, name: str | None = None) -> Graph:
    """The graph of ``module`` run on one input of channels-last ``input_shape`` (no batch):
    ``(L, C)``, ``(H, W, C)`` or ``(D, H, W, C)``, given to the module as ``(1, C, *spatial)``."""
    import torch
    from torch.overrides import TorchFunctionMode

    shape = tuple(int(n) for n in input_shape)
    reader = _Reader(torch, shape)
    handles = []

    def before(sub_name, is_layer):
        def hook(sub, inputs):
            node_inputs = tuple(n for n in map(reader.node, inputs) if n is not None)
            reader.stack.append((sub_name, type(sub).__name__, is_layer, node_inputs))

        return hook

    def after(sub_name, is_layer):
        def hook(sub, inputs, out):
            _, _, _, node_inputs = reader.stack.pop()
            if is_layer and not reader.inside_layer():
                reader.module(sub_name, sub, inputs, out)
            elif not is_layer and node_inputs:
                reader.records[-1].holds.update(node_inputs)  # a forward keeps its arguments

        return hook

    for sub_name, sub in module.named_modules():
        if not sub_name:
            continue
        is_layer = _is_layer(torch, sub)
        handles.append(sub.register_forward_pre_hook(before(sub_name, is_layer)))
        handles.append(sub.register_forward_hook(after(sub_name, is_layer)))

    class Functions(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            out = func(*args, **kwargs)
            reader.function(func, args, kwargs, out)
            return out

    if _is_layer(torch, module):  # a single layer: hooks see it only inside a container
        module = torch.nn.Sequential(module)
    was_training = module.training
    x = torch.zeros((1, shape[-1], *shape[:-1]))
    reader.track(x, 0)
    try:
        module.eval()
        with torch.no_grad(), Functions():
            try:
                module(x)
            except (RuntimeError, ValueError, TypeError) as error:
                raise ValueError(
                    f"input_shape {shape} (channels-last, no batch) runs the module as {tuple(x.shape)}, "
                    f"and torch refuses it: {error}"
                ) from error
    finally:
        module.train(was_training)
        for handle in handles:
            handle.remove()
    uncounted = [p for p in module.parameters() if id(p) not in reader.counted]
    nodes = tuple(
        Node(
            r.name,
            r.kind,
            r.inputs,
            r.shape,
            r.geometry,
            r.params,
            r.non_trainable,
            r.macs,
            r.writes,
            r.saves,
            r.saved_extra,
            tuple(sorted(r.holds)),
            r.block,
            r.shown,
            r.known,
        )  # fmt: skip
        for r in reader.records
    )
    if uncounted:  # parameters the forward pass never used: listed, not lost
        count = sum(p.numel() for p in uncounted)
        nodes += (Node("(unused parameters)", "Unknown (unused)", (), (count,), None, count, known=False),)
    return Graph(name or type(module).__name__, shape, nodes)


def _is_layer(torch, module) -> bool:
    """Modules whose inside this reader does not look at: the layers of ``torch.nn``
    (a container or a user's module is followed into)."""
    nn = torch.nn
    if isinstance(module, (nn.Sequential, nn.ModuleList, nn.ModuleDict)):
        return False
    owner = next(cls for cls in type(module).__mro__ if "forward" in vars(cls))
    return owner.__module__.startswith("torch.nn.modules")  # a subclass with its own forward is followed
