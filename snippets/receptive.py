"""Receptive field, effective stride and effective padding over a stack of layers.

Along one axis, for layers ``l = 1..L`` with kernel ``k_l``, stride ``s_l``, dilation ``d_l``
and padding before ``p_l`` (Araujo, Norris & Sim, "Computing Receptive Fields of
Convolutional Neural Networks", Distill 2019), with ``k_eff = d (k - 1) + 1``::

    r_L = 1 + sum_l (k_eff_l - 1) * prod_{i<l} s_i      receptive field
    S_L = prod_l s_l                                   effective stride
    P_L = sum_l p_l * prod_{i<l} s_i                   effective padding

equivalently, backwards, ``r_{l-1} = s_l r_l + (k_eff_l - s_l)``. The axes do not mix, so
a 1-D, 2-D or 3-D stack is this recurrence once per axis: give a layer's values as tuples of
one int per axis and the fields come back the same way.

The effective receptive field (Luo et al., 2016) weighs each pixel of that field by the
gradient of the output with respect to it: ``input_gradient`` computes the gradient by
back-propagation, ``gradient_spread`` its width.
"""

# --8<-- [start:imports]
from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np

from snippets._validate import Sizes, check_shape, check_sizes, describe
from snippets.pooling import pool_padding
from snippets.shapes import PaddingSpec, padding_amounts

# --8<-- [end:imports]


# --8<-- [start:receptive_field]
class LayerGeometry(NamedTuple):
    """One layer along one axis: kernel, stride, dilation, padding before (top or left)."""

    kernel_size: int
    stride: int = 1
    dilation: int = 1
    padding: int = 0


class Field(NamedTuple):
    """Where one output pixel looks, measured in input pixels."""

    size: int  # receptive field r
    stride: int  # effective stride S: input pixels between neighbouring outputs
    padding: int  # effective padding P: how far the first field starts before pixel 0


def _axis_fields(layers: list[tuple[int, int, int, int]]) -> list[Field]:
    """The recurrences along one axis, for layers already checked."""
    size, stride, padding = 1, 1, 0
    fields = []
    for k, s, d, p in layers:
        size += d * (k - 1) * stride
        padding += p * stride
        stride *= s
        fields.append(Field(size, stride, padding))
    return fields


def _checked_layers(layers) -> tuple[list[tuple], int | None]:
    """Each layer as ``(k, s, d, p)`` with every entry a tuple of ``rank`` ints, and that rank
    (None when every value is a plain int: one axis)."""
    if isinstance(layers, (str, bytes)) or not isinstance(layers, Iterable):
        raise TypeError(f"layers must be an iterable of LayerGeometry, got {describe(layers)}")
    layers = list(layers)
    for index, layer in enumerate(layers):
        if not isinstance(layer, (tuple, list)) or not 1 <= len(layer) <= 4:
            raise TypeError(
                f"layers[{index}] must be a LayerGeometry or a tuple (kernel_size, stride, dilation, "
                f"padding) of 1 to 4 ints (or tuples of one int per axis), got {describe(layer)}"
            )
    lengths = {len(v) for layer in layers for v in layer if isinstance(v, (tuple, list))}
    if len(lengths) > 1:
        raise ValueError(
            f"layers must give one int per axis in every tuple, the same number of axes throughout, "
            f"got tuples of {sorted(lengths)} ints"
        )
    rank = lengths.pop() if lengths else None
    checked = []
    for index, layer in enumerate(layers):
        name, values = f"layers[{index}]", LayerGeometry(*layer)
        checked.append(
            tuple(
                check_sizes(f"{name}.{field}", value, rank or 1, minimum=0 if field == "padding" else 1)
                for field, value in zip(LayerGeometry._fields, values, strict=True)
            )
        )
    return checked, rank


def receptive_fields(layers: Iterable[LayerGeometry | tuple]) -> list[Field]:
    """The field after each layer of a stack, by the forward recurrences

    ``r_l = r_{l-1} + (k_eff_l - 1) S_{l-1}``, ``S_l = S_{l-1} s_l``,
    ``P_l = P_{l-1} + p_l S_{l-1}``, starting from ``r_0 = S_0 = 1``, ``P_0 = 0``, along each
    axis. Plain ints give fields of ints; tuples of one int per axis (1 to 3, the same number
    in every layer; an int there means every axis) give fields of tuples, axis by axis.
    """
    checked, rank = _checked_layers(layers)
    axes = 1 if rank is None else rank
    per_axis = [_axis_fields([tuple(v[axis] for v in layer) for layer in checked]) for axis in range(axes)]
    if rank is None:
        return per_axis[0] if per_axis else []
    return [
        Field(*(tuple(field) for field in zip(*fields, strict=True)))
        for fields in zip(*per_axis, strict=True)
    ]


# --8<-- [end:receptive_field]


def conv_geometry(
    input_shape: tuple[int, ...],
    kernel_size: int | Sizes,
    stride: int | Sizes = 1,
    padding: PaddingSpec = "valid",
    *,
    dilation: int | Sizes = 1,
    layer: str = "conv",
) -> LayerGeometry:
    """A convolution on ``input_shape`` as :func:`receptive_fields` takes it: kernel, stride,
    dilation and the padding before (``padding_amounts(...)[axis][0]``), one int per axis."""
    spatial, _ = check_shape("input_shape", input_shape)
    pads = padding_amounts(input_shape, kernel_size, stride, padding, dilation=dilation, layer=layer)
    sizes = (check_sizes(name, value, len(spatial)) for name, value in
             [("kernel_size", kernel_size), ("stride", stride), ("dilation", dilation)])  # fmt: skip
    return LayerGeometry(*sizes, tuple(before for before, _ in pads))


def pool_geometry(
    input_shape: tuple[int, ...],
    pool_size: int | Sizes,
    stride: int | Sizes | None = None,
    padding: PaddingSpec = "valid",
    *,
    dilation: int | Sizes = 1,
) -> LayerGeometry:
    """A max or average pool on ``input_shape`` as :func:`receptive_fields` takes it: a window
    like a kernel (``stride=None`` is the pool size), with the padding before of
    :func:`snippets.pooling.pool_padding`. ``ceil_mode`` adds outputs at the end but moves no
    window, so it does not change a field."""
    spatial, _ = check_shape("input_shape", input_shape)
    rank = len(spatial)
    pads = pool_padding(input_shape, pool_size, stride, padding, dilation=dilation)
    pool = check_sizes("pool_size", pool_size, rank)
    strides = pool if stride is None else check_sizes("stride", stride, rank)
    return LayerGeometry(pool, strides, check_sizes("dilation", dilation, rank), tuple(b for b, _ in pads))


def receptive_field(layers: Iterable[LayerGeometry | tuple[int, ...]]) -> Field:
    """The field of the whole stack: the last entry of :func:`receptive_fields`
    (a single pixel, ``Field(1, 1, 0)``, for an empty stack)."""
    fields = receptive_fields(layers)
    return fields[-1] if fields else Field(1, 1, 0)


# --8<-- [start:effective_field]
def input_gradient(kernels: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
    """Gradient of one output value of a linear stack of stride-1 convolutions (one channel, no
    bias, ``kernels[0]`` next to the input) with respect to the input, by back-propagation.

    The kernels are all 1-D, all 2-D or all 3-D (a list, or one array whose first axis counts
    the layers). From ``g_L = 1`` at the output down to the input, each layer scatters the
    gradient through its kernel, ``g_{l-1}[i + u, j + v] += g_l[i, j] w_l[u, v]`` in 2-D (a
    transposed convolution; one index per axis in general). The result has
    ``r = 1 + sum_l (k_l - 1)`` values along each axis: the receptive field.
    """
    if isinstance(kernels, (str, bytes)) or not isinstance(kernels, (Sequence, np.ndarray)):
        raise TypeError(
            f"kernels must be a list of 1-D, 2-D or 3-D arrays of one rank (or one array of them "
            f"stacked), got {describe(kernels)}"
        )
    ranks = {np.ndim(kernel) for kernel in kernels}
    rank = ranks.pop() if len(ranks) == 1 and ranks <= {1, 2, 3} else 2
    gradient = np.ones((1,) * rank)
    for index in reversed(range(len(kernels))):
        weights = np.asarray(kernels[index], dtype=float)
        if weights.ndim != rank or min(weights.shape) < 1:
            raise ValueError(
                f"kernels[{index}] must be a non-empty {rank}-D array like the others, got shape {weights.shape}"
            )
        below = np.zeros([g + k - 1 for g, k in zip(gradient.shape, weights.shape, strict=True)])
        for tap in itertools.product(*map(range, weights.shape)):
            window = tuple(slice(u, u + g) for u, g in zip(tap, gradient.shape, strict=True))
            below[window] += weights[tap] * gradient
        gradient = below
    return gradient


def gradient_spread(energy: np.ndarray) -> float:
    """Width in pixels of a non-negative map, such as a squared gradient, along its rows:
    the standard deviation ``sigma = sqrt(sum_i (i - c)^2 m_i / sum_i m_i)`` of the row sums
    ``m_i = sum_j energy[i, j]``, with ``c = sum_i i m_i / sum_i m_i`` their centre."""
    energy = np.asarray(energy, dtype=float)
    if energy.ndim != 2 or energy.size == 0 or (energy < 0).any() or energy.sum() <= 0:
        raise ValueError(
            f"energy must be a non-empty 2-D array of values >= 0 with a positive sum, got shape "
            f"{energy.shape}"
        )
    rows = energy.sum(axis=1)
    positions = np.arange(len(rows))
    centre = (positions * rows).sum() / rows.sum()
    return float(np.sqrt(((positions - centre) ** 2 * rows).sum() / rows.sum()))


# --8<-- [end:effective_field]
