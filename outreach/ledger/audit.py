"""The audit trail: what organisers did, who did it, when, from the CLI, the bot or the web.

A row is written in the same transaction as the change it records (pause.py
does so for pauses; the Ledger's organiser actions for cancel, retry and
resolve when told who asks), so a change is never without its record::

    ledger.audit.record(by="web:anna", action="signin", target="", detail="by password")
    ledger.audit.entries(limit=50, offset=0, target=None) -> [AuditEntry], newest first

`by` names the person and the door they came in by ('web:anna', 'telegram:@anna',
'cli:alice'); never a token, a password or a link.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Engine, insert, select

from .bounds import cut, limit_of
from .schema import AUDIT
from .values import AuditEntry, Clock


def record(
    conn: Connection,
    now: dt.datetime,
    by: str,
    action: str,
    target: str = "",
    detail: str | None = None,
) -> None:
    """One entry, inside the caller's transaction."""
    conn.execute(
        insert(AUDIT).values(
            at=now,
            by=cut(by, limit_of(AUDIT.c.by)),
            action=action[:32],  # ours: a fixed word
            target=cut(target, limit_of(AUDIT.c.target)),
            detail=detail,
        )
    )


class AuditTrail:
    """The `audit` table on the ledger's engine and clock."""

    def __init__(self, engine: Engine, now: Clock) -> None:
        self.engine = engine
        self.now = now

    def record(self, *, by: str, action: str, target: str = "", detail: str | None = None) -> None:
        with self.engine.begin() as conn:
            record(conn, self.now(), by, action, target, detail)

    def entries(
        self, *, limit: int = 50, offset: int = 0, target: str | None = None
    ) -> list[AuditEntry]:
        """One page, newest first; `target` keeps those about one thing (e.g. 'delivery:12')."""
        q = select(AUDIT).order_by(AUDIT.c.at.desc(), AUDIT.c.id.desc()).limit(limit).offset(offset)
        if target is not None:
            # as record() wrote it
            q = q.where(AUDIT.c.target == cut(target, limit_of(AUDIT.c.target)))
        with self.engine.connect() as conn:
            return [
                AuditEntry(r.id, r.at, r.by, r.action, r.target, r.detail) for r in conn.execute(q)
            ]
