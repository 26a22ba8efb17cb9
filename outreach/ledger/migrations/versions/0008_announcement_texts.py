"""announcement_texts: an announcement's one-off text, typed in the web console's composer

Revision ID: 0008_announcement_texts
Revises: 0007_feed_validators_by_url
Create Date: 2026-12-01

A table of its own rather than a column of announcements, so the rows of
announcements are the same before and after. Downgrade drops it: announcements
that had a one-off text then name the template kind 'one-off', which has no
files, and their posts fail with that error; cancel them before downgrading.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_announcement_texts"
down_revision = "0007_feed_validators_by_url"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "announcement_texts",
        sa.Column("announcement_id", sa.String(64), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("announcement_texts")
