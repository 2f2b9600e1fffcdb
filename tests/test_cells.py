"""snippets.cells against the layers themselves: the receptive field ``receptive_cells`` gives
is the set of input positions whose value changes the output, found by running the stack
(snippets.ops, all-ones kernels, so no contribution can cancel another) on one-hot inputs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from snippets import conv_output_shape, transposed_output_shape
from snippets.cells import (
    AxisMap,
    layer_maps,
    overlap_counts_along,
    receptive_cells,
    scatter_writes,
    sources,
    window_reads,
)
from snippets.geometry import gridding_holes, overlap_counts
from snippets.ops import conv, conv_transpose
from snippets.pooling import pool_output_shape, pool_padding
from snippets.receptive import conv_geometry, receptive_fields


def _layer(kind: str, kernels: int, paddings: int, dilations: int):
    """One layer of ``kind``: kernel 1..kernels, stride 1..3, dilation 1..dilations, a padding word or 0..paddings."""
    numbers = st.integers(0, paddings) if paddings else st.nothing()
    return st.fixed_dictionaries(
        {
            "kind": st.just(kind),
            "k": st.integers(1, kernels),
            "s": st.integers(1, 3),
            "d": st.integers(1, dilations),
            "p": st.one_of(st.sampled_from(["valid", "same"]), numbers),
        }
    )


def _layers():
    kinds = st.one_of(_layer("conv", 4, 3, 2), _layer("pool", 3, 0, 1), _layer("transposed", 4, 2, 2))
    return st.lists(kinds, min_size=1, max_size=4)


def run_stack(x: np.ndarray, layers: list[dict]) -> tuple[np.ndarray, list[AxisMap]]:
    """The stack on ``x`` (batch, length, 1) with all-ones kernels, and its axis maps."""
    maps = []
    for spec in layers:
        shape, k, s, p = x.shape[1:], spec["k"], spec["s"], spec["p"]
        d = spec.get("d", 1)
        if isinstance(p, str) and s > 1 and d > 1:
            d = 1  # Keras refuses string padding with both; the maps need not cover it
        ones = np.ones((k, 1, 1))
        if spec["kind"] == "transposed":
            out = transposed_output_shape(shape, 1, k, s, p, dilation=d)
            maps += layer_maps("transposed", shape, out, k, s, p, dilation=d)
            x = conv_transpose(x, ones, stride=s, padding=p, dilation=d)
        elif spec["kind"] == "pool":
            out = pool_output_shape(shape, k, s, p)
            maps += layer_maps("pool", shape, out, k, s, p)
            x = conv(x, ones, stride=s, padding=pool_padding(shape, k, s, p))  # a sum pool: the same windows
        else:
            out = conv_output_shape(shape, 1, k, s, p, dilation=d)
            maps += layer_maps("conv", shape, out, k, s, p, dilation=d)
            x = conv(x, ones, stride=s, padding=p, dilation=d)
        assert x.shape[1:] == out
    return x, maps


@given(size=st.integers(1, 12), layers=_layers(), data=st.data())
def test_receptive_cells_are_the_inputs_that_change_the_output(size, layers, data) -> None:
    impulses = np.eye(size)[:, :, None]  # one input per position, each a one-hot
    try:
        y, maps = run_stack(impulses, layers)
    except ValueError:
        assume(False)  # a layer that does not fit; the shape functions' own tests cover it
    o = data.draw(st.integers(0, y.shape[1] - 1))
    fields = receptive_cells(maps, len(maps), o)
    assert fields[-1].cells == {o}
    assert fields[0].cells == set(np.flatnonzero(y[:, o, 0] > 0))


@given(size=st.integers(1, 12), layers=_layers(), data=st.data())
def test_each_tensor_s_field_is_what_that_tensor_changes(size, layers, data) -> None:
    """The field in the tensor after layer t: the positions of that tensor (run from the input)
    that output o sees, found by running the rest of the stack on one-hots of that tensor."""
    try:
        y, maps = run_stack(np.zeros((1, size, 1)), layers)
    except ValueError:
        assume(False)
    t = data.draw(st.integers(0, len(layers) - 1))
    o = data.draw(st.integers(0, y.shape[1] - 1))
    width = maps[t].size_in
    rest, _ = run_stack(np.eye(width)[:, :, None], layers[t:])
    assert receptive_cells(maps, len(maps), o)[t].cells == set(np.flatnonzero(rest[:, o, 0] > 0))


@pytest.mark.parametrize("dilations", [[1, 1, 1], [1, 2, 4], [2, 2, 2], [1, 2, 5]])
def test_a_window_stack_s_field_is_the_recurrence_s_less_its_holes(dilations) -> None:
    """Windows only, away from the border: the field spans ``o S - P`` to ``o S - P + r - 1``
    (receptive_fields) and misses exactly the offsets gridding_holes names."""
    shape, maps, geometries = (64, 1), [], []
    for d in dilations:
        out = conv_output_shape(shape, 1, 3, 1, "same", dilation=d)
        maps += layer_maps("conv", shape, out, 3, 1, "same", dilation=d)
        geometries.append(conv_geometry(shape, 3, 1, "same", dilation=d))
        shape = out
    field = receptive_fields(geometries)[-1]
    o = 32
    first = o * field.stride[0] - field.padding[0]
    span = set(range(first, first + field.size[0]))
    holes = {first + j for j in gridding_holes(dilations, 3)}
    assert receptive_cells(maps, len(maps), o)[0] == (span - holes, set())


def test_window_reads_show_the_holes_of_dilation_and_the_padding() -> None:
    m = AxisMap("window", 5, 5, 3, 1, 2, 2)  # 'same' for k 3, dilation 2
    assert window_reads(m, 0) == [-2, 0, 2]
    assert sources(m, {0}) == ({0, 2}, {-2})


def test_scatter_writes_and_their_overlap_counts_agree_with_geometry() -> None:
    m = AxisMap("scatter", 4, 8, 3, 2, 1, 0)
    assert scatter_writes(m, 1) == [2, 3, 4]
    counts = overlap_counts_along(m)
    assert [counts[j] for j in sorted(counts)] == list(
        overlap_counts(4, 3, 2)[0] // overlap_counts(4, 3, 2)[0, 0]
    )


def test_after_a_transposed_layer_the_field_keeps_one_phase() -> None:
    m = AxisMap("scatter", 8, 16, 1, 2, 1, 0)  # 1-tap kernel, stride 2: odd outputs read no input
    assert receptive_cells([m], 1, 4)[0].cells == {2}
    assert receptive_cells([m], 1, 5)[0].cells == set()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: window_reads(AxisMap("window", 4, 2, 3), 2),
            "out_index must be below the axis size 2, got 2",
        ),
        (lambda: window_reads(AxisMap("scatter", 4, 8, 3), 0), "must be a window layer"),
        (lambda: scatter_writes(AxisMap("scatter", 4, 8, 3), -1), "in_index must be an int >= 0, got -1"),
        (
            lambda: receptive_cells([AxisMap("window", 4, 2, 3)], 2, 0),
            "layer must be at most the number of layers 1, got 2",
        ),
        (lambda: sources((1, 2), {0}), "axis_map must be an AxisMap"),
    ],
)
def test_bad_arguments_are_named(call, message) -> None:
    with pytest.raises((ValueError, TypeError), match=message.replace("(", r"\(").replace(")", r"\)")):
        call()
