"""The ledger on SQLite and PostgreSQL: queueing once, claiming once, states that tell the truth."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from outreach.errors import StoreError
from outreach.ledger import (
    UNKNOWN_AFTER_CRASH,
    FeedState,
    Ledger,
    Recovery,
    StoredAnnouncement,
    normalize_url,
    open_ledger,
)
from outreach.post import LinkButton, Post

LEASE = dt.timedelta(seconds=30)
RESEND = Recovery(resend_within=dt.timedelta(minutes=55))


def rule(channel_id: str) -> Recovery:
    """As the delivery loop would say: 'masto' resends with its key, any other is unknown."""
    return RESEND if channel_id == "masto" else UNKNOWN_AFTER_CRASH


def post(n: int = 1, channel: str = "tg", network: str = "telegram", **kw) -> Post:
    return Post(
        channel_id=channel,
        network=network,  # type: ignore[arg-type]
        text=f"<b>post {n}</b>",
        language="be",
        about=f"news:item-{n}",
        buttons=(LinkButton("Sign", "https://example.org/sign"),),
        **kw,
    )


def test_enqueue_is_once_per_channel_and_key(ledger: Ledger):
    first = ledger.enqueue(post(1))
    again = ledger.enqueue(post(1))
    other_channel = ledger.enqueue(post(1, channel="masto", network="mastodon"))
    assert first.created and not again.created and again.id == first.id
    assert other_channel.created and other_channel.id != first.id
    d = ledger.get(first.id)
    assert d.state == "pending" and d.post == post(1)
    assert d.post.buttons[0].url == "https://example.org/sign"
    assert d.due_at.tzinfo is not None and d.due_at == ledger.now()


def test_occurrences_are_separate_rows_and_last_occurrence_is_reported(ledger, clock):
    monday = dt.datetime(2026, 3, 2, 7, tzinfo=dt.UTC)
    for week in range(3):
        occ = monday + dt.timedelta(weeks=week)
        p = Post("tg", "telegram", "reminder", "be", about="announcement:weekly")
        assert ledger.enqueue(p, due_at=occ, dedupe_key=f"ann:weekly@{occ}", occurrence=occ).created
    later = monday + dt.timedelta(weeks=5)
    ledger.record_missed(
        "masto", "mastodon", about="announcement:weekly", dedupe_key=f"ann:weekly@{later}",
        occurrence=later, reason="missed: the service was not running",
    )  # fmt: skip
    again = ledger.record_missed(
        "masto", "mastodon", about="announcement:weekly", dedupe_key=f"ann:weekly@{later}",
        occurrence=later, reason="again",
    )  # fmt: skip
    assert not again.created
    assert ledger.last_occurrences("announcement:") == {"announcement:weekly": later}
    assert ledger.last_occurrences("news:") == {}
    missed = ledger.get(again.id)
    assert missed.state == "missed" and missed.post is None
    with pytest.raises(StoreError, match="never rendered"):
        ledger.retry(missed.id)


def test_dry_run_sent_row_is_rearmed_by_a_new_enqueue(ledger):
    e = ledger.enqueue(post(1))
    claim = ledger.claim(e.id, LEASE)
    assert ledger.finish_sent(claim, "dry-run:1", None, dry_run=True)
    again = ledger.enqueue(post(1))
    assert again.id == e.id and again.created
    d = ledger.get(e.id)
    assert d.state == "pending" and not d.dry_run and d.remote_id is None
    assert d.idempotency_key != claim.delivery.idempotency_key
    # A really sent row is never queued again.
    claim = ledger.claim(e.id, LEASE)
    assert ledger.finish_sent(claim, "42", "https://t.me/c/42")
    assert not ledger.enqueue(post(1)).created
    assert ledger.get(e.id).state == "sent"


def test_head_keeps_channel_order_through_backoff_and_future_rows(ledger, clock):
    now = clock.now()
    later = ledger.enqueue(post(2), due_at=now + dt.timedelta(minutes=5))
    first = ledger.enqueue(post(1), due_at=now)
    assert ledger.head("tg").ready.id == first.id
    claim = ledger.claim(first.id, LEASE)
    # While one row is sending, nothing else of the channel can be claimed.
    clock.advance(600)
    assert ledger.head("tg").ready is None
    assert ledger.claim(later.id, LEASE) is None
    assert ledger.finish_retry(claim, "HTTP 503", at=clock.now() + dt.timedelta(seconds=60))
    head = ledger.head("tg")
    assert head.ready is None and head.wake_at == clock.now() + dt.timedelta(seconds=60)
    assert ledger.claim(later.id, LEASE) is None, "a later row must not overtake a retry"
    clock.advance(60)
    assert ledger.head("tg").ready.id == first.id
    assert ledger.head("other").ready is None and ledger.head("other").wake_at is None


def test_a_row_is_claimed_once_even_by_racing_workers(ledger):
    ids = [ledger.enqueue(post(n, channel=f"c{n % 4}")).id for n in range(12)]
    wins: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def worker() -> None:
        barrier.wait()
        for i in ids:
            c = ledger.claim(i, LEASE)
            if c:
                with lock:
                    wins.append(c.delivery.id)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == len(set(wins)), "a row was claimed twice"
    # One row in `sending` per channel at most.
    sending = ledger.deliveries(states=["sending"])
    assert sorted(d.channel_id for d in sending) == ["c0", "c1", "c2", "c3"]


def test_finishing_needs_the_claim_token(ledger):
    e = ledger.enqueue(post(1))
    claim = ledger.claim(e.id, LEASE)
    forged = type(claim)(claim.delivery, "not-the-token")
    assert not ledger.finish_sent(forged, "1", None)
    assert not ledger.finish_failed(forged, "x")
    assert ledger.finish_failed(claim, "bot is not an admin of @chan")
    assert not ledger.finish_sent(claim, "1", None), "a failed row stays failed"
    d = ledger.get(e.id)
    assert d.state == "failed" and d.reason == "bot is not an admin of @chan" and d.attempts == 1


def test_recover_mastodon_resends_with_same_key_telegram_becomes_unknown(ledger, clock):
    tg = ledger.enqueue(post(1)).id
    ma = ledger.enqueue(post(1, channel="masto", network="mastodon")).id
    tg_claim = ledger.claim(tg, LEASE)
    ma_claim = ledger.claim(ma, LEASE)
    assert ledger.recover(rule) == [], "a live lease is left alone"
    clock.advance(31)
    recovered = {d.id: d.state for d in ledger.recover(rule)}
    assert recovered == {tg: "unknown", ma: "pending"}
    t = ledger.get(tg)
    assert "may or may not have been posted" in t.reason
    assert f"outreach resolve {tg} sent" in t.reason and f"outreach retry {tg}" in t.reason
    m = ledger.get(ma)
    assert m.state == "pending" and m.idempotency_key == ma_claim.delivery.idempotency_key
    assert m.ambiguous_since == ma_claim.delivery.claimed_at
    # The crashed worker's late answer still counts: it did post.
    assert ledger.finish_sent(tg_claim, "77", "https://t.me/chan/77")
    assert ledger.get(tg).state == "sent"


def test_recover_after_the_idempotency_window_asks_an_organiser(ledger, clock):
    ma = ledger.enqueue(post(1, channel="masto", network="mastodon")).id
    claim = ledger.claim(ma, LEASE)
    assert ledger.finish_retry(claim, "timed out", clock.now(), ambiguous=True)
    clock.advance(30 * 60)
    ledger.claim(ma, LEASE)
    clock.advance(30 * 60)
    [d] = ledger.recover(rule)
    assert d.state == "unknown"
    assert "no longer remembers the idempotency key" in ledger.get(ma).reason


def test_organiser_actions_and_their_errors(ledger):
    a = ledger.enqueue(post(1)).id
    b = ledger.enqueue(post(2)).id
    ledger.hold(a)
    assert ledger.get(a).state == "held"
    ledger.release(a)
    ledger.cancel(a)
    with pytest.raises(StoreError, match=r"delivery \d+ is cancelled; only a delivery that is"):
        ledger.resolve(a, "sent")
    claim = ledger.claim(b, LEASE)
    ledger.finish_unknown(claim, "timed out")
    done = ledger.resolve(b, "sent", "seen in the channel", remote_url="https://t.me/x/5")
    assert done.state == "sent" and done.remote_url == "https://t.me/x/5"
    assert "seen in the channel" in done.reason
    again = ledger.retry(a)
    assert again.state == "pending" and again.attempts == 0
    with pytest.raises(StoreError, match="no delivery 999999"):
        ledger.get(999999)
    with pytest.raises(StoreError, match="'sent' or 'failed'"):
        ledger.resolve(a, "maybe")  # type: ignore[arg-type]
    assert ledger.counts() == {"pending": 1, "sent": 1}
    assert [d.id for d in ledger.deliveries(states=["sent"])] == [b]


def test_sent_times_count_real_posts_only(ledger, clock):
    for n, dry in ((1, False), (2, True), (3, False)):
        c = ledger.claim(ledger.enqueue(post(n)).id, LEASE)
        ledger.finish_sent(c, str(n), None, dry_run=dry)
        clock.advance(10)
    times = ledger.sent_times(["tg"], clock.now() - dt.timedelta(hours=1))
    assert len(times) == 2 and all(t.tzinfo for t in times)


def test_announcements_seen_items_and_feed_state(ledger, clock):
    ann = StoredAnnouncement(
        id="anniversary", template="anniversary", channels=("tg", "masto"),
        timezone="Europe/Minsk", cron="0 10 4 8 *", page="ales",
    )  # fmt: skip
    ledger.save_announcement(ann)
    created = ledger.announcement("anniversary").created_at
    clock.advance(60)
    ledger.save_announcement(StoredAnnouncement(
        id="anniversary", template="anniversary", channels=("tg",), timezone="UTC",
        at=dt.datetime(2026, 8, 4, 7, tzinfo=dt.UTC), source="cli",
    ))  # fmt: skip
    got = ledger.announcement("anniversary")
    assert got.channels == ("tg",) and got.source == "cli" and got.created_at == created
    assert got.at == dt.datetime(2026, 8, 4, 7, tzinfo=dt.UTC)
    assert ledger.cancel_announcement("anniversary") and not ledger.cancel_announcement("nope")
    assert ledger.announcements("active") == [] and len(ledger.announcements()) == 1
    assert ledger.announcement("nope") is None

    keys = ("guid:news:1", "link:https://e.org/1", "hash:abc")
    assert not ledger.seen(keys) and not ledger.seen([])
    assert ledger.mark_seen(keys, feed_id="news", item_id="news:1") == 3
    assert ledger.mark_seen(("hash:abc", "link:https://e.org/1b"), feed_id="news", item_id="x") == 1
    assert ledger.seen(["hash:abc"]) and not ledger.seen(["hash:zzz"])

    assert ledger.feed_state("news") is None
    ledger.save_feed_state(FeedState("news", etag='"v1"', failures=2, last_error="timeout"))
    ledger.save_feed_state(FeedState("news", etag='"v2"', last_poll=clock.now()))
    assert ledger.feed_state("news") == FeedState("news", etag='"v2"', last_poll=clock.now())


def test_rows_survive_reopening(store_url, clock):
    first = open_ledger(store_url, clock)
    i = first.enqueue(post(1)).id
    first.close()
    second = open_ledger(store_url, clock)
    assert second.get(i).post == post(1)
    second.close()


def test_postgres_urls_use_psycopg3_and_errors_hide_the_password():
    assert normalize_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"
    with pytest.raises(StoreError) as exc:
        open_ledger("postgresql://user:hunter2-pw@127.0.0.1:1/db")
    assert "hunter2-pw" not in str(exc.value)
    assert exc.value.__cause__ is None and exc.value.__suppress_context__


def test_naive_datetimes_are_refused(ledger):
    with pytest.raises(StoreError, match="aware"):
        ledger.enqueue(post(1), due_at=dt.datetime(2026, 1, 1))
    with pytest.raises(StoreError, match="aware"):
        ledger.save_announcement(
            StoredAnnouncement("a", "t", ("tg",), "UTC", at=dt.datetime(2026, 1, 1))
        )


def test_recover_follows_the_callers_rule_per_channel_not_the_network_name(ledger, clock):
    """The ledger never asks which network a row is for: the rule given decides."""
    a = ledger.enqueue(post(1, channel="masto", network="mastodon")).id
    b = ledger.enqueue(post(2, channel="tg")).id
    for ident in (a, b):
        assert ledger.claim(ident, LEASE)
    clock.advance(31)
    only_tg = ledger.recover(lambda ch: RESEND, channel_ids=["tg"])
    assert [(d.id, d.state) for d in only_tg] == [(b, "pending")]
    assert ledger.get(a).state == "sending", "another channel's row is left to its own loop"
    [d] = ledger.recover()  # no rule given: nothing is sent again on a guess
    assert (d.id, d.state) == (a, "unknown")
    assert "the platform cannot tell us which" in (ledger.get(a).reason or "")


def test_listings_are_ordered_filtered_and_paged_in_the_store(ledger, clock):
    ids = []
    for n in range(5):
        ids.append(ledger.enqueue(post(n), due_at=clock.now() + dt.timedelta(minutes=10 - n)).id)
        clock.advance(1)
    newest = ledger.deliveries(order="newest", limit=2)
    assert [d.id for d in newest] == [ids[4], ids[3]]
    assert [d.id for d in ledger.deliveries(order="newest", limit=2, before_id=ids[3])] == [
        ids[2],
        ids[1],
    ]
    assert [d.id for d in ledger.deliveries(order="queue", limit=2)] == [ids[4], ids[3]]
    assert [d.id for d in ledger.deliveries(order="queue", limit=2, offset=3)] == [ids[1], ids[0]]
    claim = ledger.claim(ids[4], LEASE)
    assert claim is None  # not due yet: claims wait for the due time
    ledger.cancel(ids[0])
    clock.advance(5)
    ledger.cancel(ids[2])
    assert [d.id for d in ledger.deliveries(states=["cancelled"], order="updated")] == [
        ids[2],
        ids[0],
    ]
    assert ledger.counts() == {"pending": 3, "cancelled": 2}


def test_overdue_counts_every_late_pending_row_in_the_store(ledger, clock):
    start = clock.now()
    for n in range(300):  # more than any page: counted by the database, not a fetched page
        ledger.enqueue(post(n), due_at=start + dt.timedelta(seconds=n))
    backing_off = ledger.enqueue(post(999, channel="masto", network="mastodon"), due_at=start).id
    claim = ledger.claim(backing_off, LEASE)
    assert claim is not None
    ledger.finish_retry(claim, "503", start + dt.timedelta(hours=2))
    clock.advance(3600)
    n, oldest = ledger.overdue(clock.now() - dt.timedelta(minutes=10))
    assert (n, oldest) == (300, start)
    assert ledger.overdue(start) == (0, None)


def test_cancel_queued_cancels_only_what_waits_in_one_statement(ledger):
    from dataclasses import replace

    about = "announcement:verdict"
    rows = [
        ledger.enqueue(replace(post(n, channel=ch), about=about)).id
        for n, ch in enumerate(["tg", "tg2", "tg3", "tg4"])
    ]
    ledger.hold(rows[0])
    assert ledger.claim(rows[2], LEASE) is not None  # being sent: it cannot be called off
    sent = ledger.claim(rows[3], LEASE)
    assert sent is not None and ledger.finish_sent(sent, "9", None)
    other = ledger.enqueue(replace(post(9), about="announcement:other")).id
    assert ledger.cancel_queued(about, "the announcement was cancelled") == 2
    assert [ledger.get(i).state for i in rows] == ["cancelled", "cancelled", "sending", "sent"]
    assert ledger.get(rows[0]).reason == "the announcement was cancelled"
    assert ledger.get(other).state == "pending"
