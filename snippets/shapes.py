"""Output shapes and padding of convolutions in every rank, channels-last, as Keras and PyTorch compute them.

The rank follows from the input: ``(L, C)`` is 1-D (sequences), ``(H, W, C)`` 2-D (images),
``(D, H, W, C)`` 3-D (volumes, video). ``kernel_size``, ``stride`` and ``dilation`` are an
int (every axis) or one int per axis. Every formula below holds per spatial axis, whatever
the rank.

Padding given as a string is spelled as the framework that owns it spells it, and follows that
framework's rules: ``"valid"``, ``"same"``, ``"causal"`` are Keras'/TensorFlow's; ``"VALID"``,
``"SAME"``, ``"SAME_LOWER"`` are ``jax.lax``'s (and Flax's), which take stride and dilation
together and have ``"SAME_LOWER"``, the odd pixel before. Padding given as numbers follows
PyTorch's ``padding=`` argument (an int, one int per axis), or ``(before, after)`` per axis as
``torch.nn.functional.pad`` and ``jax.lax.conv_general_dilated`` take it. All are resolved to
explicit ``(before, after)`` amounts per axis by :func:`padding_amounts`.

Transposed convolutions read explicit numbers two ways: PyTorch crops ``p`` from each side of
the full output, Flax's ``nnx.ConvTranspose`` and ``jax.lax.conv_transpose`` pad the stretched
input by ``(lo, hi)``. :func:`flax_transposed_output_shape` and
``snippets.ops.conv_transpose(..., padding_convention="flax")`` take the second;
:func:`flax_transposed_padding` converts PyTorch's numbers to Flax's.
"""

# --8<-- [start:imports]
from __future__ import annotations

import math

from snippets._validate import (
    AXES,
    Pair,
    Sizes,
    check_int,
    check_shape,
    check_sizes,
    describe,
    is_plain_int,
)
from snippets.frameworks import (
    PADDING_MODES,
    Refusal,
    check_output_padding,
    check_padding_mode_reach,
    padding_allowed,
    refuse_asymmetric_transposed,
    refuse_causal,
    refuse_strided_dilation,
)

# "valid" | "same" | "causal" | p | (p_1, ..., p_rank) | ((before, after), ...) one pair per axis
PaddingSpec = str | int | tuple
# --8<-- [end:imports]

PADDING_STRINGS = ("valid", "same", "causal")
#: ``jax.lax``'s padding strings, as it spells them (Flax passes them on): jax's rules apply.
#: Only ``'SAME_LOWER'`` is taken everywhere (Keras has no such padding); ``'SAME'`` and
#: ``'VALID'`` are taken by :func:`flax_transposed_output_shape`, elsewhere Keras' lower-case
#: words say the same (with Keras' refusal of stride and dilation together).
JAX_PADDING_STRINGS = ("VALID", "SAME", "SAME_LOWER")
#: ``padding_convention=`` values of the transposed functions: whose explicit numbers.
PADDING_CONVENTIONS = ("torch", "flax")
#: ``layer=`` values: whose rules a shape function applies (see :func:`padding_amounts`).
LAYERS = ("conv", "depthwise", "separable")


def check_padding(
    padding: PaddingSpec, rank: int, *, negative: bool = False, jax_strings: bool = False
) -> str | tuple[Pair, ...]:
    """A padding string, or the explicit ``(before, after)`` per axis that the numbers mean.

    Strings: Keras' ``'valid'``, ``'same'``, ``'causal'`` or ``jax.lax``'s ``'SAME_LOWER'``
    (and its ``'VALID'``, ``'SAME'`` when ``jax_strings``). Numbers: ``p`` pads every side of every axis, one int per axis
    pads both sides of that axis, and one ``(before, after)`` pair per axis (as ``F.pad`` and
    ``jax.lax`` take them) pads each side on its own. They must be ``>= 0`` unless ``negative``
    (Flax's transposed padding, where a negative amount crops the stretched input).
    """
    allowed = padding_allowed(rank)
    if negative:
        allowed = allowed.replace(" >= 0", "")
    low = None if negative else 0
    if isinstance(padding, str):
        if (
            padding in PADDING_STRINGS
            or padding == "SAME_LOWER"
            or (jax_strings and padding in JAX_PADDING_STRINGS)
        ):
            return padding
        extra = "'VALID', 'SAME', 'SAME_LOWER'" if jax_strings else "'SAME_LOWER'"
        raise ValueError(f"padding must be {allowed} (or jax.lax's {extra}), got {describe(padding)}")
    if is_plain_int(padding):
        if low is not None and padding < low:
            raise ValueError(f"padding must be {allowed}, got {describe(padding)}")
        return ((int(padding), int(padding)),) * rank
    if isinstance(padding, (tuple, list)) and len(padding) == rank:
        if all(map(is_plain_int, padding)):
            if low is not None and min(padding) < low:
                raise ValueError(f"padding must be {allowed}, got {describe(padding)}")
            return tuple((int(p), int(p)) for p in padding)
        if all(isinstance(side, (tuple, list)) for side in padding):
            if negative:
                if all(len(side) == 2 and all(map(is_plain_int, side)) for side in padding):
                    return tuple((int(a), int(b)) for a, b in padding)
                raise TypeError(f"padding must be {allowed}, got {describe(padding)}")
            return tuple(check_sizes("padding", side, 2, minimum=0) for side in padding)
    raise TypeError(f"padding must be {allowed}, got {describe(padding)}")


def check_layer(layer: str) -> str:
    """``layer`` must name one of :data:`LAYERS`."""
    if not isinstance(layer, str) or layer not in LAYERS:
        raise (ValueError if isinstance(layer, str) else TypeError)(
            f"layer must be one of {LAYERS}, got {describe(layer)}"
        )
    return layer


# --8<-- [start:effective_kernel_size]
def effective_kernel_size(kernel_size: int | Sizes, dilation_rate: int | Sizes) -> int | Sizes:
    """Span of a dilated kernel along each axis: ``k_eff = k + (k - 1)(d - 1) = d (k - 1) + 1``.

    Keras' ``dilation_rate`` and PyTorch's ``dilation`` both mean ``d``. Two ints give an
    int; otherwise one span per axis, as many as the tuple has (1, 2 or 3).
    """
    if is_plain_int(kernel_size) and is_plain_int(dilation_rate):
        k, d = check_int("kernel_size", kernel_size), check_int("dilation_rate", dilation_rate)
        return d * (k - 1) + 1
    lengths = {len(v) for v in (kernel_size, dilation_rate) if isinstance(v, (tuple, list))}
    rank = lengths.pop() if len(lengths) == 1 and lengths <= {1, 2, 3} else 2
    kernel = check_sizes("kernel_size", kernel_size, rank)
    dilation = check_sizes("dilation_rate", dilation_rate, rank)
    return tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))


# --8<-- [end:effective_kernel_size]


def _same_padding(size: int, span: int, stride: int, lower: bool = False) -> Pair:
    """Keras/TF 'same' (and jax.lax 'SAME'): output ``ceil(n / s)``, total padding
    ``max((out - 1) s + k_eff - n, 0)``, the odd pixel after (bottom/right); jax.lax's
    'SAME_LOWER' (``lower``) puts it before."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + span - size, 0)
    small, big = total // 2, total - total // 2
    return (big, small) if lower else (small, big)


# --8<-- [start:padding_amounts]
def padding_amounts(
    input_shape: tuple[int, ...],
    kernel_size: int | Sizes,
    stride: int | Sizes = 1,
    padding: PaddingSpec = "valid",
    *,
    dilation: int | Sizes = 1,
    layer: str = "conv",
) -> tuple[Pair, ...]:
    """Zeros added on each side of each spatial axis, ``((before, after), ...)``.

    ``"valid"`` adds none. ``"same"`` (Keras/TF) makes the output ``ceil(n / s)``: the total
    ``max((ceil(n / s) - 1) s + k_eff - n, 0)`` is split with the odd pixel after. ``"causal"``
    (Keras' Conv1D) puts all ``k_eff - 1`` before, so output ``t`` sees inputs ``<= t`` only.
    Numbers are PyTorch's ``padding=``: ``p`` on both sides, or ``(before, after)`` per axis.

    The lower-case strings apply the rules of Keras' Conv layers (stride > 1 with dilation > 1
    refused); ``layer="depthwise"`` or ``"separable"`` applies DepthwiseConv's and
    SeparableConv's, which accept it and refuse ``"causal"``. ``"SAME_LOWER"`` is
    ``jax.lax.padtype_to_pads``'s (``conv_general_dilated``, ``nnx.Conv``): ``"same"``'s total
    with the odd pixel before, in every rank, stride and dilation together allowed (jax's rule).
    """
    spatial, _ = check_shape("input_shape", input_shape)
    rank = len(spatial)
    kernel = check_sizes("kernel_size", kernel_size, rank)
    strides = check_sizes("stride", stride, rank)
    dilations = check_sizes("dilation", dilation, rank)
    padding, layer = check_padding(padding, rank), check_layer(layer)
    if not isinstance(padding, str):
        return padding
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilations, strict=True)]
    if padding in JAX_PADDING_STRINGS:
        if padding == "VALID":
            return ((0, 0),) * rank
        lower = padding == "SAME_LOWER"
        return tuple(
            _same_padding(n, span, s, lower) for n, span, s in zip(spatial, spans, strides, strict=True)
        )
    refuse_strided_dilation(strides, dilations, layer)
    if padding == "valid":
        return ((0, 0),) * rank
    if padding == "causal":
        if rank != 1:
            refuse_causal(rank, f"a {rank}-D input {describe(input_shape)}")
        if layer != "conv":
            refuse_causal(rank, f"layer={layer!r} (Keras' DepthwiseConv1D and SeparableConv1D refuse it)")
        return ((spans[0] - 1, 0),)
    return tuple(_same_padding(n, span, s) for n, span, s in zip(spatial, spans, strides, strict=True))


# --8<-- [end:padding_amounts]


def check_padding_mode(padding_mode: str, padding: PaddingSpec, input_shape: tuple[int, ...], pads) -> str:
    """PyTorch's ``padding_mode`` and its refusals: reflect padding must be smaller than the
    axis, circular padding at most the axis (it wraps once). It fills the amounts that
    :func:`padding_amounts` resolves, numbers or ``'same'`` (PyTorch takes
    ``padding='same', padding_mode='reflect'`` at stride 1, where its 'same' and Keras' agree);
    ``'causal'`` is Keras' and pads with zeros only."""
    if not isinstance(padding_mode, str) or padding_mode not in PADDING_MODES:
        raise (ValueError if isinstance(padding_mode, str) else TypeError)(
            f"padding_mode must be one of {PADDING_MODES}, got {describe(padding_mode)}"
        )
    if padding_mode == "zeros":
        return padding_mode
    if padding == "causal":
        raise Refusal(
            "padding_mode",
            f"padding_mode {padding_mode!r} needs numeric or 'same' padding (PyTorch's); Keras' "
            f"'causal' pads with zeros only, so use padding_mode='zeros'",
        )
    spatial, _ = check_shape("input_shape", input_shape)
    check_padding_mode_reach(padding_mode, spatial, pads)
    return padding_mode


def _conv_length(axis: str, size: int, pads: Pair, kernel: int, dilation: int, stride: int) -> int:
    """``floor((n + before + after - k_eff) / s) + 1``; the kernel must fit in the padded input."""
    padded = size + pads[0] + pads[1]
    span = dilation * (kernel - 1) + 1
    if padded < span:
        raise ValueError(
            f"kernel_size must fit in the padded input: along the {axis}, kernel {kernel} with dilation "
            f"{dilation} spans {span} but the input is {size} + padding {pads[0]} + {pads[1]} = {padded}"
        )
    return (padded - span) // stride + 1


# --8<-- [start:conv_output_shape]
def conv_output_shape(
    input_shape: tuple[int, ...],
    filters: int,
    kernel_size: int | Sizes,
    stride: int | Sizes = 1,
    padding: PaddingSpec = "valid",
    *,
    dilation: int | Sizes = 1,
    padding_mode: str = "zeros",
    layer: str = "conv",
) -> tuple[int, ...]:
    """Output ``(*spatial_out, filters)`` of a convolution of any rank; along every axis

    ``out = floor((n + pad_before + pad_after - d (k - 1) - 1) / s) + 1``

    with the padding of :func:`padding_amounts` (whose ``layer=`` rules apply). ``"same"``
    and ``"causal"`` give ``ceil(n / s)`` as in Keras/TF; numbers give what
    ``torch.nn.Conv1d/2d/3d(padding=p)`` gives, and ``padding_mode`` refuses what they refuse.
    """
    check_int("filters", filters)
    spatial, _ = check_shape("input_shape", input_shape)
    rank = len(spatial)
    pads = padding_amounts(input_shape, kernel_size, stride, padding, dilation=dilation, layer=layer)
    check_padding_mode(padding_mode, padding, input_shape, pads)
    kernel, strides, dilations = (
        check_sizes(name, value, rank)
        for name, value in [("kernel_size", kernel_size), ("stride", stride), ("dilation", dilation)]
    )
    sizes = (
        _conv_length(axis, n, pad, k, d, s)
        for axis, n, pad, k, d, s in zip(AXES[rank], spatial, pads, kernel, dilations, strides, strict=True)
    )
    return (*sizes, int(filters))


# --8<-- [end:conv_output_shape]


def _transposed_length_keras(size: int, span: int, stride: int, padding: str, extra: int | None) -> int:
    """Keras ``ConvTranspose``: 'same' ``n s``, 'valid' ``n s + max(k_eff - s, 0)``;
    with ``output_padding``: ``(n - 1) s + k_eff - 2 floor(k_eff / 2) + op`` ('same'),
    ``(n - 1) s + k_eff + op`` ('valid')."""
    if extra is None:
        return size * stride if padding == "same" else size * stride + max(span - stride, 0)
    crop = 2 * (span // 2) if padding == "same" else 0
    return (size - 1) * stride + span - crop + extra


# --8<-- [start:transposed_output_shape]
def transposed_output_shape(
    input_shape: tuple[int, ...],
    filters: int,
    kernel_size: int | Sizes,
    stride: int | Sizes,
    padding: PaddingSpec = "valid",
    *,
    output_padding: int | Sizes | None = None,
    dilation: int | Sizes = 1,
) -> tuple[int, ...]:
    """Output ``(*spatial_out, filters)`` of a transposed convolution of any rank, per axis:

    Numbers (PyTorch ``ConvTranspose1d/2d/3d``): ``out = (n - 1) s - 2 p + d (k - 1) + op + 1``,
    ``op < max(s, d)``. ``"same"``/``"valid"`` (Keras ``ConvTranspose``): ``n s`` and
    ``n s + max(k_eff - s, 0)`` without ``output_padding``, ``op < s``; ``"causal"`` is refused
    there. The default is ``"valid"``, as in Keras (``padding=0`` in PyTorch, the same size when
    ``k_eff >= s``) and in ``conv_output_shape``: pass ``"same"`` for ``n s``.

    ``"SAME_LOWER"`` (``jax.lax.conv_transpose``'s) is ``n`` at stride 1 and refused above it,
    as jax does. Flax's and ``jax.lax.conv_transpose``'s own conventions:
    :func:`flax_transposed_output_shape`.
    """
    return _transposed_output_shape(
        input_shape, filters, kernel_size, stride, padding, output_padding, dilation, "torch"
    )


# --8<-- [end:transposed_output_shape]


# --8<-- [start:flax_transposed_output_shape]
def flax_transposed_output_shape(
    input_shape: tuple[int, ...],
    filters: int,
    kernel_size: int | Sizes,
    stride: int | Sizes = 1,
    padding: PaddingSpec = "SAME",
    *,
    dilation: int | Sizes = 1,
) -> tuple[int, ...]:
    """Output ``(*spatial_out, filters)`` of Flax's ``nnx.ConvTranspose`` (``jax.lax.conv_transpose``
    without ``use_consistent_padding``), any rank; the default ``"SAME"`` is Flax's.

    Numbers are Flax's: zeros ``(lo, hi)`` added to the stretched input (``s - 1`` zeros between
    input values) before it is convolved, negative amounts cropping it, so per axis
    ``out = (n - 1) s + 1 + lo + hi - d (k - 1)``; an int or one int per axis pads both sides.
    PyTorch's ``padding=p, output_padding=op`` is Flax's ``(d (k - 1) - p, d (k - 1) - p + op)``
    (:func:`flax_transposed_padding`). ``"SAME"`` and ``"VALID"`` (jax.lax's spelling) give
    Keras' ``"same"`` and ``"valid"`` lengths, ``n s`` and ``n s + max(k_eff - s, 0)``, with
    stride and dilation together (jax's rule); ``"SAME_LOWER"`` is ``n`` at stride 1 and refused
    above it. Flax has no ``output_padding``: it is part of the after side.
    """
    return _transposed_output_shape(
        input_shape, filters, kernel_size, stride, padding, None, dilation, "flax"
    )


# --8<-- [end:flax_transposed_output_shape]


def _transposed_output_shape(
    input_shape, filters, kernel_size, stride, padding, output_padding, dilation, convention: str
) -> tuple[int, ...]:
    """Both conventions: ``"torch"`` (PyTorch's numbers, Keras' strings) and ``"flax"``."""
    check_int("filters", filters)
    spatial, _ = check_shape("input_shape", input_shape)
    rank = len(spatial)
    kernel = check_sizes("kernel_size", kernel_size, rank)
    strides = check_sizes("stride", stride, rank)
    dilations = check_sizes("dilation", dilation, rank)
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilations, strict=True)]
    convention = check_padding_convention(convention)
    flax = convention == "flax"
    spec, padding = padding, check_padding(padding, rank, negative=flax, jax_strings=flax)
    if padding == "causal":
        refuse_causal(rank, "a transposed convolution (Keras' Conv1DTranspose refuses it)")
    if (padding in JAX_PADDING_STRINGS or flax) and output_padding is not None:
        raise Refusal(
            "output_padding",
            f"output_padding must be None with padding {describe(spec)} (jax.lax.conv_transpose and "
            f"Flax's ConvTranspose have none; add it to the after side of Flax's padding), "
            f"got {describe(output_padding)}",
        )
    if padding == "SAME_LOWER":
        if max(strides) > 1:
            raise Refusal(
                "padding",
                f"padding 'SAME_LOWER' needs stride 1 in a transposed convolution (jax.lax.conv_transpose "
                f"passes it to conv_general_dilated, which refuses string padding with lhs_dilation), "
                f"got stride={strides}",
            )
        sizes = list(spatial)
    elif padding in JAX_PADDING_STRINGS:
        sizes = [
            _transposed_length_keras(n, span, s, padding.lower(), None)
            for n, span, s in zip(spatial, spans, strides, strict=True)
        ]
    elif isinstance(padding, str):
        refuse_strided_dilation(strides, dilations, "conv")
        extras = (
            (None,) * rank
            if output_padding is None
            else check_output_padding(output_padding, strides, "stride", f"stride={strides}")
        )
        sizes = [
            _transposed_length_keras(n, span, s, padding, op)
            for n, span, s, op in zip(spatial, spans, strides, extras, strict=True)
        ]
    elif flax:
        sizes = [
            (n - 1) * s + 1 + lo + hi - span + 1
            for n, s, (lo, hi), span in zip(spatial, strides, padding, spans, strict=True)
        ]
    else:
        refuse_asymmetric_transposed(spec, padding)
        limits = tuple(max(s, d) for s, d in zip(strides, dilations, strict=True))
        extras = check_output_padding(
            0 if output_padding is None else output_padding,
            limits,
            "max(stride, dilation)",
            f"stride={strides}, dilation={dilations}",
        )
        sizes = [
            (n - 1) * s - 2 * p + span + op
            for n, s, (p, _), span, op in zip(spatial, strides, padding, spans, extras, strict=True)
        ]
    for axis, size in zip(AXES[rank], sizes, strict=True):
        if size < 1:
            raise ValueError(
                f"padding {describe(spec)} crops the {axis} to {size}; "
                f"padding must leave at least 1 output pixel"
            )
    return (*sizes, int(filters))


def check_padding_convention(padding_convention: str) -> str:
    """``padding_convention`` must be one of :data:`PADDING_CONVENTIONS` (``snippets.ops.conv_transpose``'s)."""
    if not isinstance(padding_convention, str) or padding_convention not in PADDING_CONVENTIONS:
        raise (ValueError if isinstance(padding_convention, str) else TypeError)(
            f"padding_convention must be one of {PADDING_CONVENTIONS} (whose explicit transposed padding: "
            f"PyTorch's crop of the output or Flax's padding of the stretched input), "
            f"got {describe(padding_convention)}"
        )
    return padding_convention


# --8<-- [start:flax_transposed_padding]
def flax_transposed_padding(
    padding: int | Sizes,
    kernel_size: int | Sizes,
    dilation: int | Sizes = 1,
    output_padding: int | Sizes = 0,
    *,
    rank: int | None = None,
) -> tuple[Pair, ...]:
    """Flax's ``nnx.ConvTranspose(padding=...)`` for PyTorch's ``ConvTranspose(padding=p,
    output_padding=op)``: ``((d (k - 1) - p, d (k - 1) - p + op), ...)`` per axis.

    PyTorch crops ``p`` from each side of the full output ``(n - 1) s + d (k - 1) + 1``; Flax
    (and ``jax.lax.conv_transpose`` without ``use_consistent_padding``) pads the stretched input
    by ``(lo, hi)`` and convolves it, so the same layer needs ``lo = d (k - 1) - p`` and
    ``op`` more after. A ``p`` above ``d (k - 1)`` gives a negative amount, which crops in
    jax as it does in :func:`flax_transposed_output_shape`. The
    rank follows from the tuples (``rank=`` when all are ints; 2 by default).
    """
    lengths = {
        len(v) for v in (padding, kernel_size, dilation, output_padding) if isinstance(v, (tuple, list))
    }
    if rank is None:
        rank = lengths.pop() if len(lengths) == 1 and lengths <= {1, 2, 3} else 2
    sides = check_padding(padding, rank)
    if isinstance(sides, str):
        raise TypeError(
            f"padding must be PyTorch's numbers (an int or one int per axis), got {describe(padding)}"
        )
    refuse_asymmetric_transposed(padding, sides)
    kernel = check_sizes("kernel_size", kernel_size, rank)
    dilations = check_sizes("dilation", dilation, rank)
    extras = check_sizes("output_padding", output_padding, rank, minimum=0)
    return tuple(
        (d * (k - 1) - p, d * (k - 1) - p + op)
        for (p, _), k, d, op in zip(sides, kernel, dilations, extras, strict=True)
    )


# --8<-- [end:flax_transposed_padding]
