"""`Ledger.heads`: the delivery loop's one read before each step says what `action_head`
and `head`, asked apart, say, in every state a channel can be in (SQLite, PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from outreach.ledger import ActionRequest, Ledger
from outreach.post import Post

LEASE = dt.timedelta(seconds=30)


def same(ledger: Ledger, channel: str = "masto") -> tuple:
    both = ledger.heads(channel)
    assert both == (ledger.action_head(channel), ledger.head(channel))
    return both


def post(n: int) -> Post:
    return Post("masto", "mastodon", f"post {n}", "en", about=f"news:{n}")


def test_heads_say_what_action_head_and_head_say(ledger: Ledger, clock):
    act, head = same(ledger)
    assert act.ready is None and head.ready is None and head.wake_at is None  # nothing queued

    first = ledger.enqueue(post(1)).id
    later = ledger.enqueue(post(2), due_at=clock.now() + dt.timedelta(minutes=5)).id
    act, head = same(ledger)
    assert head.ready is not None and head.ready.id == first and act.ready is None

    claim = ledger.claim(first, LEASE)
    act, head = same(ledger)  # a post sending: wake when its lease ends
    assert head.ready is None and head.wake_at == clock.now() + LEASE and not head.stuck
    ledger.finish_sent(claim, "1", "https://masto.example/@c/1")
    act, head = same(ledger)  # the next is not due yet
    assert head.ready is None and head.wake_at == clock.now() + dt.timedelta(minutes=5)

    sent = ledger.get(first)
    ledger.request_actions([ActionRequest(sent, "delete", "web:anna", "takedown")])
    act, head = same(ledger)  # an action waits: it goes first
    assert act.ready is not None and act.ready.delivery_id == first
    taken = ledger.claim_action(act.ready.id, LEASE)
    assert taken is not None
    act, head = same(ledger)  # an action sending
    assert act.ready is None and act.wake_at == clock.now() + LEASE and not act.stuck
    clock.advance(31)
    act, head = same(ledger)
    assert act.stuck
    ledger.finish_action(taken, "done", "removed")

    ledger.pause("web:anna", channel_id="masto", until=clock.now() + dt.timedelta(minutes=1))
    act, head = same(ledger)  # paused until a time: nothing ready, look again then
    assert head.ready is None and head.wake_at == clock.now() + dt.timedelta(minutes=1)
    clock.advance(6 * 60)
    act, head = ledger.heads("masto")  # the embargo ended: lifted, and the post is ready
    assert head.ready is not None and head.ready.id == later
    assert ledger.paused("masto") is None
    same(ledger)
