"""Receptive field, effective stride and effective padding over a stack of layers.

Along one axis, for layers ``l = 1..L`` with kernel ``k_l``, stride ``s_l``, dilation ``d_l``
and padding before ``p_l`` (Araujo, Norris & Sim, "Computing Receptive Fields of
Convolutional Neural Networks", Distill 2019), with ``k_eff = d (k - 1) + 1``::

    r_L = 1 + sum_l (k_eff_l - 1) * prod_{i<l} s_i      receptive field
    S_L = prod_l s_l                                   effective stride
    P_L = sum_l p_l * prod_{i<l} s_i                   effective padding

equivalently, backwards, ``r_{l-1} = s_l r_l + (k_eff_l - s_l)``.

The effective receptive field (Luo et al., 2016) weighs each pixel of that field by the
gradient of the output with respect to it: ``input_gradient`` computes the gradient by
back-propagation, ``gradient_spread`` its width.
"""

# --8<-- [start:imports]
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np

from snippets._validate import check_int, describe

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


def receptive_fields(layers: Iterable[LayerGeometry | tuple[int, ...]]) -> list[Field]:
    """The field after each layer of a stack, by the forward recurrences

    ``r_l = r_{l-1} + (k_eff_l - 1) S_{l-1}``, ``S_l = S_{l-1} s_l``,
    ``P_l = P_{l-1} + p_l S_{l-1}``, starting from ``r_0 = S_0 = 1``, ``P_0 = 0``.
    """
    if isinstance(layers, (str, bytes)) or not isinstance(layers, Iterable):
        raise TypeError(f"layers must be an iterable of LayerGeometry, got {describe(layers)}")
    size, stride, padding = 1, 1, 0
    fields = []
    for index, layer in enumerate(layers):
        name = f"layers[{index}]"
        if not isinstance(layer, (tuple, list)) or not 1 <= len(layer) <= 4:
            raise TypeError(
                f"{name} must be a LayerGeometry or a tuple (kernel_size, stride, dilation, padding) "
                f"of 1 to 4 ints, got {describe(layer)}"
            )
        k, s, d, p = LayerGeometry(*layer)
        span = check_int(f"{name}.dilation", d) * (check_int(f"{name}.kernel_size", k) - 1) + 1
        size += (span - 1) * stride
        padding += check_int(f"{name}.padding", p, minimum=0) * stride
        stride *= check_int(f"{name}.stride", s)
        fields.append(Field(size, stride, padding))
    return fields


# --8<-- [end:receptive_field]


def receptive_field(layers: Iterable[LayerGeometry | tuple[int, ...]]) -> Field:
    """The field of the whole stack: the last entry of :func:`receptive_fields`
    (a single pixel, ``Field(1, 1, 0)``, for an empty stack)."""
    fields = receptive_fields(layers)
    return fields[-1] if fields else Field(1, 1, 0)


# --8<-- [start:effective_field]
def input_gradient(kernels: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
    """Gradient of one output pixel of a linear stack of stride-1 convolutions (one channel,
    no bias, ``kernels[0]`` next to the input) with respect to the input, by back-propagation.

    From ``g_L = [[1]]`` at the output down to the input, each layer scatters the gradient
    through its kernel, ``g_{l-1}[i + u, j + v] += g_l[i, j] w_l[u, v]`` (a transposed
    convolution). The result is ``r x r`` pixels, ``r = 1 + sum_l (k_l - 1)``: the receptive field.
    """
    if isinstance(kernels, (str, bytes)) or not isinstance(kernels, (Sequence, np.ndarray)):
        raise TypeError(f"kernels must be a list of 2-D arrays (or one 3-D array), got {describe(kernels)}")
    gradient = np.ones((1, 1))
    for index in reversed(range(len(kernels))):
        weights = np.asarray(kernels[index], dtype=float)
        if weights.ndim != 2 or min(weights.shape) < 1:
            raise ValueError(f"kernels[{index}] must be a non-empty 2-D array, got shape {weights.shape}")
        kh, kw = weights.shape
        below = np.zeros((gradient.shape[0] + kh - 1, gradient.shape[1] + kw - 1))
        for u in range(kh):
            for v in range(kw):
                below[u : u + gradient.shape[0], v : v + gradient.shape[1]] += weights[u, v] * gradient
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
