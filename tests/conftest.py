"""Shared fixtures: the Hypothesis profiles of the parity tests and the built site.

``ci`` (selected when the ``CI`` environment variable is set): 2,000 examples per
property, derandomized so every CI run checks the same cases, no deadline (the first
example of a test pays for importing and warming up torch/keras). ``dev`` (default):
200 examples, random, for quick local runs. ``HYPOTHESIS_PROFILE`` picks one by name.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    build_site,
    serve,
    site_prefix,
    start_background_build,
    wait_for_background_build,
)
from hypothesis import HealthCheck, settings

from tools.browser import INSTALL_HINT

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


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, the controller starts the one site build of the session in the
    background before the workers start, so it runs while they run the other tests; every
    worker's ``built_site`` then waits for it (``SITE_UNDER_BUILD``)."""
    parallel = getattr(config.option, "numprocesses", None)
    if hasattr(config, "workerinput") or not parallel or os.environ.get("BROWSER_TESTS_SITE"):
        return
    out = Path(tempfile.mkdtemp(prefix="conv-guide-site-")) / "site"
    config._site_build = start_background_build(out)  # type: ignore[attr-defined]
    os.environ["SITE_UNDER_BUILD"] = str(out)


def pytest_unconfigure(config: pytest.Config) -> None:
    build = getattr(config, "_site_build", None)
    if build is not None and build.poll() is None:
        build.kill()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built once per session with ``mkdocs build --strict`` (for the site and browser
    tests): in the background under pytest-xdist (see ``pytest_configure``), else here.
    ``BROWSER_TESTS_SITE=<dir>`` uses a site built before instead, to iterate quickly."""
    if prebuilt := os.environ.get("BROWSER_TESTS_SITE"):
        return Path(prebuilt)
    if under_build := os.environ.get("SITE_UNDER_BUILD"):
        return wait_for_background_build(Path(under_build))
    out = tmp_path_factory.mktemp("site")
    build_site(out)
    return out


# ---------------------------------------------------------------- browser fixtures (any test file)
@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. {INSTALL_HINT}",
            pytrace=False,
        )
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def base_url(built_site: Path):
    with serve(built_site, site_prefix()) as url:
        yield url


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"console errors: {errors}"
