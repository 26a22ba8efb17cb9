"""A channel taken over (outreach.instances) with a post ready: its client is made ready
at the takeover, before the post is claimed, not after the claim.

The first post after a hand-over waited for the Telegram client's start or Mastodon.py's
import (0.5-4 s on a busy machine) once it was claimed, although pacing had let it go
seconds before. DeliveryLoop.taken_over is what an instance's keeper calls when it
takes a channel (service_rounds.membership, app.delivery_loop). Nothing here is timed:
the row's state is read at the moment the client is made ready (`pending`: not claimed
yet), and the fake server shows whether anything was sent by then.

A takeover with nothing ready (a cron `run --once` beside the instances on PostgreSQL,
a standby taking a quiet channel) loads no client, as at start; nor does a dry-run
channel's.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from fakes import ManualClock
from fakes.mastodon_server import FakeMastodon
from fakes.telegram_server import FakeTelegram

from outreach.config import DeliverySettings
from outreach.delivery import DeliveryLoop
from outreach.ledger import Ledger, open_ledger
from outreach.networks.mastodon import MastodonChannel
from outreach.networks.telegram import TelegramChannel
from outreach.post import Post
from outreach.publishers import publisher_for
from outreach.publishers.base import Publisher
from outreach.publishers.mastodon import MastodonPublisher
from outreach.publishers.telegram import TelegramPublisher

TG_TOKEN = "123456:SECRET-TOKEN-xyz"
MA_TOKEN = "mastodon-SECRET-token"
WAIT = 60.0
"""How long a test waits for the warm it expects (a failure, not a bound on its time)."""


class Warms:
    """What each publisher's warm saw: the thread it ran on, and the states of the rows."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.seen: list[tuple[str, str, list[str]]] = []
        self.done = threading.Event()
        self.ids: list[int] = []

    def saw(self, channel_id: str) -> None:
        states = [self.ledger.get(i).state for i in self.ids]
        self.seen.append((channel_id, threading.current_thread().name, states))


class WatchedTelegram(TelegramPublisher):
    warms: Warms

    def warm(self) -> None:
        self.warms.saw(self.channel_id)
        super().warm()
        self.warms.done.set()


class WatchedMastodon(MastodonPublisher):
    warms: Warms

    def warm(self) -> None:
        self.warms.saw(self.channel_id)
        super().warm()
        self.warms.done.set()


class Site:
    """A ledger, a manual clock, a loop over watched Telegram and Mastodon publishers
    against the fakes, and a dry-run channel."""

    def __init__(self, tmp_path, masto: FakeMastodon, tg: FakeTelegram, **loop_kw) -> None:
        self.masto, self.tg = masto, tg
        self.clock = ManualClock()
        self.ledger = open_ledger(f"sqlite:///{tmp_path / 'l.sqlite3'}", self.clock)
        self.warms = Warms(self.ledger)
        tg_ch = TelegramChannel(id="tg", kind="telegram", chat="@freeales_ru", api_base_url=tg.url)
        ma_ch = MastodonChannel(id="ma", kind="mastodon", instance=masto.url)
        dry = TelegramChannel(id="dry", kind="telegram", chat="@freeales_be")
        t = WatchedTelegram(tg_ch, TG_TOKEN, timeout=20.0)
        m = WatchedMastodon(ma_ch, MA_TOKEN, timeout=20.0)
        t.warms = m.warms = self.warms
        self.pubs: dict[str, Publisher] = {"tg": t, "ma": m, "dry": publisher_for(dry, None)}
        self.loop = DeliveryLoop(
            self.ledger,
            self.pubs,
            DeliverySettings(backoff_base_seconds=2.0, timeout_seconds=20.0),
            clock=self.clock,
            **loop_kw,
        )

    def enqueue(self, channel_id: str, network: str, *, in_seconds: float = 0.0) -> int:
        text = "<b>news</b>" if network == "telegram" else "news"
        post = Post(channel_id, network, text, "ru", about=f"news:{channel_id}")  # type: ignore[arg-type]
        due = self.clock.now() + dt.timedelta(seconds=in_seconds)
        i = self.ledger.enqueue(post, due_at=due).id
        self.warms.ids.append(i)
        return i

    def close(self) -> None:
        try:
            for pub in self.pubs.values():
                pub.close()
        finally:
            self.ledger.close()


@pytest.fixture
def site(tmp_path) -> Iterator[Site]:
    with FakeMastodon() as m, FakeTelegram() as t:
        s = Site(tmp_path, m, t)
        yield s
        s.close()


@pytest.mark.parametrize(("channel", "network"), [("tg", "telegram"), ("ma", "mastodon")])
def test_a_channel_taken_over_with_a_post_ready_has_its_client_made_ready_before_the_claim(
    site, channel, network
):
    i = site.enqueue(channel, network)
    keeper = threading.current_thread().name  # the keeper's beat calls taken_over

    site.loop.taken_over(channel)

    assert site.warms.done.wait(WAIT), "the client was not made ready at the takeover"
    # made ready while the post was still pending (nothing claimed, nothing sent), on a
    # thread of its own: the keeper's beat, which renews every lease, did not wait for it
    assert site.warms.seen[0][2] == ["pending"], site.warms.seen
    assert site.warms.seen[0][1] != keeper, site.warms.seen
    assert site.masto.statuses == [] and site.tg.messages == []
    # the post then goes on the clients made ready, which are not made ready again
    report = site.loop.run_once(max_wait=60)
    assert report.count("sent") == 1
    assert site.ledger.get(i).state == "sent"
    assert len(site.warms.seen) == 2  # warm_clients: both live publishers, once
    assert {ch for ch, _, _ in site.warms.seen} == {"tg", "ma"}


def test_a_takeover_with_nothing_ready_loads_no_client(site):
    # a cron `run --once` beside the instances, a standby taking a quiet channel: a post
    # due tomorrow is not one to send now
    site.enqueue("tg", "telegram", in_seconds=86_400)
    site.loop.taken_over("tg")
    site.loop.taken_over("ma")
    report = site.loop.run_once(max_wait=0)  # its end waits for any warm begun

    assert report.count("sent") == 0
    assert site.warms.seen == []


def test_a_dry_run_channel_taken_over_with_a_post_ready_loads_no_client(site):
    # a dry-run channel prints its posts: its takeover needs no client. (Its first post's
    # claim still makes the live ones ready, as any first claim does: step.py.)
    site.enqueue("dry", "telegram")
    _, head = site.ledger.heads("dry")
    assert head.ready is not None

    site.loop.taken_over("dry")

    # A warm begun at the takeover is a thread named so: alive, or done and seen.
    assert not [t for t in threading.enumerate() if t.name == "warm-clients"]
    assert site.warms.seen == []


def test_a_loop_for_corrections_only_takes_a_channel_with_a_post_ready_without_loading(tmp_path):
    # `outreach takedown` beside the instances sends no post: one ready is nothing to do
    with FakeMastodon() as m, FakeTelegram() as t:
        s = Site(tmp_path, m, t, only_actions=True)
        try:
            s.enqueue("tg", "telegram")
            s.loop.taken_over("tg")
            s.loop.run_once(max_wait=0)
            assert s.warms.seen == []
            assert t.messages == []
        finally:
            s.close()
