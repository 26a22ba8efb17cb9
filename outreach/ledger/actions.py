"""Corrections and takedowns: edits and deletions of sent posts, each a delivery of its own.

A room of outreach.ledger.Ledger (core.py binds its methods). An action row is written once per (post,
kind, request) and moves like a delivery, by conditional UPDATEs with a claim
token: pending -> sending -> done | refused | failed, or back to pending after
a transient error or a crash. Unlike a post, an edit or a deletion is
idempotent on the platforms (the same edit again changes nothing; a deleted
post answers "not found"), so a row a crash left in `sending` is simply done
again: never marked done on a guess, never `unknown`.

A takedown request cancels what is still queued for its subject in the same
transaction that records its deletions, so nothing about it can go out after.
The pause does not hold actions: removing or correcting is what a pause is for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, func, insert, select, update

from ..said import Said
from . import leases, pace
from .bounds import REASON_CHARS, cut, fit_reason, limit_of
from .said import record_reason, said_columns
from .schema import DELIVERIES as D
from .schema import POST_ACTIONS as A
from .schema import SENT_PLACES as P
from .values import (
    Action,
    ActionClaim,
    ActionHead,
    ActionRequest,
    Clock,
    Delivery,
    Paced,
    PaceWindow,
    new_key,
    to_action,
)

CRASHED = Said("ledger.action_crashed")


# Built once: the delivery loop asks before every post (bound parameter `channel`).
_OURS = A.c.channel_id == bindparam("channel")
_LEASE = select(func.min(A.c.lease_until)).where(_OURS, A.c.state == "sending")
_FIRST = (
    select(A)
    .where(_OURS, A.c.state == "pending")
    .order_by(func.coalesce(A.c.next_attempt_at, A.c.created_at), A.c.id)
    .limit(1)
)


class Actions:
    def __init__(self, engine: Engine, now: Clock, get: Callable[[int], Delivery]) -> None:
        self.engine = engine
        self.now = now
        self.get = get

    def request_actions(
        self, requests: Iterable[ActionRequest], *, cancel: Collection[int] = (), why: str = ""
    ) -> tuple[str, list[int]]:
        """Record edits/deletions and cancel queued deliveries, in one transaction.

        Returns (the request's id, the deliveries actually cancelled). A delivery
        in `cancel` that is no longer pending or held is left alone.
        """
        now, request = self.now(), new_key()
        rows = [
            dict(
                request=request,
                delivery_id=r.delivery.id,
                channel_id=r.delivery.channel_id,
                network=r.delivery.network,
                about=r.delivery.about,
                kind=r.kind,
                state="pending",
                text=r.text,
                old_text=r.old_text,
                requested_by=cut(r.requested_by, limit_of(A.c.requested_by)),
                why=r.why,
                attempts=0,
                created_at=now,
                updated_at=now,
            )
            for r in requests
        ]
        cancelled: list[int] = []
        with self.engine.begin() as conn:
            for delivery_id in cancel:
                stmt = update(D).where(D.c.id == delivery_id, D.c.state.in_(("pending", "held")))
                reason = (
                    Said("ledger.cancelled_why", why=why)
                    if why
                    else Said("ledger.cancelled_by_takedown")
                )
                if conn.execute(
                    stmt.values(state="cancelled", reason=str(reason), updated_at=now)
                ).rowcount:
                    cancelled.append(delivery_id)
                    record_reason(conn, delivery_id, reason)
            if rows:
                conn.execute(insert(A), rows)
        return request, cancelled

    def actions(
        self,
        *,
        request: str | None = None,
        delivery_ids: Collection[int] | None = None,
        about: str | None = None,
        states: Collection[str] | None = None,
        limit: int = 1000,
    ) -> list[Action]:
        """Actions, oldest first, filtered."""
        q = select(A).order_by(A.c.id).limit(limit)
        if request is not None:
            q = q.where(A.c.request == request)
        if delivery_ids is not None:
            q = q.where(A.c.delivery_id.in_(list(delivery_ids)))
        if about is not None:
            q = q.where(A.c.about == about)
        if states:
            q = q.where(A.c.state.in_(list(states)))
        with self.engine.connect() as conn:
            return [to_action(r) for r in conn.execute(q)]

    def action(self, action_id: int) -> Action:
        with self.engine.connect() as conn:
            row = conn.execute(select(A).where(A.c.id == action_id)).first()
        if row is None:
            from ..errors import StoreError

            raise StoreError(f"there is no correction or takedown {action_id}")
        return to_action(row)

    def place(self, delivery_id: int) -> str | None:
        """Where a sent post went, when its network said (Telegram: the chat's id)."""
        with self.engine.connect() as conn:
            return conn.scalar(select(P.c.place).where(P.c.delivery_id == delivery_id))

    # -- the delivery loop's side ---------------------------------------------------

    def action_head(self, channel_id: str) -> ActionHead:
        now = self.now()
        with self.engine.connect() as conn:
            lease = conn.scalar(_LEASE, {"channel": channel_id})
            if lease is not None:
                return ActionHead(wake_at=lease, stuck=lease <= now)
            return first_action(conn, channel_id, now)

    def claim_action(
        self,
        action_id: int,
        lease: dt.timedelta,
        *,
        fence: tuple[str, str] | None = None,
        pacing: Sequence[PaceWindow] = (),
    ) -> ActionClaim | Paced | None:
        """`fence` and `pacing` as for a post's claim (loop.py): only while this instance
        holds the channel's lease, and Paced when a platform limit is full."""
        now, token = self.now(), new_key()
        o = A.alias("other")
        busy = select(o.c.id).where(o.c.channel_id == A.c.channel_id, o.c.state == "sending")
        stmt = update(A).where(
            A.c.id == action_id,
            A.c.state == "pending",
            A.c.next_attempt_at.is_(None) | (A.c.next_attempt_at <= now),
            ~busy.exists(),
            *([leases.holds(*fence)] if fence is not None else []),
        )

        def count_and_claim(conn: Connection) -> Paced | int:
            wait = pace.wait(conn, pacing, now)
            if wait > 0:
                return Paced(wait)
            return conn.execute(
                stmt.values(
                    state="sending",
                    claim_token=token,
                    claimed_at=now,
                    lease_until=now + lease,
                    attempts=A.c.attempts + 1,
                    updated_at=now,
                )
            ).rowcount

        claimed = pace.claiming(self.engine, pacing, count_and_claim)
        if isinstance(claimed, Paced):
            return claimed
        if not claimed:
            return None
        action = self.action(action_id)
        return ActionClaim(
            action, self.get(action.delivery_id), self.place(action.delivery_id), token
        )

    def finish_action(
        self,
        claim: ActionClaim,
        state: str,
        detail: str,
        *,
        retry_at: dt.datetime | None = None,
    ) -> bool:
        """End a claimed action: done, refused, failed, or pending again at `retry_at`."""
        now = self.now()
        values: dict[str, Any] = dict(
            state=state, lease_until=None, updated_at=now, next_attempt_at=retry_at
        )
        values |= said_columns("detail", fit_reason(detail, REASON_CHARS))
        if state in ("done", "refused", "failed"):
            values["done_at"] = now
        stmt = update(A).where(
            A.c.id == claim.action.id, A.c.claim_token == claim.token, A.c.state == "sending"
        )
        with self.engine.begin() as conn:
            return bool(conn.execute(stmt.values(**values)).rowcount)

    def recover_actions(self, channel_ids: Collection[str] | None = None) -> list[Action]:
        """Actions a crash left in `sending` (lease expired): pending again, to be done again."""
        now = self.now()
        cond = and_(A.c.state == "sending", A.c.lease_until <= now)
        if channel_ids is not None:
            cond = and_(cond, A.c.channel_id.in_(list(channel_ids)))
        with self.engine.begin() as conn:
            ids = [i for (i,) in conn.execute(select(A.c.id).where(cond))]
            if ids:
                conn.execute(
                    update(A)
                    .where(cond, A.c.id.in_(ids))
                    .values(
                        state="pending",
                        **said_columns("detail", CRASHED),
                        lease_until=None,
                        updated_at=now,
                    )
                )
        return [self.action(i) for i in ids]


def first_action(conn: Any, channel_id: str, now: dt.datetime) -> ActionHead:
    """The channel's next pending action, when none of its actions is sending."""
    row = conn.execute(_FIRST, {"channel": channel_id}).first()
    if row is None:
        return ActionHead()
    a = to_action(row)
    wake = a.next_attempt_at or a.created_at
    return ActionHead(ready=a, wake_at=now) if wake <= now else ActionHead(wake_at=wake)


def record_place(conn: Any, delivery_id: int, place: str) -> None:
    """Where a post went (finish_sent, same transaction); kept once."""
    if conn.scalar(select(P.c.delivery_id).where(P.c.delivery_id == delivery_id)) is None:
        conn.execute(insert(P).values(delivery_id=delivery_id, place=place))
