"""`outreach status`: alive while `outreach run` runs, dead after, and what is overdue.

The real service runs in a process of its own; status reads the store only.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time

from click.testing import CliRunner

from outreach.cli import cli
from outreach.ledger import open_ledger
from outreach.post import Post

NOW = dt.datetime(2026, 8, 4, 9, 59, tzinfo=dt.timezone(dt.timedelta(hours=3)))


def _status(env: dict[str, str | None], now: dt.datetime):
    result = CliRunner(env={**env, "OUTREACH_FAKE_NOW": now.isoformat()}).invoke(
        cli, ["status", "--json"]
    )
    return result.exit_code, json.loads(result.stdout)


def test_status_follows_the_running_service(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    env: dict[str, str | None] = {"OUTREACH_DB_URL": url, "OUTREACH_CONFIG": None}
    code, before = _status(env, NOW)
    assert code == 1 and before["alive"] is False and before["service"] is None

    proc = subprocess.Popen(
        [sys.executable, "-c", "from outreach.cli import main; main()", "run"],
        env={**os.environ, "OUTREACH_DB_URL": url, "OUTREACH_FAKE_NOW": NOW.isoformat()},
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            code, seen = _status(env, NOW + dt.timedelta(seconds=30))
            if seen["alive"] or time.monotonic() > deadline or proc.poll() is not None:
                break
            time.sleep(0.3)
        assert seen["alive"] is True, proc.stderr.read() if proc.poll() is not None else seen
        assert seen["service"]["pid"] == proc.pid
        assert code == 0 and seen["ok"] is True
        assert [c["id"] for c in seen["channels"]] == ["mastodon-en", "telegram-ru", "telegram-be"]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0

    # Ten minutes later, with no sign of life since: dead, and said so in words.
    later = NOW + dt.timedelta(minutes=10)
    code, after = _status(env, later)
    assert code == 1 and after["alive"] is False and after["service"]["pid"] == proc.pid
    words = CliRunner(env={**env, "OUTREACH_FAKE_NOW": later.isoformat()}).invoke(cli, ["status"])
    assert "NOT RUNNING: the last sign of life of outreach run was" in words.output
    assert "news: last poll" in words.output


def test_status_names_what_is_overdue(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    ledger = open_ledger(url, lambda: NOW)
    for channel in ("mastodon-en", "telegram-ru"):
        ledger.enqueue(
            Post(channel, "mastodon" if channel.startswith("m") else "telegram", "x", "en"),
            due_at=NOW - dt.timedelta(hours=2),
            dedupe_key="late",
        )
    ledger.enqueue(Post("telegram-be", "telegram", "y", "be"), due_at=NOW, dedupe_key="now")
    ledger.close()
    env: dict[str, str | None] = {"OUTREACH_DB_URL": url, "OUTREACH_CONFIG": None}
    code, seen = _status(env, NOW)
    assert code == 1
    assert seen["overdue"]["count"] == 2  # the one due now is not late yet
    assert seen["overdue"]["oldest_due"].startswith("2026-08-04T04:59")
    words = CliRunner(env={**env, "OUTREACH_FAKE_NOW": NOW.isoformat()}).invoke(cli, ["status"])
    assert "OVERDUE: 2 post(s), the oldest due Tue 4 Aug 2026 07:59 Europe/Minsk" in words.output
