"""Pause and resume: hold everything queued, and keep holding, until an organiser resumes.

When a prisoner's family or lawyers ask for silence, nothing may go out. The
ledger already has the state for it (`held`: never claimed, never sent); this
module adds the flag that says "we are paused", stored next to the ledger so
every process sees it:

    ledger.pause(by="@anna")    -> the flag is set and every pending delivery becomes held
    ledger.hold_new()           -> while paused, pending rows queued since become held
    ledger.resume()             -> the flag is cleared; every held delivery is pending again

The flag is enforced where a post starts to go out: the ledger's claim (the
one conditional UPDATE that moves a row to `sending`) refuses every row while
the flag is set (`not_paused()` in its WHERE). So a row queued pending in the
instant the pause began (the outbox asked `paused` just before) is never
sent; the service, after each turn, and the admin bot, every few seconds, call
`hold_new` so it also shows as held. A row already being sent when the pause
comes cannot be stopped; `pause` says how many there were.

Setting the flag and a claim are serialised by the database: SQLite has one
writer at a time, and on PostgreSQL, whose READ COMMITTED statements would
not see a pause committed while they run, `pause` and `resume` lock the pause
table EXCLUSIVE and every claim locks it ROW SHARE first (`lock`), so a claim
either finished before the pause (and `pause` counts it as being sent) or
sees the flag.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Update,
    delete,
    exists,
    func,
    literal,
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


def lock(conn: Connection, *, exclusive: bool = False) -> None:
    """PostgreSQL: serialise claims (shared) with pause and resume (exclusive).

    Call first in the transaction: READ COMMITTED takes each statement's
    snapshot after this lock is granted, so the claim that follows sees a pause
    committed while it waited. SQLite needs nothing: it has one writer at a time.
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


def hold_new(engine: Engine, now: dt.datetime) -> int:
    """While paused, hold what was queued since; 0 when not paused (one statement)."""
    with engine.begin() as conn:
        lock(conn)
        stmt = _hold_pending(now).where(exists(select(PAUSE.c.id)))
        return int(conn.execute(stmt).rowcount)


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
