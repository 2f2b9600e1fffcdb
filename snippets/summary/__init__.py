"""Summarise a network: a ``Network`` spec, a ``torch.nn.Module`` or a ``keras.Model``.

``summary(model, input_shape)`` reads the model into a :class:`~snippets.graph.Graph` and
returns its :class:`~snippets.graph.Summary`: per layer the output shape, trainable and
non-trainable parameters, MACs, receptive field, effective stride and effective padding
per axis, and the bytes it writes and keeps for training; the totals and the activation
memory of one input. torch and Keras are imported only when a model of theirs is given:
``import snippets`` needs NumPy and SciPy alone.

From a shell, ``python -m snippets.summary package.module:factory --input 224,224,3``
prints the table of the model the factory returns.
"""

from __future__ import annotations

import sys

from snippets._validate import check_shape
from snippets.graph import Graph, Summary, format_summary, summarize
from snippets.networks import Network, network_graph

__all__ = ["format_summary", "read", "summary"]


def _is_torch_module(model) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(model, torch.nn.Module)


def _is_keras_model(model) -> bool:
    keras = sys.modules.get("keras")
    return keras is not None and isinstance(model, keras.layers.Layer)


def read(model, input_shape: tuple[int, ...] | None = None) -> Graph:
    """The :class:`~snippets.graph.Graph` of a ``Network``, a ``torch.nn.Module`` or a
    ``keras.Model``. ``input_shape`` is channels-last without the batch, ``(L, C)``,
    ``(H, W, C)`` or ``(D, H, W, C)``; a torch module needs it, a Network or a built Keras
    model defaults to its own."""
    if input_shape is not None:
        spatial, channels = check_shape("input_shape", input_shape)
        input_shape = (*spatial, channels)
    if isinstance(model, Network):
        return network_graph(model, input_shape)
    if _is_keras_model(model):  # first: on the torch backend a Keras layer is a torch module too
        from snippets.summary.keras_reader import read_keras

        return read_keras(model, input_shape)
    if _is_torch_module(model):
        if input_shape is None:
            raise ValueError(
                "input_shape is needed for a torch module (channels-last, no batch, e.g. (224, 224, 3)), got None"
            )
        from snippets.summary.torch_reader import read_torch

        return read_torch(model, input_shape)
    raise TypeError(
        f"model must be a snippets.networks.Network, a torch.nn.Module or a keras.Model, got {type(model).__name__}"
    )


def summary(model, input_shape: tuple[int, ...] | None = None) -> Summary:
    """The layer-by-layer :class:`~snippets.graph.Summary` of ``model`` (see :func:`read`)."""
    return summarize(read(model, input_shape))
