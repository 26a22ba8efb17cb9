"""Test doubles: a hand-driven clock, fake Mastodon and Telegram servers, store URLs.

The servers (mastodon_server.py, telegram_server.py) speak real HTTP on
127.0.0.1, so the real client libraries are exercised.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator

import pytest

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


class ManualClock:
    """A clock that moves only when told (`advance`), or when someone sleeps on it."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._now = start or dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            return self._now

    def __call__(self) -> dt.datetime:
        return self.now()

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += dt.timedelta(seconds=seconds)

    def sleep(self, seconds: float, stop: threading.Event | None = None) -> None:
        if seconds > 0:
            self.advance(seconds)


def postgres_schema_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards; else skip."""
    try:
        import psycopg

        admin = psycopg.connect(PG_URL, connect_timeout=2, autocommit=True)
    except Exception as exc:  # psycopg missing, or no server
        pytest.skip(f"PostgreSQL is not reachable at {PG_URL}: {type(exc).__name__}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield f"{PG_URL}?options=-csearch_path%3D{schema}"
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """The ledger on SQLite (a file), and on PostgreSQL when one is reachable."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    else:
        yield from postgres_schema_url()
