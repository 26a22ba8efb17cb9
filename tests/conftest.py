"""Shared fixtures. Tests never reach the internet: every server they talk to is on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from outreach.config import BUNDLED_CONFIG, Config, load_config

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def bundled_config() -> Config:
    return load_config(BUNDLED_CONFIG, {})


@pytest.fixture
def campaign_dir(tmp_path: Path) -> Path:
    """A copy of the bundled campaign in a temporary folder, free to edit."""
    for f in BUNDLED_CONFIG.parent.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    return tmp_path


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require_chromium() -> str:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Debian's chromium: .ci/run installs it")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return path
