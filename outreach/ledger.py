"""The ledger: every (post, channel) delivery, announcement and seen feed item, stored.

SQLAlchemy 2 over SQLite (a file, the default) or PostgreSQL (by URL, psycopg 3);
tables and value types in ledger_schema.py, the delivery loop's transitions in
ledger_loop.py, announcements and feeds in ledger_records.py.

Nothing lives in memory only: a crash at any moment leaves rows that say what
happened. Every state change is a conditional UPDATE (`WHERE state = ...`, and
for a claimed row `AND claim_token = ...`), so two workers, or a worker and its
restarted self, can never both send one row.

A delivery's life::

    pending ──> sending ──> sent (remote id, URL)
       │           │──────> failed (reason)      permanent error, or retry budget spent
       │           │──────> pending (again)      transient error: next_attempt_at is set
       │           └──────> unknown              may have posted: an organiser decides
       └──> cancelled / missed / held            held = paused; release() makes it pending

API for the scheduler, the feed watcher and the service. Times are aware UTC;
"now" is the clock given to `open_ledger`::

    ledger = open_ledger(cfg.store.url)               # creates missing tables
    ledger.enqueue(post, due_at=t, dedupe_key=k, occurrence=o) -> Enqueued(id, created)
        # once per (post.channel_id, dedupe_key): again -> the first row, created=False.
        # dedupe_key defaults to post.about; for announcements use
        # schedule.occurrence_key(id, occurrence) and pass occurrence=.
    ledger.record_missed(channel_id, network, about=, dedupe_key=, occurrence=, reason=)
    with ledger.batch() as batch:                     # one transaction: all or nothing
        batch.enqueue(...); batch.record_missed(...); batch.mark_seen(...)
    ledger.last_occurrences("announcement:")          -> {about: latest occurrence, any state}
    ledger.get(id), ledger.deliveries(states=, channel_id=, about=), ledger.counts()
    ledger.cancel(id) / hold(id) / release(id)        # pending <-> held, -> cancelled
    ledger.retry(id) / ledger.resolve(id, "sent" | "failed", note)   # organisers

    ledger.save_announcement(StoredAnnouncement(...)) # upsert by id
    ledger.announcement(id), ledger.announcements(state="active"), cancel_announcement(id)

    ledger.seen(item.dedupe_keys) -> bool             # any key seen before
    ledger.seen_among(keys) -> set of those seen      # a whole feed's keys in one query
    ledger.mark_seen(item.dedupe_keys, feed_id=, item_id=) -> how many keys were new
    ledger.feed_state(feed_id) -> FeedState | None; ledger.save_feed_state(FeedState(...))

Only the delivery loop (outreach/delivery.py) uses head, claim, finish_*, give_up, recover.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Literal

from sqlalchemy import Engine, func, select, update

from .errors import StoreError
from .ledger_batch import Batch, fresh
from .ledger_loop import IDEMPOTENCY_WINDOW, LoopMixin
from .ledger_records import FeedState, RecordsMixin, StoredAnnouncement
from .ledger_schema import DELIVERIES as D
from .ledger_schema import (
    STATES,
    Base,
    Claim,
    Clock,
    Delivery,
    Enqueued,
    Head,
    State,
    make_engine,
    normalize_url,
    to_delivery,
    utcnow,
)
from .post import Post

__all__ = [
    "IDEMPOTENCY_WINDOW",
    "STATES",
    "Batch",
    "Claim",
    "Delivery",
    "Enqueued",
    "FeedState",
    "Head",
    "Ledger",
    "State",
    "StoredAnnouncement",
    "normalize_url",
    "open_ledger",
]


def open_ledger(url: str, clock: Clock = utcnow) -> Ledger:
    """The ledger at `url` (config.store.url), its tables created if missing."""
    try:
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        missing = _missing_columns(engine)
    except Exception as exc:
        # Driver messages repeat the URL, which may hold a password: name the kind only.
        raise StoreError(
            f"the store cannot be opened ({type(exc).__name__}); check store.url "
            "or $OUTREACH_DB_URL"
        ) from None
    if missing:
        engine.dispose()
        raise StoreError(
            "the store was made by an older outreach and lacks "
            + ", ".join(f"{t}.{c}" for t, c in missing)
            + "; there are no automatic migrations yet: add them by hand, e.g. "
            + " ".join(
                f"ALTER TABLE {t} ADD COLUMN {c} {ty};" for t, c, ty in _ADDED if (t, c) in missing
            )
        )
    return Ledger(engine, clock)


_ADDED = (
    ("announcements", "created_by_id", "BIGINT"),
    ("announcements", "created_by_name", "VARCHAR(200)"),
)
"""Nullable columns added to existing tables since the first release (create_all adds
them to new databases only; this project has no migrations yet)."""


def _missing_columns(engine: Engine) -> list[tuple[str, str]]:
    """Which of _ADDED an existing database lacks, so it fails here in words, not mid-run."""
    from sqlalchemy import inspect

    have = {c["name"] for c in inspect(engine).get_columns("announcements")}
    return [(t, c) for t, c, _ in _ADDED if c not in have]


class Ledger(LoopMixin, RecordsMixin):
    def __init__(self, engine: Engine, clock: Clock = utcnow) -> None:
        self.engine = engine
        self.now = clock

    def close(self) -> None:
        self.engine.dispose()

    # -- queueing and reading ------------------------------------------------

    @contextmanager
    def batch(self) -> Iterator[Batch]:
        """One transaction for many queueing writes: all commit at the end, or none."""
        with self.engine.begin() as conn:
            yield Batch(conn, self.now)

    def enqueue(
        self,
        post: Post,
        *,
        due_at: dt.datetime | None = None,
        dedupe_key: str | None = None,
        occurrence: dt.datetime | None = None,
        state: Literal["pending", "held"] = "pending",
    ) -> Enqueued:
        """Queue `post` for its channel, once (Batch.enqueue, in a transaction of its own)."""
        with self.batch() as batch:
            return batch.enqueue(
                post, due_at=due_at, dedupe_key=dedupe_key, occurrence=occurrence, state=state
            )

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
        with self.batch() as batch:
            return batch.record_missed(
                channel_id,
                network,
                about=about,
                dedupe_key=dedupe_key,
                occurrence=occurrence,
                reason=reason,
                post=post,
            )

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
        limit: int = 1000,
    ) -> list[Delivery]:
        """Rows in queue order (due time, then id)."""
        q = select(D).order_by(D.c.due_at, D.c.id).limit(limit)
        if states:
            q = q.where(D.c.state.in_(list(states)))
        if channel_id:
            q = q.where(D.c.channel_id == channel_id)
        if about:
            q = q.where(D.c.about == about)
        with self.engine.connect() as conn:
            return [to_delivery(r) for r in conn.execute(q)]

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
        self, delivery_id: int, from_states: Iterable[str], to: str, **values: Any
    ) -> Delivery:
        from_states = list(from_states)
        stmt = update(D).where(D.c.id == delivery_id, D.c.state.in_(from_states))
        with self.engine.begin() as conn:
            moved = conn.execute(stmt.values(state=to, updated_at=self.now(), **values)).rowcount
        current = self.get(delivery_id)
        if not moved:
            raise StoreError(
                f"delivery {delivery_id} is {current.state}; only a delivery that is "
                f"{' or '.join(from_states)} can become {to}"
            )
        return current

    def cancel(self, delivery_id: int, reason: str = "cancelled by an organiser") -> Delivery:
        return self._move(delivery_id, ("pending", "held"), "cancelled", reason=reason)

    def hold(self, delivery_id: int, reason: str = "held (paused) by an organiser") -> Delivery:
        return self._move(delivery_id, ("pending",), "held", reason=reason)

    def release(self, delivery_id: int) -> Delivery:
        return self._move(delivery_id, ("held",), "pending", reason=None)

    def retry(self, delivery_id: int) -> Delivery:
        """Send again now, with a fresh idempotency key: an organiser saw it is not there."""
        if self.get(delivery_id).post is None:
            raise StoreError(f"delivery {delivery_id} was never rendered, so it cannot be sent")
        return self._move(
            delivery_id,
            ("failed", "unknown", "cancelled", "missed", "held"),
            "pending",
            due_at=self.now(),
            **fresh(),
        )

    def resolve(
        self,
        delivery_id: int,
        outcome: Literal["sent", "failed"],
        note: str = "",
        remote_url: str | None = None,
    ) -> Delivery:
        """An organiser's word on a delivery whose outcome we could not know."""
        if outcome not in ("sent", "failed"):
            raise StoreError(f"resolve as 'sent' or 'failed', not {outcome!r}")
        values: dict[str, Any] = {
            "reason": f"marked {outcome} by an organiser" + (f": {note}" if note else "")
        }
        if outcome == "sent":
            values.update(sent_at=self.now(), remote_url=remote_url)
        return self._move(delivery_id, ("unknown", "failed"), outcome, **values)
