"""The ledger's queueing writes, on one transaction: `Ledger.batch()` hands one out.

Everything written through one Batch commits together or not at all, so a feed
poll records an item as seen in the same transaction that queues its
deliveries (a crash leaves it neither seen nor queued, and the next poll queues
it once), and all the channels of an announcement occurrence are queued
together. A transaction per post cost more than everything else a post needs
(bench/README.md)::

    with ledger.batch() as batch:
        batch.enqueue(post, due_at=t, dedupe_key=k)      -> Enqueued(id, created)
        batch.record_missed(channel_id, network, about=, dedupe_key=, occurrence=, reason=)
        batch.mark_seen(item.dedupe_keys, feed_id=, item_id=) -> how many keys were new

Duplicates are told by the database (INSERT ... ON CONFLICT DO NOTHING on
SQLite and PostgreSQL), not by a failed INSERT: a failed statement would abort
the whole transaction on PostgreSQL. Sending is never batched: the delivery
loop claims and finishes each row in its own transaction (loop.py).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Table, bindparam, select, update

from ..errors import StoreError
from ..post import Post
from . import lean
from .pause import pause_params, pending_unless_paused
from .schema import DELIVERIES as D
from .schema import SEEN_ITEMS as S
from .values import Clock, Enqueued, new_key


class Batch:
    """Queueing writes on one open transaction (`conn`); see the module docstring."""

    def __init__(self, conn: Connection, now: Clock) -> None:
        self.conn = conn
        self.now = now

    def enqueue(
        self,
        post: Post,
        *,
        due_at: dt.datetime | None = None,
        dedupe_key: str | None = None,
        occurrence: dt.datetime | None = None,
    ) -> Enqueued:
        """Queue `post` for its channel, once: the same dedupe key again adds nothing.

        Queued `pending`, or `held` while the campaign is paused (pause.py), as the
        INSERT itself decides. A row only ever "sent" by the dry-run publisher is
        queued again, so a channel that gets its token later really receives the post.
        """
        now = self.now()
        aware(due_at, occurrence)
        values: dict[str, Any] = dict(
            channel_id=post.channel_id,
            network=post.network,
            about=post.about,
            dedupe_key=dedupe_key or post.about or new_key(),
            post=post.to_dict(),
            due_at=due_at or now,
            occurrence=occurrence,
        )
        new_id = self._insert(values, pause_params(now, post.channel_id), unless_paused=True)
        if new_id is not None:
            return Enqueued(new_id, True)
        same = (D.c.channel_id == post.channel_id) & (D.c.dedupe_key == values["dedupe_key"])
        old_id = self.conn.execute(select(D.c.id).where(same)).scalar_one()
        rearm = update(D).where(same, D.c.dry_run.is_(True), D.c.state == "sent")
        rearmed = self.conn.execute(
            rearm.values(
                post=values["post"],
                due_at=values["due_at"],
                occurrence=occurrence,
                **(fresh() | pending_unless_paused()),
                dry_run=False,
                remote_id=None,
                remote_url=None,
                sent_at=None,
                updated_at=now,
            ),
            pause_params(now),
        ).rowcount
        return Enqueued(old_id, bool(rearmed))

    def record_missed(
        self,
        channel_id: str,
        network: str,
        *,
        about: str,
        dedupe_key: str,
        occurrence: dt.datetime,
        reason: str,
        post: Post | None = None,
    ) -> Enqueued:
        """A row in `missed` for an occurrence noticed too late; a post is optional."""
        aware(occurrence)
        values = dict(
            channel_id=channel_id,
            network=network,
            about=about,
            dedupe_key=dedupe_key,
            post=post.to_dict() if post else None,
            state="missed",
            due_at=occurrence,
            occurrence=occurrence,
            reason=reason,
        )
        new_id = self._insert(values)
        if new_id is not None:
            return Enqueued(new_id, True)
        same = (D.c.channel_id == channel_id) & (D.c.dedupe_key == dedupe_key)
        return Enqueued(self.conn.execute(select(D.c.id).where(same)).scalar_one(), False)

    def mark_seen(self, keys: Iterable[str], *, feed_id: str, item_id: str) -> int:
        """Record every key of a feed item, in one statement; returns how many were new."""
        unique = list(dict.fromkeys(keys))
        new = 0
        params: dict[str, Any] = dict(feed_id=feed_id, item_id=item_id, first_seen=self.now())
        for start in range(0, len(unique), _SEEN_ROWS):
            chunk = unique[start : start + _SEEN_ROWS]
            stmt = _seen_rows(self.conn.dialect.name, len(chunk))
            keyed = params | {f"key_{n}": key for n, key in enumerate(chunk)}
            new += len(lean.rows(self.conn, stmt, keyed))  # on SQLite, the driver's cursor
        return new

    def _insert(
        self,
        values: dict[str, Any],
        params: dict[str, Any] | None = None,
        *,
        unless_paused: bool = False,
    ) -> int | None:
        """The new delivery's id, or None when (channel, dedupe key) is taken.

        `unless_paused`: `pending`, or `held` while its channel is paused, as the
        INSERT itself decides (pause.pending_unless_paused; `params` from pause_params).
        """
        now = self.now()
        row = dict(attempts=0, idempotency_key=new_key(), dry_run=False, created_at=now)
        row = {**row, **values, "updated_at": now}
        stmt = _new_rows(self.conn.dialect.name, D, tuple(row), D.c.id, unless_paused)
        found = lean.first(self.conn, stmt, {**row, **(params or {})})  # lean.py, on SQLite
        return None if found is None else int(found[0])


@functools.cache
def _new_rows(
    dialect: str,
    table: Table,
    columns: tuple[str, ...],
    returning: Any,
    unless_paused: bool = False,
) -> Any:
    """INSERT of `columns` (bound by name) unless a unique key is taken, RETURNING `returning`.

    Built once per shape: queueing writes one per delivery and one per feed
    item, and building the statement afresh cost four times its execution.
    `unless_paused`: the row's state and reason are pause.py's expressions. RETURNING, not
    rowcount: drivers may report -1 for INSERT ... ON CONFLICT.
    """
    values: dict[str, Any] = {c: bindparam(c, type_=table.c[c].type) for c in columns}
    if unless_paused:
        values |= pending_unless_paused(inserting=True)
    return _unless_taken(dialect, table, values, returning)


def _unless_taken(dialect: str, table: Table, values: Any, returning: Any) -> Any:
    """INSERT of `values` (a row's, or a list of rows') ON CONFLICT DO NOTHING, RETURNING
    `returning`, in the dialect's own syntax."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).values(values).on_conflict_do_nothing().returning(returning)
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).values(values).on_conflict_do_nothing().returning(returning)
    raise StoreError(f"the store must be SQLite or PostgreSQL, not {dialect}")


_SEEN_ROWS = 8
"""Keys per INSERT of mark_seen: an item has three (GUID, link, text)."""


@functools.cache
def _seen_rows(dialect: str, n: int) -> Any:
    """INSERT of `n` seen keys of one item (key_0 ... key_<n-1>, feed_id, item_id,
    first_seen) in one statement, unless a key was seen before, RETURNING the new keys.

    One statement for an item's keys, not one per key: each execution hands the GIL
    to the delivery thread while a feed is queued (issue 15)."""
    shared = {c: bindparam(c, type_=S.c[c].type) for c in ("feed_id", "item_id", "first_seen")}
    rows = [{"dedupe_key": bindparam(f"key_{i}", type_=S.c.dedupe_key.type), **shared}
            for i in range(n)]  # fmt: skip
    return _unless_taken(dialect, S, rows, S.c.dedupe_key)


def aware(*moments: dt.datetime | None) -> None:
    if any(m is not None and m.tzinfo is None for m in moments):
        raise StoreError("the ledger takes aware datetimes only (got a naive one)")


def fresh() -> dict[str, Any]:
    """Column values of a row that starts over (a new idempotency key)."""
    return dict(
        attempts=0,
        next_attempt_at=None,
        idempotency_key=new_key(),
        ambiguous_since=None,
        claim_token=None,
        reason=None,
    )
