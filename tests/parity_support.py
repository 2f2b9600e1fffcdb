"""What the parity tests share: run a framework call, and check that snippets agrees with it."""

from __future__ import annotations

import pytest
from hypothesis import event

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
