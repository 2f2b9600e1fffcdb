"""Kernels moved between PyTorch, Keras and Flax: the same weights in each framework's layout.

All three frameworks compute a cross-correlation, so a kernel moves by permuting its axes;
only Flax's transposed convolution in its default form also needs its spatial axes reversed.
With ``*k`` the spatial axes (``k``, ``kh, kw`` or ``kd, kh, kw``) and ``m`` the depth
multiplier, the layouts (:func:`kernel_layout`) are:

- ``conv``: PyTorch ``Conv*d.weight`` ``(C_out, C_in / groups, *k)``; Keras ``Conv*D.kernel``
  and Flax ``nnx.Conv.kernel`` ``(*k, C_in / groups, C_out)``.
- ``depthwise_conv``: PyTorch ``Conv*d(C_in, C_in * m, groups=C_in).weight``
  ``(C_in * m, 1, *k)``; Keras ``DepthwiseConv*D.kernel`` ``(*k, C_in, m)``; Flax
  ``nnx.Conv(C_in, C_in * m, feature_group_count=C_in).kernel`` ``(*k, 1, C_in * m)``.
- ``conv_transpose``: PyTorch ``ConvTranspose*d.weight`` ``(C_in, C_out / groups, *k)``; Keras
  ``Conv*DTranspose.kernel`` ``(*k, C_out, C_in)``; Flax ``nnx.ConvTranspose.kernel``
  ``(*k, C_in, C_out)``, applied as it is (not flipped), or with ``transpose_kernel=True``
  Keras' layout and Keras' flip.
- ``dense``: PyTorch ``Linear.weight`` ``(out, in)``; Keras ``Dense.kernel`` and Flax
  ``nnx.Linear.kernel`` ``(in, out)``.

Framework names are the names each is imported by (``"torch"``, ``"keras"``, ``"flax"``);
kinds are named as ``keras.ops`` names the operations, plus Keras' ``dense``. Biases are
``(C_out,)`` in all three and need no conversion. :func:`port_kernel` returns a new
C-contiguous NumPy array, which ``torch.from_numpy`` accepts.
"""

# --8<-- [start:imports]
from __future__ import annotations

from typing import Any

import numpy as np

from snippets._validate import check_bool, check_divides, check_int, describe

# --8<-- [end:imports]

__all__ = ["FRAMEWORKS", "KINDS", "kernel_layout", "kernel_shape", "port_kernel"]

#: ``source=`` / ``target=`` values, as each framework is imported.
FRAMEWORKS = ("torch", "keras", "flax")
#: ``kind=`` values: the operations as ``keras.ops`` names them, and Keras' ``Dense``.
KINDS = ("conv", "depthwise_conv", "conv_transpose", "dense")

_SPATIAL = {1: ("k",), 2: ("kh", "kw"), 3: ("kd", "kh", "kw")}
#: The axes after (Keras, Flax) or before (PyTorch) the spatial ones; "*k" marks where they go.
_LAYOUTS = {
    ("torch", "conv"): ("C_out", "C_in / groups", "*k"),
    ("keras", "conv"): ("*k", "C_in / groups", "C_out"),
    ("flax", "conv"): ("*k", "C_in / groups", "C_out"),
    ("torch", "depthwise_conv"): ("C_in * m", "1", "*k"),
    ("keras", "depthwise_conv"): ("*k", "C_in", "m"),
    ("flax", "depthwise_conv"): ("*k", "1", "C_in * m"),
    ("torch", "conv_transpose"): ("C_in", "C_out / groups", "*k"),
    ("keras", "conv_transpose"): ("*k", "C_out", "C_in"),
    ("flax", "conv_transpose"): ("*k", "C_in", "C_out"),
    ("flax", "conv_transpose", True): ("*k", "C_out", "C_in"),
    ("torch", "dense"): ("out", "in"),
    ("keras", "dense"): ("in", "out"),
    ("flax", "dense"): ("in", "out"),
}


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> str:
    """``value`` if it is one of the strings ``allowed``, else ``ValueError`` (``TypeError`` for a
    value that is not a string)."""
    if not isinstance(value, str) or value not in allowed:
        raise (ValueError if isinstance(value, str) else TypeError)(
            f"{name} must be one of {allowed}, got {describe(value)}"
        )
    return value


def _flax_transposed(framework: str, kind: str, transpose_kernel: bool) -> bool:
    return framework == "flax" and kind == "conv_transpose" and transpose_kernel


def _check_transpose_kernel(transpose_kernel: Any, kind: str, frameworks: tuple[str, ...]) -> bool:
    check_bool("transpose_kernel", transpose_kernel)
    if transpose_kernel and (kind != "conv_transpose" or "flax" not in frameworks):
        raise ValueError(
            "transpose_kernel=True is Flax's ConvTranspose argument: it needs kind='conv_transpose' "
            f"and 'flax' as source or target, got kind={kind!r} between {' and '.join(map(repr, frameworks))}"
        )
    return transpose_kernel


# --8<-- [start:kernel_layout]
def kernel_layout(
    framework: str, kind: str = "conv", rank: int = 2, *, transpose_kernel: bool = False
) -> str:
    """The axes of ``framework``'s kernel of ``kind`` in ``rank`` spatial axes, as text.

    For example ``kernel_layout("torch")`` is ``"(C_out, C_in / groups, kh, kw)"`` and
    ``kernel_layout("flax", "conv_transpose", 1)`` is ``"(k, C_in, C_out)"``. ``m`` is the depth
    multiplier; ``transpose_kernel`` is Flax's ``nnx.ConvTranspose`` argument. A ``dense``
    kernel has no spatial axes, whatever ``rank`` is.
    """
    _choice("framework", framework, FRAMEWORKS)
    _choice("kind", kind, KINDS)
    rank = _check_rank(rank)
    flipped = _flax_transposed(framework, kind, _check_transpose_kernel(transpose_kernel, kind, (framework,)))
    axes = _LAYOUTS[(framework, kind, True) if flipped else (framework, kind)]
    names = [name for axis in axes for name in (_SPATIAL[rank] if axis == "*k" else (axis,))]
    return f"({', '.join(names)})"


# --8<-- [end:kernel_layout]


def _check_rank(rank: Any) -> int:
    if isinstance(rank, bool) or not isinstance(rank, int) or rank not in _SPATIAL:
        raise (ValueError if isinstance(rank, int) and not isinstance(rank, bool) else TypeError)(
            f"rank must be 1, 2 or 3 (the number of spatial axes), got {describe(rank)}"
        )
    return rank


# --8<-- [start:kernel_shape]
def kernel_shape(
    framework: str,
    kind: str,
    in_channels: int,
    out_channels: int,
    kernel_size: tuple[int, ...] = (),
    *,
    groups: int = 1,
    transpose_kernel: bool = False,
) -> tuple[int, ...]:
    """The shape of ``framework``'s kernel for a layer of ``in_channels`` -> ``out_channels``.

    The layouts of :func:`kernel_layout` with numbers in: ``kernel_shape("torch", "conv", 6, 8,
    (3, 3), groups=2)`` is ``(8, 3, 3, 3)``. ``kernel_size`` has one int per spatial axis (1, 2 or
    3; none for ``dense``). A ``depthwise_conv`` maps ``C_in`` to ``C_in * m`` channels, so
    ``out_channels`` must be a multiple of ``in_channels``; ``groups`` applies to ``conv`` and
    PyTorch's ``conv_transpose`` (Keras and Flax have no grouped transposed layer).
    """
    _choice("framework", framework, FRAMEWORKS)
    _choice("kind", kind, KINDS)
    c_in, c_out = check_int("in_channels", in_channels), check_int("out_channels", out_channels)
    groups = check_int("groups", groups)
    flipped = _flax_transposed(framework, kind, _check_transpose_kernel(transpose_kernel, kind, (framework,)))
    if not isinstance(kernel_size, (tuple, list)):
        raise TypeError(
            f"kernel_size must be a tuple of ints, one per spatial axis, got {describe(kernel_size)}"
        )
    sizes = tuple(check_int("kernel_size", k) for k in kernel_size)
    if kind == "dense" and sizes:
        raise ValueError(
            f"kernel_size must be () for kind='dense' (no spatial axes), got {describe(kernel_size)}"
        )
    if kind != "dense" and len(sizes) not in _SPATIAL:
        raise ValueError(
            f"kernel_size must have 1, 2 or 3 ints (one per spatial axis), got {describe(kernel_size)}"
        )
    if kind == "depthwise_conv":
        check_divides("in_channels", c_in, {"out_channels": c_out})
        if groups not in (1, c_in):
            raise ValueError(f"groups must be 1 or in_channels ({c_in}) for a depthwise_conv, got {groups}")
    elif groups > 1:
        if kind == "dense" or (kind == "conv_transpose" and framework != "torch"):
            raise ValueError(
                f"groups must be 1 for a {framework} {kind} (only PyTorch groups a conv_transpose), got {groups}"
            )
        check_divides("groups", groups, {"in_channels": c_in, "out_channels": c_out})
    values = {
        "C_in": c_in,
        "C_out": c_out,
        "C_in / groups": c_in // groups,
        "C_out / groups": c_out // groups,
        "C_in * m": c_out,
        "m": c_out // c_in,
        "1": 1,
        "in": c_in,
        "out": c_out,
    }
    axes = _LAYOUTS[(framework, kind, True) if flipped else (framework, kind)]
    return tuple(size for axis in axes for size in (sizes if axis == "*k" else (values[axis],)))


# --8<-- [end:kernel_shape]


def _kernel_array(kernel: Any, framework: str, kind: str, transpose_kernel: bool) -> tuple[np.ndarray, int]:
    """``kernel`` as an ndarray of a layout ``framework`` has for ``kind``, and its rank."""
    array = np.asarray(kernel)
    if array.dtype.kind != "f":
        raise TypeError(
            f"kernel must be a floating-point array, got shape {array.shape} and dtype {array.dtype}"
        )
    rank = 0 if kind == "dense" else array.ndim - 2
    if (
        (kind == "dense" and array.ndim != 2)
        or (kind != "dense" and rank not in _SPATIAL)
        or 0 in array.shape
    ):
        if kind == "dense":
            allowed = kernel_layout(framework, kind, transpose_kernel=transpose_kernel)
        else:
            allowed = " or ".join(
                kernel_layout(framework, kind, r, transpose_kernel=transpose_kernel) for r in _SPATIAL
            )
        raise ValueError(
            f"kernel must have the {framework} {kind} layout {allowed} with no empty axis, "
            f"got shape {array.shape}"
        )
    return array, rank


def _to_keras(
    array: np.ndarray,
    rank: int,
    framework: str,
    kind: str,
    *,
    groups: int,
    depth_multiplier: int | None,
    transpose_kernel: bool,
) -> np.ndarray:
    """The Keras layout of a ``framework`` kernel (Keras' is the hub every conversion passes)."""
    spatial = tuple(range(rank))
    if framework == "keras" or (framework == "flax" and kind in ("conv", "dense")):
        if kind == "depthwise_conv" and depth_multiplier not in (None, array.shape[-1]):
            raise ValueError(
                f"depth_multiplier must be None or the kernel's last axis ({array.shape[-1]}) for a keras "
                f"kernel of shape {array.shape}, got {depth_multiplier}"
            )
        return array
    if kind == "dense":  # torch (out, in)
        return array.T
    if kind == "conv":  # torch (C_out, C_in / groups, *k)
        return array.transpose(*range(2, rank + 2), 1, 0)
    if kind == "depthwise_conv":
        one = 1 if framework == "torch" else rank  # the axis of size 1
        if array.shape[one] != 1:
            raise ValueError(
                f"kernel must have the {framework} depthwise_conv layout "
                f"{kernel_layout(framework, kind, rank)}, got shape {array.shape}"
            )
        flat = array[:, 0] if framework == "torch" else array[..., 0, :]  # (C_in * m, *k) or (*k, C_in * m)
        if framework == "torch":
            flat = np.moveaxis(flat, 0, -1)
        m = 1 if depth_multiplier is None else check_int("depth_multiplier", depth_multiplier)
        check_divides("depth_multiplier", m, {"the kernel's channel axis": flat.shape[-1]})
        return flat.reshape(*flat.shape[:-1], flat.shape[-1] // m, m)
    # conv_transpose
    if framework == "flax":  # (*k, C_in, C_out), applied without reversal; or Keras' own layout
        return array if transpose_kernel else np.flip(array, spatial).swapaxes(-1, -2)
    # torch (C_in, C_out / groups, *k): a grouped weight becomes the block-diagonal full kernel
    c_in, c_group = array.shape[:2]
    check_divides("groups", groups, {"the weight's C_in axis": c_in})
    full = np.zeros((c_in, c_group * groups, *array.shape[2:]), dtype=array.dtype)
    rows = c_in // groups
    for g in range(groups):
        full[g * rows : (g + 1) * rows, g * c_group : (g + 1) * c_group] = array[g * rows : (g + 1) * rows]
    return full.transpose(*range(2, rank + 2), 1, 0)


def _from_keras(
    array: np.ndarray, rank: int, framework: str, kind: str, *, groups: int, transpose_kernel: bool
):
    """``framework``'s layout of a Keras kernel."""
    spatial = tuple(range(rank))
    if framework == "keras" or (framework == "flax" and kind in ("conv", "dense")):
        return array
    if kind == "dense":
        return array.T
    if kind == "conv":
        return array.transpose(rank + 1, rank, *spatial)
    if kind == "depthwise_conv":  # (*k, C_in, m) -> channels c * m + j, as PyTorch's groups order them
        flat = array.reshape(*array.shape[:rank], -1)
        return np.moveaxis(flat, -1, 0)[:, np.newaxis] if framework == "torch" else flat[..., np.newaxis, :]
    if framework == "flax":
        return array if transpose_kernel else np.flip(array, spatial).swapaxes(-1, -2)
    full = array.transpose(rank + 1, rank, *spatial)  # torch (C_in, C_out, *k) with groups=1
    c_in, c_out = full.shape[:2]
    check_divides("groups", groups, {"C_in": c_in, "C_out": c_out})
    rows, cols = c_in // groups, c_out // groups
    blocks = [full[g * rows : (g + 1) * rows, g * cols : (g + 1) * cols] for g in range(groups)]
    mask = np.zeros(full.shape[:2], dtype=bool)
    for g in range(groups):
        mask[g * rows : (g + 1) * rows, g * cols : (g + 1) * cols] = True
    if np.any(full[~mask]):
        raise ValueError(
            f"groups={groups} needs a block-diagonal kernel (input channels of one group feed only that "
            f"group's outputs), but the kernel of shape {array.shape} has weights outside the blocks"
        )
    return np.concatenate(blocks, axis=0)


# --8<-- [start:port_kernel]
def port_kernel(
    kernel: Any,
    *,
    source: str,
    target: str,
    kind: str = "conv",
    groups: int = 1,
    depth_multiplier: int | None = None,
    transpose_kernel: bool = False,
) -> np.ndarray:
    """The kernel of a ``source`` layer in the layout ``target`` expects, the same weights.

    ``source`` and ``target`` are ``"torch"``, ``"keras"`` or ``"flax"``; ``kind`` is
    ``"conv"`` (grouped too: the layout holds ``C_in / groups`` either way), ``"depthwise_conv"``,
    ``"conv_transpose"`` or ``"dense"``. The rank (1-D, 2-D, 3-D) follows from the kernel. The
    conversions, with ``*k`` the spatial axes:

    - ``conv``: PyTorch ``(C_out, C_in / groups, *k)`` <-> ``(*k, C_in / groups, C_out)`` of Keras
      and Flax (a transpose of axes; Flax's ``feature_group_count`` is Keras' ``groups``).
    - ``depthwise_conv``: PyTorch ``(C_in * m, 1, *k)`` (``groups=C_in``, output channel
      ``c * m + j``) <-> Keras ``(*k, C_in, m)`` <-> Flax ``(*k, 1, C_in * m)``
      (``feature_group_count=C_in``). From PyTorch or Flax, ``depth_multiplier`` says what ``m``
      is (1 when None): their layout cannot tell ``C_in`` from ``m``.
    - ``conv_transpose``: PyTorch ``(C_in, C_out / groups, *k)`` <-> Keras ``(*k, C_out, C_in)``
      <-> Flax ``nnx.ConvTranspose`` ``(*k, C_in, C_out)`` with its spatial axes reversed (Flax
      does not flip the kernel unless ``transpose_kernel=True``, in which case it takes Keras'
      kernel as it is). ``groups`` is PyTorch's: to Keras or Flax, which have no grouped
      transposed layer, a grouped weight becomes the full block-diagonal kernel; back, the kernel
      must be block-diagonal.
    - ``dense``: PyTorch ``Linear.weight`` ``(out, in)`` <-> ``(in, out)`` of Keras and Flax.

    Padding, strides and dilation do not change a kernel's layout; they have to be translated on
    their own (Flax defaults to ``'SAME'``).
    """
    _choice("source", source, FRAMEWORKS)
    _choice("target", target, FRAMEWORKS)
    _choice("kind", kind, KINDS)
    transpose_kernel = _check_transpose_kernel(transpose_kernel, kind, (source, target))
    groups = check_int("groups", groups)
    if groups > 1 and kind in ("depthwise_conv", "dense"):
        raise ValueError(
            f"groups must be 1 for kind={kind!r} (a depthwise kernel's groups is its C_in), got {groups}"
        )
    if groups > 1 and kind == "conv_transpose" and "torch" not in (source, target):
        raise ValueError(
            f"groups must be 1 between {source!r} and {target!r}: only PyTorch's ConvTranspose has groups, "
            f"got {groups}"
        )
    if depth_multiplier is not None:
        check_int("depth_multiplier", depth_multiplier)
        if kind != "depthwise_conv":
            raise ValueError(
                f"depth_multiplier applies to kind='depthwise_conv' only, got {depth_multiplier} "
                f"with kind={kind!r}"
            )
    array, rank = _kernel_array(kernel, source, kind, transpose_kernel)
    if kind == "conv" and groups > 1:
        c_out = array.shape[0] if source == "torch" else array.shape[-1]
        check_divides("groups", groups, {"the kernel's C_out": c_out})
    keras_kernel = _to_keras(
        array,
        rank,
        source,
        kind,
        groups=groups if source == "torch" else 1,
        depth_multiplier=depth_multiplier,
        transpose_kernel=transpose_kernel,
    )
    ported = _from_keras(
        keras_kernel,
        rank,
        target,
        kind,
        groups=groups if target == "torch" else 1,
        transpose_kernel=transpose_kernel,
    )
    return np.ascontiguousarray(ported)


# --8<-- [end:port_kernel]
