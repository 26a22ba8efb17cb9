"""next fires: when each announcement fires next, as the planner last worked it out

Revision ID: 0013_next_fires
Revises: 0012_said
Create Date: 2026-12-02

A shortcut for a restart over thousands of announcements (outreach/next_fires.py):
a row is used only while the announcement's fingerprint and settled_until match,
so a store upgraded with the table empty plans exactly as before, and downgrade
drops it with nothing lost.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_next_fires"
down_revision = "0012_said"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "next_fires",
        sa.Column("announcement_id", sa.String(64), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("settled_until", sa.DateTime(), nullable=False),
        sa.Column("next_at", sa.DateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("next_fires")
