"""Announcements, seen feed items, feed state and channel limits: the ledger's simple tables.

Part of outreach.ledger.Ledger (core.py binds them); import from the face
(`from outreach.ledger import ...`).

Channel limits are what a platform said about a channel (Mastodon: the
instance's `max_characters`), learned by `outreach doctor` and by `run` at
start, with where they were read, so a channel moved to another instance does
not keep the old one's limit:

    ledger.save_channel_limits("mastodon-en", {"max_characters": 1000}, source=instance_url)
    ledger.channel_limits("max_characters") -> {channel id: ChannelLimit(value, source, ...)}
    ledger.limits_learned() -> {channel id: (source, when the oldest of them was learned)}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Engine, Table, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import StoreError
from .bounds import cut, limit_of, whole_or_none
from .queueing import Batch
from .schema import ANNOUNCEMENT_TEXTS as AT
from .schema import ANNOUNCEMENTS as A
from .schema import CHANNEL_LIMITS
from .schema import FEED_STATE as F
from .schema import SEEN_ITEMS as S
from .values import ChannelLimit, Clock, FeedState, StoredAnnouncement


class Records:
    """The simple tables, on the ledger's engine and clock."""

    def __init__(self, engine: Engine, now: Clock) -> None:
        self.engine = engine
        self.now = now

    # -- announcements -------------------------------------------------------

    def save_announcement(self, ann: StoredAnnouncement) -> None:
        """Insert, or replace by id (keeping the first created_at); its one-off text with it.

        The text is written before the announcement, so a planner never sees one
        that has its text without it (it would render the kind's files instead).
        """
        self._save_text(ann.id, ann.text)
        self._upsert(A, "id", ann.id, _values(ann), created_at=ann.created_at or self.now())

    def _save_text(self, ann_id: str, text: str | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(AT).where(AT.c.announcement_id == ann_id))
            if text is not None:
                conn.execute(insert(AT).values(announcement_id=ann_id, text=text))

    def save_announcements(self, anns: Iterable[StoredAnnouncement]) -> None:
        """Insert many new announcements in one transaction (a set-up; ids must be new)."""
        now = self.now()
        anns = list(anns)
        rows = [{**_values(a), "id": a.id, "created_at": a.created_at or now} for a in anns]
        texts = [{"announcement_id": a.id, "text": a.text} for a in anns if a.text is not None]
        if rows:
            with self.engine.begin() as conn:
                if texts:
                    conn.execute(insert(AT), texts)
                conn.execute(insert(A), rows)

    def announcement(self, ann_id: str) -> StoredAnnouncement | None:
        with self.engine.connect() as conn:
            found = _announcements(conn.execute(_with_text().where(A.c.id == ann_id)))
        return found[0] if found else None

    def announcements(self, state: str | None = None) -> list[StoredAnnouncement]:
        q = _with_text().order_by(A.c.id)
        if state:
            q = q.where(A.c.state == state)
        with self.engine.connect() as conn:
            return _announcements(conn.execute(q))

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

    def seen_as(self, keys: Iterable[str]) -> dict[str, str]:
        """The item id each of `keys` that was recorded by mark_seen was recorded under
        (one query per 500 keys): a backfill finds an item's earlier deliveries by it."""
        keys = list(dict.fromkeys(keys))
        found: dict[str, str] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                q = select(S.c.dedupe_key, S.c.item_id).where(S.c.dedupe_key.in_(chunk))
                found.update((k, i) for k, i in conn.execute(q))
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
        # A server's validators are only of use sent back whole; without them the
        # next poll is a plain GET, which loses nothing.
        values = dict(
            etag=whole_or_none(state.etag, limit_of(F.c.etag)),
            last_modified=whole_or_none(state.last_modified, limit_of(F.c.last_modified)),
            validators_for=state.validators_for,
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

    def limits_learned(self) -> dict[str, tuple[str, dt.datetime]]:
        """Every channel with stored limits: where they were read and when (the oldest).

        What `run` asks before reading an instance's limits again (outcomes.learn_limits).
        """
        L = CHANNEL_LIMITS
        q = select(L.c.channel_id, L.c.source, func.min(L.c.learned_at)).group_by(
            L.c.channel_id, L.c.source
        )
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        # save_channel_limits writes one source per channel; should two ever be found, the
        # older reading counts (it is asked again sooner)
        out: dict[str, tuple[str, dt.datetime]] = {}
        for channel_id, source, learned_at in rows:
            if channel_id not in out or learned_at < out[channel_id][1]:
                out[channel_id] = (source, learned_at)
        return out

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


def _values(ann: StoredAnnouncement) -> dict[str, Any]:
    if ann.at is not None and ann.at.tzinfo is None:
        raise StoreError(f"announcement {ann.id!r}: 'at' must be aware (localise it first)")
    # An organiser's words: refused whole, with what to shorten, rather than cut into
    # another schedule (the campaign file's are refused when it is loaded: config/).
    for name in ("id", "template", "page", "cron", "timezone"):
        value, limit = getattr(ann, name), limit_of(A.c[name])
        if value is not None and len(value) > limit:
            raise StoreError(
                f"announcement {ann.id[:64]!r}: its {name} is {len(value)} characters, "
                f"over the {limit} the store keeps"
            )
    return dict(
        template=ann.template,
        page=ann.page,
        channels=list(ann.channels),
        at=ann.at,
        cron=ann.cron,
        timezone=ann.timezone,
        source=ann.source,
        state=ann.state,
        created_by_id=ann.created_by_id,
        created_by_name=cut(ann.created_by_name, limit_of(A.c.created_by_name)),
    )


def _with_text() -> Any:
    return select(A, AT.c.text).select_from(A.outerjoin(AT, AT.c.announcement_id == A.c.id))


def _announcements(result: Any) -> list[StoredAnnouncement]:
    # The column names once, zipped with each row: a Row's _mapping is made per row and
    # was 40% of reading 10,000 announcements at start-up (0.31 -> 0.18-0.20 s CPU).
    keys = tuple(result.keys())
    out = []
    for row in result:
        m = dict(zip(keys, row, strict=True))
        m["channels"] = tuple(m["channels"])
        out.append(StoredAnnouncement(**m))
    return out
