"""Leases: which running instance holds what, on a PostgreSQL store shared by several.

One row per thing held, named:

    channel:<id>    the right to send on a channel
    queueing        the right to plan announcements and poll feeds this turn

An instance's own sign of life is its row in the heartbeats table, the one
`outreach status` reads (health.py): `owner`, `renewed_at` and `until` there
say it is a member, by the database's clock, however little it holds.

A row is held until `until`, which its owner pushes forward on every beat; a
row whose `until` has passed is free, and the next `acquire` takes it over in
one INSERT ... ON CONFLICT DO UPDATE WHERE until <= now(), so two instances
can never both win it. Every time here is the database's (`now()`), so the
machines' clocks need not agree. outreach/instances.py decides what to hold.

PostgreSQL only: an SQLite store has one instance (outreach/instances.py
refuses a second), and holds no lease.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Engine, delete, exists, func, select, update

from .schema import HEARTBEATS as H
from .schema import LEASES as L
from .values import Clock

INSTANCE = "instance:"
CHANNEL = "channel:"
QUEUEING = "queueing"


@dataclass(frozen=True)
class Holder:
    """Who is asking: a running instance."""

    owner: str
    host: str
    pid: int
    version: str = ""

    @property
    def process(self) -> str:
        """Its heartbeat's key (health.py): the process, and which instance in it."""
        return f"run@{self.host}:{self.pid}/{self.owner}"[:200]


@dataclass(frozen=True)
class Held:
    name: str
    owner: str
    host: str
    pid: int
    acquired_at: dt.datetime
    renewed_at: dt.datetime
    until: dt.datetime


def holds(name: str, owner: str) -> ColumnElement[bool]:
    """A WHERE condition: `owner` holds `name` now (the claim's fence)."""
    return exists().where(L.c.name == name, L.c.owner == owner, L.c.until > func.now())


@dataclass(frozen=True)
class Member:
    """A live instance, as `outreach instances` and the admin bot's /status show it."""

    owner: str
    host: str
    pid: int
    since: dt.datetime
    beat_at: dt.datetime
    beat_age: float
    """Seconds since its last beat, by the database's clock."""
    holds: tuple[str, ...]
    """Channel ids, and 'queueing' when it plans and polls."""


class Leases:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.now = clock

    @property
    def shared(self) -> bool:
        """Whether this store can be shared by several instances (PostgreSQL)."""
        return self.engine.dialect.name == "postgresql"

    def beat(
        self,
        who: Holder,
        names: Collection[str],
        ttl: float,
        alive_within: float,
        *,
        member: bool = True,
    ) -> tuple[set[str], int]:
        """Renew `who`'s membership and those of `names` it still holds, in one transaction.

        `member=False`: a visitor (`run --once` beside the instances) renews what it
        holds but is not an instance: the others' fair shares do not count it.

        Returns (the names still held, how many instances beat within the last
        `alive_within` seconds, `who` included: a dead one stops counting before
        its leases run out, so the living make room for its channels in time).
        A name not returned was lost (its lease ran out and may be someone else's).
        """
        from sqlalchemy.dialects.postgresql import insert as pg_insert  # PostgreSQL only

        until = func.now() + dt.timedelta(seconds=ttl)
        now = self.now()
        renewed = dict(owner=who.owner, renewed_at=func.now(), until=until, beat_at=now)
        membership = pg_insert(H).values(
            process=who.process, kind="run", host=who.host[:200], pid=who.pid,
            version=who.version[:32], started_at=now, **renewed,
        )  # fmt: skip
        membership = membership.on_conflict_do_update(index_elements=[H.c.process], set_=renewed)
        with self.engine.begin() as conn:
            if member:
                conn.execute(membership)
            kept: set[str] = set()
            if names:
                stmt = (
                    update(L)
                    .where(
                        L.c.owner == who.owner, L.c.name.in_(list(names)), L.c.until > func.now()
                    )
                    .values(renewed_at=func.now(), until=until)
                    .returning(L.c.name)
                )
                kept = set(conn.execute(stmt).scalars())
            alive = conn.execute(
                select(func.count())
                .select_from(H)
                .where(
                    H.c.owner.is_not(None),
                    H.c.renewed_at > func.now() - dt.timedelta(seconds=alive_within),
                )
            ).scalar_one()
        return kept, int(alive)

    def acquire(self, who: Holder, name: str, ttl: float) -> bool:
        """Take `name` if no one holds it, or its holder's lease ran out."""
        # PostgreSQL only: loading its dialect costs every SQLite start 0.1 s
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        until = func.now() + dt.timedelta(seconds=ttl)
        values = dict(
            owner=who.owner, host=who.host[:200], pid=who.pid,
            acquired_at=func.now(), renewed_at=func.now(), until=until,
        )  # fmt: skip
        stmt = (
            pg_insert(L)
            .values(name=name, **values)
            .on_conflict_do_update(
                index_elements=[L.c.name], set_=values, where=L.c.until <= func.now()
            )
            .returning(L.c.name)
        )
        with self.engine.begin() as conn:
            return conn.execute(stmt).first() is not None

    def free(self, names: Collection[str]) -> list[str]:
        """Which of `names` no one holds now (the ones worth trying to acquire)."""
        held = select(L.c.name).where(L.c.name.in_(list(names)), L.c.until > func.now())
        with self.engine.connect() as conn:
            taken = set(conn.execute(held).scalars())
        return [n for n in names if n not in taken]

    def release(self, who: Holder, names: Collection[str]) -> None:
        """Give up `names` at once (a clean stop, or a share handed to a newcomer)."""
        with self.engine.begin() as conn:
            conn.execute(delete(L).where(L.c.owner == who.owner, L.c.name.in_(list(names))))

    def leave(self, who: Holder) -> None:
        """Give up everything `who` holds, and its membership (its heartbeat stays, for
        `outreach status` to say when it was last alive)."""
        with self.engine.begin() as conn:
            conn.execute(delete(L).where(L.c.owner == who.owner))
            conn.execute(update(H).where(H.c.owner == who.owner).values(owner=None, until=None))

    def members(self) -> list[Member]:
        """The live instances and what each holds (none on SQLite), the oldest first."""
        if not self.shared:
            return []
        live = select(H, func.now().label("db_now")).where(
            H.c.owner.is_not(None), H.c.until > func.now()
        )
        held = select(L.c.owner, L.c.name).where(L.c.until > func.now())
        with self.engine.connect() as conn:
            rows = [row._mapping for row in conn.execute(live)]
            holds: dict[str, list[str]] = {}
            for owner, name in conn.execute(held):
                holds.setdefault(owner, []).append(name.removeprefix(CHANNEL))
        out = [
            Member(
                r["owner"],
                r["host"],
                r["pid"],
                r["started_at"],
                r["renewed_at"],
                max(0.0, (r["db_now"] - r["renewed_at"]).total_seconds()),
                tuple(sorted(holds.get(r["owner"], []))),
            )
            for r in rows
        ]
        return sorted(out, key=lambda m: (m.since, m.owner))

    def held(self) -> list[Held]:
        """Every lease in force, and each live instance's membership as `instance:<id>`
        (none on SQLite), by owner then name."""
        if not self.shared:
            return []
        q = select(L).where(L.c.until > func.now())
        live = select(H).where(H.c.owner.is_not(None), H.c.until > func.now())
        with self.engine.begin() as conn:
            conn.execute(delete(L).where(L.c.until < func.now() - dt.timedelta(days=1)))
            out = [Held(**row._mapping) for row in conn.execute(q)]
            for r in conn.execute(live):
                out.append(
                    Held(
                        INSTANCE + r.owner,
                        r.owner,
                        r.host,
                        r.pid,
                        r.started_at,
                        r.renewed_at,
                        r.until,
                    )
                )
        return sorted(out, key=lambda h: (h.owner, h.name))
