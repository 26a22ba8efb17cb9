"""corrections and takedowns: post_actions (edits and deletions of sent posts), sent_places

Revision ID: 0004_post_actions
Revises: 0003_pauses_audit_web
Create Date: 2026-12-01

Two new tables (issue 14); a store that already has them (made by create_all
before this revision) keeps them. Downgrade drops them: the record of what was
corrected or taken down, and the Telegram chat of each sent post, are lost.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_post_actions"
down_revision = "0003_pauses_audit_web"
branch_labels = None
depends_on = None


def upgrade() -> None:
    have = set(sa.inspect(op.get_bind()).get_table_names())
    if "post_actions" not in have:
        op.create_table(
            "post_actions",
            sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("request", sa.String(64), nullable=False),
            sa.Column("delivery_id", sa.Integer(), nullable=False),
            sa.Column("channel_id", sa.String(64), nullable=False),
            sa.Column("network", sa.String(16), nullable=False),
            sa.Column("about", sa.String(300), nullable=False),
            sa.Column("kind", sa.String(8), nullable=False),
            sa.Column("state", sa.String(16), nullable=False),
            sa.Column("text", sa.Text(), nullable=True),
            sa.Column("old_text", sa.Text(), nullable=True),
            sa.Column("requested_by", sa.String(200), nullable=False),
            sa.Column("why", sa.Text(), nullable=False),
            sa.Column("detail", sa.Text(), nullable=True),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
            sa.Column("claim_token", sa.String(32), nullable=True),
            sa.Column("claimed_at", sa.DateTime(), nullable=True),
            sa.Column("lease_until", sa.DateTime(), nullable=True),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("updated_at", sa.DateTime(), nullable=False),
            sa.Column("done_at", sa.DateTime(), nullable=True),
            sa.UniqueConstraint("delivery_id", "kind", "request", name="uq_post_actions_once"),
        )
        for column in ("request", "delivery_id", "channel_id", "about", "state"):
            op.create_index(f"ix_post_actions_{column}", "post_actions", [column])
    if "sent_places" not in have:
        op.create_table(
            "sent_places",
            sa.Column("delivery_id", sa.Integer(), primary_key=True),
            sa.Column("place", sa.String(200), nullable=False),
        )


def downgrade() -> None:
    op.drop_table("sent_places")
    for column in ("request", "delivery_id", "channel_id", "about", "state"):
        op.drop_index(f"ix_post_actions_{column}", table_name="post_actions")
    op.drop_table("post_actions")
