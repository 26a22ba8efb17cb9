"""Deliveries as organisers and front ends see them: one row, a page, counts; their moves.

Reading: `get`, `deliveries` (filtered, ordered, paged in the database),
`between`, `changed_since`, `overdue`, `counts`, `last_sent_at`, `last_occurrences`, `sent_times`.
An organiser's moves: `cancel`, `cancel_queued`, `hold`, `release`, `retry`, `resolve`, each one
conditional UPDATE that names the states it may start from. The delivery
loop's own moves are in loop.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import Any, Literal

from sqlalchemy import Engine, func, select, update

from ..errors import StoreError
from ..said import Said
from . import audit
from . import pause as pausing
from .bounds import limit_of
from .queueing import fresh
from .said import record_reason
from .schema import DELIVERIES as D
from .values import Clock, Delivery, to_delivery

Order = Literal["queue", "newest", "updated", "history"]
"""queue: due time, then id (what goes out next first); newest: the latest queued
first (by id); updated: the latest change first; history: the latest to go out
(or otherwise end) first."""

_ORDERS: dict[str, tuple[Any, ...]] = {
    "queue": (D.c.due_at, D.c.id),
    "newest": (D.c.id.desc(),),
    "updated": (D.c.updated_at.desc(), D.c.id.desc()),
    "history": (func.coalesce(D.c.sent_at, D.c.updated_at).desc(), D.c.id.desc()),
}


class Deliveries:
    """The deliveries table, read and moved by organisers (on the ledger's engine and clock)."""

    def __init__(self, engine: Engine, now: Clock) -> None:
        self.engine = engine
        self.now = now

    def get(self, delivery_id: int) -> Delivery:
        with self.engine.connect() as conn:
            row = conn.execute(select(D).where(D.c.id == delivery_id)).first()
        if row is None:
            raise StoreError(
                f"there is no delivery {delivery_id}; `outreach deliveries` lists them"
            )
        return to_delivery(row)

    def deliveries(
        self,
        *,
        states: Collection[str] | None = None,
        channel_id: str | None = None,
        about: str | None = None,
        about_prefix: str | None = None,
        dedupe_key: str | None = None,
        order: Order = "queue",
        limit: int = 1000,
        offset: int = 0,
        before_id: int | None = None,
    ) -> list[Delivery]:
        """One page of rows, filtered, in `order` (see Order), paged in the database.

        `before_id` pages back through order="newest": the rows queued before that one.
        `about_prefix`: rows about any of e.g. a feed's items ('<feed id>:').
        """
        q = select(D).order_by(*_ORDERS[order]).limit(limit).offset(offset)
        if before_id is not None:
            q = q.where(D.c.id < before_id)
        if states:
            q = q.where(D.c.state.in_(list(states)))
        if channel_id:
            q = q.where(D.c.channel_id == channel_id)
        if about:
            q = q.where(D.c.about == about)
        if about_prefix:
            q = q.where(D.c.about.startswith(about_prefix, autoescape=True))
        if dedupe_key:
            q = q.where(D.c.dedupe_key == dedupe_key)
        with self.engine.connect() as conn:
            return [to_delivery(r) for r in conn.execute(q)]

    def between(self, start: dt.datetime, end: dt.datetime, limit: int = 5000) -> list[Delivery]:
        """Rows that went out (sent_at) or are or were due (due_at) in [start, end), by that time:
        what a calendar shows."""
        moment = func.coalesce(D.c.sent_at, D.c.due_at, type_=D.c.due_at.type)
        q = select(D).where(moment >= start, moment < end).order_by(moment, D.c.id).limit(limit)
        with self.engine.connect() as conn:
            return [to_delivery(r) for r in conn.execute(q)]

    def last_sent_at(self, *, dry_run: bool = False) -> dt.datetime | None:
        """When the latest real post went out, or with `dry_run` the latest dry run (printed by
        the dry-run publisher, posted nowhere); None if none. Kept apart because an organiser
        told "last post sent" about a print believes the channel got it."""
        q = select(func.max(D.c.sent_at)).where(D.c.state == "sent", D.c.dry_run.is_(dry_run))
        with self.engine.connect() as conn:
            return conn.scalar(q)

    def changed_since(self, since: dt.datetime, *, states: Collection[str]) -> list[Delivery]:
        """Rows in `states` whose state changed at or after `since`, oldest id first."""
        q = select(D).where(D.c.state.in_(list(states)), D.c.updated_at >= since).order_by(D.c.id)
        with self.engine.connect() as conn:
            return [to_delivery(r) for r in conn.execute(q)]

    def overdue(self, cutoff: dt.datetime) -> tuple[int, dt.datetime | None]:
        """Pending rows that should have gone out before `cutoff` (not backing off past it):
        how many, and the earliest due time among them."""
        late = (
            (D.c.state == "pending")
            & (D.c.due_at < cutoff)
            & (D.c.next_attempt_at.is_(None) | (D.c.next_attempt_at < cutoff))
        )
        with self.engine.connect() as conn:
            n, oldest = conn.execute(select(func.count(), func.min(D.c.due_at)).where(late)).one()
        return int(n), oldest

    def counts(self) -> dict[str, int]:
        """How many deliveries are in each state (states with none are left out)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(D.c.state, func.count()).group_by(D.c.state)).all()
        return {state: n for state, n in rows}

    def last_occurrences(self, about_prefix: str = "announcement:") -> dict[str, dt.datetime]:
        """The latest occurrence recorded, in any state, per `about` with this prefix."""
        q = (
            select(D.c.about, func.max(D.c.occurrence))
            .where(D.c.about.startswith(about_prefix, autoescape=True))
            .where(D.c.occurrence.is_not(None))
            .group_by(D.c.about)
        )
        with self.engine.connect() as conn:
            return {about: when for about, when in conn.execute(q)}

    def sent_times(self, channel_ids: Collection[str], since: dt.datetime) -> list[dt.datetime]:
        """When real (not dry-run) posts went out on these channels since `since`."""
        q = select(D.c.sent_at).where(
            D.c.channel_id.in_(list(channel_ids)),
            D.c.state == "sent",
            D.c.dry_run.is_(False),
            D.c.sent_at >= since,
        )
        with self.engine.connect() as conn:
            return sorted(t for (t,) in conn.execute(q))

    # -- organisers' actions ---------------------------------------------------

    def _move(
        self,
        delivery_id: int,
        from_states: Iterable[str],
        to: str,
        *,
        by: str | None = None,
        action: str = "",
        **values: Any,
    ) -> Delivery:
        """One conditional UPDATE; with `by`, recorded in the audit trail in its transaction."""
        from_states = list(from_states)
        stmt = update(D).where(D.c.id == delivery_id, D.c.state.in_(from_states))
        now = self.now()
        reason = values.get("reason")
        if reason is not None:
            values["reason"] = str(reason)  # its Said kept beside it (said.py)
        detail = values.get("reason") or f"now {to}"
        # a row made sendable again is held instead while paused (pause.py)
        values |= pausing.pending_unless_paused() if to == "pending" else {"state": to}
        with self.engine.begin() as conn:
            pausing.lock(conn)
            params = pausing.pause_params(now) if to == "pending" else {}
            moved = conn.execute(stmt.values(updated_at=now, **values), params).rowcount
            if moved and by is not None:
                audit.record(conn, now, by, action or to, f"delivery:{delivery_id}", detail)
            if moved:
                record_reason(conn, delivery_id, reason)
        current = self.get(delivery_id)
        if not moved:
            raise StoreError(
                f"delivery {delivery_id} is {current.state}; only a delivery that is "
                f"{' or '.join(from_states)} can become {to}"
            )
        return current

    def cancel(
        self,
        delivery_id: int,
        reason: str = Said("ledger.cancelled_by_organiser"),
        *,
        by: str | None = None,
    ) -> Delivery:
        return self._move(
            delivery_id, ("pending", "held"), "cancelled", by=by, action="cancel", reason=reason
        )

    def cancel_queued(self, about: str, reason: str) -> int:
        """Cancel every queued (pending or held) delivery about `about`, in one statement;
        how many. A row being sent, or already out, is left as it is."""
        stmt = (
            update(D)
            .where(D.c.about == about, D.c.state.in_(("pending", "held")))
            .values(state="cancelled", reason=str(reason), updated_at=self.now())
        )
        with self.engine.begin() as conn:
            return int(conn.execute(stmt).rowcount)

    def hold(self, delivery_id: int, reason: str = Said("ledger.held_by_organiser")) -> Delivery:
        return self._move(delivery_id, ("pending",), "held", reason=reason)

    def release(self, delivery_id: int) -> Delivery:
        return self._move(delivery_id, ("held",), "pending", reason=None)

    def retry(self, delivery_id: int, *, by: str | None = None) -> Delivery:
        """Send again now, with a fresh idempotency key: an organiser saw it is not there."""
        if self.get(delivery_id).post is None:
            raise StoreError(f"delivery {delivery_id} was never rendered, so it cannot be sent")
        return self._move(
            delivery_id,
            ("failed", "unknown", "cancelled", "missed", "held"),
            "pending",
            by=by,
            action="retry",
            due_at=self.now(),
            **fresh(),
        )

    def resolve(
        self,
        delivery_id: int,
        outcome: Literal["sent", "failed"],
        note: str = "",
        remote_url: str | None = None,
        *,
        by: str | None = None,
    ) -> Delivery:
        """An organiser's word on a delivery whose outcome we could not know."""
        if outcome not in ("sent", "failed"):
            raise StoreError(f"resolve as 'sent' or 'failed', not {outcome!r}")
        values: dict[str, Any] = {
            "reason": Said(
                "ledger.marked", state=outcome, note=Said("ledger.note", text=note) if note else ""
            )
        }
        if outcome == "sent":
            limit = limit_of(D.c.remote_url)
            if remote_url is not None and len(remote_url) > limit:
                # the organiser's own link, refused whole rather than kept cut
                raise StoreError(
                    f"the post's link is {len(remote_url)} characters, over the {limit} "
                    "the store keeps: give its short form"
                )
            values.update(sent_at=self.now(), remote_url=remote_url)
        return self._move(
            delivery_id, ("unknown", "failed"), outcome, by=by, action="resolve", **values
        )
