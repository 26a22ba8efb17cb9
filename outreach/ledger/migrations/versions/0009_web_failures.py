"""web_failures: failed sign-ins in the store, so every console process throttles one count

Revision ID: 0009_web_failures
Revises: 0008_announcement_texts
Create Date: 2026-12-01

Downgrade drops the table: it holds the failures of the last minutes only, and
the consoles start counting again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_web_failures"
down_revision = "0008_announcement_texts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_failures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_web_failures_key_at", "web_failures", ["key_hash", "at"])


def downgrade() -> None:
    op.drop_index("ix_web_failures_key_at", table_name="web_failures")
    op.drop_table("web_failures")
