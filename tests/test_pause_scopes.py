"""Pauses of one channel and embargoes that lift themselves, on SQLite and PostgreSQL.

The claim is the wall: a row of a paused channel is never handed out, an
embargo stops holding at its own time, and each pause and resume is in the
audit trail with who and why.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from outreach.errors import StoreError
from outreach.ledger import Head, open_ledger
from outreach.ledger.pause import set_flag
from outreach.post import Post

LEASE = dt.timedelta(seconds=30)
HOUR = dt.timedelta(hours=1)


def queue(ledger, n: int, channel: str) -> int:
    return ledger.enqueue(Post(channel, "telegram", f"post {n}", "be", about=f"news:{n}")).id


def test_a_channel_pause_holds_that_channel_only(ledger):
    be, ru = queue(ledger, 1, "tg-be"), queue(ledger, 2, "tg-ru")
    r = ledger.pause("@anna", channel_id="tg-be", why="the family asked")
    assert (r.held, r.already, r.paused.channel_id, r.paused.why) == (
        1,
        False,
        "tg-be",
        "the family asked",
    )
    assert ledger.get(be).state == "held" and ledger.get(ru).state == "pending"
    assert ledger.paused() is None  # everything is not paused
    assert ledger.paused("tg-be").by == "@anna" and ledger.paused("tg-ru") is None
    # queued while paused: held by the very INSERT, on that channel only
    later_be, later_ru = queue(ledger, 3, "tg-be"), queue(ledger, 4, "tg-ru")
    assert ledger.get(later_be).state == "held" and ledger.get(later_ru).state == "pending"
    assert ledger.head("tg-be").ready is None and ledger.claim(later_be, LEASE) is None
    assert ledger.claim(ru, LEASE) is not None
    # retried or released while its channel is paused: held again, not sendable
    assert ledger.release(be).state == "held"


def test_the_claim_refuses_a_row_of_a_channel_paused_after_the_loop_looked(ledger):
    ident = queue(ledger, 1, "tg-be")
    assert ledger.head("tg-be").ready is not None
    with ledger.engine.begin() as conn:  # the flag alone, as a pause committing right now
        assert set_flag(conn, ledger.now(), "@anna", channel_id="tg-be")
    assert ledger.claim(ident, LEASE) is None and ledger.get(ident).state == "pending"


def test_an_embargo_lifts_itself_at_its_time(ledger, clock):
    ident = queue(ledger, 1, "tg-be")
    until = clock.now() + HOUR
    ledger.pause("@anna", channel_id="tg-be", until=until, why="verdict embargo")
    assert ledger.get(ident).state == "held"
    # the delivery loop is told to look again at the embargo's end
    assert ledger.head("tg-be") == Head(wake_at=until)
    clock.advance(3599)
    assert ledger.head("tg-be").ready is None and ledger.get(ident).state == "held"
    clock.advance(1)
    # at its time nothing covers the channel: a row queued now is pending ...
    assert ledger.paused("tg-be") is None and ledger.pauses() == []
    assert ledger.get(queue(ledger, 2, "tg-be")).state == "pending"
    # ... and the delivery loop's next look releases what the embargo held, in order
    head = ledger.head("tg-be")
    assert head.ready is not None and head.ready.id == ident
    assert ledger.get(ident).state == "pending"
    entries = ledger.audit.entries()
    assert (entries[0].by, entries[0].action, entries[0].target) == (
        "the embargo's end", "resume", "tg-be",
    )  # fmt: skip
    assert "1 held post(s) released" in (entries[0].detail or "")


def test_pausing_again_extends_and_never_shortens(ledger, clock):
    now = clock.now()
    ledger.pause("@anna", until=now + 2 * HOUR)
    again = ledger.pause("@boris", until=now + HOUR)
    assert again.already and again.paused.until == now + 2 * HOUR and again.paused.by == "@anna"
    longer = ledger.pause("@boris", until=now + 3 * HOUR)
    assert longer.paused.until == now + 3 * HOUR
    forever = ledger.pause("@boris")
    assert forever.paused.until is None
    assert ledger.pause("@anna", until=now + HOUR).paused.until is None


def test_an_embargo_does_not_release_a_row_held_by_hand(ledger, clock):
    by_hand = queue(ledger, 1, "tg-ru")
    ledger.hold(by_hand)
    ledger.pause("@anna", until=clock.now() + HOUR)
    clock.advance(3600)
    ledger.head("tg-ru")
    assert ledger.get(by_hand).state == "held"


def test_a_pause_in_the_past_is_refused(ledger, clock):
    with pytest.raises(StoreError, match="in the future"):
        ledger.pause("@anna", until=clock.now())
    assert ledger.pauses() == []


def test_resume_of_a_channel_keeps_the_pause_of_everything(ledger):
    be = queue(ledger, 1, "tg-be")
    ledger.pause("@anna")
    ledger.pause("@anna", channel_id="tg-be")
    r = ledger.resume(by="@boris", channel_id="tg-be")
    assert [p.channel_id for p in r.ended] == ["tg-be"]
    assert r.released == 0 and r.still is not None and r.still.by == "@anna"
    assert ledger.get(be).state == "held"
    r = ledger.resume(by="@boris")
    assert [p.channel_id for p in r.ended] == [None] and r.released == 1 and r.still is None
    assert ledger.get(be).state == "pending"


def test_resume_without_a_channel_ends_every_pause(ledger):
    ids = [queue(ledger, 1, "tg-be"), queue(ledger, 2, "tg-ru")]
    ledger.pause("@anna", channel_id="tg-be")
    ledger.pause("@anna", channel_id="tg-ru", until=ledger.now() + HOUR)
    assert [p.channel_id for p in ledger.pauses()] == ["tg-be", "tg-ru"]
    r = ledger.resume(by="@boris")
    assert len(r.ended) == 2 and r.released == 2 and ledger.pauses() == []
    assert {ledger.get(i).state for i in ids} == {"pending"}


def test_every_pause_and_resume_is_in_the_trail_with_who_and_why(ledger):
    ledger.pause("web:anna", channel_id="tg-be", why="verdict embargo")
    ledger.resume(by="cli:boris", channel_id="tg-be")
    got = [(e.by, e.action, e.target, e.detail) for e in reversed(ledger.audit.entries())]
    assert got[0][:3] == ("web:anna", "pause", "tg-be")
    assert "verdict embargo" in (got[0][3] or "")
    assert got[1][:3] == ("cli:boris", "resume", "tg-be")


def test_organiser_actions_told_who_asks_are_in_the_trail(ledger):
    a, b = queue(ledger, 1, "tg-be"), queue(ledger, 2, "tg-ru")
    ledger.cancel(a, by="web:olga")
    ledger.cancel(b)  # not told: the service's own cancels are not an organiser's
    got = [(e.by, e.action, e.target) for e in ledger.audit.entries()]
    assert got == [("web:olga", "cancel", f"delivery:{a}")]


def test_a_store_paused_by_an_older_outreach_stays_paused(tmp_path, clock):
    from outreach.ledger.schema import LEGACY_PAUSE  # the old flag, as 195acf4 wrote it

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    first = open_ledger(url, clock)
    with first.engine.begin() as conn:
        conn.execute(insert(LEGACY_PAUSE).values(id=1, since=clock.now(), by="@anna"))
    first.close()
    again = open_ledger(url, clock)
    try:
        p = again.paused()
        assert p is not None and p.by == "@anna" and p.until is None
        ident = queue(again, 1, "tg-be")
        assert again.claim(ident, LEASE) is None
    finally:
        again.close()
