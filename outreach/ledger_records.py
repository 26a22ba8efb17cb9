"""Announcements, seen feed items, feed state and channel limits: the ledger's simple tables.

Mixed into outreach.ledger.Ledger; import from there (`from outreach.ledger import ...`).

Channel limits are what a platform said about a channel (Mastodon: the
instance's `max_characters`), learned by `outreach doctor` and by `run` at
start, with where they were read, so a channel moved to another instance does
not keep the old one's limit:

    ledger.save_channel_limits("mastodon-en", {"max_characters": 1000}, source=instance_url)
    ledger.channel_limits("max_characters") -> {channel id: ChannelLimit(value, source, ...)}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Column, Engine, Integer, String, Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from .errors import StoreError
from .ledger_batch import Batch
from .ledger_schema import ANNOUNCEMENTS as A
from .ledger_schema import FEED_STATE as F
from .ledger_schema import SEEN_ITEMS as S
from .ledger_schema import Base, UtcDateTime

# In the ledger's metadata, so open_ledger creates it with the other tables.
CHANNEL_LIMITS = Table(
    "channel_limits",
    Base.metadata,
    Column("channel_id", String(64), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("value", Integer, nullable=False),
    Column("source", String(1000), nullable=False),
    Column("learned_at", UtcDateTime, nullable=False),
)


@dataclass(frozen=True)
class StoredAnnouncement:
    id: str
    template: str
    channels: tuple[str, ...]
    timezone: str
    page: str | None = None
    at: dt.datetime | None = None
    cron: str | None = None
    source: Literal["yaml", "cli"] = "yaml"
    state: Literal["active", "cancelled"] = "active"
    created_at: dt.datetime | None = None
    """Set by the ledger on first save and kept after."""
    created_by_id: int | None = None
    """The Telegram user who scheduled it in the admin bot; None: the campaign's (YAML, CLI)."""
    created_by_name: str | None = None
    """That user's display name when they scheduled it, for messages."""

    @property
    def creator(self) -> str | None:
        """'Anna (@anna), Telegram id 111', or None for the campaign's own."""
        if self.created_by_id is None:
            return None
        name = self.created_by_name or "an organiser"
        return f"{name}, Telegram id {self.created_by_id}"


@dataclass(frozen=True)
class FeedState:
    feed_id: str
    etag: str | None = None
    last_modified: str | None = None
    last_poll: dt.datetime | None = None
    last_error: str | None = None
    failures: int = 0
    """Polls that failed in a row; 0 after a good one."""


@dataclass(frozen=True)
class ChannelLimit:
    channel_id: str
    name: str
    value: int
    source: str
    """Where it was read: the Mastodon instance's URL."""
    learned_at: dt.datetime


class RecordsMixin:
    engine: Engine
    now: Callable[[], dt.datetime]

    # -- announcements -------------------------------------------------------

    def save_announcement(self, ann: StoredAnnouncement) -> None:
        """Insert, or replace by id (keeping the first created_at)."""
        if ann.at is not None and ann.at.tzinfo is None:
            raise StoreError(f"announcement {ann.id!r}: 'at' must be aware (localise it first)")
        values = dict(
            template=ann.template,
            page=ann.page,
            channels=list(ann.channels),
            at=ann.at,
            cron=ann.cron,
            timezone=ann.timezone,
            source=ann.source,
            state=ann.state,
            created_by_id=ann.created_by_id,
            created_by_name=ann.created_by_name,
        )
        self._upsert(A, "id", ann.id, values, created_at=ann.created_at or self.now())

    def announcement(self, ann_id: str) -> StoredAnnouncement | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(A).where(A.c.id == ann_id)).first()
        return _announcement(row) if row else None

    def announcements(self, state: str | None = None) -> list[StoredAnnouncement]:
        q = select(A).order_by(A.c.id)
        if state:
            q = q.where(A.c.state == state)
        with self.engine.connect() as conn:
            return [_announcement(r) for r in conn.execute(q)]

    def cancel_announcement(self, ann_id: str) -> bool:
        """True when the announcement exists (it is cancelled now)."""
        with self.engine.begin() as conn:
            res = conn.execute(update(A).where(A.c.id == ann_id).values(state="cancelled"))
        return bool(res.rowcount)

    # -- feeds ---------------------------------------------------------------

    def seen(self, keys: Iterable[str]) -> bool:
        """True when any of the keys (Item.dedupe_keys) was recorded by mark_seen."""
        keys = list(keys)
        if not keys:
            return False
        q = select(S.c.dedupe_key).where(S.c.dedupe_key.in_(keys)).limit(1)
        with self.engine.connect() as conn:
            return conn.execute(q).first() is not None

    def seen_among(self, keys: Iterable[str]) -> set[str]:
        """Which of `keys` were recorded by mark_seen (one query per 500 keys)."""
        keys = list(dict.fromkeys(keys))
        found: set[str] = set()
        with self.engine.connect() as conn:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                q = select(S.c.dedupe_key).where(S.c.dedupe_key.in_(chunk))
                found.update(conn.execute(q).scalars())
        return found

    def mark_seen(self, keys: Iterable[str], *, feed_id: str, item_id: str) -> int:
        """Record every key of an item; returns how many were new."""
        with self.engine.begin() as conn:
            return Batch(conn, self.now).mark_seen(keys, feed_id=feed_id, item_id=item_id)

    def feed_state(self, feed_id: str) -> FeedState | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(F).where(F.c.feed_id == feed_id)).first()
        return FeedState(**row._mapping) if row else None

    def save_feed_state(self, state: FeedState) -> None:
        values = dict(
            etag=state.etag,
            last_modified=state.last_modified,
            last_poll=state.last_poll,
            last_error=state.last_error,
            failures=state.failures,
        )
        self._upsert(F, "feed_id", state.feed_id, values)

    # -- channel limits --------------------------------------------------------

    def save_channel_limits(
        self, channel_id: str, limits: Mapping[str, int], *, source: str
    ) -> None:
        """Replace what is known of the channel's limits by `limits`, read from `source`."""
        rows = [
            dict(channel_id=channel_id, name=k, value=int(v), source=source, learned_at=self.now())
            for k, v in limits.items()
        ]
        for _ in range(3):
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        delete(CHANNEL_LIMITS).where(CHANNEL_LIMITS.c.channel_id == channel_id)
                    )
                    if rows:
                        conn.execute(insert(CHANNEL_LIMITS), rows)
                return
            except IntegrityError:  # another process saved the same channel meanwhile
                continue
        raise StoreError(f"could not save the limits of channel {channel_id!r}")

    def channel_limits(self, name: str) -> dict[str, ChannelLimit]:
        """The limit `name` (e.g. "max_characters") of every channel it is known for."""
        q = select(CHANNEL_LIMITS).where(CHANNEL_LIMITS.c.name == name)
        with self.engine.connect() as conn:
            return {r.channel_id: ChannelLimit(**r._mapping) for r in conn.execute(q)}

    def _upsert(
        self, table: Table, key_name: str, key: str, values: dict[str, Any], **on_insert: Any
    ) -> None:
        # Portable upsert: UPDATE, else INSERT; losing an INSERT race means UPDATE again.
        key_col = table.c[key_name]
        for _ in range(3):
            with self.engine.begin() as conn:
                if conn.execute(update(table).where(key_col == key).values(**values)).rowcount:
                    return
            try:
                with self.engine.begin() as conn:
                    conn.execute(insert(table).values({key_name: key, **values, **on_insert}))
                return
            except IntegrityError:
                continue
        raise StoreError(f"could not save {table.name} {key!r}")


def _announcement(row: Any) -> StoredAnnouncement:
    m = dict(row._mapping)
    m["channels"] = tuple(m["channels"])
    return StoredAnnouncement(**m)
