"""The store as outreach made it before it had migrations (commit 195acf4): revision 0001.

Written out table by table, not taken from schema.py, so that later changes to
the models never change what the baseline is. versions/0001_baseline.py creates
these tables in a new store; `adopt` brings a store made before migrations
existed to this revision (migrations/__init__.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

ADDED_LATE = (
    ("announcements", "created_by_id", "BIGINT"),
    ("announcements", "created_by_name", "VARCHAR(200)"),
)
"""Columns a store older than the baseline may lack (added before migrations existed)."""


def baseline_metadata() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table(
        "deliveries",
        md,
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("network", sa.String(16), nullable=False),
        sa.Column("about", sa.String(300), nullable=False),
        sa.Column("dedupe_key", sa.String(400), nullable=False),
        sa.Column("post", sa.JSON(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("occurrence", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("claim_token", sa.String(32), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("ambiguous_since", sa.DateTime(), nullable=True),
        sa.Column("remote_id", sa.String(200), nullable=True),
        sa.Column("remote_url", sa.String(1000), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("channel_id", "dedupe_key", name="uq_deliveries_dedupe"),
    )
    sa.Index("ix_deliveries_about", md.tables["deliveries"].c.about)
    sa.Index("ix_deliveries_state", md.tables["deliveries"].c.state)
    sa.Index("ix_deliveries_channel_id", md.tables["deliveries"].c.channel_id)
    sa.Table(
        "announcements",
        md,
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("template", sa.String(200), nullable=False),
        sa.Column("page", sa.String(64), nullable=True),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=True),
        sa.Column("cron", sa.String(100), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by_name", sa.String(200), nullable=True),
    )
    sa.Table(
        "seen_items",
        md,
        sa.Column("dedupe_key", sa.String(400), primary_key=True),
        sa.Column("feed_id", sa.String(64), nullable=False),
        sa.Column("item_id", sa.String(200), nullable=False),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
    )
    sa.Index("ix_seen_items_feed_id", md.tables["seen_items"].c.feed_id)
    sa.Table(
        "feed_state",
        md,
        sa.Column("feed_id", sa.String(64), primary_key=True),
        sa.Column("etag", sa.String(400), nullable=True),
        sa.Column("last_modified", sa.String(100), nullable=True),
        sa.Column("last_poll", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
    )
    sa.Table(
        "pause",
        md,
        sa.Column("id", sa.Integer(), primary_key=True),  # always 1; SERIAL on PostgreSQL, as made
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
    )
    sa.Table(
        "channel_limits",
        md,
        sa.Column("channel_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(1000), nullable=False),
        sa.Column("learned_at", sa.DateTime(), nullable=False),
    )
    sa.Table(
        "alerts",
        md,
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(300), nullable=False, unique=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
    )
    sa.Index("ix_alerts_subject", md.tables["alerts"].c.subject)

    return md


def adopt(conn: Connection) -> None:
    """A store made before migrations: create what it lacks of the baseline, nothing else."""
    baseline_metadata().create_all(conn, checkfirst=True)
    have = {c["name"] for c in sa.inspect(conn).get_columns("announcements")}
    for table, column, kind in ADDED_LATE:
        if column not in have:
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
