"""Pause and resume: while paused nothing is queued sendable and nothing is sent.

When a prisoner's family or lawyers ask for silence, nothing may go out. A
delivery has the state for it (`held`: never claimed, never sent); this module
keeps the flag that says "we are paused", in the store so every process sees
it, and is the one place the pause is applied, always inside the write
transaction that would otherwise make a row sendable::

    ledger.pause(by="@anna") -> the flag is set and every pending delivery becomes held
    ledger.resume()          -> the flag is cleared; every held delivery is pending again
    ledger.paused()          -> the pause in force, or None

- Queueing (Batch.enqueue, and an organiser's retry or release): a row that
  would become `pending` becomes `held`, decided by the very statement that
  writes it (`pending_unless_paused`). No caller asks "are we paused?" before
  writing, so no answer can go stale between the question and the write.
- Sending: the claim (the one conditional UPDATE that moves a row to
  `sending`) refuses every row while the flag is set (`not_paused`), so a row
  the delivery loop saw ready an instant before the pause is not sent either.

A row already being sent when the pause comes cannot be stopped; `pause` says
how many there were.

Serialised by the database. SQLite has one writer at a time, and each write
reads the flag in its own statement. PostgreSQL's READ COMMITTED statements
would not see a pause committed while they run, nor would a pause see rows
another transaction queued and has not committed: `pause` and `resume` lock the
pause table EXCLUSIVE, and every claim and every queueing transaction lock it
ROW SHARE first (`lock`). So each claim or batch either finished before the
pause (which then holds what it queued, or counts what it is sending) or
starts after it and sees the flag.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Update,
    case,
    delete,
    exists,
    func,
    literal,
    null,
    select,
    text,
    update,
)
from sqlalchemy import insert as sql_insert

from .schema import DELIVERIES as D
from .schema import PAUSE, UtcDateTime
from .values import Paused, PauseResult

HOLD_REASON = "held: paused by an organiser"


def not_paused() -> ColumnElement[bool]:
    """A WHERE condition: true only while no pause is set (for the ledger's claim)."""
    return ~exists(select(PAUSE.c.id))


_FLAG = exists(select(PAUSE.c.id))
# Built once: SQL expressions are immutable, and queueing writes one per row.
_PENDING_UNLESS_PAUSED = {
    "state": case((_FLAG, literal("held")), else_=literal("pending")),
    "reason": case((_FLAG, literal(HOLD_REASON)), else_=null()),
}


def pending_unless_paused() -> dict[str, Any]:
    """Column values for a row becoming sendable: `pending`, or `held` while paused.

    SQL expressions, evaluated by the statement that writes the row, so the flag
    is read in the same statement (and, on PostgreSQL, under `lock`).
    """
    return dict(_PENDING_UNLESS_PAUSED)


def lock(conn: Connection, *, exclusive: bool = False) -> None:
    """PostgreSQL: serialise claims and queueing (shared) with pause and resume (exclusive).

    Call first in the transaction: READ COMMITTED takes each statement's
    snapshot after this lock is granted, so what follows sees a pause
    committed while it waited, and a pause waits for the queueing transactions
    in flight. SQLite needs nothing: it has one writer at a time.
    """
    if conn.dialect.name == "postgresql":
        mode = "EXCLUSIVE" if exclusive else "ROW SHARE"
        conn.execute(text(f"LOCK TABLE {PAUSE.name} IN {mode} MODE"))


def paused(engine: Engine) -> Paused | None:
    with engine.connect() as conn:
        row = conn.execute(select(PAUSE).where(PAUSE.c.id == 1)).first()
    return Paused(row.since, row.by) if row else None


def set_flag(conn: Connection, now: dt.datetime, by: str) -> bool:
    """Set the flag unless it is set (one statement); True when this call set it."""
    values = select(literal(1), literal(now, UtcDateTime()), literal(by[:200]))
    stmt = sql_insert(PAUSE).from_select(
        ["id", "since", "by"], values.where(~exists(select(PAUSE.c.id)))
    )
    # RETURNING, not rowcount: drivers may report -1 for INSERT ... SELECT
    return conn.execute(stmt.returning(PAUSE.c.id)).first() is not None


def _hold_pending(now: dt.datetime) -> Update:
    return (
        update(D)
        .where(D.c.state == "pending")
        .values(state="held", reason=HOLD_REASON, updated_at=now)
    )


def pause(engine: Engine, now: dt.datetime, by: str) -> PauseResult:
    """Set the flag and hold every pending delivery, in one transaction."""
    with engine.begin() as conn:
        lock(conn, exclusive=True)
        added = set_flag(conn, now, by)
        held = conn.execute(_hold_pending(now)).rowcount
        sending = conn.execute(
            select(func.count()).select_from(D).where(D.c.state == "sending")
        ).scalar_one()
        row = conn.execute(select(PAUSE).where(PAUSE.c.id == 1)).one()
    return PauseResult(Paused(row.since, row.by), not added, held, int(sending))


def resume(engine: Engine, now: dt.datetime) -> tuple[Paused | None, int]:
    """Clear the flag, release every held delivery; (the pause that ended, how many released)."""
    with engine.begin() as conn:
        lock(conn, exclusive=True)
        row = conn.execute(select(PAUSE).where(PAUSE.c.id == 1)).first()
        conn.execute(delete(PAUSE))
        released = conn.execute(
            update(D)
            .where(D.c.state == "held")
            .values(state="pending", reason=None, updated_at=now)
        ).rowcount
    return (Paused(row.since, row.by) if row else None), int(released)
