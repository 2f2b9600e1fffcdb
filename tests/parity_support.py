"""What the parity tests share: run a framework call, and check that snippets agrees with it."""

from __future__ import annotations

import pytest
from hypothesis import event
from hypothesis.control import currently_in_test_context

# What a framework raises when it refuses a configuration.
REFUSALS = (RuntimeError, ValueError)


def outcome(call):
    """What ``call()`` returns, or the exception the framework raised refusing it."""
    try:
        return call()
    except REFUSALS as refusal:
        return refusal


def assert_agrees(framework: str, expected, snippets_call) -> None:
    """snippets gives the framework's answer, or raises ``ValueError`` where the framework refused."""
    if isinstance(expected, Exception):
        event(f"{framework} refuses")
        with pytest.raises(ValueError):
            snippets_call()
    else:
        event(f"{framework} accepts")
        assert snippets_call() == expected


def torch_answer(call):
    """What torch computes: ``call()`` on its default CPU path (oneDNN), unless torch's own
    reference kernels (``torch.backends.mkldnn.flags(enabled=False)``) give another answer;
    then theirs, with a hypothesis event, so a float32 comparison is with what torch means.

    Measured on torch 2.13.0+cpu (AMD EPYC, one intra-op thread, as these tests run): a
    conv3d of a ``(1, 1, 4, 5, 4)`` input with a 4x4x4 kernel and stride (1, 1, 3) returns
    uninitialised memory for its second output (3.1e32 without a bias, 11.10 with one,
    where the sum is -1.20); with two threads or without oneDNN it is right
    (``tests/test_parity_keras_ranks.py::test_torchs_one_thread_conv3d_case``). Related:
    pytorch/pytorch#169688, a bf16 conv3d wrong when the innermost output is 1 and its
    stride above 1.
    """
    import numpy as np
    import torch

    default = call()
    with torch.backends.mkldnn.flags(enabled=False):
        reference = call()
    scale = 1.0 + float(np.max(np.abs(reference), initial=0.0))
    if np.max(np.abs(default - reference), initial=0.0) > 1e-3 * scale:
        if currently_in_test_context():  # a hypothesis test: count the cases
            event("torch's oneDNN path disagreed with its reference kernel")
        return reference
    return default
