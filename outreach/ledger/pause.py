"""Pause and embargo: while a scope is paused nothing of it is queued sendable or sent.

When a prisoner's family or lawyers ask for silence, or a statement is
embargoed until a hearing, nothing may go out. A delivery has the state for it
(`held`: never claimed, never sent); this module keeps the pauses in force, in
the store so every process sees them, one row per scope in `pauses`: '*'
(everything) or a channel id, each with who, why and maybe an end::

    ledger.pause(by="@anna", why="family asked")           -> everything, until a resume
    ledger.pause(by="@anna", channel_id="tg-be", until=t)  -> one channel, an embargo until t
    ledger.resume(by=)  -> every pause ends; ledger.resume(by=, channel_id=) -> that channel's
    ledger.paused(channel_id=None) -> the pause that covers it; ledger.pauses() -> all in force

It is the one place a pause is applied, always inside the write transaction
that would otherwise make a row sendable or send it:

- Queueing (Batch.enqueue, and an organiser's retry or release): a row that
  would become `pending` becomes `held` when a pause covers its channel,
  decided by the very statement that writes it (`pending_unless_paused`).
- Sending: the claim (the one conditional UPDATE that moves a row to
  `sending`) refuses a row whose channel a pause covers (`not_paused`), so
  a row the delivery loop saw ready an instant before the pause is not sent,
  and an embargo stops holding at its own time, whoever is running.
- An embargo's end: the delivery loop's `head` lifts pauses whose time has
  come (`lift_ended`: what they held becomes pending again, recorded in the
  audit trail), and wakes up at that time.

Pausing a scope that is paused already never shortens the pause: the later
end wins, and no end beats any end. Every pause and resume is written to the
audit trail (audit.py) in the same transaction, with who and why. A row
already being sent when the pause comes cannot be stopped; `pause` says how
many there were.

Serialised by the database. SQLite has one writer at a time, and each write
reads the pauses in its own statement. PostgreSQL's READ COMMITTED statements
would not see a pause committed while they run, nor would a pause see rows
another transaction queued and has not committed: `pause`, `resume` and
`lift_ended` lock the pauses table EXCLUSIVE, and every claim and every
queueing transaction lock it ROW SHARE first (`lock`). So each claim or batch
either finished before the pause (which then holds what it queued, or counts
what it is sending) or starts after it and sees it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    String,
    bindparam,
    case,
    delete,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    text,
    update,
)
from sqlalchemy import insert as sql_insert

from . import audit
from .bounds import cut, limit_of
from .schema import DELIVERIES as D
from .schema import LEGACY_PAUSE, PAUSES
from .utc import UtcDateTime
from .values import Paused, PauseResult, Resumed

HOLD_REASON = "held: paused by an organiser"
EVERYTHING = "*"
P = PAUSES


def _at(now: dt.datetime) -> Any:
    return literal(now, UtcDateTime())


def _live(now: dt.datetime) -> ColumnElement[bool]:
    return P.c.until.is_(None) | (P.c.until > _at(now))


def covering(now: dt.datetime, channel: Any) -> ColumnElement[bool]:
    """A condition: a pause in force at `now` covers `channel` (a column or a value)."""
    return exists(
        select(P.c.id).where(or_(P.c.scope == EVERYTHING, P.c.scope == channel), _live(now))
    )


def not_paused(now: dt.datetime, channel: Any = D.c.channel_id) -> ColumnElement[bool]:
    """A WHERE condition: true only while no pause covers the row's channel (for the claim)."""
    return ~covering(now, channel)


_NOW = bindparam("pause_now", type_=UtcDateTime())
_CHANNEL = bindparam("pause_channel", type_=String(64))


def not_paused_at(channel: Any) -> ColumnElement[bool]:
    """not_paused with the time as a bound parameter, `pause_now`, for statements built once."""
    return ~exists(
        select(P.c.id).where(
            or_(P.c.scope == EVERYTHING, P.c.scope == channel),
            P.c.until.is_(None) | (P.c.until > _NOW),
        )
    )


def any_ended() -> ColumnElement[bool]:
    """Whether an embargo's time has come (`pause_now`): lift_ended has work to do."""
    return exists(select(P.c.id).where(P.c.until.is_not(None), P.c.until <= _NOW))


def _unless(channel: Any) -> dict[str, Any]:
    flag = exists(
        select(P.c.id).where(
            or_(P.c.scope == EVERYTHING, P.c.scope == channel),
            P.c.until.is_(None) | (P.c.until > _NOW),
        )
    )
    return {
        "state": case((flag, literal("held")), else_=literal("pending")),
        "reason": case((flag, literal(HOLD_REASON)), else_=null()),
    }


# Built once, with bound parameters for the time and the channel: queueing writes one
# per row, and building the expressions afresh each time doubled the cost of a batch.
_BY_COLUMN = _unless(D.c.channel_id)
_BY_VALUE = _unless(_CHANNEL)


def pending_unless_paused(*, inserting: bool = False) -> dict[str, Any]:
    """Column values for a row becoming sendable: `pending`, or `held` while its channel is paused.

    SQL expressions, evaluated by the statement that writes the row, so the pauses
    are read in the same statement (and, on PostgreSQL, under `lock`). Execute the
    statement with `pause_params(now, channel)`: an UPDATE reads the row's own
    channel; an INSERT (`inserting=True`) takes it from the parameters.
    """
    return dict(_BY_VALUE if inserting else _BY_COLUMN)


def pause_params(now: dt.datetime, channel_id: str | None = None) -> dict[str, Any]:
    """The parameters pending_unless_paused's expressions need."""
    out: dict[str, Any] = {"pause_now": now}
    if channel_id is not None:
        out["pause_channel"] = channel_id
    return out


def lock(conn: Connection, *, exclusive: bool = False) -> None:
    """PostgreSQL: serialise claims and queueing (shared) with pause and resume (exclusive).

    Call first in the transaction: READ COMMITTED takes each statement's
    snapshot after this lock is granted, so what follows sees a pause
    committed while it waited, and a pause waits for the queueing transactions
    in flight. SQLite needs nothing: it has one writer at a time.
    """
    if conn.dialect.name == "postgresql":
        mode = "EXCLUSIVE" if exclusive else "ROW SHARE"
        conn.execute(text(f"LOCK TABLE {P.name} IN {mode} MODE"))


def _paused(row: Any) -> Paused:
    channel = None if row.scope == EVERYTHING else row.scope
    return Paused(row.since, row.by, channel_id=channel, until=row.until, why=row.why)


def _ordered(found: list[Paused]) -> list[Paused]:
    return sorted(found, key=lambda p: (p.channel_id is not None, p.channel_id or ""))


def carry_over(engine: Engine) -> None:
    """A store made before per-channel pauses: its one flag becomes a pause of everything."""
    with engine.begin() as conn:
        old = conn.execute(select(LEGACY_PAUSE)).first()
        if old is None:
            return
        lock(conn, exclusive=True)
        if conn.execute(select(P.c.id).where(P.c.scope == EVERYTHING)).first() is None:
            conn.execute(sql_insert(P).values(scope=EVERYTHING, since=old.since, by=old.by))
        conn.execute(delete(LEGACY_PAUSE))


def pauses(engine: Engine, now: dt.datetime) -> list[Paused]:
    """Every pause in force: everything first, then channels by id."""
    with engine.connect() as conn:
        rows = conn.execute(select(P).where(_live(now))).all()
    return _ordered([_paused(r) for r in rows])


def paused(engine: Engine, now: dt.datetime, channel_id: str | None = None) -> Paused | None:
    """The pause covering `channel_id` (the pause of everything first); None: not paused.

    With no channel: the pause of everything only.
    """
    found = [p for p in pauses(engine, now) if p.channel_id in (None, channel_id)]
    return found[0] if found else None


def next_end(conn: Connection, now: dt.datetime, channel_id: str) -> dt.datetime | None:
    """When the pauses covering this channel may next change by themselves (an embargo's end)."""
    q = select(func.min(P.c.until)).where(
        or_(P.c.scope == EVERYTHING, P.c.scope == channel_id), P.c.until > _at(now)
    )
    return conn.execute(q).scalar()


def set_flag(
    conn: Connection,
    now: dt.datetime,
    by: str,
    *,
    channel_id: str | None = None,
    until: dt.datetime | None = None,
    why: str | None = None,
) -> bool:
    """Pause a scope, or extend its pause (never shorten it); True when this call began it."""
    scope = channel_id or EVERYTHING
    ended = P.c.until.is_not(None) & (P.c.until <= _at(now))
    conn.execute(delete(P).where(P.c.scope == scope, ended))  # an embargo that ran out
    new = select(
        literal(scope),
        _at(now),
        literal(until, UtcDateTime()),
        literal(cut(by, limit_of(P.c.by))),
        literal(why),
    ).where(~exists(select(P.c.id).where(P.c.scope == scope)))
    stmt = sql_insert(P).from_select(["scope", "since", "until", "by", "why"], new)
    # RETURNING, not rowcount: drivers may report -1 for INSERT ... SELECT
    if conn.execute(stmt.returning(P.c.id)).first() is not None:
        return True
    # already paused: no end beats any end, and a later end beats an earlier one
    later = P.c.until.is_not(None) & (
        literal(True) if until is None else (P.c.until < literal(until, UtcDateTime()))
    )
    conn.execute(update(P).where(P.c.scope == scope, later).values(until=until))
    return False


def pause(
    engine: Engine,
    now: dt.datetime,
    by: str,
    *,
    channel_id: str | None = None,
    until: dt.datetime | None = None,
    why: str | None = None,
) -> PauseResult:
    """Pause a scope and hold its pending deliveries, in one transaction, recorded."""
    in_scope = D.c.channel_id == channel_id if channel_id else literal(True)
    with engine.begin() as conn:
        lock(conn, exclusive=True)
        added = set_flag(conn, now, by, channel_id=channel_id, until=until, why=why)
        held = conn.execute(
            update(D)
            .where(D.c.state == "pending", in_scope)
            .values(state="held", reason=HOLD_REASON, updated_at=now)
        ).rowcount
        sending = conn.execute(
            select(func.count()).select_from(D).where(D.c.state == "sending", in_scope)
        ).scalar_one()
        row = conn.execute(select(P).where(P.c.scope == (channel_id or EVERYTHING))).one()
        result = PauseResult(_paused(row), not added, held, int(sending))
        detail = _describe(result.paused)
        audit.record(
            conn, now, by, "pause", channel_id or EVERYTHING,
            detail if added else "already paused; " + detail,
        )  # fmt: skip
    return result


def _describe(p: Paused) -> str:
    parts = [f"until {p.until.isoformat()}" if p.until else "until resumed"]
    if p.why:
        parts.append(p.why)
    return "; ".join(parts)


def _release(conn: Connection, now: dt.datetime, *, only_paused: bool) -> int:
    """Held rows whose channel no pause covers any more become pending again.

    `only_paused`: only those a pause held (an organiser may have held one by hand).
    """
    stmt = update(D).where(D.c.state == "held", not_paused(now))
    if only_paused:
        stmt = stmt.where(D.c.reason == HOLD_REASON)
    return int(conn.execute(stmt.values(state="pending", reason=None, updated_at=now)).rowcount)


def lift_ended(engine: Engine, now: dt.datetime) -> int:
    """Lift the embargoes whose time has come: release what they held; how many rows.

    A read first, so the usual case (nothing ended) writes nothing.
    """
    ended_q = select(P).where(P.c.until.is_not(None), P.c.until <= _at(now))
    with engine.connect() as conn:
        if conn.execute(ended_q.limit(1)).first() is None:
            return 0
    with engine.begin() as conn:
        lock(conn, exclusive=True)
        ended = conn.execute(ended_q).all()  # again, under the lock: another may have lifted them
        if not ended:
            return 0
        conn.execute(delete(P).where(P.c.id.in_([r.id for r in ended])))
        released = _release(conn, now, only_paused=True)
        for r in ended:
            audit.record(
                conn, now, "the embargo's end", "resume", r.scope,
                f"the pause by {r.by} ended at {r.until.isoformat()}; "
                f"{released} held post(s) released",
            )  # fmt: skip
    return released


def resume(engine: Engine, now: dt.datetime, by: str, *, channel_id: str | None = None) -> Resumed:
    """End every pause (or that channel's), release what no pause covers now; recorded."""
    with engine.begin() as conn:
        lock(conn, exclusive=True)
        which = select(P).where(_live(now))
        gone = delete(P)
        if channel_id:
            which = which.where(P.c.scope == channel_id)
            gone = gone.where(P.c.scope == channel_id)
        ended = [_paused(r) for r in conn.execute(which)]
        conn.execute(gone)
        released = _release(conn, now, only_paused=False)
        still = conn.execute(select(P).where(P.c.scope == EVERYTHING, _live(now))).first()
        result = Resumed(
            ended=tuple(_ordered(ended)),
            released=released,
            still=_paused(still) if still else None,
        )
        if ended or released:
            audit.record(
                conn, now, by, "resume", channel_id or EVERYTHING,
                f"{released} held post(s) released",
            )  # fmt: skip
    return result
