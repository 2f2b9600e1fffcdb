"""Shared fixtures: the Hypothesis profiles of the parity tests and the built site.

``ci`` (selected when the ``CI`` environment variable is set): 2,000 examples per
property, derandomized so every CI run checks the same cases, no deadline (the first
example of a test pays for importing and warming up torch/keras). ``dev`` (default):
200 examples, random, for quick local runs. ``HYPOTHESIS_PROFILE`` picks one by name.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser_support import build_site
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


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built once per session with ``mkdocs build --strict`` (for the site and browser
    tests); ``BROWSER_TESTS_SITE=<dir>`` uses a site built before instead, to iterate quickly."""
    if prebuilt := os.environ.get("BROWSER_TESTS_SITE"):
        return Path(prebuilt)
    out = tmp_path_factory.mktemp("site")
    build_site(out)
    return out
