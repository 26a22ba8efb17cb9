"""The delivery loop's side of the ledger: claim, finish, recover.

`take` is the loop's step in one transaction: the look `heads` gives, the claim of
the ready post, and first, when given, the previous post's finish_sent (a post's
ledger work was three transactions, the look, the claim and the finish; now one).

Part of outreach.ledger.Ledger (core.py binds them); only outreach/delivery/ calls these.
Every change is a conditional UPDATE: a row moves to `sending` only if it is
the first pending row of its channel, none of its channel is sending and the
campaign is not paused (pause.py); it leaves `sending` only with the
claim token it was given.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from sqlalchemy import Connection, Engine, bindparam, exists, func, literal, select, tuple_, update

from ..post import Post
from ..said import Said
from . import bounds, lean, leases, pace, pause
from .actions import first_action, record_place
from .said import record_reason
from .schema import DELIVERIES as D
from .schema import POST_ACTIONS as A
from .values import (
    UNKNOWN_AFTER_CRASH,
    ActionHead,
    Claim,
    Clock,
    Delivery,
    Head,
    Paced,
    PaceWindow,
    Recovery,
    State,
    new_key,
    to_delivery,
)

# Built once with bound parameters: the delivery loop runs these for every post, and
# building the expressions afresh cost more than executing them (bench/README.md).
_OURS = D.c.channel_id == bindparam("channel")
_STATE = select(
    select(func.min(D.c.lease_until)).where(_OURS, D.c.state == "sending").scalar_subquery(),
    pause.not_paused_at(bindparam("channel")),
    pause.any_ended(),
)
_FIRST = select(D).where(_OURS, D.c.state == "pending").order_by(D.c.due_at, D.c.id).limit(1)
_ACTS = A.c.channel_id == bindparam("channel")
# The loop's look before each step, its actions' and its posts' in one statement (heads):
# an action sending (its lease), one waiting, then the posts' _STATE.
_STEP = select(
    select(func.min(A.c.lease_until)).where(_ACTS, A.c.state == "sending").scalar_subquery(),
    exists().where(_ACTS, A.c.state == "pending"),
    *_STATE.selected_columns,
)


def _claim_statement() -> Any:
    now = bindparam("now", type_=D.c.due_at.type)
    o = D.alias("other")
    busy = exists().where(o.c.channel_id == D.c.channel_id, o.c.state == "sending")
    # The channel's order holds even across workers: no earlier pending row may wait.
    # A row comparison, not an OR: it bounds the index scan (channel_id, state, due_at,
    # id), so proving no earlier row waits reads the rows ahead, not the whole queue.
    earlier = exists().where(
        o.c.channel_id == D.c.channel_id,
        o.c.state == "pending",
        tuple_(o.c.due_at, o.c.id) < tuple_(D.c.due_at, D.c.id),
    )
    return (
        update(D)
        .where(
            D.c.id == bindparam("delivery"),
            D.c.state == "pending",
            D.c.due_at <= now,
            D.c.next_attempt_at.is_(None) | (D.c.next_attempt_at <= now),
            ~busy,
            ~earlier,
            pause.not_paused_at(D.c.channel_id),
        )
        .values(
            state="sending",
            claim_token=bindparam("claim"),
            claimed_at=now,
            lease_until=bindparam("until", type_=D.c.lease_until.type),
            attempts=D.c.attempts + 1,
            updated_at=now,
        )
        .returning(*D.c)
    )


_CLAIM = _claim_statement()
_COLUMNS = tuple(lean.keys(_FIRST))
assert tuple(lean.keys(_CLAIM)) == _COLUMNS  # _delivery reads both
_EXPRESSIONS: dict[str, Any] = {
    # an attempt that may have posted: the first such attempt's time is kept
    "ambiguous_since": func.coalesce(D.c.ambiguous_since, D.c.claimed_at),
}


@functools.cache
def _finish_statement(from_states: tuple[str, ...], columns: tuple[str, ...]) -> Any:
    """A claimed row leaves `sending` (or the states given) with these columns set."""
    now = bindparam("now", type_=D.c.updated_at.type)
    values = {c: _EXPRESSIONS.get(c, bindparam(f"v_{c}", type_=D.c[c].type)) for c in columns}
    return (
        update(D)
        .where(
            D.c.id == bindparam("delivery"),
            D.c.claim_token == bindparam("claim"),
            # bound one by one, not an expanding list: the SQL is the same each time (lean.py)
            D.c.state.in_([literal(s, D.c.state.type) for s in from_states]),
        )
        .values(updated_at=now, lease_until=None, **values)
    )


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

    def recover(
        self,
        rule: Callable[[str], Recovery] = lambda _channel_id: UNKNOWN_AFTER_CRASH,
        *,
        channel_ids: Collection[str] | None = None,
        orphaned: bool = False,
    ) -> list[Delivery]:
        """Rows left in `sending` by a crash (lease expired): back to pending, or unknown.

        `orphaned`: the caller has just taken these channels over from an instance
        whose lease on them ran out (leases.py), so their rows in `sending` are
        recovered now, without waiting for the rows' own leases.

        `rule(channel_id)` is what the channel's network allows (Recovery): a row
        is sent again with the same idempotency key while its first uncertain
        attempt is within `resend_within`; any other row becomes `unknown` for
        an organiser. `channel_ids`: only these channels' rows (None: all).
        """
        now = self.now()
        expired = D.c.lease_until <= now
        if orphaned:
            expired = D.c.lease_until.is_not(None)
        q = select(D).where(D.c.state == "sending", expired)
        if channel_ids is not None:
            q = q.where(D.c.channel_id.in_(list(channel_ids)))
        with self.engine.connect() as conn:
            stale = [to_delivery(r) for r in conn.execute(q)]
        out = []
        for d in stale:
            state: State
            since = min(t for t in (d.ambiguous_since, d.claimed_at, now) if t is not None)
            window = rule(d.channel_id).resend_within
            if window is not None and now - since < window:
                state, reason = "pending", Said("ledger.resending")
            else:
                state, reason = "unknown", _unknown_reason(d, since, window)
            stmt = update(D).where(D.c.id == d.id, D.c.state == "sending", expired)
            with self.engine.begin() as conn:
                moved = conn.execute(
                    stmt.values(
                        state=state,
                        reason=str(reason),
                        next_attempt_at=None,
                        ambiguous_since=since,
                        lease_until=None,
                        updated_at=now,
                    )
                ).rowcount
                if moved:
                    record_reason(conn, d.id, reason)
            if moved:
                out.append(replace(d, state=state, reason=reason))
        return out


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


def _delivery(row: tuple[Any, ...]) -> Delivery:
    """A Delivery from a row of _FIRST or _CLAIM (every column, in the table's order):
    what `to_delivery` makes of it, without its three dicts of the row (twice a post;
    tests/test_ledger_lean.py compares the two)."""
    if len(row) != len(_COLUMNS):
        raise ValueError(f"{len(row)} columns, expected {len(_COLUMNS)}")
    values = [row[i] for i in _ORDER]
    post = values[_POST]
    values[_POST] = Post.from_dict(post) if post else None
    values[_DRY_RUN] = bool(values[_DRY_RUN])
    return Delivery(*values)


_ORDER = tuple(_COLUMNS.index(f.name) for f in fields(Delivery))
"""Where each of a Delivery's fields is in a row of _FIRST or _CLAIM."""
_POST = [f.name for f in fields(Delivery)].index("post")
_DRY_RUN = [f.name for f in fields(Delivery)].index("dry_run")


def _unknown_reason(d: Delivery, since: dt.datetime, window: dt.timedelta | None) -> Said:
    act = Said("delivery.act_on", id=d.id)
    where = {"network": d.network, "channel": d.channel_id}
    if window is not None:
        minutes = int(window.total_seconds() // 60)
        return Said("ledger.stopped_key_forgotten", **where, since=since, minutes=minutes, act=act)
    return Said("ledger.stopped_unknown", **where, act=act)
