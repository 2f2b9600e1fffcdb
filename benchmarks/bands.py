"""Whether ``tap_conv`` should pack output planes into one band: ``python -m benchmarks.bands``.

In 3-D the output rows of :func:`snippets.ops.tap_conv`'s flattened grid come in runs, one per
output plane, with padding rows between them (:func:`~snippets.ops._output_blocks`). Each band
costs one BLAS product per kernel tap. :func:`~snippets.ops._packed_bands` lets consecutive
planes share a band while they fit in one, computing the padding rows between them. This
script times each layer both ways in the same process, alternating in blocks
(``benchmarks.run.time_alternating``): one band per plane (each plane cut into bands as
before), and packed. Prints both times and ``packed / per plane`` (below 1: packing wins).
"""

from __future__ import annotations

import sys

import numpy as np

from benchmarks.run import machine, time_alternating  # sets the threads and the allocator first
from snippets import ops

PACKED_BANDS = ops._packed_bands  # the rule in use, kept while measure() swaps in per_plane


def per_plane(blocks: list[tuple[int, int]], band: int) -> list[tuple[int, int]]:
    """Every run of ``blocks`` in bands of its own, never sharing one: the rule before packing
    (``_packed_bands`` of one run alone only cuts it)."""
    return [piece for run in blocks for piece in PACKED_BANDS([run], band)]


def layers() -> list[tuple[str, object]]:
    """``(name, call)`` of each 3-D layer: transposed3d and conv3d 1x8x56x56x64 of ``benchmarks.run``,
    and a small volume."""
    rng = np.random.default_rng(0)

    def normal(*shape):
        return rng.standard_normal(shape, dtype=np.float32)

    x_t, k_t = normal(1, 4, 14, 14, 128), normal(4, 4, 4, 64, 128)
    x_c, k_c = normal(1, 8, 56, 56, 64), normal(3, 3, 3, 64, 64)
    x_s, k_s = normal(2, 6, 20, 20, 32), normal(3, 3, 3, 32, 32)
    return [
        ("transposed3d 1x4x14x14x128 -> 64, 4x4x4 s2 same", lambda: ops.conv_transpose(x_t, k_t, stride=2, padding="same")),
        ("conv3d 1x8x56x56x64 -> 64, 3x3x3 same", lambda: ops.conv(x_c, k_c, padding="same")),
        ("conv3d 2x6x20x20x32 -> 32, 3x3x3 same", lambda: ops.conv(x_s, k_s, padding="same")),
    ]  # fmt: skip


def measure(call) -> tuple[float, float]:
    """Seconds of ``call`` with one band per plane, then with packed planes (the same output)."""

    def unpacked():
        ops._packed_bands = per_plane
        try:
            return call()
        finally:
            ops._packed_bands = PACKED_BANDS

    np.testing.assert_allclose(unpacked(), call(), rtol=1e-4, atol=1e-3)
    return time_alternating(unpacked, call)


def main() -> int:
    print(machine())
    print("\n| layer | per plane ms | packed ms | packed / per plane |\n|---|---|---|---|")
    for name, call in layers():
        alone, packed = measure(call)
        print(f"| {name} | {alone * 1e3:.2f} | {packed * 1e3:.2f} | {packed / alone:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
