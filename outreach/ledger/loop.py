"""The delivery loop's side of the ledger: the step, the claim and the finish.

`take` is the loop's step in one transaction: the look `heads` gives, the claim of
the ready post, and first, when given, the previous post's finish_sent (a post's
ledger work was three transactions, the look, the claim and the finish; now one).

The statements these run are built once in loop_sql.py; the recovery of rows a crash
left in `sending` is recovery.py's.

Part of outreach.ledger.Ledger (core.py binds them); only outreach/delivery/ calls these.
Every change is a conditional UPDATE: a row moves to `sending` only if it is
the first pending row of its channel, none of its channel is sending and the
campaign is not paused (pause.py); it leaves `sending` only with the
claim token it was given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sqlalchemy import Connection, Engine, update

from . import bounds, lean, leases, pace, pause
from .actions import first_action, record_place
from .loop_sql import _CLAIM, _EXPRESSIONS, _FIRST, _STATE, _STEP, _delivery, _finish_statement
from .said import record_reason
from .schema import DELIVERIES as D
from .values import ActionHead, Claim, Clock, Delivery, Head, Paced, PaceWindow, new_key

# Also from pending or unknown: recover() may have given up on our lease while
# the request went through after all, and what we know now is the truth.
_SENT_FROM = ("sending", "pending", "unknown")


@dataclass(frozen=True)
class Step:
    """What Loop.take found and did: the channel's heads, and its claim when it tried one."""

    act: ActionHead = field(default_factory=ActionHead)
    head: Head = field(default_factory=Head)
    claim: Claim | Paced | None = None
    """Tried only when the ready row was the step and `pacing` gave windows: Claim
    (sending now), Paced (a window full) or None (refused: paused, taken, not first)."""
    finished: bool | None = None
    """The `finish` given: whether it changed the row (None: none given)."""
    again: bool = False
    """An embargo ended: look again after lifting it (internal to take)."""


@dataclass(frozen=True)
class Sent:
    """A finish_sent to write (Loop.take writes it with the next claim)."""

    claim: Claim
    remote_id: str
    remote_url: str | None
    dry_run: bool = False
    place: str | None = None

    def values(self, now: dt.datetime) -> dict[str, Any]:
        return dict(state="sent", remote_id=self.remote_id, remote_url=self.remote_url,
                    sent_at=now, reason=None, dry_run=self.dry_run, next_attempt_at=None)  # fmt: skip


class Loop:
    """The delivery loop's moves on the ledger's engine and clock; `get` reads one row."""

    def __init__(self, engine: Engine, now: Clock, get: Callable[[int], Delivery]) -> None:
        self.engine = engine
        self.now = now
        self.get = get

    def head(self, channel_id: str) -> Head:
        """What to do next on the channel; nothing is ready while a pause covers it.

        Two reads on one connection: the channel's lease, pause and any embargo
        past its time (one statement), then its first pending row.
        """
        now = self.now()
        with self.engine.connect() as conn:
            lease, free, ended = conn.execute(
                _STATE, {"channel": channel_id, "pause_now": now}
            ).one()
            if ended:  # an embargo past its time: release its rows, then look again
                conn.close()
                pause.lift_ended(self.engine, now)
                return self.head(channel_id)
            return _head(conn, channel_id, now, lease, free)

    def heads(self, channel_id: str) -> tuple[ActionHead, Head]:
        """`action_head` and `head` of the channel, read on one connection: the loop asks
        both before every post, and asking them apart cost two connections and four
        statements, now one and two (bench/README.md, the posting path).

        One statement says whether an action is sending or waiting, and the posts'
        lease, pause and any embargo past its time; then the first pending action,
        if one waits, and the first pending row, as `action_head` and `head` read them.
        """
        now = self.now()
        with self.engine.connect() as conn:
            ((acting, waiting, lease, free, ended),) = lean.rows(
                conn, _STEP, {"channel": channel_id, "pause_now": now}
            )
            if ended:  # an embargo past its time: release its rows, then look again
                conn.close()
                pause.lift_ended(self.engine, now)
                return self.heads(channel_id)
            if acting is not None:
                act = ActionHead(wake_at=acting, stuck=acting <= now)
            else:
                act = first_action(conn, channel_id, now) if waiting else ActionHead()
            return act, _head(conn, channel_id, now, lease, free)

    def claim(
        self,
        delivery_id: int,
        lease: dt.timedelta,
        *,
        fence: tuple[str, str] | None = None,
        pacing: Sequence[PaceWindow] = (),
    ) -> Claim | Paced | None:
        """Move the channel's first pending row to `sending`, if due, none is sending and not paused.

        One conditional UPDATE decides and hands the row back (RETURNING); on
        PostgreSQL it first waits for a pause or resume being committed
        (pause.lock), so it sees the flag they set. `fence` (lease name, owner):
        only while that instance holds that lease (leases.py), so an instance
        that lost its channel cannot claim on it. `pacing`: the platform limits
        the send counts against, counted from the store in the same transaction
        (pace.py); Paced when one is full.
        """
        now = self.now()
        token = new_key()
        stmt = _CLAIM if fence is None else _CLAIM.where(leases.holds(*fence))
        params = {"delivery": delivery_id, "now": now, "pause_now": now, "claim": token,
                  "until": now + lease}  # fmt: skip

        def count_and_claim(conn: Connection) -> Claim | Paced | None:
            pause.lock(conn)
            wait = pace.wait(conn, pacing, now)
            if wait > 0:
                return Paced(wait)
            if fence is None:  # the driver's cursor (lean.py) on SQLite
                row = lean.first(conn, stmt, params)
            else:  # a statement of its own, made for this call
                row = conn.execute(stmt, params).first()
            return Claim(_delivery(row), token) if row is not None else None

        return pace.claiming(self.engine, pacing, count_and_claim)

    def take(
        self,
        channel_id: str,
        lease: dt.timedelta,
        *,
        fence: tuple[str, str] | None = None,
        pacing: Callable[[Delivery], Sequence[PaceWindow] | None] | None = None,
        finish: Sent | None = None,
    ) -> Step:
        """`heads` and `claim` in one transaction: the channel's next step, and its first
        pending row claimed when that is the step (bench/README.md, the ledger's
        transactions per post).

        `pacing(d)`: asked of the ready row (no action comes first); the windows its send
        counts against, then counted and the row claimed as `claim` does, or None to claim
        nothing (the caller's own reasons: too late, its own pacer). No `pacing`: read only.
        `finish`: the previous post's finish_sent, first in the same transaction; it is
        committed with what follows or not at all, so kill -9 leaves the previous row in
        `sending` (recovered as after any crash between a send and its finish) or both
        written. Step.finished says whether it changed the row.
        """
        now = self.now()
        token = new_key()
        params = {"now": now, "pause_now": now, "claim": token, "until": now + lease}

        def step(conn: Connection) -> Step | None:
            pause.lock(conn)  # first, as in claim: before this row lock and any pacing lock
            finished = None
            if finish is not None:
                finished = self._finish_on(conn, finish.claim, _SENT_FROM, finish.place,
                                           finish.values(self.now()))  # fmt: skip
            ((acting, waiting, lease_at, free, ended),) = lean.rows(
                conn, _STEP, {"channel": channel_id, "pause_now": now}
            )
            if ended:  # an embargo past its time: lifted after this transaction, then again
                return None if finished is None else Step(finished=finished, again=True)
            if acting is not None:
                act = ActionHead(wake_at=acting, stuck=acting <= now)
            else:
                act = first_action(conn, channel_id, now) if waiting else ActionHead()
            head = _head(conn, channel_id, now, lease_at, free)
            d = head.ready
            if act.ready is not None or act.stuck or d is None or pacing is None:
                return Step(act, head, finished=finished)
            windows = pacing(d)
            if windows is None:
                return Step(act, head, finished=finished)
            wait = pace.wait(conn, windows, now)
            if wait > 0:
                return Step(act, head, Paced(wait), finished=finished)
            stmt = _CLAIM if fence is None else _CLAIM.where(leases.holds(*fence))
            if fence is None:  # the driver's cursor (lean.py) on SQLite
                row = lean.first(conn, stmt, params | {"delivery": d.id})
            else:  # a statement of its own, made for this call
                row = conn.execute(stmt, params | {"delivery": d.id}).first()
            got = Claim(_delivery(row), token) if row is not None else None
            return Step(act, head, got, finished=finished)

        if self.engine.dialect.name == "sqlite":
            from . import sqlite

            done = sqlite.together(self.engine, step)
        else:
            with self.engine.begin() as conn:
                done = step(conn)
        if done is None or done.again:
            pause.lift_ended(self.engine, now)
            again = self.take(channel_id, lease, fence=fence, pacing=pacing)
            return again if done is None else replace(again, finished=done.finished)
        return done

    def give_up(self, delivery_id: int, to: Literal["missed", "unknown"], reason: str) -> bool:
        """A pending row that must not be sent as it is: too late, or no longer safe."""
        stmt = update(D).where(D.c.id == delivery_id, D.c.state == "pending")
        with self.engine.begin() as conn:
            res = conn.execute(stmt.values(state=to, reason=str(reason), updated_at=self.now()))
            if res.rowcount:
                record_reason(conn, delivery_id, reason)
        return bool(res.rowcount)

    def _finish(
        self, claim: Claim, from_states: tuple[str, ...], place: str | None = None, **values: Any
    ) -> bool:
        with self.engine.begin() as conn:
            return self._finish_on(conn, claim, from_states, place, values)

    def _finish_on(
        self,
        conn: Connection,
        claim: Claim,
        from_states: tuple[str, ...],
        place: str | None,
        values: dict[str, Any],
    ) -> bool:
        """_finish's writes on `conn`, in its transaction (take: with the next claim)."""
        values = bounds.fit_finish(values, claim.delivery.id)
        place = bounds.whole_or_none(place, bounds.PLACE_CHARS)
        params = {f"v_{k}": v for k, v in values.items() if k not in _EXPRESSIONS}
        params |= {"delivery": claim.delivery.id, "claim": claim.token, "now": self.now()}
        reason = values.get("reason")
        if reason is not None:
            params["v_reason"] = str(reason)
        changed = lean.write(conn, _finish_statement(from_states, tuple(sorted(values))), params)
        if changed and place:
            record_place(conn, claim.delivery.id, place)
        if changed and reason is not None:
            record_reason(conn, claim.delivery.id, reason)
        return bool(changed)

    def finish_sent(
        self,
        claim: Claim,
        remote_id: str,
        remote_url: str | None,
        dry_run: bool = False,
        place: str | None = None,
    ) -> bool:
        """`place`: where it went when the id alone does not say (Telegram's chat id),
        kept for correcting or removing it later."""
        sent = Sent(claim, remote_id, remote_url, dry_run, place)
        return self._finish(claim, _SENT_FROM, place, **sent.values(self.now()))

    def finish_retry(
        self, claim: Claim, reason: str, at: dt.datetime, ambiguous: bool = False
    ) -> bool:
        """Back to pending until `at`; `ambiguous` when the attempt may have posted."""
        values: dict[str, Any] = dict(state="pending", reason=reason, next_attempt_at=at)
        if ambiguous:
            values["ambiguous_since"] = _EXPRESSIONS["ambiguous_since"]
        return self._finish(claim, ("sending",), **values)

    def finish_failed(self, claim: Claim, reason: str) -> bool:
        return self._finish(claim, ("sending",), state="failed", reason=reason)

    def finish_unknown(self, claim: Claim, reason: str) -> bool:
        return self._finish(claim, ("sending",), state="unknown", reason=reason)


def _head(conn: Any, channel_id: str, now: dt.datetime, lease: Any, free: Any) -> Head:
    """The posts' head, from _STATE's answer (no embargo past its time)."""
    if lease is not None:
        return Head(wake_at=lease, stuck=lease <= now)
    if not free:
        # look again when an embargo ends, else at the next poll; claim() refuses
        return Head(wake_at=pause.next_end(conn, now, channel_id))
    row = lean.first(conn, _FIRST, {"channel": channel_id})
    if row is None:
        return Head()
    d = _delivery(row)
    wake = max(d.due_at, d.next_attempt_at or d.due_at)
    return Head(ready=d, wake_at=now) if wake <= now else Head(wake_at=wake)
