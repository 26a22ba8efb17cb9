"""Pause is airtight: while the flag is set, nothing is queued sendable and nothing is claimed.

The ledger applies the pause inside its write transactions: a row queued while
paused is queued held, and the claim hands out no row at all. These tests put
rows in front of the real delivery loop, the real clients and the fake servers,
on SQLite and PostgreSQL, race a pause against a claim and against a queueing
transaction, and check nothing is sent until an organiser resumes.
"""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
from fakes import ManualClock
from fakes.mastodon_server import FakeMastodon
from fakes.telegram_server import FakeTelegram

from outreach.config import DeliverySettings
from outreach.delivery import DeliveryLoop
from outreach.ledger import Ledger, PauseResult
from outreach.ledger.pause import lock, set_flag
from outreach.networks.mastodon import MastodonChannel
from outreach.networks.telegram import TelegramChannel
from outreach.post import Post
from outreach.publishers import publisher_for
from outreach.publishers.base import Check, Publisher, Receipt
from outreach.secret import Secret

LEASE = dt.timedelta(seconds=30)
SETTINGS = DeliverySettings(timeout_seconds=2.0)


@pytest.fixture
def fakes():
    with FakeMastodon() as m, FakeTelegram() as t:
        yield m, t


def post(n: int, channel: str = "tg") -> Post:
    network = "mastodon" if channel == "ma" else "telegram"
    text = f"post {n}" if network == "mastodon" else f"<b>post {n}</b>"
    return Post(channel, network, text, "be", about=f"news:item-{n}")  # type: ignore[arg-type]


def straggler(ledger: Ledger, n: int, channel: str = "tg") -> int:
    """A row queued (pending) before the pause: the loop may already have seen it ready."""
    return ledger.enqueue(post(n, channel)).id


def real_publishers(masto: FakeMastodon, tg: FakeTelegram) -> dict[str, Publisher]:
    channels = {
        "tg": TelegramChannel(id="tg", kind="telegram", chat="@freeales_be", api_base_url=tg.url),
        "ma": MastodonChannel(id="ma", kind="mastodon", instance=masto.url),
    }
    tokens = {"tg": "123456:SECRET-TOKEN-xyz", "ma": "mastodon-SECRET-token"}
    return {
        cid: publisher_for(ch, Secret(tokens[cid]), timeout=SETTINGS.timeout_seconds)
        for cid, ch in channels.items()
    }


def loop(ledger: Ledger, clock: ManualClock, pubs: dict[str, Publisher]) -> DeliveryLoop:
    return DeliveryLoop(ledger, pubs, SETTINGS, clock=clock, rng=random.Random(1))


def test_a_row_queued_while_paused_is_not_sent_until_resume(ledger, clock, fakes):
    masto, tg = fakes
    result = ledger.pause(by="@anna")
    assert not result.already and result.held == 0
    ids = [ledger.enqueue(post(1, "tg")).id]
    with ledger.batch() as batch:
        ids.append(batch.enqueue(post(2, "ma")).id)
    # held as they are queued, in the queueing transaction: never pending while paused
    assert [ledger.get(i).state for i in ids] == ["held", "held"]
    assert ledger.get(ids[0]).reason == "held: paused by an organiser"

    report = loop(ledger, clock, real_publishers(masto, tg)).run_once(max_wait=5)
    assert report.outcomes == []
    assert tg.texts() == [] and masto.statuses == []
    assert [ledger.get(i).state for i in ids] == ["held", "held"]
    assert ledger.deliveries(states=["sending"]) == []

    r = ledger.resume(by="@anna")
    assert [p.by for p in r.ended] == ["@anna"] and r.released == 2
    report = loop(ledger, clock, real_publishers(masto, tg)).run_once(max_wait=5)
    assert report.count("sent") == 2
    assert tg.texts() == ["<b>post 1</b>"] and masto.texts() == ["post 2"]
    assert [ledger.get(i).state for i in ids] == ["sent", "sent"]


def test_the_claim_refuses_a_row_the_loop_saw_ready_before_the_pause(ledger):
    ident = straggler(ledger, 1)
    head = ledger.head("tg")
    assert head.ready is not None and head.ready.id == ident
    # the pause lands between the loop's look at the queue and its claim; the flag
    # alone (no hold) is what a row queued just after pause() held the others meets
    with ledger.engine.begin() as conn:
        assert set_flag(conn, ledger.now(), "@anna")
    assert ledger.claim(ident, LEASE) is None
    assert ledger.get(ident).state == "pending"
    assert ledger.head("tg").ready is None  # the loop waits instead of asking again and again
    ledger.resume(by="@anna")
    claim = ledger.claim(ident, LEASE)
    assert claim is not None and claim.delivery.id == ident


def test_pause_holds_the_row_the_loop_saw_ready(ledger):
    ident = straggler(ledger, 1)
    assert ledger.head("tg").ready is not None
    assert ledger.pause(by="@anna").held == 1
    assert ledger.claim(ident, LEASE) is None
    assert ledger.get(ident).state == "held"


def test_a_claim_racing_a_pause_being_committed_waits_and_then_refuses(ledger):
    """The pause's transaction is open (flag set, not committed) when the claim starts.

    On PostgreSQL, without the lock, the claim's statement would not see the
    uncommitted flag and would take the row; with it, the claim waits for the
    pause and then sees it. On SQLite the pause holds the only write lock.
    """
    ident = straggler(ledger, 1)
    got: list[object] = []
    with ledger.engine.connect() as conn:
        tx = conn.begin()
        lock(conn, exclusive=True)
        assert set_flag(conn, ledger.now(), "@anna")
        racer = threading.Thread(target=lambda: got.append(ledger.claim(ident, LEASE)))
        racer.start()
        racer.join(0.5)  # long enough for an unguarded claim to have taken the row
        tx.commit()
    racer.join(30)
    assert got == [None]
    assert ledger.get(ident).state == "pending"


class PausesWhileSending(Publisher):
    """Posts; during the first post an organiser pauses (it cannot stop that one)."""

    network = "telegram"
    account = "telegram-bot:1"

    def __init__(self, ledger: Ledger) -> None:
        super().__init__("tg", None)
        self.ledger = ledger
        self.sent: list[str] = []
        self.during: PauseResult | None = None

    def publish(self, post: Post, delivery_key: str) -> Receipt:
        if self.during is None:
            self.during = self.ledger.pause(by="@anna")
        self.sent.append(post.text)
        return Receipt(str(len(self.sent)))

    def check(self) -> Check:
        raise NotImplementedError


def test_a_pause_during_a_send_stops_everything_after_it(ledger, clock):
    ids = [straggler(ledger, n) for n in range(3)]
    pub = PausesWhileSending(ledger)
    report = loop(ledger, clock, {"tg": pub}).run_once(max_wait=5)
    assert pub.sent == ["<b>post 0</b>"]
    assert pub.during is not None and pub.during.sending == 1 and pub.during.held == 2
    assert report.count("sent") == 1
    assert [ledger.get(i).state for i in ids] == ["sent", "held", "held"]


def test_queueing_racing_a_pause_being_committed_waits_and_queues_held(ledger):
    """The pause's transaction is open (flag set, not committed) when a batch starts.

    On PostgreSQL the batch waits for the pause (the pause table's lock) and then
    sees the flag; without it, its INSERT would not see the uncommitted flag and
    the row would be queued pending. On SQLite the pause holds the only write lock.
    """
    got: list[int] = []
    with ledger.engine.connect() as conn:
        tx = conn.begin()
        lock(conn, exclusive=True)
        assert set_flag(conn, ledger.now(), "@anna")
        racer = threading.Thread(target=lambda: got.append(ledger.enqueue(post(1)).id))
        racer.start()
        racer.join(0.5)  # long enough for an unguarded INSERT to have gone in
        tx.commit()
    racer.join(30)
    [ident] = got
    assert ledger.get(ident).state == "held"


def test_a_pause_waits_for_a_queueing_transaction_and_holds_what_it_queued(ledger):
    """A batch is open (rows written, not committed) when an organiser pauses.

    The pause waits for it to commit and then holds its rows; without the lock,
    PostgreSQL's pause would not see the uncommitted rows and they would stay
    pending after it.
    """
    done: list[PauseResult] = []
    with ledger.batch() as batch:
        ids = [batch.enqueue(post(n)).id for n in range(3)]
        pauser = threading.Thread(target=lambda: done.append(ledger.pause(by="@anna")))
        pauser.start()
        pauser.join(0.5)
        assert done == [], "the pause waits for the open queueing transaction"
    pauser.join(30)
    assert done and done[0].held == 3
    assert {ledger.get(i).state for i in ids} == {"held"}
