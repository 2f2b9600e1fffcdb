"""Receptive field, effective stride and effective padding over a stack of layers.

Along one axis, for layers ``l = 1..L`` with kernel ``k_l``, stride ``s_l``, dilation ``d_l``
and padding before ``p_l`` (Araujo, Norris & Sim, "Computing Receptive Fields of
Convolutional Neural Networks", Distill 2019), with ``k_eff = d (k - 1) + 1``::

    r_L = 1 + sum_l (k_eff_l - 1) * prod_{i<l} s_i      receptive field
    S_L = prod_l s_l                                   effective stride
    P_L = sum_l p_l * prod_{i<l} s_i                   effective padding

equivalently, backwards, ``r_{l-1} = s_l r_l + (k_eff_l - s_l)``.
"""

# --8<-- [start:imports]
from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

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
