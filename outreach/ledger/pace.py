"""Pacing counted from the store: how long a send must wait, whichever instance sent before.

The claim (loop.py, actions.py) calls `wait` in its transaction (`claiming`), before
its UPDATE; a wait above zero means the claim does not happen. What counts
against a window (PaceWindow, built by outreach/pacing.py from what each network
declares) is what the store says reached, or may be reaching, the platform:

    posts     rows `sent` (at sent_at, dry runs aside) and `sending` (at claimed_at)
              of the channels sharing the window (those counting only posts with
              an image, when the post row has one);
    actions   edits and deletions `done` or `refused` (at done_at: the platform
              answered) and `sending` (at claimed_at), of the kinds that count.

On PostgreSQL each window's key is locked first (pg_advisory_xact_lock, held to
the end of the claim's transaction, in one order), and READ COMMITTED gives the
count a snapshot taken after the lock: two instances can never both see the
last free place and both take it. On SQLite the claim's transaction begins
with BEGIN IMMEDIATE, which takes the file's write lock before the count: the
count and the claim are one step for every other writer (thread, engine or
process). (pysqlite would begin the transaction only at the UPDATE, the count
outside it; claims used to take turns on one process lock around their whole
transaction instead, statement building included.) A lock per key would not
let two claims count at once on SQLite, which has one writer at a time, and a
claim is a write; instead the claims this process asks for at the same moment
share one transaction and one commit (sqlite.together, through `claiming`),
each counting what the ones before it claimed, so a fan-out's first claims
cost one fsync, not one each.

A time written by another machine whose clock runs ahead of ours counts as now,
so the claim looks again within a window; the window stays full until our
clock reaches that time (longer by the clocks' difference, which NTP keeps to
milliseconds).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    bindparam,
    func,
    literal,
    or_,
    select,
    text,
    union_all,
)

from . import lean
from .schema import DELIVERIES as D
from .schema import POST_ACTIONS as A
from .utc import UtcDateTime
from .values import PaceWindow

T = TypeVar("T")


def claiming(engine: Engine, windows: Sequence[PaceWindow], body: Callable[[Connection], T]) -> T:
    """`body(conn)`, which counts (`wait`) then claims, in a transaction; its result after
    the commit. The count's statement is built first, before any lock is taken.

    PostgreSQL: a transaction of its own (`wait` locks the windows' keys). SQLite: one
    shared with the claims asked for at the same moment, committed once
    (sqlite.together: a fan-out's first claims in one fsync instead of one each).
    """
    if windows:
        _counting(tuple(windows))
    if engine.dialect.name == "sqlite":
        from . import sqlite

        return sqlite.together(engine, body)
    with engine.begin() as conn:
        return body(conn)


def _lock(conn: Connection, windows: Sequence[PaceWindow]) -> None:
    """Hold what the count needs until the transaction ends. PostgreSQL: the windows'
    keys, in one order. SQLite: the file's write lock (BEGIN IMMEDIATE), unless the
    transaction has written already, which took it."""
    if conn.dialect.name == "sqlite":
        if not conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
            lean.begin_immediate(conn)
        return
    if conn.dialect.name != "postgresql":
        return
    keys = sorted({w.key for w in windows})
    hashed = text(
        "SELECT DISTINCT hashtext('outreach-pace:' || current_schema() || ':' || k) "
        "FROM unnest(CAST(:keys AS text[])) AS k"
    )
    ids = conn.execute(hashed, {"keys": keys}).scalars()
    for h in sorted(ids):  # one order for every claim: no deadlock
        conn.execute(text("SELECT pg_advisory_xact_lock(:h)"), {"h": h})


def wait(conn: Connection, windows: Sequence[PaceWindow], now: dt.datetime) -> float:
    """Seconds before one more send fits in every window (0: it fits now).

    Call first in the transaction that claims (`claiming`'s body): it locks first (`_lock`).
    """
    if not windows:
        return 0.0
    _lock(conn, windows)
    since = {f"pace_since_{i}": now - w.per for i, w in enumerate(windows)}
    (row,) = lean.rows(conn, _counting(tuple(windows)), since)  # lean.py: the driver's cursor
    seconds = 0.0
    for w, t in zip(windows, row, strict=True):
        if t is not None:
            if t.tzinfo is None:  # SQLite hands a subquery's time back as it stored it
                t = t.replace(tzinfo=dt.UTC)
            seconds = max(seconds, (min(t, now) + w.per - now).total_seconds())
    return seconds


@functools.lru_cache(maxsize=256)
def _counting(windows: tuple[PaceWindow, ...]) -> Any:
    """The limit-th newest time in each window: a full window, and when its oldest leaves.

    Built once per set of windows (a channel's are the same for every post), the
    start of window i bound as `pace_since_i`: building it took longer than running it.
    """
    return select(*(_nth_newest(w, i) for i, w in enumerate(windows)))


@functools.lru_cache(maxsize=1024)
def _nth_newest(w: PaceWindow, i: int) -> ColumnElement[dt.datetime | None]:
    """Window i's time (a bot's window is the same in each of its channels' sets)."""
    since = bindparam(f"pace_since_{i}", type_=UtcDateTime())
    parts = []
    posts = list(w.posts)
    images = list(w.image_posts)
    if posts or images:
        counted: list[ColumnElement[bool]] = []
        if posts:
            counted.append(D.c.channel_id.in_(_each(posts, D.c.channel_id.type)))
        if images:
            has_image = func.coalesce(D.c.post["image_url"].as_string(), "") != ""
            counted.append(and_(D.c.channel_id.in_(_each(images, D.c.channel_id.type)), has_image))
        ours = or_(*counted)
        parts.append(
            select(D.c.sent_at.label("t")).where(
                ours, D.c.state == "sent", D.c.dry_run.is_(False), D.c.sent_at > since
            )
        )
        parts.append(
            select(D.c.claimed_at.label("t")).where(
                ours, D.c.state == "sending", D.c.claimed_at > since
            )
        )
    for kind in sorted({k for _, k in w.actions}):
        chans = [c for c, k in w.actions if k == kind]
        done: ColumnElement[bool] = and_(
            A.c.channel_id.in_(_each(chans, A.c.channel_id.type)), A.c.kind == kind
        )
        parts.append(
            select(A.c.done_at.label("t")).where(
                done, A.c.state.in_(_each(("done", "refused"), A.c.state.type)), A.c.done_at > since
            )
        )
        parts.append(
            select(A.c.claimed_at.label("t")).where(
                done, A.c.state == "sending", A.c.claimed_at > since
            )
        )
    if not parts:
        return literal(None, D.c.sent_at.type)
    times = union_all(*parts).subquery()
    return (
        select(times.c.t).order_by(times.c.t.desc()).offset(w.limit - 1).limit(1).scalar_subquery()
    )


def _each(values: Sequence[str], type_: Any) -> list[Any]:
    """An IN list bound value by value, not as one expanding parameter: the statement's SQL
    is then the same at each execution, and lean.py can run it on the driver (on
    PostgreSQL the SQL is what the expanding form renders)."""
    return [literal(v, type_) for v in values]
