"""Checks for the arrays of :mod:`snippets.ops`, failing the way :mod:`snippets._validate` does.

Errors name the argument, its shape and dtype, and what is allowed; a mismatch between two
arrays names both shapes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

FLOAT_KINDS = "a floating-point array (float16, float32 or float64)"


def _shape_dtype(array: np.ndarray) -> str:
    return f"shape {array.shape} and dtype {array.dtype}"


def float_array(name: str, value: Any) -> np.ndarray:
    """``value`` as an ndarray if its dtype is a float, else ``TypeError`` (ints, complex, bool)."""
    array = np.asarray(value)
    if array.dtype.kind != "f":
        raise TypeError(f"{name} must be {FLOAT_KINDS}, got {_shape_dtype(array)}")
    return array


AXIS_NAMES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}
KERNEL_AXES = {1: ("k",), 2: ("kh", "kw"), 3: ("kd", "kh", "kw")}


def kernel(name: str, value: Any, layout: str, ranks: tuple[int, ...] = (1, 2, 3)) -> tuple[np.ndarray, int]:
    """A float kernel of ``rank + 2`` axes, none empty, and its rank (how many spatial axes).

    ``layout`` names the axes after the spatial ones, e.g. ``"C_in // groups, C_out"``.
    """
    array = float_array(name, value)
    rank = array.ndim - 2
    if rank not in ranks or 0 in array.shape:
        layouts = " or ".join(f"({', '.join(KERNEL_AXES[r])}, {layout})" for r in ranks)
        raise ValueError(
            f"{name} must have the layout {layouts} with no empty axis, got {_shape_dtype(array)}"
        )
    return array, rank


def batch(name: str, value: Any, rank: int) -> tuple[np.ndarray, bool]:
    """``(N, *spatial, C)`` view of a channels-last batch or single example of ``rank`` spatial
    axes, and whether it was batched."""
    array = float_array(name, value)
    axes = ", ".join(AXIS_NAMES[rank])
    if array.ndim not in (rank + 1, rank + 2) or 0 in array.shape:
        raise ValueError(
            f"{name} must be channels-last (N, {axes}, C) or ({axes}, C) for a {rank}-D kernel, "
            f"with no empty axis, got {_shape_dtype(array)}"
        )
    return (array, True) if array.ndim == rank + 2 else (array[np.newaxis], False)


def channels_match(
    x: np.ndarray, x_name: str, kernel: np.ndarray, kernel_name: str, axis: int, want: int, what: str
) -> None:
    """Raise unless ``kernel.shape[axis] == want`` (derived from ``x``'s channels), naming both shapes."""
    if kernel.shape[axis] != want:
        raise ValueError(
            f"{kernel_name} axis {axis} must be {what} = {want} for {x_name} of shape {x.shape}, "
            f"got {kernel_name} of shape {kernel.shape}"
        )


def bias_vector(
    value: Any, channels: int, kernel: np.ndarray, kernel_name: str = "kernel"
) -> np.ndarray | None:
    """``None`` or a float vector of length ``channels`` (the kernel's output channels)."""
    if value is None:
        return None
    bias = float_array("bias", value)
    if bias.shape != (channels,):
        raise ValueError(
            f"bias must have shape ({channels},), one value per output channel of {kernel_name} "
            f"of shape {kernel.shape}, got {_shape_dtype(bias)}"
        )
    return bias


def common_dtype(*arrays: np.ndarray | None) -> np.dtype:
    """NumPy's promotion of the arrays' dtypes: float32 stays float32 unless a float64 joins."""
    return np.result_type(*(a for a in arrays if a is not None))
