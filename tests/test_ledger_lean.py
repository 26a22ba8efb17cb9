"""The delivery loop's statements on SQLite's driver (ledger/lean.py) give what SQLAlchemy
gives: the same rows, every value converted the same way (aware datetimes, the post's
JSON, booleans), the same number of rows changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fakes import ManualClock
from sqlalchemy import Connection, event, select

from outreach.ledger import ActionRequest, Batch, Ledger, lean, loop_sql, open_ledger
from outreach.ledger import pace as pace_sql
from outreach.ledger.schema import DELIVERIES as D
from outreach.ledger.values import to_delivery
from outreach.networks import network
from outreach.pacing import Windows
from outreach.post import Post

LEASE = dt.timedelta(seconds=30)


def both(conn: Connection, stmt: Any, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The statement's rows through lean.py and through SQLAlchemy, in a transaction each
    that is rolled back; asserts they are the same and gives them."""
    assert lean._lean(stmt, conn.dialect) is not None, "runs through SQLAlchemy, not the driver"
    with conn.begin() as tx:
        fast = lean.rows(conn, stmt, params)
        tx.rollback()
    with conn.begin() as tx:
        slow = [tuple(r) for r in conn.execute(stmt, params).all()]
        tx.rollback()
    assert fast == slow
    for got, want in zip(fast, slow, strict=True):
        assert [type(v) for v in got] == [type(v) for v in want]
    return fast


def filled(tmp_path, clock: ManualClock) -> Ledger:
    ledger = open_ledger(f"sqlite:///{tmp_path / 'ledger.sqlite3'}", clock)
    image = Post(
        "masto", "mastodon", "with an image", "en", about="news:0",
        image_url="https://example.org/a.png", image_alt="a",
    )  # fmt: skip
    first = ledger.enqueue(image).id
    claim = ledger.claim(first, LEASE)
    assert claim is not None
    ledger.finish_sent(claim, "1", "https://masto.example/@c/1")
    ledger.request_actions([ActionRequest(ledger.get(first), "delete", "web:anna", "takedown")])
    for n in range(1, 4):
        ledger.enqueue(Post("masto", "mastodon", f"post {n}", "en", about=f"news:{n}"))
    clock.advance(5)
    return ledger


def test_the_loop_statements_answer_alike_through_the_driver(tmp_path):
    clock = ManualClock()
    ledger = filled(tmp_path, clock)
    now = clock.now()
    with ledger.engine.connect() as conn:
        (step,) = both(conn, loop_sql._STEP, {"channel": "masto", "pause_now": now})
        assert step[1] is True  # an action waits
        (row,) = both(conn, loop_sql._FIRST, {"channel": "masto"})
        d = loop_sql._delivery(row)
        assert d.post is not None and d.post.text == "post 1" and d.due_at.tzinfo is not None
        params = {"delivery": d.id, "now": now, "pause_now": now, "claim": "t" * 32,
                  "until": now + LEASE}  # fmt: skip
        (claimed,) = both(conn, loop_sql._CLAIM, params)
        assert loop_sql._delivery(claimed).state == "sending"
        # _delivery makes of a row what to_delivery makes of its columns by name
        with ledger.engine.connect() as other:
            every = [tuple(r) for r in other.execute(select(D).order_by(D.c.id)).all()]
        assert len(every) == 4 and every[0][D.c.keys().index("post")]["image_url"]
        for got in [row, claimed, *every]:
            want = to_delivery(dict(zip(loop_sql._COLUMNS, got, strict=True)))
            assert loop_sql._delivery(got) == want

        bot = network("mastodon")
        windows = Windows([("masto", bot, "acct")]).of(bot.slots("masto", "acct", has_image=True))
        counting = pace_sql._counting(tuple(windows))
        since = {f"pace_since_{i}": now - w.per for i, w in enumerate(windows)}
        assert both(conn, counting, since)  # one row, a time (or None) per window


def test_a_finish_changes_the_same_rows_through_the_driver(tmp_path):
    clock = ManualClock()
    ledger = filled(tmp_path, clock)
    head = ledger.head("masto").ready
    assert head is not None
    claim = ledger.claim(head.id, LEASE)
    assert claim is not None
    stmt = loop_sql._finish_statement(("sending", "pending", "unknown"), ("reason", "state"))
    now = clock.now()
    for token, changed in ((claim.token, 1), ("not-the-token", 0)):
        params = {"delivery": head.id, "claim": token, "now": now, "v_state": "sent",
                  "v_reason": None}  # fmt: skip
        with ledger.engine.connect() as conn:
            assert lean._lean(stmt, conn.dialect) is not None
            with conn.begin() as tx:
                assert lean.write(conn, stmt, params) == changed
                tx.rollback()
            with conn.begin() as tx:
                assert conn.execute(stmt, params).rowcount == changed
                tx.rollback()
    assert ledger.finish_sent(claim, "2", "https://masto.example/@c/2")
    assert ledger.get(head.id).state == "sent" and ledger.get(head.id).remote_id == "2"


def test_queueing_writes_alike_through_the_driver(tmp_path):
    """An item's delivery (pending, or held while paused) and its seen keys: the same rows
    written, the same ids and keys handed back, a key seen before left out."""
    clock = ManualClock()
    ledger = filled(tmp_path, clock)
    ledger.pause("web:anna", channel_id="masto")
    post = Post("masto", "mastodon", "new", "en", about="news:9")
    with ledger.batch() as batch:
        assert batch.mark_seen(["guid:news:1", "link:x"], feed_id="news", item_id="1") == 2
    written = []
    seen: list[str] = []
    for listening in (False, True):  # lean.py, then SQLAlchemy (a listener is attached)
        seen.clear()
        if listening:
            event.listen(ledger.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
        with ledger.engine.connect() as conn, conn.begin() as tx:
            batch = Batch(conn, clock)
            made = batch.enqueue(post, dedupe_key="news:9")
            new = batch.mark_seen(["guid:news:1", "link:y", "hash:z"], feed_id="news", item_id="9")
            row = conn.execute(select(D).where(D.c.id == made.id)).one()
            written.append((made, new, row.state, row.reason, row.post))
            tx.rollback()
        assert any(s.startswith("INSERT") for s in seen) == listening
    assert written[0] == written[1]
    assert written[0][0].created and written[0][1] == 2 and written[0][2] == "held"
