"""Measuring time honestly: the median of repeated runs after warm-up, and the machine it ran on.

Timings are measurements, not results: they change from run to run and machine to machine, so
the labs print them with :func:`machine` and no test compares them with a fixed value.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable


def machine() -> str:
    """One line naming the machine: ``machine: <platform>, <architecture>, <n> CPUs``."""
    return f"machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs"


def median_ms(run: Callable[[], object], repeats: int = 15, warmup: int = 2) -> float:
    """Median wall time of ``run()`` in milliseconds over ``repeats`` calls, after ``warmup`` calls."""
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)
