"""Hypothesis profiles for the parity tests.

``ci`` (selected when the ``CI`` environment variable is set): 2,000 examples per
property, derandomized so every CI run checks the same cases, no deadline (the first
example of a test pays for importing and warming up torch/keras). ``dev`` (default):
200 examples, random, for quick local runs. ``HYPOTHESIS_PROFILE`` picks one by name.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=2000,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))
