"""pauses per channel with an end (embargo), the audit trail, the web console's accounts

Revision ID: 0003_pauses_audit_web
Revises: 0002_heartbeats
Create Date: 2026-12-01

The single pause flag (table `pause`) is carried over into `pauses` as a pause of
everything, then emptied; the table stays, as the stores made before kept it.
A store made before migrations by a release that already had these tables
keeps them: each is created only where it is missing.
Downgrade drops them: safe only when no pause by channel, audit record or web
account is to be kept, which the command line says before it runs (`db downgrade`).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_pauses_audit_web"
down_revision = "0002_heartbeats"
branch_labels = None
depends_on = None


def upgrade() -> None:
    have = set(sa.inspect(op.get_bind()).get_table_names())
    if "pauses" not in have:
        op.create_table(
            "pauses",
            sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("scope", sa.String(64), nullable=False, unique=True),
            sa.Column("since", sa.DateTime(), nullable=False),
            sa.Column("until", sa.DateTime(), nullable=True),
            sa.Column("by", sa.String(200), nullable=False),
            sa.Column("why", sa.Text(), nullable=True),
        )
    if "audit" not in have:
        op.create_table(
            "audit",
            sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("at", sa.DateTime(), nullable=False),
            sa.Column("by", sa.String(200), nullable=False),
            sa.Column("action", sa.String(32), nullable=False),
            sa.Column("target", sa.String(300), nullable=False),
            sa.Column("detail", sa.Text(), nullable=True),
        )
        op.create_index("ix_audit_at", "audit", ["at"])
    if "web_users" not in have:
        op.create_table(
            "web_users",
            sa.Column("name", sa.String(64), primary_key=True),
            sa.Column("role", sa.String(16), nullable=False),
            sa.Column("password_hash", sa.String(200), nullable=True),
            sa.Column("telegram_id", sa.BigInteger(), nullable=True, unique=True),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("disabled", sa.Boolean(), nullable=False),
        )
    if "web_sessions" not in have:
        op.create_table(
            "web_sessions",
            sa.Column("id_hash", sa.String(64), primary_key=True),
            sa.Column("user", sa.String(64), nullable=False),
            sa.Column("role", sa.String(16), nullable=False),
            sa.Column("csrf", sa.String(64), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("expires_at", sa.DateTime(), nullable=False),
        )
        op.create_index("ix_web_sessions_user", "web_sessions", ["user"])
    if "web_links" not in have:
        op.create_table(
            "web_links",
            sa.Column("token_hash", sa.String(64), primary_key=True),
            sa.Column("telegram_id", sa.BigInteger(), nullable=False),
            sa.Column("name", sa.String(200), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("expires_at", sa.DateTime(), nullable=False),
            sa.Column("used_at", sa.DateTime(), nullable=True),
        )
    # the old flag, if set, becomes a pause of everything (unless one exists already)
    op.execute(
        "INSERT INTO pauses (scope, since, by) SELECT '*', since, by FROM pause "
        "WHERE NOT EXISTS (SELECT 1 FROM pauses WHERE scope = '*')"
    )
    op.execute("DELETE FROM pause")


def downgrade() -> None:
    # the pause of everything, if any, goes back to the old flag
    op.execute(
        "INSERT INTO pause (id, since, by) SELECT 1, since, by FROM pauses WHERE scope = '*' "
        "AND NOT EXISTS (SELECT 1 FROM pause)"
    )
    for table in ("web_links", "web_sessions", "web_users", "audit", "pauses"):
        op.drop_table(table)
