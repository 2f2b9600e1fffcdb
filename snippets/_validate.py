"""One place that checks arguments, so every function fails the same clear way.

Every check raises ``TypeError`` (wrong kind of value) or ``ValueError`` (right kind,
wrong value) with a message of the form ``"<name> must be <what is allowed>, got <value>"``.
"""

from __future__ import annotations

import numbers
from typing import Any

Pair = tuple[int, int]
Sizes = tuple[int, ...]  # one int per spatial axis
RANKS = (1, 2, 3)
#: The spatial axes of each rank, as messages name them.
AXES = {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def describe(value: Any) -> str:
    """The value as it appears in an error message: its repr, and its type when that helps."""
    if isinstance(value, (bool, float)) or not isinstance(value, (int, str, tuple, list)):
        return f"{value!r} (a {type(value).__name__})"
    return repr(value)


def _fail(name: str, allowed: str, value: Any, error: type[Exception]) -> Exception:
    return error(f"{name} must be {allowed}, got {describe(value)}")


def is_plain_int(value: Any) -> bool:
    """True for ``int`` and NumPy integers, False for ``bool`` (which Python counts as an int)."""
    if type(value) is int:  # the common case, without the abstract-class check (a layer call makes ~40)
        return True
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_int(name: str, value: Any, minimum: int = 1) -> int:
    """Return ``value`` as an ``int`` if it is an integer ``>= minimum``, else raise."""
    allowed = "a positive int" if minimum == 1 else f"an int >= {minimum}"
    if not is_plain_int(value):
        raise _fail(name, allowed, value, TypeError)
    if value < minimum:
        raise _fail(name, allowed, value, ValueError)
    return int(value)


def _sizes_allowed(rank: int, minimum: int) -> str:
    one, many = (
        ("a positive int", "positive int") if minimum == 1 else (f"an int >= {minimum}", f"int >= {minimum}")
    )
    if rank == 2:
        return f"{one} or a pair of {many.replace('int', 'ints', 1)}"
    return f"{one} or a tuple of {rank} {many.replace('int', 'ints', 1) if rank > 1 else many}"


def check_sizes(name: str, value: Any, rank: int, minimum: int = 1) -> Sizes:
    """Return one int per spatial axis from an int (used for every axis) or a tuple of ``rank`` ints
    ``>= minimum``."""
    if is_plain_int(value):
        single = check_int(name, value, minimum)
        return (single,) * rank
    if isinstance(value, (tuple, list)) and len(value) == rank and all(map(is_plain_int, value)):
        if min(value) < minimum:
            raise _fail(name, _sizes_allowed(rank, minimum), value, ValueError)
        return tuple(int(v) for v in value)
    raise _fail(name, _sizes_allowed(rank, minimum), value, TypeError)


def check_pair(name: str, value: Any, minimum: int = 1) -> Pair:
    """Return ``(h, w)`` from an int (used for both axes) or a pair of ints ``>= minimum``."""
    return check_sizes(name, value, 2, minimum)


def check_rank(name: str, value: Any) -> int:
    """Return the number of spatial axes, 1, 2 or 3."""
    if not is_plain_int(value) or int(value) not in RANKS:
        raise _fail(
            name,
            "1, 2 or 3 (the number of spatial axes)",
            value,
            TypeError if not is_plain_int(value) else ValueError,
        )
    return int(value)


def check_shape(name: str, value: Any) -> tuple[Sizes, int]:
    """Return ``(spatial, channels)`` from a channels-last shape ``(L, C)``, ``(H, W, C)`` or
    ``(D, H, W, C)`` of positive ints: the rank is ``len(value) - 1``."""
    allowed = "a channels-last shape (L, C), (H, W, C) or (D, H, W, C) of positive ints"
    if not isinstance(value, (tuple, list)) or len(value) - 1 not in RANKS:
        raise _fail(name, allowed, value, TypeError)
    if not all(map(is_plain_int, value)):
        raise _fail(name, allowed, value, TypeError)
    if min(value) < 1:
        raise _fail(name, allowed, value, ValueError)
    *spatial, channels = (int(v) for v in value)
    return tuple(spatial), channels


def check_input_shape(name: str, value: Any) -> tuple[int, int, int]:
    """Return ``(H, W, C)`` from a channels-last shape of three positive ints."""
    allowed = "a channels-last shape (H, W, C) of three positive ints"
    if not isinstance(value, (tuple, list)) or len(value) != 3:
        raise _fail(name, allowed, value, TypeError)
    if not all(map(is_plain_int, value)):
        raise _fail(name, allowed, value, TypeError)
    if min(value) < 1:
        raise _fail(name, allowed, value, ValueError)
    height, width, channels = (int(v) for v in value)
    return height, width, channels


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` if it is a ``bool``, else raise ``TypeError``."""
    if not isinstance(value, bool):
        raise _fail(name, "True or False", value, TypeError)
    return value


def check_divides(name: str, groups: int, others: dict[str, int]) -> None:
    """Raise unless ``groups`` divides every count in ``others`` (e.g. input and output channels)."""
    for other_name, count in others.items():
        if count % groups:
            raise ValueError(f"{name} must divide {other_name} ({count}), got {groups}")
