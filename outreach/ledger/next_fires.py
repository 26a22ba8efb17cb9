"""The planner's memory of when each announcement fires next (table next_fires).

outreach/next_fires.py decides what a row means and when one may be used; this
room only reads and writes them. Every row is a fact about a pure function (the
first fire time after `settled_until` of the schedule its fingerprint names), so
whoever writes one writes the truth, and losing any of them loses only time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, String, delete, insert, select, type_coerce

from .schema import NEXT_FIRES as N

_CHUNK = 500
"""Ids per DELETE ... IN (...): well under SQLite's and PostgreSQL's bound parameters."""


@dataclass(frozen=True)
class NextFire:
    announcement_id: str
    fingerprint: str
    settled_until: dt.datetime
    next_at: dt.datetime | None
    """None: it fires no more."""


def _utc(value: str | dt.datetime) -> dt.datetime:
    """A stored time (naive UTC: text on SQLite, a datetime from PostgreSQL), aware."""
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value + "+00:00")  # cheaper than .replace(tzinfo=)
    return value.replace(tzinfo=dt.UTC)


class NextFires:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def read(self) -> dict[str, NextFire]:
        # The times as the driver hands them: SQLite's text is read by fromisoformat, some
        # ten times cheaper than the DateTime type's parsing for ten thousand rows twice.
        q = select(
            N.c.announcement_id,
            N.c.fingerprint,
            type_coerce(N.c.settled_until, String),
            type_coerce(N.c.next_at, String),
        )
        with self.engine.connect() as conn:
            return {
                ann_id: NextFire(ann_id, fp, _utc(settled), _utc(nxt) if nxt is not None else None)
                for ann_id, fp, settled, nxt in conn.execute(q).all()
            }

    def write(self, rows: Iterable[NextFire], drop: Iterable[str] = ()) -> None:
        """Replace the rows of `rows`' announcements and drop those of `drop`, in one
        transaction."""
        rows = list(rows)
        gone = list(dict.fromkeys([*drop, *(r.announcement_id for r in rows)]))
        if not gone:
            return
        with self.engine.begin() as conn:
            for i in range(0, len(gone), _CHUNK):
                conn.execute(delete(N).where(N.c.announcement_id.in_(gone[i : i + _CHUNK])))
            if rows:
                conn.execute(
                    insert(N),
                    [
                        {
                            "announcement_id": r.announcement_id,
                            "fingerprint": r.fingerprint,
                            "settled_until": r.settled_until,
                            "next_at": r.next_at,
                        }
                        for r in rows
                    ],
                )
