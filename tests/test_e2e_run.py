"""`outreach run` as a real process against fake Mastodon and Telegram servers, killed and restarted.

A simulated clock (OUTREACH_FAKE_NOW, OUTREACH_CLOCK_SPEED=60: a minute per
second) lets a cron announcement fall due every ten seconds. The story:

    09:58  start; the feed's first read announces its newest item (A)
    10:00  the "pulse" announcement (every ten minutes)
           the feed gains item B; Mastodon is told to answer slowly, and the
           process is killed with SIGKILL while that Mastodon post is in flight
           (Mastodon has it; our ledger still says `sending`)
    ....   down: 10:10 and 10:20 pass; the feed gains item C
    10:28  restart: the Mastodon post is sent again with the same Idempotency-Key
           (so Mastodon returns the first status), 10:10 and 10:20 go out once
           (coalesced, within the hour of grace), C is announced
    10:30  the pulse again; then SIGTERM stops the service cleanly

Every expected post must be on every channel exactly once.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from fakes.mastodon_server import FakeMastodon
from fakes.telegram_server import FakeTelegram
from servicekit import FeedServer, feed_bytes, write_campaign

from outreach.ledger import open_ledger

pytestmark = pytest.mark.slow

SPEED = 60
T0 = dt.datetime(2026, 3, 2, 9, 58, tzinfo=dt.timezone(dt.timedelta(hours=3)))
UTC = dt.UTC


def wait_for(what: str, check, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
    pytest.fail(f"timed out waiting for {what}; the service said:\n{tail}")


class Service:
    """One `outreach run` process; its stderr goes to a log file."""

    def __init__(self, env: dict[str, str], now: dt.datetime, log: Path) -> None:
        self.log = log
        self.started = time.monotonic()
        self.now0 = now
        env = {**env, "OUTREACH_FAKE_NOW": now.isoformat(), "OUTREACH_CLOCK_SPEED": str(SPEED)}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from outreach.cli import main; main()", "run"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("a", encoding="utf-8"),
        )

    def clock_at_most(self) -> dt.datetime:
        """The process's clock is behind this (it started counting after its imports)."""
        return self.now0 + dt.timedelta(seconds=(time.monotonic() - self.started) * SPEED)


def test_run_is_killed_and_restarted_and_every_post_arrives_once(tmp_path: Path):
    with FakeMastodon() as masto, FakeTelegram() as tg, FeedServer() as feeds:
        feeds.put("/news.xml", feed_bytes("rss2.xml"))
        db = tmp_path / "ledger.sqlite3"
        config = write_campaign(
            tmp_path,
            feeds=[
                {"id": "viasna", "url": feeds.url("/news.xml"), "backlog": 1, "poll_minutes": 1}
            ],
            announcements=[
                {"id": "pulse", "template": "reminder", "page": "news", "cron": "*/10 * * * *"}
            ],
            channels=[
                {
                    "id": "mastodon-en",
                    "kind": "mastodon",
                    "instance": masto.url,
                    "token_env": "E2E_MASTODON_TOKEN",
                    "language": "en",
                },
                {
                    "id": "telegram-ru",
                    "kind": "telegram",
                    "chat": "@freeales_ru",
                    "api_base_url": tg.url,
                    "token_env": "E2E_TELEGRAM_TOKEN",
                    "language": "ru",
                },
                {
                    "id": "telegram-be",
                    "kind": "telegram",
                    "chat": "@freeales_be",
                    "api_base_url": tg.url,
                    "token_env": "E2E_TELEGRAM_TOKEN",
                    "language": "be",
                },
            ],
            delivery={"timeout_seconds": 10},
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OUTREACH_", "E2E_"))}
        env |= {
            "OUTREACH_CONFIG": str(config),
            "OUTREACH_DB_URL": f"sqlite:///{db}",
            "E2E_MASTODON_TOKEN": "mastodon-e2e-token",
            "E2E_TELEGRAM_TOKEN": "123456:telegram-e2e-token",
            "PYTHONUNBUFFERED": "1",
        }
        log = tmp_path / "service.log"

        def posts() -> tuple[int, int]:
            return len(masto.statuses), len(tg.messages)

        # 09:58: news item A; 10:00: the pulse
        first = Service(env, T0, log)
        wait_for("item A and the 10:00 pulse", lambda: posts() == (2, 4), 30, log)

        # item B, with Mastodon answering 3 s late: kill -9 while it is in flight
        masto.fail_next(1, "slow", delay=3, path="/statuses")
        feeds.put("/news.xml", feed_bytes("rss2_next.xml"))
        wait_for("item B", lambda: posts() == (3, 6), 30, log)
        # Kill only once Telegram's B posts are recorded as sent: killed between
        # Telegram receiving a post and the ledger recording it, a row is
        # rightly `unknown`, which is the crash test's subject, not this one's.
        ledger_seen = open_ledger(f"sqlite:///{db}")

        def telegram_sent() -> int:
            rows = ledger_seen.deliveries(states=["sent"])
            return sum(1 for d in rows if d.channel_id.startswith("telegram"))

        wait_for("Telegram B recorded as sent", lambda: telegram_sent() == 6, 30, log)
        ledger_seen.close()
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(10)
        killed_at = first.clock_at_most()
        assert killed_at < T0.replace(hour=10, minute=10), "too slow: 10:10 came before the kill"

        # down over 10:10 and 10:20; item C appears meanwhile; back at 10:28
        feeds.put("/news.xml", feed_bytes("rss2_later.xml"))
        restart = max(T0.replace(hour=10, minute=28), killed_at + dt.timedelta(minutes=1))
        second = Service(env, restart, log)
        # C, the coalesced 10:20 and the 10:30 pulse; B is not posted twice anywhere
        wait_for("C, 10:20 and 10:30", lambda: posts() == (6, 12), 40, log)
        second.proc.send_signal(signal.SIGTERM)
        assert second.proc.wait(20) == 0
        time.sleep(0.3)  # nothing more may arrive after a clean stop
        assert posts() == (6, 12)

    text = log.read_text(encoding="utf-8")
    assert "outreach stopped" in text
    assert "mastodon-e2e-token" not in text and "telegram-e2e-token" not in text

    ledger = open_ledger(f"sqlite:///{db}")
    rows = ledger.deliveries()
    assert {d.state for d in rows} == {"sent"}, [(d.id, d.state, d.reason) for d in rows]
    pulses = sorted({d.occurrence.astimezone(UTC).strftime("%H:%M") for d in rows if d.occurrence})
    assert pulses == ["07:00", "07:20", "07:30"]  # 10:00, 10:20 (10:10 folded in), 10:30 Minsk
    per_channel = Counter(d.channel_id for d in rows)
    assert per_channel == {"mastodon-en": 6, "telegram-ru": 6, "telegram-be": 6}
    assert len({(d.channel_id, d.about, d.occurrence) for d in rows}) == 18
    news = sorted({d.about for d in rows if d.about.startswith("viasna:")})
    assert [n.split(":")[1].split("-")[0] for n in news] == ["120003", "120004", "120005"]

    # Mastodon B: two requests with one Idempotency-Key, one status
    keys = Counter(s["idempotency_key"] for s in masto.statuses)
    assert len(keys) == 6 and set(keys.values()) == {1}
    status_posts = [p for m, p in masto.log if m == "POST" and p.endswith("/statuses")]
    assert len(status_posts) == 7
    [resent] = [d for d in rows if d.channel_id == "mastodon-en" and d.attempts > 1]
    assert "120004" in resent.about
    assert Counter(m["chat"] for m in tg.messages) == {"@freeales_ru": 6, "@freeales_be": 6}


def test_sigterm_lets_the_post_in_flight_finish(tmp_path: Path):
    with FakeTelegram() as tg:
        db = tmp_path / "ledger.sqlite3"
        config = write_campaign(
            tmp_path,
            feeds=[{"id": "news", "path": "news.xml", "backlog": 1}],
            announcements=[],
            channels=[
                {
                    "id": "telegram-ru",
                    "kind": "telegram",
                    "chat": "@freeales_ru",
                    "api_base_url": tg.url,
                    "token_env": "E2E_TELEGRAM_TOKEN",
                    "language": "ru",
                },
            ],
            delivery={"timeout_seconds": 10},
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OUTREACH_", "E2E_"))}
        env |= {
            "OUTREACH_CONFIG": str(config),
            "OUTREACH_DB_URL": f"sqlite:///{db}",
            "E2E_TELEGRAM_TOKEN": "123456:telegram-e2e-token",
        }
        tg.fail_next(1, "slow", delay=1.5, path="sendMessage")  # posts, then answers late
        log = tmp_path / "service.log"
        service = Service(env, T0, log)
        wait_for("the post to reach Telegram", lambda: len(tg.messages) == 1, 30, log)
        service.proc.send_signal(signal.SIGTERM)
        assert service.proc.wait(20) == 0
    [row] = open_ledger(f"sqlite:///{db}").deliveries()
    assert row.state == "sent" and row.remote_url == "https://t.me/freeales_ru/1"
    assert "SIGTERM: finishing the post in flight" in log.read_text(encoding="utf-8")
