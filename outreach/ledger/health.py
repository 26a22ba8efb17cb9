"""Signs of life: `outreach run` beats here; `outreach status`, /status and /health read it.

A beat is one row per process (`run@host:pid`), rewritten every turn of the
service (at least once a minute) and by every `run --once`. On a PostgreSQL
store shared by several instances the same row is the instance's membership,
renewed every few seconds by its leases (leases.py: owner, renewed_at, until,
on the database's clock). Liveness is read
from the store, not from the process table, so it holds across machines and
containers, and for several instances on one PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from sqlalchemy import Engine, delete, func, insert, select, update

from .schema import DELIVERIES as D
from .schema import HEARTBEATS as H
from .values import Clock


@dataclass(frozen=True)
class Beat:
    process: str
    kind: str
    """"run" (the service) or "run --once" (cron, a timer)."""
    host: str
    pid: int
    version: str
    started_at: dt.datetime
    beat_at: dt.datetime


class Health:
    """The heartbeats table, and the few questions the metrics ask of the deliveries."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.now = clock

    def beat(
        self,
        kind: str,
        *,
        host: str,
        pid: int,
        version: str,
        started_at: dt.datetime,
        process: str | None = None,
    ) -> None:
        """This process is alive now (one row per process, rewritten).

        `process`: the row's key when the process is an instance sharing a store
        (leases.Holder.process), whose membership beats keep the same row.
        """
        process = process or f"{kind.split()[0]}@{host}:{pid}"[:200]
        now = self.now()
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(H).where(H.c.process == process).values(beat_at=now, kind=kind)
            ).rowcount
            if not changed:
                conn.execute(
                    insert(H).values(
                        process=process, kind=kind, host=host[:200], pid=pid,
                        version=version[:32], started_at=started_at, beat_at=now,
                    )
                )  # fmt: skip

    def beats(self) -> list[Beat]:
        """Every process's latest beat, the newest first."""
        with self.engine.connect() as conn:
            cols = [H.c[f.name] for f in fields(Beat)]
            rows = conn.execute(select(*cols).order_by(H.c.beat_at.desc(), H.c.process)).all()
        return [Beat(**row._mapping) for row in rows]

    def forget_before(self, moment: dt.datetime) -> int:
        """Drop the beats of processes silent since before `moment` (long gone)."""
        with self.engine.begin() as conn:
            return conn.execute(delete(H).where(H.c.beat_at < moment)).rowcount

    def last_sent_by_channel(self, *, dry_run: bool = False) -> dict[str, dt.datetime]:
        """When each channel last had a real post go out, or with `dry_run` its last dry run
        (printed, posted nowhere): kept apart, as `last_sent_at` says why."""
        q = (
            select(D.c.channel_id, func.max(D.c.sent_at))
            .where(D.c.state == "sent", D.c.dry_run.is_(dry_run))
            .group_by(D.c.channel_id)
        )
        with self.engine.connect() as conn:
            return {channel: at for channel, at in conn.execute(q) if at is not None}

    def dry_runs_sent(self) -> int:
        """Posts marked sent that the dry-run publisher printed and posted nowhere: how many of
        the "sent" an organiser is shown reached nobody."""
        q = select(func.count()).where(D.c.state == "sent", D.c.dry_run.is_(True))
        with self.engine.connect() as conn:
            return int(conn.scalar(q) or 0)

    def retries(self) -> int:
        """Attempts beyond the first, over every delivery."""
        q = select(func.coalesce(func.sum(D.c.attempts - 1), 0)).where(D.c.attempts > 1)
        with self.engine.connect() as conn:
            return int(conn.scalar(q) or 0)

    def lateness_since(self, since: dt.datetime) -> list[float]:
        """Seconds between due and sent, for each post sent since `since`. Dry runs are left
        out: printed and posted nowhere, they say nothing of when subscribers got a post."""
        q = select(D.c.due_at, D.c.sent_at).where(
            D.c.state == "sent", D.c.dry_run.is_(False), D.c.sent_at >= since
        )
        with self.engine.connect() as conn:
            return [max(0.0, (sent - due).total_seconds()) for due, sent in conn.execute(q)]
