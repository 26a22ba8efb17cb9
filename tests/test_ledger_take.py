"""`Ledger.take`: the delivery loop's look and claim in one transaction, and a post's
finish with the next claim (issue 15), on SQLite and PostgreSQL; and the loop on it:
one transaction per post, nothing claimed once a stop is asked, no finish lost."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from sqlalchemy import event

from outreach.config import DeliverySettings
from outreach.delivery import DeliveryLoop
from outreach.ledger import ActionRequest, Claim, Ledger, Paced, PaceWindow, Sent, open_ledger
from outreach.post import Post
from outreach.publishers.base import Check, Publisher, Receipt

LEASE = dt.timedelta(seconds=30)


def post(n: int, channel: str = "masto") -> Post:
    return Post(channel, "mastodon", f"post {n}", "en", about=f"news:{n}")


def no_windows(_d: Any) -> list[PaceWindow]:
    return []


def test_take_claims_the_channels_first_ready_post_and_says_what_heads_says(ledger: Ledger):
    first = ledger.enqueue(post(1)).id
    second = ledger.enqueue(post(2)).id

    look = ledger.take("masto", LEASE)  # no pacing asked: a look only
    assert look.claim is None and look.head.ready is not None and look.head.ready.id == first
    assert ledger.get(first).state == "pending"

    step = ledger.take("masto", LEASE, pacing=no_windows)
    assert isinstance(step.claim, Claim) and step.claim.delivery.id == first
    assert ledger.get(first).state == "sending" and ledger.get(second).state == "pending"

    busy = ledger.take("masto", LEASE, pacing=no_windows)  # one sending: nothing else
    assert busy.claim is None and busy.head.ready is None and not busy.head.stuck
    assert ledger.get(second).state == "pending"

    done = Sent(step.claim, "1", "https://masto.example/@c/1")
    nxt = ledger.take("masto", LEASE, pacing=no_windows, finish=done)
    assert nxt.finished is True
    assert isinstance(nxt.claim, Claim) and nxt.claim.delivery.id == second
    got = ledger.get(first)
    assert (got.state, got.remote_id, got.remote_url) == ("sent", "1", done.remote_url)
    assert ledger.get(second).state == "sending"

    last = ledger.take("masto", LEASE, pacing=no_windows, finish=Sent(nxt.claim, "2", None))
    assert last.finished is True and last.claim is None and last.head.ready is None
    assert [ledger.get(i).state for i in (first, second)] == ["sent", "sent"]
    again = ledger.take("masto", LEASE, finish=Sent(nxt.claim, "2", None))
    assert again.finished is False  # its claim is over: a finish counts once


def test_take_claims_nothing_when_an_action_comes_first_or_the_caller_says_no(ledger: Ledger):
    sent_id = ledger.enqueue(post(1)).id
    claim = ledger.claim(sent_id, LEASE)
    assert claim is not None
    ledger.finish_sent(claim, "1", None)
    waiting = ledger.enqueue(post(2)).id
    ledger.request_actions([ActionRequest(ledger.get(sent_id), "delete", "web:anna", "takedown")])

    step = ledger.take("masto", LEASE, pacing=no_windows)
    assert step.claim is None and step.act.ready is not None
    assert step.act.ready.delivery_id == sent_id
    assert ledger.get(waiting).state == "pending"

    asked: list[int] = []
    taken = ledger.claim_action(step.act.ready.id, LEASE)
    assert taken is not None
    ledger.finish_action(taken, "done", "removed")
    step = ledger.take("masto", LEASE, pacing=lambda d: asked.append(d.id))  # None: no claim
    assert asked == [waiting] and step.claim is None
    assert ledger.get(waiting).state == "pending"


def test_take_claims_nothing_on_a_paused_channel_or_a_full_window(ledger: Ledger, clock):
    first = ledger.enqueue(post(1)).id
    ledger.pause("web:anna", channel_id="masto")
    step = ledger.take("masto", LEASE, pacing=no_windows)
    assert step.claim is None and step.head.ready is None
    assert ledger.get(first).state == "held"  # the pause holds it; nothing claimed it
    ledger.resume(by="web:anna", channel_id="masto")

    done = ledger.claim(first, LEASE)
    assert done is not None
    ledger.finish_sent(done, "1", None)
    second = ledger.enqueue(post(2)).id
    window = PaceWindow("masto-posts", limit=1, per=dt.timedelta(minutes=5), posts=("masto",))
    step = ledger.take("masto", LEASE, pacing=lambda d: [window])
    assert isinstance(step.claim, Paced) and 0 < step.claim.wait <= 5 * 60
    assert ledger.get(second).state == "pending"


def test_a_finish_and_the_next_claim_commit_together_or_not_at_all(ledger: Ledger):
    first = ledger.enqueue(post(1)).id
    second = ledger.enqueue(post(2)).id
    step = ledger.take("masto", LEASE, pacing=no_windows)
    assert isinstance(step.claim, Claim)

    def broken(_d: Any) -> list[PaceWindow]:
        raise RuntimeError("the pacing broke")

    with pytest.raises(RuntimeError):
        ledger.take("masto", LEASE, pacing=broken, finish=Sent(step.claim, "1", None))
    assert ledger.get(first).state == "sending"  # not written: the transaction rolled back
    assert ledger.get(second).state == "pending"


# -- the loop on take ---------------------------------------------------------------


class Counting(Publisher):
    """A Mastodon account that takes every post at once, and a hook at each post."""

    network = "mastodon"

    def __init__(self, channel_id: str, on_post: Any = None) -> None:
        super().__init__(channel_id, None)
        self.posted: list[str] = []
        self.on_post = on_post

    def publish(self, post: Any, delivery_key: str) -> Receipt:
        self.posted.append(post.text)
        if self.on_post is not None:
            self.on_post(len(self.posted))
        return Receipt(remote_id=f"r-{len(self.posted)}")

    def check(self) -> Check:
        return Check(self.channel_id, self.network, True)

    @property
    def account(self) -> str:
        return f"counting@{self.channel_id}"


@pytest.fixture
def store(tmp_path):
    ledger = open_ledger(f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    yield ledger
    ledger.close()


def _loop(ledger: Ledger, pub: Publisher) -> DeliveryLoop:
    return DeliveryLoop(ledger, {pub.channel_id: pub}, DeliverySettings(), rng=random.Random(1),
                        pacing_scale=0.0001)  # fmt: skip


def test_the_loop_takes_one_connection_and_transaction_per_post(store: Ledger):
    ids = [store.enqueue(post(n, "ch")).id for n in range(8)]
    pub = Counting("ch")
    loop = _loop(store, pub)
    loop.start()
    used: list[int] = []  # each a connection from the pool: a transaction, or a look

    def checkout(*_args: Any) -> None:
        used.append(1)

    event.listen(store.engine.pool, "checkout", checkout)
    try:
        report = loop.run_once(max_wait=0)
    finally:
        event.remove(store.engine.pool, "checkout", checkout)
    assert report.count("sent") == 8 and pub.posted == [f"post {n}" for n in range(8)]
    assert [store.get(i).state for i in ids] == ["sent"] * 8
    # the first look and claim, then one per post (its finish, the next look and claim);
    # before, three a post (the look, the claim, the finish: 25 here)
    assert len(used) <= 8 + 2, len(used)


def test_a_stop_asked_during_a_send_claims_nothing_more(store: Ledger):
    ids = [store.enqueue(post(n, "ch")).id for n in range(3)]
    loop: DeliveryLoop | None = None

    def stop_at_first(n: int) -> None:
        assert loop is not None
        if n == 1:
            loop.stop()

    pub = Counting("ch", on_post=stop_at_first)
    loop = _loop(store, pub)
    loop.start()
    report = loop.run_once(max_wait=0)
    assert pub.posted == ["post 0"] and report.count("sent") == 1
    assert [store.get(i).state for i in ids] == ["sent", "pending", "pending"]


def test_a_next_claim_that_fails_loses_no_finish_and_sends_each_post_once(store: Ledger):
    ids = [store.enqueue(post(n, "ch")).id for n in range(4)]
    pub = Counting("ch")
    loop = _loop(store, pub)
    loop.start()
    real = loop.windows.of
    calls = []

    def of(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:  # the claim of the second post, in the first one's finish
            raise RuntimeError("the pacing broke once")
        return real(*args)

    loop.windows.of = of  # type: ignore[method-assign]
    report = loop.run_once(max_wait=0)
    assert pub.posted == [f"post {n}" for n in range(4)]
    assert report.count("sent") == 4
    assert [store.get(i).state for i in ids] == ["sent"] * 4
    assert [store.get(i).remote_id for i in ids] == ["r-1", "r-2", "r-3", "r-4"]
