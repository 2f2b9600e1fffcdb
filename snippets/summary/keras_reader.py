"""Read a ``keras.Model`` as a :class:`~snippets.graph.Graph` from its own layer graph.

A functional model lists its operations in the order they run and each operation's
inbound nodes name the tensors it reads, so residual additions, concatenations and
branches are followed as wired; a ``Sequential`` model is a chain; a model used as a
layer is a block whose layers are read inside it. Keras is channels-last, as the summary.

Known layers (convolutions of every rank, pooling, normalisation, ``Dense``, element-wise
layers, merges, padding, cropping, up-sampling) get their numbers from the spec code of
:mod:`snippets.networks`; a layer's ``activation=`` argument is a hidden node after it.
Anything else is a node of kind ``"Unknown (ClassName)"`` with the shape Keras computes for
it, the weights it holds, no MACs, and an unknown field from there on.
"""

from __future__ import annotations

import math

from snippets import networks as nets
from snippets.graph import FLOAT_BYTES, MERGE, Graph, Node, Upsample, input_node
from snippets.receptive import LayerGeometry

_ELEMENTWISE = {
    "Activation", "ReLU", "LeakyReLU", "ELU", "PReLU", "Softmax", "Dropout", "SpatialDropout1D",
    "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise", "GaussianDropout", "Identity", "Rescaling",
    "Normalization", "LayerScale", "StochasticDepth", "ActivityRegularization",
}  # fmt: skip
_MERGES = {
    "Add": "Add",
    "Subtract": "Subtract",
    "Multiply": "Multiply",
    "Average": "Average",
    "Maximum": "Maximum",
}
_KEEPS_OUTPUT = {"relu", "relu6", "sigmoid", "tanh", "softmax", "elu"}


def _count(weights) -> int:
    return sum(math.prod(w.shape) for w in weights)


def _activation_name(layer) -> str | None:
    """The name of a layer's ``activation=`` function, ``None`` for the identity."""
    function = getattr(layer, "activation", None)
    name = getattr(function, "__name__", None)
    return None if name in (None, "linear") else name


def layer_spec(layer, rank: int):
    """The spec of :mod:`snippets.networks` a Keras layer computes, or ``None``."""
    kind = type(layer).__name__
    config = layer.get_config()
    if config.get("data_format", "channels_last") != "channels_last":
        return None
    activation = _activation_name(layer)
    bias = config.get("use_bias", True)
    if kind in ("Conv1D", "Conv2D", "Conv3D"):
        return nets.Conv(
            config["filters"], tuple(config["kernel_size"]), tuple(config["strides"]), config["padding"],
            tuple(config["dilation_rate"]), config.get("groups", 1), bias, activation=activation,
        )  # fmt: skip
    if kind in ("DepthwiseConv1D", "DepthwiseConv2D"):
        return nets.DepthwiseConv(
            tuple(config["kernel_size"]), tuple(config["strides"]), config["padding"], tuple(config["dilation_rate"]),
            config["depth_multiplier"], bias, activation=activation,
        )  # fmt: skip
    if kind in ("SeparableConv1D", "SeparableConv2D"):
        return nets.SeparableConv(
            config["filters"], tuple(config["kernel_size"]), tuple(config["strides"]), config["padding"],
            tuple(config["dilation_rate"]), config["depth_multiplier"], bias, activation=activation,
        )  # fmt: skip
    if kind in ("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"):
        if set(config["dilation_rate"]) != {1}:
            return None
        output_padding = config.get("output_padding")
        return nets.ConvTranspose(
            config["filters"], tuple(config["kernel_size"]), tuple(config["strides"]), config["padding"],
            None if output_padding is None else tuple(output_padding), bias, activation=activation,
        )  # fmt: skip
    if kind.startswith(("MaxPooling", "AveragePooling")):
        return nets.Pool(
            tuple(config["pool_size"]),
            tuple(config["strides"] or config["pool_size"]),
            config["padding"],
            kind="max" if kind.startswith("Max") else "avg",
        )
    if kind.startswith(("GlobalAveragePooling", "GlobalMaxPooling")):
        return nets.GlobalPool("max" if "Max" in kind else "avg", keepdims=config.get("keepdims", False))
    if kind == "Flatten":
        return nets.Flatten()
    return None


class _Reader:
    def __init__(self, input_shape: tuple[int, ...]):
        self.rank = len(input_shape) - 1
        self.nodes: list[Node] = [input_node(input_shape)]
        self.tensor_node: dict[int, int] = {}

    def one(self) -> tuple[LayerGeometry, ...]:
        return tuple(LayerGeometry(1) for _ in range(self.rank))

    def add_layer(self, layer, sources: list[int], block: tuple, name: str) -> int:
        """Append the nodes of one layer reading ``sources``; return the index of its output node."""
        kind = type(layer).__name__
        start = len(self.nodes)
        shapes = [self.nodes[s].output_shape for s in sources]
        shape = shapes[0]
        spec = layer_spec(layer, self.rank) if len(sources) == 1 else None
        if kind == "Dense" and len(sources) == 1:
            activation = _activation_name(layer)
            bias = layer.get_config().get("use_bias", True)
            units = layer.get_config()["units"]
            spec = (
                nets.Dense(units, bias, activation=activation)
                if len(shape) == 1
                else nets.Conv(units, (1,) * (len(shape) - 1), use_bias=bias, activation=activation)
            )
        if spec is not None:
            self.nodes += nets.layer_nodes(spec, shape, sources[0], start, name, block, self.rank)
            return len(self.nodes) - 1
        # a keras.ops operation in a functional model (``inputs + x``) holds no weights
        weights = _count(getattr(layer, "trainable_weights", ()))
        frozen = _count(getattr(layer, "non_trainable_weights", ()))
        out_shape = self.output_shape(layer, shapes)
        if kind == "BatchNormalization" or kind in ("LayerNormalization", "GroupNormalization"):
            positions = math.prod(shape[:-1]) if kind == "LayerNormalization" else 0
            groups = (
                layer.get_config().get("groups", shape[-1]) if kind != "LayerNormalization" else positions
            )
            node = Node(name, kind, (sources[0],), out_shape, self.one(), weights, frozen, 0,
                        saves=(sources[0],), saved_extra=FLOAT_BYTES * 2 * groups, block=block)  # fmt: skip
        elif kind in _ELEMENTWISE or kind == "InputLayer":
            function = _activation_name(layer) or kind.lower()
            keeps = (start,) if function in _KEEPS_OUTPUT else (sources[0],)
            passes = kind in ("Dropout", "Identity", "StochasticDepth", "InputLayer") or kind.startswith(
                "Spatial"
            )
            node = Node(name, function if kind == "Activation" else kind, (sources[0],), out_shape, self.one(),
                        weights, frozen, writes=not passes, saves=() if passes else keeps, block=block)  # fmt: skip
        elif kind in _MERGES and len(sources) > 1:
            saves = tuple(sources) if kind == "Multiply" else ()
            node = Node(name, _MERGES[kind], tuple(sources), out_shape, MERGE, saves=saves, block=block)
        elif kind == "Concatenate" and layer.get_config()["axis"] in (-1, len(shape)):
            node = Node(name, "Concat", tuple(sources), out_shape, MERGE, block=block)
        elif kind.startswith(("ZeroPadding", "Cropping")):
            option = layer.get_config()["padding" if kind.startswith("Zero") else "cropping"]
            before = [side[0] for side in option]
            sign = 1 if kind.startswith("Zero") else -1
            geometry = tuple(LayerGeometry(1, 1, 1, sign * p) for p in before)
            node = Node(name, kind, (sources[0],), out_shape, geometry, block=block)
        elif (
            kind.startswith("UpSampling") and layer.get_config().get("interpolation", "nearest") == "nearest"
        ):
            size = layer.get_config()["size"]
            factors = (size,) * self.rank if isinstance(size, int) else tuple(size)
            node = Node(
                name, kind, (sources[0],), out_shape, tuple(Upsample(f, f, 0) for f in factors), block=block
            )
        elif kind == "Reshape" and len(out_shape) == 1:
            node = Node(name, kind, (sources[0],), out_shape, tuple(LayerGeometry(n) for n in shape[:-1]),
                        writes=False, block=block)  # fmt: skip
        else:
            node = Node(name, f"Unknown ({kind})", tuple(sources), out_shape, None, weights, frozen,
                        block=block, known=False)  # fmt: skip
        self.nodes.append(node)
        return len(self.nodes) - 1

    @staticmethod
    def output_shape(layer, shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
        """The shape Keras computes for the layer (batch 1), without the batch: its
        ``compute_output_shape``, or, for a layer without one (``keras.applications``'
        ``LayerScale``) and for a ``keras.ops`` operation (``inputs + x``), its call traced
        on symbolic tensors (``compute_output_spec``)."""
        given = [(1, *s) for s in shapes]
        try:
            out = layer.compute_output_shape(given[0] if len(given) == 1 else given)
        except (AttributeError, NotImplementedError):
            keras = __import__("keras")
            tensors = [keras.KerasTensor(s) for s in given]
            out = layer.compute_output_spec(*tensors).shape
        return tuple(int(n) for n in out[1:])

    def read(self, model, sources: list[int], block: tuple) -> list[int]:
        """Append the nodes of ``model`` applied to ``sources``; return its output nodes."""
        keras = __import__("keras")
        if isinstance(model, keras.Sequential):
            current = sources
            for layer in model.layers:
                current = self.visit(layer, current, block)
            return current
        known: dict[int, int] = {}
        for tensor, source in zip(model.inputs, sources, strict=True):
            known[id(tensor)] = source
        for operation in model.operations:
            if type(operation).__name__ == "InputLayer":
                continue
            for node in operation._inbound_nodes:
                inputs = node.input_tensors
                if not inputs or not all(id(t) in known for t in inputs):
                    continue
                outputs = self.visit(operation, [known[id(t)] for t in inputs], block)
                for tensor, out in zip(node.output_tensors, outputs, strict=False):
                    known[id(tensor)] = out
        return [known[id(t)] for t in model.outputs]

    def visit(self, layer, sources: list[int], block: tuple) -> list[int]:
        keras = __import__("keras")
        if isinstance(layer, keras.Model):
            return self.read(layer, sources, (*block, (layer.name, type(layer).__name__)))
        if type(layer).__name__ == "InputLayer":
            return sources
        return [self.add_layer(layer, sources, block, layer.name)]


def read_keras(model, input_shape: tuple[int, ...] | None = None) -> Graph:
    """The graph of a built ``keras.Model`` on one input of channels-last ``input_shape``
    (no batch; default: the model's own input shape)."""
    if input_shape is None:
        declared = tuple(model.inputs[0].shape[1:]) if getattr(model, "inputs", None) else ()
        if not declared or None in declared:
            raise ValueError(
                f"input_shape is needed: the model declares {declared or 'no input'}; give the channels-last "
                f"shape without the batch, e.g. (224, 224, 3)"
            )
        input_shape = declared
    shape = tuple(int(n) for n in input_shape)
    reader = _Reader(shape)
    reader.read(model, [0], ())
    return Graph(model.name, shape, tuple(reader.nodes))
