"""one heartbeat: an instance's membership moves from leases ('instance:<id>') into heartbeats

Revision ID: 0011_one_heartbeat
Revises: 0010_partial_loop_indexes
Create Date: 2026-12-01

`outreach status` read the heartbeats table, `outreach instances` the leases'
'instance:<id>' rows: two beats of one process. Now the heartbeat row is both
(issue 13): heartbeats gains owner, renewed_at and until (the database's
clock), and each 'instance:<id>' lease becomes that, on the row of the same
process if it has one ('run@host:pid'), else on a new row. Downgrade puts them
back as leases.
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0011_one_heartbeat"
down_revision = "0010_partial_loop_indexes"
branch_labels = None
depends_on = None

HEARTBEATS = sa.table(
    "heartbeats",
    sa.column("process", sa.String), sa.column("kind", sa.String), sa.column("host", sa.String),
    sa.column("pid", sa.Integer), sa.column("version", sa.String),
    sa.column("started_at", sa.DateTime), sa.column("beat_at", sa.DateTime),
    sa.column("owner", sa.String), sa.column("renewed_at", sa.DateTime(timezone=True)),
    sa.column("until", sa.DateTime(timezone=True)),
)  # fmt: skip
LEASES = sa.table(
    "leases",
    sa.column("name", sa.String), sa.column("owner", sa.String), sa.column("host", sa.String),
    sa.column("pid", sa.Integer), sa.column("acquired_at", sa.DateTime(timezone=True)),
    sa.column("renewed_at", sa.DateTime(timezone=True)),
    sa.column("until", sa.DateTime(timezone=True)),
)  # fmt: skip
INSTANCE = "instance:"


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    """heartbeats keeps naive UTC (schema.UtcDateTime)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def upgrade() -> None:
    with op.batch_alter_table("heartbeats") as batch:
        batch.add_column(sa.Column("owner", sa.String(64), nullable=True))
        batch.add_column(sa.Column("renewed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("until", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_heartbeats_owner", ["owner"])
    conn = op.get_bind()
    members = (
        conn.execute(sa.select(LEASES).where(LEASES.c.name.startswith(INSTANCE))).mappings().all()
    )
    for m in members:
        process = f"run@{m['host']}:{m['pid']}"[:200]
        moved = dict(owner=m["owner"], renewed_at=m["renewed_at"], until=m["until"])
        if not conn.execute(
            sa.update(HEARTBEATS).where(HEARTBEATS.c.process == process).values(**moved)
        ).rowcount:
            conn.execute(
                sa.insert(HEARTBEATS).values(
                    process=process, kind="run", host=m["host"], pid=m["pid"], version="",
                    started_at=_naive_utc(m["acquired_at"]),
                    beat_at=_naive_utc(m["renewed_at"]), **moved,
                )
            )  # fmt: skip
    conn.execute(sa.delete(LEASES).where(LEASES.c.name.startswith(INSTANCE)))


def downgrade() -> None:
    conn = op.get_bind()
    members = (
        conn.execute(sa.select(HEARTBEATS).where(HEARTBEATS.c.owner.is_not(None))).mappings().all()
    )
    for m in members:
        started = m["started_at"]
        if started.tzinfo is None:
            started = started.replace(tzinfo=dt.UTC)
        conn.execute(
            sa.insert(LEASES).values(
                name=INSTANCE + m["owner"], owner=m["owner"], host=m["host"], pid=m["pid"],
                acquired_at=started, renewed_at=m["renewed_at"] or started,
                until=m["until"] or started,
            )
        )  # fmt: skip
    with op.batch_alter_table("heartbeats") as batch:
        batch.drop_index("ix_heartbeats_owner")
        batch.drop_column("until")
        batch.drop_column("renewed_at")
        batch.drop_column("owner")
