"""What Keras and PyTorch accept and refuse, in one place, with the message of each refusal.

``snippets`` computes both frameworks at once: string padding (``'valid'``, ``'same'``,
``'causal'``) means Keras, numbers mean PyTorch's ``padding=``. Each framework then refuses
some layers the arithmetic could compute. This module holds those rules, and nothing else
does: the shape and pooling functions of the package call the ones that follow from the
spelling (:func:`refuse_strided_dilation`, :func:`refuse_causal`,
:func:`check_pool_padding`, :func:`check_padding_mode_reach`), and :func:`check_layer` adds
those of one framework named outright (what the calculator and the pages apply). Every
refusal is a :class:`Refusal`, a ``ValueError`` that names the argument it is about.
"""

from __future__ import annotations

from snippets._validate import AXES, RANKS, Pair, Sizes, check_rank, check_sizes, describe

#: The frameworks, as their names are written in prose.
FRAMEWORKS = {"keras": "Keras", "pytorch": "PyTorch"}
#: The layer kinds whose rules are kept here.
KINDS = ("conv", "depthwise", "separable", "transposed", "maxpool", "avgpool")
#: ``padding_mode`` values, PyTorch's: what the padded border holds.
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
#: The ranks in which Keras has the layer (every rank where it is not listed).
KERAS_RANKS = {"depthwise": (1, 2), "separable": (1, 2)}
# Class names with "#" for the rank; "1×1" is the pointwise kernel, written for the rank.
_CLASSES = {
    "keras": {
        "conv": "Conv#D",
        "depthwise": "DepthwiseConv#D",
        "separable": "SeparableConv#D",
        "transposed": "Conv#DTranspose",
        "maxpool": "MaxPooling#D",
        "avgpool": "AveragePooling#D",
    },
    "pytorch": {
        "conv": "Conv#d",
        "depthwise": "Conv#d(groups=C)",
        "separable": "depthwise + 1×1 Conv#d",
        "transposed": "ConvTranspose#d",
        "maxpool": "MaxPool#d",
        "avgpool": "AvgPool#d",
    },
}
_POINTWISE = {1: "1", 2: "1×1", 3: "1×1×1"}


class Refusal(ValueError):
    """A framework refuses the layer. ``argument`` is the argument the message is about
    (``"padding"``, ``"dilation"`` ...), None when the layer itself does not exist."""

    def __init__(self, argument: str | None, message: str) -> None:
        super().__init__(message)
        self.argument = argument
        self.message = message


def _check_choice(name: str, value, allowed) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise (ValueError if isinstance(value, str) else TypeError)(
            f"{name} must be one of {tuple(allowed)}, got {describe(value)}"
        )
    return value


def layer_class(framework: str, kind: str, rank: int = 2) -> str:
    """The framework's class for the layer in ``rank`` dimensions: ``Conv1D``, ``ConvTranspose3d`` ..."""
    template = _CLASSES[_check_choice("framework", framework, FRAMEWORKS)][_check_choice("kind", kind, KINDS)]
    rank = check_rank("rank", rank)
    return template.replace("1×1", _POINTWISE[rank]).replace("#", str(rank))


# --------------------------------------------------------------- rules that follow from the spelling
def refuse_strided_dilation(stride: Sizes, dilation: Sizes, layer: str) -> None:
    """Keras' Conv and ConvTranspose layers refuse stride > 1 together with dilation > 1, with
    either padding string; its DepthwiseConv and SeparableConv layers accept it
    (``layer="depthwise"``/``"separable"``), and so does PyTorch with numeric padding."""
    if layer == "conv" and max(stride) > 1 and max(dilation) > 1:
        raise Refusal(
            "dilation",
            f"stride and dilation cannot both exceed 1 with string padding "
            f"(Keras' Conv and ConvTranspose layers refuse it), got stride={stride}, dilation={dilation}; "
            f"give the padding as numbers for PyTorch semantics",
        )


def padding_allowed(rank: int, causal: bool = True) -> str:
    """The padding a shape function takes in ``rank`` dimensions, in words."""
    per_axis = {1: "a tuple (p,)", 2: "a pair (ph, pw)", 3: "a tuple (pd, ph, pw)"}[rank]
    sides = {1: "((before, after),)", 2: "((top, bottom), (left, right))"}.get(
        rank, "((front, back), (top, bottom), (left, right))"
    )
    strings = "'valid', 'same', 'causal'" if rank == 1 and causal else "'valid', 'same'"
    return f"{strings}, an int >= 0, {per_axis} of ints >= 0 or {sides} of ints >= 0"


def refuse_causal(rank: int, where: str) -> None:
    """'causal' exists in Keras' Conv1D only: not in 2-D or 3-D, depthwise, separable or transposed."""
    raise Refusal(
        "padding",
        f"padding must be {padding_allowed(rank, causal=False)} for {where} ('causal' exists only "
        f"in 1-D convolutions, Keras' Conv1D), got 'causal'",
    )


def check_pool_padding(padding, sides: tuple[Pair, ...], pool: Sizes) -> tuple[Pair, ...]:
    """PyTorch's pools take ``p`` on both sides of an axis, at most ``k // 2`` (the pool size,
    whatever the dilation); ``padding`` is the argument as given, for the message."""
    for axis, (before, after), k in zip(AXES[len(pool)], sides, pool, strict=True):
        if before != after or before > k // 2:
            raise Refusal(
                "padding",
                f"padding must be at most half the pool size on each side, the same on both (PyTorch "
                f"refuses more), got {describe(padding)}: {before}, {after} on the {axis} for pool size {k}",
            )
    return sides


def check_padding_mode_reach(padding_mode: str, spatial: Sizes, pads: tuple[Pair, ...]) -> None:
    """PyTorch's ``padding_mode`` reach: reflect padding must be smaller than the axis,
    circular padding at most the axis (it wraps once); replicate and zeros take any."""
    for axis, size, sides in zip(AXES[len(spatial)], spatial, pads, strict=True):
        too_far = max(sides) >= size if padding_mode == "reflect" else max(sides) > size
        if padding_mode in ("reflect", "circular") and too_far:
            rule = "smaller than" if padding_mode == "reflect" else "at most"
            raise Refusal(
                "padding",
                f"padding must be {rule} the input along each axis with padding_mode={padding_mode!r} "
                f"(PyTorch refuses it), got padding {sides} on the {axis} of size {size}",
            )


def check_output_padding(output_padding, limits: Sizes, rule: str, context: str) -> Sizes:
    """``output_padding`` per axis, each ``>= 0`` and ``< limit``: the stride in Keras'
    ``ConvTranspose`` layers, ``max(stride, dilation)`` in PyTorch's (``rule`` says which)."""
    extras = check_sizes("output_padding", output_padding, len(limits), minimum=0)
    for extra, limit in zip(extras, limits, strict=True):
        if extra >= limit:
            raise Refusal(
                "output_padding",
                f"output_padding must be smaller than {rule} on each axis, "
                f"got output_padding={describe(output_padding)} with {context}",
            )
    return extras


def refuse_asymmetric_transposed(padding, sides: tuple[Pair, ...]) -> None:
    """PyTorch's ``ConvTranspose`` crops ``p`` from both sides of an axis: one int per axis, never a pair."""
    if any(before != after for before, after in sides):
        raise Refusal(
            "padding",
            f"padding must be symmetric for a transposed convolution (an int or one int per "
            f"axis, as in PyTorch), got {describe(padding)}",
        )


def refuse_pool_causal(padding) -> None:
    """Neither framework's pools have 'causal'."""
    if padding == "causal":
        raise Refusal(
            "padding", f"padding must be 'valid', 'same' or numbers for pooling, got {describe(padding)}"
        )


def refuse_same_pool_dilation(dilation, dilations: Sizes) -> None:
    """Keras' pools, the only ones with 'same', have no dilation (PyTorch's MaxPool has it, with numbers)."""
    if max(dilations) > 1:
        raise Refusal(
            "dilation", f"dilation must be 1 with 'same' pooling (Keras' pools have none), got {dilation!r}"
        )


# --------------------------------------------------------------- rules of one framework named outright
def _keras_rules(kind: str, rank: int, padding, padding_mode: str) -> None:
    cls = layer_class("keras", kind, rank)
    if rank not in KERAS_RANKS.get(kind, RANKS):
        raise Refusal(
            None,
            f"Keras has no {cls} (its depthwise and separable layers are 1-D and 2-D); "
            f"PyTorch has {layer_class('pytorch', kind, rank)}",
        )
    if not isinstance(padding, str):
        words = "'valid', 'same' or 'causal'" if rank == 1 and kind == "conv" else "'valid' or 'same'"
        raise Refusal(
            "padding",
            f"padding must be {words} in Keras (explicit zeros need a ZeroPadding{rank}D "
            f"layer before it), got {padding}",
        )
    if kind.endswith("pool") and padding == "causal":
        raise Refusal(
            "padding",
            f"padding must be 'valid' or 'same' for {cls} (Keras documents no 'causal' for pools; "
            f"Keras 3.15 takes the word and pools as 'valid'), got 'causal'",
        )
    if padding_mode != "zeros":
        raise Refusal(
            "padding_mode",
            f"padding_mode must be 'zeros' in Keras (its layers pad with zeros only; the other "
            f"modes are PyTorch's), got {describe(padding_mode)}",
        )


def _pytorch_rules(kind: str, rank: int, padding, stride: int, pool_size: int, padding_mode: str) -> None:
    cls = layer_class("pytorch", kind, rank)
    if (kind == "transposed" or kind.endswith("pool")) and isinstance(padding, str):
        raise Refusal(
            "padding", f"padding must be an int >= 0 for {cls} (it has no 'valid' or 'same'), got {padding!r}"
        )
    if padding == "causal":
        raise Refusal("padding", "Invalid padding string 'causal', should be one of {'same', 'valid'}")
    if padding == "same" and stride > 1:
        raise Refusal("padding", "padding='same' is not supported for strided convolutions")
    if kind.endswith("pool"):
        check_pool_padding(padding, ((padding, padding),) * rank, (pool_size,) * rank)
    if kind == "transposed" and padding_mode != "zeros":
        _check_choice("padding_mode", padding_mode, PADDING_MODES)
        raise Refusal("padding_mode", f'Only "zeros" padding mode is supported for {cls}')


def check_layer(
    framework: str,
    kind: str,
    rank: int,
    padding: str | int,
    *,
    kernel_size: int,
    stride: int = 1,
    padding_mode: str = "zeros",
) -> str | int:
    """Refuse what ``framework`` refuses for this layer (a :class:`Refusal` with its message),
    else return the padding for the shape functions: PyTorch's ``'valid'`` is ``0``.

    Keras: no depthwise or separable layer in 3-D, no numeric padding (a ``ZeroPadding`` layer
    does that), no 'causal' pooling (which Keras 3.15 silently computes as 'valid'), zeros only. PyTorch: numbers only for transposed layers
    and pools, no 'causal', no 'same' at stride > 1, pool padding at most ``k // 2``, zeros only
    for transposed layers. The rules that follow from the spelling alone (stride with dilation,
    'causal' outside Conv1D, the padding modes' reach) are the shape functions' own.
    """
    framework, kind = _check_choice("framework", framework, FRAMEWORKS), _check_choice("kind", kind, KINDS)
    rank = check_rank("rank", rank)
    if framework == "keras":
        _keras_rules(kind, rank, padding, padding_mode)
        return padding
    _pytorch_rules(kind, rank, padding, stride, kernel_size, padding_mode)
    return 0 if padding == "valid" else padding


def accepts_padding(framework: str, kind: str, padding: str | int, stride: int = 1) -> bool:
    """Whether ``framework`` has such a padding for the layer at all: Keras takes only strings;
    PyTorch's pools and transposed layers take only numbers, its 'same' needs stride 1 and it
    has no 'causal'."""
    framework, kind = _check_choice("framework", framework, FRAMEWORKS), _check_choice("kind", kind, KINDS)
    if framework == "keras":
        return isinstance(padding, str)
    if kind == "transposed" or kind.endswith("pool"):
        return not isinstance(padding, str)
    return not (padding == "causal" or (padding == "same" and stride > 1))
