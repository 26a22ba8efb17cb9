"""Beside running instances (issue 13): `run --once` and corrections keep to the leases.

A live instance holds a channel: `run --once` started beside it leaves that
channel alone (it is not an instance, and takes only what no one holds), and
an edit or deletion is claimed only under the channel's lease, like a post.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys

import pytest
from fakes import postgres_schema_url
from fakes.telegram_server import FakeTelegram
from instancekit import T0, Instance, campaign_env, holder, poll

from outreach.ledger import CHANNEL, ActionClaim, ActionRequest, Holder, open_ledger
from outreach.post import Post

TOKEN = {"MI_TG": "123456:SECRET-TOKEN-xyz"}


@pytest.fixture
def pg_url():
    yield from postgres_schema_url()


def run_once(env: dict[str, str]) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", "from outreach.cli import main; main()", "run", "--once",
         "--json", "--wait", "3"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.postgres
@pytest.mark.slow
def test_run_once_beside_a_live_instance_leaves_its_channels_alone(tmp_path, pg_url):
    with FakeTelegram() as tg:
        channels = [
            {"id": "tg1", "kind": "telegram", "chat": "@freeales_ru", "api_base_url": tg.url,
             "token_env": "MI_TG", "language": "ru"},
        ]  # fmt: skip
        # a long lease: the instance is frozen below while `run --once` starts and runs
        env = campaign_env(tmp_path, pg_url, channels, lease=60, renew=2, secrets=TOKEN)
        a = Instance(env, tmp_path / "a.log")
        try:
            poll("the instance to hold tg1", lambda: holder(pg_url, "tg1") == a.pid, 120, [a.log])
            ledger = open_ledger(pg_url, clock=lambda: T0)
            first = ledger.enqueue(Post("tg1", "telegram", "<b>one</b>", "ru", about="news:1")).id
            os.kill(a.pid, signal.SIGSTOP)  # it holds the channel, and sends nothing now
            try:
                report = run_once(env)
                assert tg.texts() == [], "run --once sent on a channel a live instance holds"
                assert report["outcomes"] == []
                assert ledger.get(first).state == "pending"
                assert holder(pg_url, "tg1") == a.pid
                assert [m.pid for m in ledger.leases.members()] == [a.pid]
            finally:
                os.kill(a.pid, signal.SIGCONT)
            poll("the holder to send it", lambda: tg.texts() == ["<b>one</b>"], 60, [a.log])
        finally:
            a.stop()
        # no one holds the channel now: run --once sends on it, and leaves no lease behind
        second = ledger.enqueue(Post("tg1", "telegram", "<b>two</b>", "ru", about="news:2")).id
        report = run_once(env)
        assert tg.texts() == ["<b>one</b>", "<b>two</b>"]
        assert ledger.get(second).state == "sent"
        assert [(o["channel"], o["state"]) for o in report["outcomes"]] == [("tg1", "sent")]
        assert ledger.leases.held() == []
        ledger.close()


@pytest.mark.postgres
def test_a_correction_is_claimed_only_under_the_channels_lease(pg_url):
    clock = lambda: T0  # noqa: E731
    ledger = open_ledger(pg_url, clock)
    ident = ledger.enqueue(Post("tg1", "telegram", "<b>x</b>", "ru", about="news:1"), due_at=T0).id
    claim = ledger.claim(ident, dt.timedelta(seconds=30))
    assert claim is not None
    ledger.finish_sent(claim, "7", None)
    ledger.request_actions([ActionRequest(ledger.get(ident), "delete", "test", "a takedown")])
    [action] = ledger.actions()
    holder_, other = Holder("holder", "h", 1), Holder("other", "h", 2)
    assert ledger.leases.acquire(holder_, CHANNEL + "tg1", ttl=30)
    lease = dt.timedelta(seconds=30)
    assert ledger.claim_action(action.id, lease, fence=(CHANNEL + "tg1", other.owner)) is None
    assert ledger.action(action.id).state == "pending"
    got = ledger.claim_action(action.id, lease, fence=(CHANNEL + "tg1", holder_.owner))
    assert isinstance(got, ActionClaim)
    ledger.close()
