"""Shared fixtures. Tests never reach the internet: every server they talk to is on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from fakes import ManualClock, store_url  # noqa: F401  (fixture, shared by every ledger test)

from outreach.config import BUNDLED_CONFIG, Config, load_config

ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules with a `slow` test first, the rest in their usual order.

    Under pytest-xdist (`-n auto --dist loadfile`, the README's test command) each module
    goes whole to the next idle worker in this order: a two-minute module handed out last
    would leave the other worker idle for its length. The sort is stable and the same on
    every worker, as xdist requires; without workers it changes only the order."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)


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


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def ledger(store_url: str, clock: ManualClock):  # noqa: F811
    """The ledger on each store (SQLite, and PostgreSQL when reachable), on a hand-driven clock."""
    from outreach.ledger import open_ledger

    led = open_ledger(store_url, clock)
    yield led
    led.close()


@pytest.fixture
def tg():
    """A fake Telegram Bot API on 127.0.0.1."""
    from fakes.telegram_server import FakeTelegram

    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def bot(tmp_path: Path, tg):
    """The organisers' bot (the real Application) against the fake Bot API."""
    from adminkit import Harness

    h = Harness(tmp_path, tg)
    yield h
    h.close()
