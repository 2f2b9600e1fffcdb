"""Which way :func:`snippets.ops.conv` should compute a case: ``python -m benchmarks.methods``.

Times the two dense methods of ``snippets.ops`` on the same padded input, in the same process,
alternating in blocks (``benchmarks.run.time_alternating``): :func:`~snippets.ops.gemm_conv`
(gather every patch, one matrix multiply) and :func:`~snippets.ops.tap_conv` (one matrix
multiply per kernel tap on the flattened input grid, added in place by BLAS), at stride 1, the
only one ``tap_conv`` takes. Prints, per case, both times and the ratio ``tap / gemm`` (below 1:
the taps win), over a grid of ranks, channel counts and dilations, the benchmark cases of
``benchmarks.run`` among them. ``BENCH_ONLY=text`` keeps the
cases whose name contains it.
"""

from __future__ import annotations

import math
import os
import sys

import numpy as np  # noqa: E402

from benchmarks.run import machine, time_alternating  # sets the threads and the allocator first
from snippets.ops import gemm_conv, tap_conv  # noqa: E402


def grid() -> list[tuple[str, tuple[int, ...], int, int, int, int]]:
    """``(name, spatial, c_in, c_out, k, dilation)`` of each case, for one example."""
    cases = []
    for c in (16, 32, 64, 128, 256, 512):
        cases.append((f"1-D 4000x{c} -> {c}, k3", (4000,), c, c, 3, 1))
    cases += [
        ("1-D 1000x128 -> 128, k3 d4 (x8 in bench)", (1008,), 128, 128, 3, 4),
        ("1-D 16000x1 -> 512, k10", (16000,), 1, 512, 10, 1),
    ]
    for c in (3, 8, 16, 32, 64, 128, 256):
        side = 224 if c < 16 else max(14, 56 * 64 // max(c, 64))
        cases.append((f"2-D {side}x{side}x{c} -> 64, 3x3", (side + 2, side + 2), c, 64, 3, 1))
    cases += [
        ("2-D 56x56x64 -> 64, 3x3", (58, 58), 64, 64, 3, 1),
        ("2-D 28x28x128 -> 128, 3x3 d2", (32, 32), 128, 128, 3, 2),
        ("3-D 8x28x28x64 -> 64, 3x3x3", (10, 30, 30), 64, 64, 3, 1),
        ("3-D 16x56x56x3 -> 64, 3x3x3", (18, 58, 58), 3, 64, 3, 1),
    ]
    only = os.environ.get("BENCH_ONLY", "")
    return [case for case in cases if only in case[0]]


def measure(spatial, c_in, c_out, k, dilation) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    rank = len(spatial)
    xp = rng.standard_normal((1, *spatial, c_in), dtype=np.float32)
    kernel = rng.standard_normal((k,) * rank + (c_in, c_out), dtype=np.float32)
    out = tuple(n - dilation * (k - 1) for n in spatial)
    args = (xp, kernel, out, (1,) * rank, (dilation,) * rank, 1)
    np.testing.assert_allclose(
        tap_conv(*args), gemm_conv(*args), rtol=1e-3, atol=1e-3 * math.sqrt(k**rank * c_in)
    )
    return time_alternating(lambda: gemm_conv(*args), lambda: tap_conv(*args))


def main() -> int:
    print(machine())
    print("\n| case | gemm ms | taps ms | taps / gemm |\n|---|---|---|---|")
    for name, *sizes in grid():
        gemm, taps = measure(*sizes)
        print(f"| {name} | {gemm * 1e3:.2f} | {taps * 1e3:.2f} | {taps / gemm:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
