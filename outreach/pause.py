"""Pause and resume: hold everything queued, and keep holding, until an organiser resumes.

When a prisoner's family or lawyers ask for silence, nothing may go out. The
ledger already has the state for it (`held`: never claimed, never sent); this
module adds the flag that says "we are paused", stored next to the ledger so
every process sees it:

    pause(ledger, by="@anna")   -> every pending delivery becomes held; the flag is set
    hold_new(ledger)            -> while paused, pending rows queued since become held
    resume(ledger)              -> the flag is cleared; every held delivery is pending again

While paused, the outbox queues new posts `held` (it asks `paused`), and the
service, after each turn, and the admin bot, every few seconds, call
`hold_new` for a row that slipped in between (queued in the instant the pause
began). A row already being sent when the pause comes cannot be stopped;
`pause` says how many there were.
"""

from __future__ import annotations

import datetime as dt
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Column, Integer, MetaData, String, Table, delete, insert, select
from sqlalchemy.exc import IntegrityError

from .errors import StoreError
from .ledger_schema import UtcDateTime

if TYPE_CHECKING:
    from .ledger import Ledger

HOLD_REASON = "held: paused by an organiser"

metadata = MetaData()
PAUSE = Table(
    "pause",
    metadata,
    Column("id", Integer, primary_key=True),  # always 1: one flag per store
    Column("since", UtcDateTime, nullable=False),
    Column("by", String(200), nullable=False),
)


@dataclass(frozen=True)
class Paused:
    since: dt.datetime
    by: str


@dataclass(frozen=True)
class PauseResult:
    paused: Paused
    already: bool
    """It was paused before this call."""
    held: int
    """Pending deliveries held by this call."""
    sending: int
    """Deliveries being sent right now: they cannot be stopped."""


_READY: weakref.WeakSet[object] = weakref.WeakSet()


def _ensure(ledger: Ledger) -> None:
    if ledger.engine not in _READY:
        metadata.create_all(ledger.engine)
        _READY.add(ledger.engine)


def paused(ledger: Ledger) -> Paused | None:
    _ensure(ledger)
    with ledger.engine.connect() as conn:
        row = conn.execute(select(PAUSE).where(PAUSE.c.id == 1)).first()
    return Paused(row.since, row.by) if row else None


def _hold_all(ledger: Ledger) -> int:
    n = 0
    for d in ledger.deliveries(states=("pending",), limit=100_000):
        try:
            ledger.hold(d.id, HOLD_REASON)
            n += 1
        except StoreError:
            pass  # claimed meanwhile: it is being sent
    return n


def pause(ledger: Ledger, by: str) -> PauseResult:
    _ensure(ledger)
    now = ledger.now()
    already = True
    try:
        with ledger.engine.begin() as conn:
            conn.execute(insert(PAUSE).values(id=1, since=now, by=by[:200]))
        already = False
    except IntegrityError:
        pass
    held = _hold_all(ledger)
    sending = ledger.counts().get("sending", 0)
    state = paused(ledger) or Paused(now, by)
    return PauseResult(state, already, held, sending)


def hold_new(ledger: Ledger) -> int:
    """While paused, hold what was queued since; 0 when not paused."""
    if paused(ledger) is None:
        return 0
    return _hold_all(ledger)


def resume(ledger: Ledger) -> tuple[Paused | None, int]:
    """Clear the flag, release every held delivery; (the pause that ended, how many released)."""
    was = paused(ledger)
    with ledger.engine.begin() as conn:
        conn.execute(delete(PAUSE))
    n = 0
    for d in ledger.deliveries(states=("held",), limit=100_000):
        try:
            ledger.release(d.id)
            n += 1
        except StoreError:
            pass  # cancelled meanwhile
    return was, n
