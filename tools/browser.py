"""The Chromium the browser tests drive: find it, or obtain it, or say exactly what to install.

``python -m tools.browser`` is the set-up step of ``make test``. In order:

1. ``CHROMIUM_PATH`` when set (a CI runner's Chrome, say), else Debian's ``/usr/bin/chromium``,
   else a Chromium that Playwright downloaded before (``playwright install chromium``).
2. None found: as root with ``apt-get`` (Debian, this project's machines), install Debian's
   ``chromium`` package.
3. Otherwise ask Playwright to download its own Chromium, which works where the network
   allows it.
4. Still none: exit with status 1 and one message that says what to install, before any
   test runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
INSTALL_HINT = (
    "The browser tests need Chromium, and none was found or could be installed.\n"
    "Install it, then run `make test` again:\n"
    "  Debian/Ubuntu (as root):  apt-get install -y chromium\n"
    "  anywhere with internet:   .venv/bin/python -m playwright install chromium\n"
    "  or point CHROMIUM_PATH at a Chromium or Chrome executable."
)


def playwright_chromium() -> Path | None:
    """The Chromium that Playwright manages, if it was downloaded; ``None`` otherwise."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    with sync_playwright() as playwright:
        path = Path(playwright.chromium.executable_path)
    return path if path.is_file() else None


def chromium_path() -> Path:
    """Where the browser tests find Chromium (see the module); the path may not exist."""
    if configured := os.environ.get("CHROMIUM_PATH"):
        return Path(configured)
    if DEBIAN_CHROMIUM.exists():
        return DEBIAN_CHROMIUM
    return playwright_chromium() or DEBIAN_CHROMIUM


def _run(command: list[str]) -> bool:
    print("+", " ".join(command), flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    return subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=False).returncode == 0


def obtain() -> bool:
    """Try to install a Chromium: Debian's package as root, else Playwright's download."""
    if os.environ.get("CHROMIUM_PATH"):
        return False  # an explicit path that does not exist is a mistake to report, not to mask
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    apt = is_root and shutil.which("apt-get") is not None
    if apt and _run(["apt-get", "update", "-qq"]) and _run(["apt-get", "install", "-y", "-qq", "chromium"]):
        return chromium_path().exists()
    return _run([sys.executable, "-m", "playwright", "install", "chromium"]) and chromium_path().exists()


def main() -> int:
    path = chromium_path()
    if path.exists() or obtain():
        print(f"Chromium for the browser tests: {chromium_path()}")
        return 0
    where = f" (CHROMIUM_PATH={path} does not exist)" if os.environ.get("CHROMIUM_PATH") else ""
    print(INSTALL_HINT + where, file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
