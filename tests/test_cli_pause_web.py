"""`outreach pause`, `outreach resume` and `outreach web add-user`, in-process (CliRunner)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes import ManualClock
from servicekit import write_campaign

from outreach.cli import cli
from outreach.ledger import open_ledger
from outreach.post import Post
from outreach.web.auth import check_password

NOW = "2026-03-01T12:00:00+03:00"


class Cli:
    def __init__(self, folder) -> None:
        self.db = f"sqlite:///{folder / 'ledger.sqlite3'}"
        self.env = {
            "OUTREACH_CONFIG": str(write_campaign(folder)),
            "OUTREACH_DB_URL": self.db,
            "OUTREACH_FAKE_NOW": NOW,
            "USER": "alice",
        }

    def __call__(self, *args: str, code: int = 0, input: str | None = None):
        result = CliRunner().invoke(cli, list(args), env=self.env, input=input)
        assert result.exit_code == code, (result.output, result.exception)
        return result

    def ledger(self):
        """The store on the commands' (simulated) clock."""
        return open_ledger(self.db, ManualClock(dt.datetime.fromisoformat(NOW)))


@pytest.fixture
def run(tmp_path) -> Cli:
    return Cli(tmp_path)


def test_pause_a_channel_until_a_time_then_resume(run):
    run("pause", "--help")  # the store is made by the first command that needs it
    led = run.ledger()
    ident = led.enqueue(Post("telegram-be", "telegram", "x", "be", about="news:1")).id
    led.close()
    out = run(
        "pause", "--channel", "telegram-be", "--until", "2026-03-02 09:30", "--why", "verdict"
    ).stdout
    assert "Paused (telegram-be) since Sun 1 Mar 2026 12:00 Europe/Minsk" in out
    assert "until Mon 2 Mar 2026 09:30 Europe/Minsk (06:30 UTC)" in out
    assert "1 queued post(s) held now" in out
    led = run.ledger()
    p = led.paused("telegram-be")
    assert p is not None and p.by == "cli:alice" and p.why == "verdict"
    assert p.until == dt.datetime(2026, 3, 2, 6, 30, tzinfo=dt.UTC)
    assert led.get(ident).state == "held"
    led.close()
    out = run("resume", "--channel", "telegram-be").stdout
    assert "Resumed; 1 held post(s) released" in out
    led = run.ledger()
    assert led.pauses() == [] and led.get(ident).state == "pending"
    # each command starts the simulated clock at NOW again: order by when written
    trail = [(e.by, e.action, e.target) for e in sorted(led.audit.entries(), key=lambda e: e.id)]
    assert trail == [("cli:alice", "pause", "telegram-be"), ("cli:alice", "resume", "telegram-be")]
    led.close()


def test_pause_refuses_an_unknown_channel_and_a_past_time(run):
    out = run("pause", "--channel", "nope", code=1).output
    assert (
        "--channel: there is no channel 'nope'; channels: mastodon-en, telegram-ru, telegram-be"
        in out
    )
    out = run("pause", "--until", "2026-02-01 10:00", code=1).output
    assert "not in the future" in out
    led = run.ledger()
    assert led.pauses() == []
    led.close()


def test_resume_when_not_paused_changes_nothing(run):
    assert "Not paused; nothing was changed." in run("resume").stdout


def test_add_user_reads_the_password_from_stdin_and_stores_a_hash(run):
    out = run("web", "add-user", "anna", "--role", "admin", input="correct horse battery\n").stdout
    assert "Added anna (admin)" in out and "correct horse" not in out
    led = run.ledger()
    user = led.accounts.user("anna")
    assert user is not None and user.role == "admin"
    assert user.password_hash and user.password_hash.startswith("$argon2id$")
    assert check_password(user.password_hash, "correct horse battery")
    assert not check_password(user.password_hash, "wrong horse battery")
    led.close()


def test_add_user_refuses_a_short_password_a_bad_name_and_a_duplicate(run):
    assert (
        "at least 10 characters"
        in run("web", "add-user", "anna", "--role", "admin", input="short\n", code=1).output
    )
    assert (
        "user name"
        in run("web", "add-user", "an na", "--role", "admin", input="x" * 12 + "\n", code=1).output
    )
    run("web", "add-user", "anna", "--role", "admin", input="correct horse battery\n")
    assert (
        "there is a user 'anna' already"
        in run(
            "web", "add-user", "anna", "--role", "viewer", input="correct horse battery\n", code=1
        ).output
    )
    out = run("web", "add-user", "boris", "--role", "viewer", "--no-password", code=1).output
    assert "--no-password needs --telegram" in out
    run("web", "add-user", "boris", "--role", "viewer", "--no-password", "--telegram", "222")
    led = run.ledger()
    assert led.accounts.by_telegram(222).password_hash is None
    led.close()


def test_outreach_web_serves_the_console_on_loopback_and_logs_no_query(tmp_path):
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "OUTREACH_CONFIG": str(write_campaign(tmp_path)),
        "OUTREACH_DB_URL": f"sqlite:///{tmp_path / 'ledger.sqlite3'}",
    }
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "outreach"), "web", "--port", str(port), "--insecure-cookies"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/signin", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read()
                time.sleep(0.2)
        assert r.status_code == 200 and "Sign in" in r.text
        assert (
            httpx.get(f"http://127.0.0.1:{port}/signin/link?t=SECRET-looking-token").status_code
            == 410
        )
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert f"web console on http://127.0.0.1:{port}/" in out
    assert "GET /signin/link 410" in out
    assert "SECRET-looking-token" not in out
