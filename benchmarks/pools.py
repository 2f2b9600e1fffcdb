"""What two BLAS thread pools cost when layers alternate: ``python -m benchmarks.pools``.

A ResNet bottleneck alternates a 3x3 and a 1x1 convolution. Each pair below is timed three
ways in the same process (``benchmarks.run.time_alternating``): the first layer alone, the
second alone, and both in turn as one call. It prints ``pair / (first + second)``, which
is 1 when the layers do not slow each other down. Every product of ``snippets.ops`` goes
through ``snippets._blas.product``, which is SciPy's BLAS. The second pair makes its 1x1 with
NumPy's ``@``, which is NumPy's own OpenBLAS, as a reader's model might. That shows what a
second pool of spinning threads costs. ``OPENBLAS_THREAD_TIMEOUT=4`` (set before Python
starts) makes both pools stop spinning sooner.
"""

from __future__ import annotations

import sys

import numpy as np  # noqa: E402

from benchmarks.run import machine, time_alternating  # sets the threads and the allocator first
from snippets.ops import conv  # noqa: E402


def pairs() -> list[tuple[str, object, object]]:
    """``(name, first, second)``: two calls a model makes one after the other."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 56, 56, 64), dtype=np.float32)
    k3 = rng.standard_normal((3, 3, 64, 64), dtype=np.float32)
    k1 = rng.standard_normal((1, 1, 64, 256), dtype=np.float32)
    flat = x.reshape(-1, 64)
    return [
        (
            "conv 3x3 56x56x64 -> 64, then conv 1x1 -> 256 (both snippets: one pool)",
            lambda: conv(x, k3, padding="same"),
            lambda: conv(x, k1),
        ),
        (
            "conv 3x3 56x56x64 -> 64, then NumPy's x @ w -> 256 (two pools)",
            lambda: conv(x, k3, padding="same"),
            lambda: flat @ k1[0, 0],
        ),
    ]


def main() -> int:
    print(machine())
    print("\n| pair | first ms | second ms | pair ms | pair / (first + second) |\n|---|---|---|---|---|")
    for name, first, second in pairs():
        alone_first, alone_second, both = time_alternating(
            first, second, lambda first=first, second=second: (first(), second())
        )
        ratio = both / (alone_first + alone_second)
        print(
            f"| {name} | {alone_first * 1e3:.2f} | {alone_second * 1e3:.2f} | {both * 1e3:.2f} | {ratio:.2f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
