"""The `alerts` table: which problems the organisers were told about, once each.

What a problem is, its key and its text are outreach/admin/alerts.py's business; this
is where they are remembered. A row is claimed with a short lease before it is
sent, so two processes (the service and the admin bot) never both send it::

    ledger.alerts.record(key=, subject=, kind=, text=) -> True when the key is new
    ledger.alerts.known(keys) -> the keys recorded before
    ledger.alerts.close_open("feed:news")   # the condition cleared; the next one is new
    ledger.alerts.claim(limit) -> [Alert]; mark_sent(ids) / release(ids)
    ledger.alerts.waiting() -> how many are still to be sent
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from .schema import ALERTS
from .values import Alert, Clock

LEASE = dt.timedelta(minutes=2)
"""How long a claimed alert is this caller's to send before another may take it."""


class AlertStore:
    """The `alerts` table on the ledger's engine and clock."""

    def __init__(self, engine: Engine, now: Clock) -> None:
        self.engine = engine
        self.now = now

    def known(self, keys: Sequence[str]) -> set[str]:
        out: set[str] = set()
        with self.engine.connect() as conn:
            for i in range(0, len(keys), 500):
                chunk = list(keys[i : i + 500])
                out |= set(conn.scalars(select(ALERTS.c.key).where(ALERTS.c.key.in_(chunk))))
        return out

    def record(self, *, key: str, subject: str, kind: str, text: str) -> bool:
        """True when the problem is new (it was not alerted, nor is it waiting)."""
        row = dict(key=key, subject=subject, kind=kind, text=text, created_at=self.now())
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(ALERTS).values(**row))
        except IntegrityError:
            return False
        return True

    def close_open(self, subject: str) -> bool:
        """The condition behind `subject` cleared: its next occurrence is a new problem."""
        with self.engine.begin() as conn:
            row = conn.execute(select(ALERTS.c.id).where(ALERTS.c.key == f"{subject}:open")).first()
            if row is None:
                return False
            conn.execute(
                update(ALERTS)
                .where(ALERTS.c.id == row.id)
                .values(key=f"{subject}:closed:{row.id}", resolved_at=self.now())
            )
        return True

    def claim(self, limit: int) -> list[Alert]:
        """Unsent, unresolved alerts, oldest first, leased to this caller."""
        now = self.now()
        free = ALERTS.c.claimed_until.is_(None) | (ALERTS.c.claimed_until <= now)
        waiting = ALERTS.c.sent_at.is_(None) & ALERTS.c.resolved_at.is_(None)
        with self.engine.connect() as conn:
            rows = list(
                conn.execute(select(ALERTS).where(waiting, free).order_by(ALERTS.c.id).limit(limit))
            )
        mine = []
        for row in rows:
            stmt = update(ALERTS).where(ALERTS.c.id == row.id, waiting, free)
            with self.engine.begin() as conn:
                if conn.execute(stmt.values(claimed_until=now + LEASE)).rowcount:
                    mine.append(_alert(row))
        return mine

    def mark_sent(self, ids: Iterable[int]) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(ALERTS)
                .where(ALERTS.c.id.in_(list(ids)))
                .values(sent_at=self.now(), claimed_until=None)
            )

    def release(self, ids: Iterable[int]) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(ALERTS).where(ALERTS.c.id.in_(list(ids))).values(claimed_until=None)
            )

    def waiting(self) -> int:
        """How many alerts are recorded and not yet sent (nor resolved)."""
        q = select(func.count()).where(ALERTS.c.sent_at.is_(None), ALERTS.c.resolved_at.is_(None))
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    def rows(self) -> list[Alert]:
        """Every alert, oldest first."""
        with self.engine.connect() as conn:
            return [_alert(r) for r in conn.execute(select(ALERTS).order_by(ALERTS.c.id))]


def _alert(row: object) -> Alert:
    return Alert(**row._mapping)  # type: ignore[attr-defined]
