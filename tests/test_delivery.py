"""The delivery loop with the real clients and fake servers: order, retries, truth."""

from __future__ import annotations

import datetime as dt
import io
import random
import threading

import pytest
from fakes import ManualClock
from fakes.mastodon_server import FakeMastodon
from fakes.telegram_server import FakeTelegram

from outreach.config import DeliverySettings
from outreach.delivery import DeliveryLoop, Outcome
from outreach.errors import PermanentError
from outreach.ledger import open_ledger
from outreach.networks import network
from outreach.networks.mastodon import MastodonChannel
from outreach.networks.telegram import TelegramChannel
from outreach.post import LinkButton, Post
from outreach.publishers import publisher_for
from outreach.publishers.base import Check, Publisher, Receipt
from outreach.secret import Secret

TG_TOKEN = "123456:SECRET-TOKEN-xyz"
MA_TOKEN = "mastodon-SECRET-token"


@pytest.fixture
def fakes():
    with FakeMastodon() as m, FakeTelegram() as t:
        yield m, t


TIMEOUT = 20.0
"""The clients' timeout: far beyond what a request to the fakes takes at any load (a
reply slowed by a loaded machine must not make a post `unknown` in a test of another
thing)."""
SHORT = 3.0
"""For the tests of a timeout, against a fake holding its answer for a minute."""


class World:
    """A ledger, a manual clock and publishers for the fake servers."""

    def __init__(self, tmp_path, masto: FakeMastodon, tg: FakeTelegram, **settings) -> None:
        self.clock = ManualClock()
        self.ledger = open_ledger(f"sqlite:///{tmp_path / 'l.sqlite3'}", self.clock)
        self.masto, self.tg = masto, tg
        self.channels = {
            "ru": TelegramChannel(id="ru", kind="telegram", chat="@freeales_ru", api_base_url=tg.url),
            "be": TelegramChannel(id="be", kind="telegram", chat="@freeales_be", api_base_url=tg.url),
            "ma": MastodonChannel(id="ma", kind="mastodon", instance=masto.url),
        }  # fmt: skip
        self.settings = DeliverySettings(
            **{"backoff_base_seconds": 2.0, "timeout_seconds": TIMEOUT, **settings}
        )
        self.outcomes: list[tuple[dt.datetime, Outcome]] = []
        self.made: list[Publisher] = []  # closed at teardown (close)

    def publishers(self, **override: Publisher) -> dict[str, Publisher]:
        tokens = {"ru": TG_TOKEN, "be": TG_TOKEN, "ma": MA_TOKEN}
        pubs = {
            cid: publisher_for(ch, Secret(tokens[cid]), timeout=self.settings.timeout_seconds)
            for cid, ch in self.channels.items()
        }
        self.made += pubs.values()
        return {**pubs, **override}

    def close(self) -> None:
        """Close every publisher made here, overridden ones too: left to the collector,
        a Telegram publisher's finalizer ends its loop at whatever moment it runs."""
        try:
            for pub in self.made:
                pub.close()
        finally:
            self.made.clear()
            self.ledger.close()

    def loop(self, pubs: dict[str, Publisher] | None = None, **kw) -> DeliveryLoop:
        return DeliveryLoop(
            self.ledger,
            pubs if pubs is not None else self.publishers(),
            self.settings,
            clock=self.clock,
            rng=random.Random(4),
            on_outcome=lambda o: self.outcomes.append((self.clock.now(), o)),
            **kw,
        )

    def enqueue(self, channel: str, n: int, **kw) -> int:
        network = self.channels[channel].kind
        text = f"<b>post {n}</b>" if network == "telegram" else f"post {n}"
        post = Post(channel, network, text, "ru", about=f"news:{n}", **kw)  # type: ignore[arg-type]
        due = self.clock.now() + dt.timedelta(seconds=n)
        return self.ledger.enqueue(post, due_at=min(due, self.clock.now())).id

    def state(self, i: int) -> str:
        return self.ledger.get(i).state


@pytest.fixture
def world(tmp_path, fakes):
    w = World(tmp_path, *fakes)
    yield w
    w.close()


def test_every_channel_gets_its_posts_in_order_with_their_remote_ids(world):
    ids = {ch: [world.enqueue(ch, n) for n in range(5)] for ch in ("ru", "be", "ma")}
    report = world.loop().run_once(max_wait=600)
    assert report.count("sent") == 15
    assert world.tg.texts("@freeales_ru") == [f"<b>post {n}</b>" for n in range(5)]
    assert world.tg.texts("@freeales_be") == [f"<b>post {n}</b>" for n in range(5)]
    assert world.masto.texts() == [f"post {n}" for n in range(5)]
    for ch in ("ru", "be"):
        rows = [world.ledger.get(i) for i in ids[ch]]
        sent = [m for m in world.tg.messages if m["chat"] == f"@freeales_{ch}"]
        assert [r.remote_id for r in rows] == [str(m["message_id"]) for m in sent]
    assert [world.ledger.get(i).remote_id for i in ids["ma"]] == [
        s["id"] for s in world.masto.statuses
    ]


def _stacks() -> str:
    """Every thread's stack, for a failure that happens once in hundreds of runs."""
    import sys
    import traceback

    names = {t.ident: t.name for t in threading.enumerate()}
    return "\n".join(
        f"--- thread {names.get(ident, ident)}\n" + "".join(traceback.format_stack(frame))
        for ident, frame in sys._current_frames().items()
    )


def test_channels_proceed_concurrently(world):
    """A channel stuck in a slow send does not hold the others back."""
    released = threading.Event()

    class Slow(Publisher):
        network = "telegram"
        account = "telegram-bot:999"

        def publish(self, post: Post, delivery_key: str) -> Receipt:
            assert released.wait(10), (  # the message is built on failure, after the wait
                "the other channel never got to send while this one waited: "
                f"{[(world.state(i), world.ledger.get(i).reason) for i in be]}\n"
                f"{_stacks()}"  # where `be`'s thread is: seen stuck in `sending` once, rarely
            )
            return Receipt("1")

        def check(self) -> Check:
            raise NotImplementedError

    ids = [world.enqueue("ru", 0)]
    be = [world.enqueue("be", n) for n in range(3)]
    ids += be
    loop = world.loop(world.publishers(ru=Slow("ru", None)))
    loop.on_outcome = lambda o: (
        released.set() if all(world.state(i) == "sent" for i in be) else None
    )
    report = loop.run_once(max_wait=600)
    assert report.count("sent") == 4, [(world.state(i), world.ledger.get(i).reason) for i in ids]


def test_transient_failures_are_retried_with_backoff_until_sent(world):
    # Mastodon: a 503 is retried (its Idempotency-Key makes that safe); on Telegram a 5xx
    # answer to a send may hide a post, so it is `unknown` (test_platform_telegram.py).
    world.masto.fail_next(2, reply=world.masto.error(503), path="/statuses")
    i = world.enqueue("ma", 0)
    start = world.clock.now()
    world.loop().run_once(max_wait=600)
    d = world.ledger.get(i)
    assert d.state == "sent" and d.attempts == 3 and len(world.masto.texts()) == 1
    # Backoff 2 s then 4 s, each with jitter in its upper half.
    assert (world.clock.now() - start).total_seconds() >= 1 + 2


def test_backoff_doubles_with_jitter_up_to_the_ceiling(world):
    loop = world.loop()
    for attempt, ceiling in ((1, 2), (2, 4), (3, 8), (9, 300), (30, 300)):
        for _ in range(20):
            assert ceiling / 2 <= loop.backoff(attempt) <= ceiling
    assert 30 <= loop.backoff(1, hint=30) <= 33


def test_the_retry_budget_ends_in_failed_with_the_last_reason(world):
    world.settings = DeliverySettings(
        retry_budget=2, backoff_base_seconds=1, timeout_seconds=TIMEOUT
    )
    world.masto.fail_next(9, reply=world.masto.error(503), path="/statuses")
    i = world.enqueue("ma", 0)
    world.loop().run_once(max_wait=600)
    d = world.ledger.get(i)
    assert d.state == "failed" and d.attempts == 3
    last = f"gave up after 3 attempts; the last: {world.masto.url} answered HTTP 503"
    assert d.reason.startswith(last)
    assert world.masto.texts() == []


def test_flood_control_wait_is_honoured_for_the_whole_bot(world):
    world.tg.fail_next(1, reply=world.tg.flood(retry_after=30))
    first, second = world.enqueue("ru", 0), world.enqueue("ru", 1)
    loop = world.loop()
    other_channel_waits: list[float] = []

    def on_outcome(o: Outcome) -> None:
        world.outcomes.append((world.clock.now(), o))
        if o.state == "retry":  # the same bot, another channel: blocked too
            other_channel_waits.append(
                loop.pacer.reserve(network("telegram").slots("be", "telegram-bot:123456"))
            )

    loop.on_outcome = on_outcome
    loop.run_once(max_wait=600)
    assert world.state(first) == world.state(second) == "sent"
    assert world.ledger.get(first).attempts == 2
    [(retry_at, _)] = [(t, o) for t, o in world.outcomes if o.state == "retry"]
    sent_at = [t for t, o in world.outcomes if o.state == "sent"]
    assert len(sent_at) == 2 and all(t - retry_at >= dt.timedelta(seconds=30) for t in sent_at)
    assert len(other_channel_waits) == 1 and 29 < other_channel_waits[0] <= 30


def test_a_permanent_failure_fails_at_once_and_the_channel_moves_on(world):
    world.tg.fail_next(1, reply=world.tg.error(403))
    first, second = world.enqueue("ru", 0), world.enqueue("ru", 1)
    world.loop().run_once(max_wait=600)
    d = world.ledger.get(first)
    assert d.state == "failed" and d.attempts == 1 and "administrator" in d.reason
    assert world.state(second) == "sent"


def test_a_telegram_timeout_is_unknown_never_resent(world):
    world.settings = DeliverySettings(backoff_base_seconds=2.0, timeout_seconds=SHORT)
    world.tg.fail_next(1, "slow", delay=60)  # ends when the client hangs up
    first, second = world.enqueue("ru", 0), world.enqueue("ru", 1)
    world.loop().run_once(max_wait=600)
    d = world.ledger.get(first)
    assert d.state == "unknown" and d.attempts == 1
    assert f"outreach resolve {first} sent" in d.reason and f"outreach retry {first}" in d.reason
    assert world.tg.texts() == ["<b>post 0</b>", "<b>post 1</b>"], "posted once, never again"
    assert world.state(second) == "sent"


def test_a_mastodon_timeout_is_resent_with_the_same_key_and_posted_once(world):
    world.settings = DeliverySettings(backoff_base_seconds=2.0, timeout_seconds=SHORT)
    world.masto.fail_next(1, "slow", delay=60, path="/statuses")  # ends when the client hangs up
    i = world.enqueue("ma", 0)
    world.loop().run_once(max_wait=600)
    d = world.ledger.get(i)
    assert d.state == "sent" and d.attempts == 2
    [status] = world.masto.statuses
    assert d.remote_id == status["id"]
    assert status["idempotency_key"] == f"outreach-{d.idempotency_key}"


def test_after_a_crash_mastodon_is_resent_and_telegram_is_unknown(world):
    ma, tg = world.enqueue("ma", 0), world.enqueue("ru", 0)
    # The crashed run had claimed both and its Mastodon request went through.
    ma_claim = world.ledger.claim(ma, dt.timedelta(minutes=2))
    world.ledger.claim(tg, dt.timedelta(minutes=2))
    world.publishers()["ma"].publish(ma_claim.delivery.post, ma_claim.delivery.idempotency_key)
    world.clock.advance(121)
    loop = world.loop()
    recovered = {d.id: d.state for d in loop.start()}
    assert recovered == {ma: "pending", tg: "unknown"}
    loop.run_once(max_wait=600)
    assert world.state(ma) == "sent" and len(world.masto.statuses) == 1
    assert world.state(tg) == "unknown" and world.tg.messages == []
    assert "may or may not have been posted" in world.ledger.get(tg).reason


def test_an_uncertain_mastodon_post_older_than_the_key_window_goes_to_an_organiser(world):
    i = world.enqueue("ma", 0)
    claim = world.ledger.claim(i, dt.timedelta(minutes=2))
    world.ledger.finish_retry(claim, "timed out", world.clock.now(), ambiguous=True)
    world.clock.advance(3600)
    world.loop().run_once(max_wait=600)
    d = world.ledger.get(i)
    assert d.state == "unknown" and "forgets its idempotency key" in d.reason
    assert world.masto.statuses == []


def test_a_scheduled_post_noticed_too_late_is_missed(world):
    post = Post("ru", "telegram", "<b>day 5000</b>", "ru", about="announcement:count")
    due = world.clock.now() - dt.timedelta(hours=3)
    i = world.ledger.enqueue(post, due_at=due, dedupe_key="a@1", occurrence=due).id
    world.loop().run_once(max_wait=600)
    d = world.ledger.get(i)
    assert d.state == "missed" and f"outreach retry {i}" in d.reason
    assert world.tg.messages == []


def test_a_burst_goes_out_within_telegrams_limits(world):
    ids = [world.enqueue("ru", n) for n in range(25)]
    world.loop().run_once(max_wait=3600)
    assert all(world.state(i) == "sent" for i in ids)
    times = [t for t, o in world.outcomes if o.state == "sent"]
    for t in times:
        window = [u for u in times if t <= u < t + dt.timedelta(seconds=60)]
        assert len(window) <= 20
    assert times[-1] - times[0] >= dt.timedelta(seconds=60)
    assert world.tg.texts() == [f"<b>post {n}</b>" for n in range(25)]


def test_a_channel_without_token_prints_what_would_be_sent(world):
    out = io.StringIO()
    dry = publisher_for(world.channels["ru"], None)
    dry.out = out  # type: ignore[attr-defined]
    i = world.enqueue("ru", 0, buttons=(LinkButton("Sign", "https://e.org/sign"),), silent=True)
    world.loop(world.publishers(ru=dry)).run_once(max_wait=600)
    d = world.ledger.get(i)
    assert d.state == "sent" and d.dry_run and d.remote_id.startswith("dry-run:")
    printed = out.getvalue()
    assert "<b>post 0</b>" in printed and "[button] Sign -> https://e.org/sign" in printed
    assert "silent=yes" in printed and "@freeales_ru" in printed
    assert world.tg.messages == []


def test_an_unexpected_error_is_unknown_for_telegram(world):
    class Broken(Publisher):
        network = "telegram"
        account = "telegram-bot:1"

        def publish(self, post: Post, delivery_key: str) -> Receipt:
            raise RuntimeError(f"boom with {TG_TOKEN}")

        def check(self) -> Check:
            raise PermanentError("no")

    i = world.enqueue("ru", 0)
    world.loop(world.publishers(ru=Broken("ru", TG_TOKEN))).run_once(max_wait=600)
    d = world.ledger.get(i)
    assert d.state == "unknown" and "RuntimeError" in d.reason and TG_TOKEN not in d.reason
