"""Output shapes and padding of 2D convolutions, channels-last, as Keras and PyTorch compute them.

Padding given as a string (``"valid"``, ``"same"``) follows Keras/TensorFlow; padding given as
numbers follows PyTorch's ``padding=`` argument. Both are resolved to the explicit
``((top, bottom), (left, right))`` amounts by :func:`padding_amounts`.
"""

# --8<-- [start:imports]
from __future__ import annotations

import math

from snippets._validate import (
    Pair,
    check_input_shape,
    check_int,
    check_pair,
    describe,
    is_plain_int,
)

# "valid" | "same" | p | (ph, pw) | ((top, bottom), (left, right))
PaddingSpec = str | int | tuple
# --8<-- [end:imports]

PADDING_STRINGS = ("valid", "same")
PADDING_ALLOWED = (
    "'valid', 'same', an int >= 0, a pair (ph, pw) of ints >= 0 "
    "or ((top, bottom), (left, right)) of ints >= 0"
)


# --8<-- [start:effective_kernel_size]
def effective_kernel_size(kernel_size: int | Pair, dilation_rate: int | Pair) -> int | Pair:
    """Span of a dilated kernel: ``k_eff = k + (k - 1)(d - 1) = d (k - 1) + 1``.

    Keras' ``dilation_rate`` and PyTorch's ``dilation`` both mean ``d``. Ints give an int,
    pairs give an ``(h, w)`` pair.
    """
    kernel = check_pair("kernel_size", kernel_size)
    dilation = check_pair("dilation_rate", dilation_rate)
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
    if is_plain_int(kernel_size) and is_plain_int(dilation_rate):
        return span[0]
    return span


# --8<-- [end:effective_kernel_size]


def _same_padding(size: int, span: int, stride: int) -> Pair:
    """Keras/TF 'same': output ``ceil(n / s)``, total padding
    ``max((out - 1) s + k_eff - n, 0)``, the odd pixel after (bottom/right)."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + span - size, 0)
    return (total // 2, total - total // 2)


def _explicit_padding(padding: PaddingSpec) -> tuple[Pair, Pair]:
    """``((top, bottom), (left, right))`` from an int, an ``(ph, pw)`` pair or the nested form."""
    if is_plain_int(padding):
        ph, pw = check_pair("padding", padding, minimum=0)
        return ((ph, ph), (pw, pw))
    if isinstance(padding, (tuple, list)) and len(padding) == 2:
        if all(map(is_plain_int, padding)):
            ph, pw = check_pair("padding", padding, minimum=0)
            return ((ph, ph), (pw, pw))
        if all(isinstance(side, (tuple, list)) for side in padding):
            rows, cols = (check_pair("padding", side, minimum=0) for side in padding)
            return (rows, cols)
    if isinstance(padding, str):
        raise ValueError(f"padding must be {PADDING_ALLOWED}, got {describe(padding)}")
    raise TypeError(f"padding must be {PADDING_ALLOWED}, got {describe(padding)}")


def _refuse_strided_dilation(stride: Pair, dilation: Pair) -> None:
    """Keras refuses string padding with both stride > 1 and dilation > 1."""
    if max(stride) > 1 and max(dilation) > 1:
        raise ValueError(
            f"stride and dilation cannot both exceed 1 with 'valid'/'same' padding "
            f"(Keras refuses it), got stride={stride}, dilation={dilation}; "
            f"give the padding as numbers for PyTorch semantics"
        )


# --8<-- [start:padding_amounts]
def padding_amounts(
    input_shape: tuple[int, int, int],
    kernel_size: int | Pair,
    stride: int | Pair = 1,
    padding: PaddingSpec = "valid",
    *,
    dilation: int | Pair = 1,
) -> tuple[Pair, Pair]:
    """Zeros added on each side, ``((top, bottom), (left, right))``.

    ``"valid"`` adds none. ``"same"`` (Keras/TF) makes the output ``ceil(n / s)``:
    the total ``max((ceil(n / s) - 1) s + k_eff - n, 0)`` is split with the odd pixel
    at the bottom/right. Numbers are PyTorch's ``padding=``: ``p`` on every side.
    """
    height, width, _ = check_input_shape("input_shape", input_shape)
    kernel = check_pair("kernel_size", kernel_size)
    strides = check_pair("stride", stride)
    dilations = check_pair("dilation", dilation)
    if padding == "valid":
        _refuse_strided_dilation(strides, dilations)
        return ((0, 0), (0, 0))
    if padding == "same":
        _refuse_strided_dilation(strides, dilations)
        spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilations, strict=True)]
        return (
            _same_padding(height, spans[0], strides[0]),
            _same_padding(width, spans[1], strides[1]),
        )
    return _explicit_padding(padding)


# --8<-- [end:padding_amounts]


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
    input_shape: tuple[int, int, int],
    filters: int,
    kernel_size: int | Pair,
    stride: int | Pair = 1,
    padding: PaddingSpec = "valid",
    *,
    dilation: int | Pair = 1,
) -> tuple[int, int, int]:
    """Output ``(H_out, W_out, filters)`` of a 2D convolution, per axis

    ``out = floor((n + pad_before + pad_after - d (k - 1) - 1) / s) + 1``

    with the padding of :func:`padding_amounts`. ``"same"`` gives ``ceil(n / s)`` as in
    Keras/TF; numbers give what ``torch.nn.Conv2d(padding=p)`` gives.
    """
    check_int("filters", filters)
    height, width, _ = check_input_shape("input_shape", input_shape)
    pads = padding_amounts(input_shape, kernel_size, stride, padding, dilation=dilation)
    kernel, strides, dilations = (
        check_pair(*arg) for arg in [("kernel_size", kernel_size), ("stride", stride), ("dilation", dilation)]
    )
    out_height, out_width = (
        _conv_length(axis, size, pad, k, d, s)
        for axis, size, pad, k, d, s in zip(
            ("height", "width"), (height, width), pads, kernel, dilations, strides, strict=True
        )
    )
    return (out_height, out_width, int(filters))


# --8<-- [end:conv_output_shape]


def _transposed_length_keras(size: int, span: int, stride: int, padding: str, extra: int | None) -> int:
    """Keras ``Conv2DTranspose``: 'same' ``n s``, 'valid' ``n s + max(k_eff - s, 0)``;
    with ``output_padding``: ``(n - 1) s + k_eff - 2 floor(k_eff / 2) + op`` ('same'),
    ``(n - 1) s + k_eff + op`` ('valid')."""
    if extra is None:
        return size * stride if padding == "same" else size * stride + max(span - stride, 0)
    crop = 2 * (span // 2) if padding == "same" else 0
    return (size - 1) * stride + span - crop + extra


def _check_output_padding(output_padding: int | Pair, limits: Pair, rule: str, context: str) -> Pair:
    """``output_padding`` per axis, each ``>= 0`` and ``< limit`` (the framework's rule)."""
    extras = check_pair("output_padding", output_padding, minimum=0)
    for extra, limit in zip(extras, limits, strict=True):
        if extra >= limit:
            raise ValueError(
                f"output_padding must be smaller than {rule} on each axis, "
                f"got output_padding={describe(output_padding)} with {context}"
            )
    return extras


# --8<-- [start:transposed_output_shape]
def transposed_output_shape(
    input_shape: tuple[int, int, int],
    filters: int,
    kernel_size: int | Pair,
    stride: int | Pair,
    padding: PaddingSpec = "valid",
    *,
    output_padding: int | Pair | None = None,
    dilation: int | Pair = 1,
) -> tuple[int, int, int]:
    """Output ``(H_out, W_out, filters)`` of a transposed 2D convolution.

    Numbers (PyTorch ``ConvTranspose2d``): ``out = (n - 1) s - 2 p + d (k - 1) + op + 1``,
    ``op < max(s, d)``. ``"same"``/``"valid"`` (Keras ``Conv2DTranspose``): ``n s`` and
    ``n s + max(k_eff - s, 0)`` without ``output_padding``, ``op < s``. The default is
    ``"valid"``, as in Keras (``padding=0`` in PyTorch, the same size when ``k_eff >= s``) and
    in ``conv_output_shape``: pass ``"same"`` for ``n s``.
    """
    check_int("filters", filters)
    height, width, _ = check_input_shape("input_shape", input_shape)
    kernel = check_pair("kernel_size", kernel_size)
    strides = check_pair("stride", stride)
    dilations = check_pair("dilation", dilation)
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilations, strict=True)]
    if padding in PADDING_STRINGS:
        _refuse_strided_dilation(strides, dilations)
        extras = (
            (None, None)
            if output_padding is None
            else _check_output_padding(output_padding, strides, "stride", f"stride={strides}")
        )
        sizes = [
            _transposed_length_keras(n, span, s, padding, op)
            for n, span, s, op in zip((height, width), spans, strides, extras, strict=True)
        ]
    else:
        (top, bottom), (left, right) = _explicit_padding(padding)
        if top != bottom or left != right:
            raise ValueError(
                f"padding must be symmetric for a transposed convolution (an int or "
                f"(ph, pw), as in PyTorch), got {describe(padding)}"
            )
        limits = tuple(max(s, d) for s, d in zip(strides, dilations, strict=True))
        extras = _check_output_padding(
            0 if output_padding is None else output_padding,
            limits,
            "max(stride, dilation)",
            f"stride={strides}, dilation={dilations}",
        )
        sizes = [
            (n - 1) * s - 2 * p + span + op
            for n, s, p, span, op in zip((height, width), strides, (top, left), spans, extras, strict=True)
        ]
    for axis, size in zip(("height", "width"), sizes, strict=True):
        if size < 1:
            raise ValueError(
                f"padding {describe(padding)} crops the {axis} to {size}; "
                f"padding must leave at least 1 output pixel"
            )
    return (sizes[0], sizes[1], int(filters))


# --8<-- [end:transposed_output_shape]
