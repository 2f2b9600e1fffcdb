"""The set-up that ``make test`` does on a fresh machine: it obtains a browser or stops, before
any test runs, with one message naming what to install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tools import browser

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fresh_machine(monkeypatch, tmp_path):
    """No Chromium anywhere; every install command is recorded and fails (no network)."""
    monkeypatch.delenv("CHROMIUM_PATH", raising=False)
    monkeypatch.setattr(browser, "DEBIAN_CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setattr(browser, "playwright_chromium", lambda: None)
    tried: list[list[str]] = []
    monkeypatch.setattr(browser, "_run", lambda command: tried.append(command) or False)
    return tried


def test_without_root_it_tries_playwright_then_says_what_to_install(fresh_machine, monkeypatch, capsys):
    monkeypatch.setattr(browser.os, "geteuid", lambda: 1000)
    assert browser.main() == 1
    assert fresh_machine == [[sys.executable, "-m", "playwright", "install", "chromium"]]
    message = capsys.readouterr().err
    assert "apt-get install -y chromium" in message and "playwright install chromium" in message


def test_as_root_it_installs_debians_chromium(fresh_machine, monkeypatch):
    monkeypatch.setattr(browser.os, "geteuid", lambda: 0)
    monkeypatch.setattr(browser.shutil, "which", lambda name: f"/usr/bin/{name}")
    installed = browser.DEBIAN_CHROMIUM

    def run(command: list[str]) -> bool:
        fresh_machine.append(command)
        if command[:2] == ["apt-get", "install"]:
            installed.write_text("#!/bin/sh\n")
        return True

    monkeypatch.setattr(browser, "_run", run)
    assert browser.main() == 0
    assert fresh_machine == [["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]]


def test_a_wrong_chromium_path_is_reported_not_masked(fresh_machine, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("CHROMIUM_PATH", str(tmp_path / "chrome"))
    assert browser.main() == 1
    assert fresh_machine == []
    assert f"CHROMIUM_PATH={tmp_path / 'chrome'} does not exist" in capsys.readouterr().err


def test_an_existing_chromium_is_used(monkeypatch, tmp_path):
    executable = tmp_path / "chrome"
    executable.write_text("#!/bin/sh\n")
    monkeypatch.setenv("CHROMIUM_PATH", str(executable))
    assert browser.chromium_path() == executable and browser.main() == 0


def test_make_test_sets_up_the_browser_before_pytest():
    """``make -n test`` on a checkout whose venv is not ready lists the browser step before pytest."""
    plan = subprocess.run(
        ["make", "-n", "-B", "test"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    steps = [n for n, line in enumerate(plan) if "tools.browser" in line or "-m pytest" in line]
    assert [("tools.browser" in plan[n]) for n in steps] == [True, False], plan
