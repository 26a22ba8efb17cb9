"""heartbeats: each running `outreach run` says it is alive (outreach status, /status, /health)

Revision ID: 0002_heartbeats
Revises: 0001_baseline
Create Date: 2026-12-01

Downgrade drops the table: it holds only signs of life, which the next beat writes again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_heartbeats"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "heartbeats",
        sa.Column("process", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("beat_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_heartbeats_beat_at", "heartbeats", ["beat_at"])


def downgrade() -> None:
    op.drop_index("ix_heartbeats_beat_at", table_name="heartbeats")
    op.drop_table("heartbeats")
