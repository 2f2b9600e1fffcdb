"""snippets.frameworks against the frameworks themselves: every refusal it states is one that
torch or Keras makes, the layer it refuses in one framework exists in the other, and the
padding spellings it accepts are the ones the rules let through."""

from __future__ import annotations

import itertools
import os
import re

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from snippets import frameworks  # noqa: E402
from snippets.frameworks import Refusal, accepts_padding, check_layer, layer_class  # noqa: E402

pytestmark = pytest.mark.parity


def torch_layer(kind: str, rank: int, padding, *, kernel_size: int, stride: int = 1, padding_mode="zeros"):
    """The torch module for the layer (3 channels in, 6 out), built as the class wants it."""
    if kind in ("maxpool", "avgpool"):
        cls = getattr(torch.nn, f"{'MaxPool' if kind == 'maxpool' else 'AvgPool'}{rank}d")
        return cls(kernel_size, stride, padding)
    cls = getattr(torch.nn, f"{'ConvTranspose' if kind == 'transposed' else 'Conv'}{rank}d")
    groups = 3 if kind == "depthwise" else 1
    return cls(3, 6, kernel_size, stride, padding, groups=groups, padding_mode=padding_mode)


def keras_layer(kind: str, rank: int, padding, *, kernel_size: int, stride: int = 1, padding_mode="zeros"):
    names = {"conv": "Conv#D", "depthwise": "DepthwiseConv#D", "separable": "SeparableConv#D",
             "transposed": "Conv#DTranspose", "maxpool": "MaxPooling#D", "avgpool": "AveragePooling#D"}  # fmt: skip
    cls = getattr(keras.layers, names[kind].replace("#", str(rank)))
    options = {} if padding_mode == "zeros" else {"padding_mode": padding_mode}
    if kind.endswith("pool"):
        return cls(kernel_size, stride, padding, **options)
    if kind == "depthwise":
        return cls(kernel_size, stride, padding, **options)
    return cls(6, kernel_size, stride, padding, **options)


def run(build, kind: str, rank: int, padding, **options):
    """The layer's output on a (1, 3, 8, ...) input, or the exception building or calling it raised."""
    try:
        layer = build(kind, rank, padding, **options)
        if build is torch_layer:
            return layer(torch.zeros((1, 3) + (8,) * rank))
        return layer(np.zeros((1,) + (8,) * rank + (3,), dtype="float32"))
    except (ValueError, TypeError, RuntimeError, AttributeError, NotImplementedError) as error:
        return error


#: Keras 3.15 takes 'causal' in its pools and computes 'valid': snippets refuses it instead.
VALID_INSTEAD = "computes 'valid' instead"
# (framework, kind, rank, padding, options, the argument the refusal names, the framework's own
# message, None for any refusal, or VALID_INSTEAD)
REFUSALS = [
    ("keras", "depthwise", 3, "valid", {"kernel_size": 3}, None, None),
    ("keras", "separable", 3, "same", {"kernel_size": 3}, None, None),
    ("keras", "conv", 2, 1, {"kernel_size": 3}, "padding", None),
    ("keras", "maxpool", 1, "causal", {"kernel_size": 2}, "padding", VALID_INSTEAD),
    ("keras", "avgpool", 2, "causal", {"kernel_size": 3}, "padding", VALID_INSTEAD),
    ("keras", "conv", 2, "same", {"kernel_size": 3, "padding_mode": "reflect"}, "padding_mode", None),
    ("pytorch", "transposed", 2, "same", {"kernel_size": 3}, "padding", None),
    ("pytorch", "maxpool", 2, "valid", {"kernel_size": 2}, "padding", None),
    ("pytorch", "conv", 1, "causal", {"kernel_size": 3},
     "padding", "Invalid padding string 'causal', should be one of {'same', 'valid'}"),
    ("pytorch", "conv", 2, "same", {"kernel_size": 3, "stride": 2},
     "padding", "padding='same' is not supported for strided convolutions"),
    ("pytorch", "maxpool", 2, 2, {"kernel_size": 3}, "padding", None),
    ("pytorch", "avgpool", 3, 2, {"kernel_size": 2}, "padding", None),
    ("pytorch", "transposed", 2, 1, {"kernel_size": 3, "padding_mode": "reflect"},
     "padding_mode", 'Only "zeros" padding mode is supported for ConvTranspose2d'),
]  # fmt: skip
BUILD = {"keras": keras_layer, "pytorch": torch_layer}


def unordered(message: str) -> str:
    """The message with each printed set's items sorted: torch prints a Python set, whose
    order changes with the hash seed ("{'same', 'valid'}" or "{'valid', 'same'}")."""
    return re.sub(r"\{([^{}]*)\}", lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", message)


@pytest.mark.parametrize(("framework", "kind", "rank", "padding", "options", "argument", "own"), REFUSALS)
def test_each_refusal_is_the_frameworks_own(framework, kind, rank, padding, options, argument, own):
    with pytest.raises(Refusal) as refused:
        check_layer(framework, kind, rank, padding, **options)
    assert refused.value.argument == argument
    theirs = run(BUILD[framework], kind, rank, padding, **options)
    if own == VALID_INSTEAD:
        valid = run(BUILD[framework], kind, rank, "valid", **options)
        assert theirs.shape == valid.shape and "'valid'" in str(refused.value)
        return
    assert isinstance(theirs, Exception), f"{layer_class(framework, kind, rank)} computed {theirs.shape}"
    if own is not None:
        assert str(refused.value) == own
        assert unordered(own) == unordered(str(theirs))


@pytest.mark.parametrize("case", REFUSALS, ids=lambda case: "-".join(map(str, case[:4])))
def test_what_one_framework_refuses_the_other_spells_its_own_way(case):
    """Each refused layer exists in the other framework, given in that framework's spelling."""
    framework, kind, rank, padding, options, *_ = case
    other = "pytorch" if framework == "keras" else "keras"
    for spelling in ["valid", "same", 0, 1]:
        try:
            check_layer(other, kind, rank, spelling, **{**options, "padding_mode": "zeros"})
        except Refusal:
            continue
        out = run(BUILD[other], kind, rank, spelling, **{**options, "padding_mode": "zeros"})
        assert not isinstance(out, Exception), (other, kind, rank, spelling, out)
        return
    pytest.fail(f"{other} accepts no spelling of {kind} in {rank}-D with {options}")


@pytest.mark.parametrize(
    ("framework", "kind", "padding", "stride"),
    list(
        itertools.product(frameworks.FRAMEWORKS, frameworks.KINDS, ["valid", "same", "causal", 0, 1], [1, 2])
    ),
)
def test_accepts_padding_is_what_check_layer_lets_through(framework, kind, padding, stride):
    """A spelling accepts_padding turns down is refused by check_layer for its padding; one it
    takes passes check_layer's spelling rules (a rule on the size may still refuse it)."""
    try:
        check_layer(framework, kind, 1, padding, kernel_size=3, stride=stride)
    except Refusal as refusal:
        refused_spelling = refusal.argument == "padding" and "half the pool size" not in refusal.message
    else:
        refused_spelling = False
    if kind.endswith("pool") and padding == "causal" and framework == "keras":
        assert refused_spelling  # Keras' pools have no 'causal'; accepts_padding asks only strings
        return
    assert accepts_padding(framework, kind, padding, stride) is not refused_spelling


def test_layer_class_names_the_frameworks_classes():
    for framework, kind, rank in itertools.product(frameworks.FRAMEWORKS, frameworks.KINDS, (1, 2, 3)):
        name = layer_class(framework, kind, rank)
        module = keras.layers if framework == "keras" else torch.nn
        simple = name.split("(")[0].split(" ")[-1]
        exists = hasattr(module, simple)
        assert exists == (framework == "pytorch" or rank in frameworks.KERAS_RANKS.get(kind, (1, 2, 3))), name


def test_bad_framework_and_kind_are_named():
    with pytest.raises(ValueError, match=r"framework must be one of \('keras', 'pytorch'\), got 'jax'"):
        check_layer("jax", "conv", 2, "same", kernel_size=3)
    with pytest.raises(ValueError, match=r"kind must be one of .*'conv'.*got 'pool'"):
        layer_class("keras", "pool", 2)
    with pytest.raises(ValueError, match="rank must be 1, 2 or 3"):
        check_layer("keras", "conv", 4, "same", kernel_size=3)
