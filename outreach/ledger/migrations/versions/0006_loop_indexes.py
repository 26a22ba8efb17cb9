"""indexes for the delivery loop and the history, whatever the planner knows (issue 15)

Revision ID: 0006_loop_indexes
Revises: 0005_leases
Create Date: 2026-12-01

deliveries (channel_id, state, due_at, id) serves every question the delivery
loop asks of a channel; it replaces the index on channel_id alone, its prefix.
deliveries (channel_id, state, sent_at) serves what went out on a channel lately
(the claim's pacing count, the pacer's seed at start-up).
deliveries (coalesce(sent_at, updated_at), id) serves the history's order
(`outreach history`, the console's, the bot's); on PostgreSQL it holds only the
rows a history lists (partial), so the planner takes it without statistics;
PostgreSQL only (SQLite's planner would not use it: schema.py says why). post_actions (channel_id, state) replaces post_actions (channel_id).
Only indexes: no row changes, and downgrade puts the old ones back.
Building them on a large PostgreSQL table locks its writes for the time it takes
(seconds per million rows); run `outreach db upgrade` while `outreach run` is stopped.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_loop_indexes"
down_revision = "0005_leases"
branch_labels = None
depends_on = None

HISTORY = sa.text("coalesce(sent_at, updated_at)")
# The states a history lists (schema.HISTORY_STATES), written out: a revision stays as it was.
LISTED = sa.text("state IN ('sent', 'failed', 'unknown', 'missed', 'cancelled')")


def upgrade() -> None:
    op.create_index("ix_deliveries_queue", "deliveries", ["channel_id", "state", "due_at", "id"])
    op.drop_index("ix_deliveries_channel_id", table_name="deliveries")
    op.create_index("ix_deliveries_sent", "deliveries", ["channel_id", "state", "sent_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_deliveries_history", "deliveries", [HISTORY, "id"], postgresql_where=LISTED
        )
    op.create_index("ix_post_actions_queue", "post_actions", ["channel_id", "state"])
    op.drop_index("ix_post_actions_channel_id", table_name="post_actions")


def downgrade() -> None:
    op.create_index("ix_post_actions_channel_id", "post_actions", ["channel_id"])
    op.drop_index("ix_post_actions_queue", table_name="post_actions")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_deliveries_history", table_name="deliveries")
    op.drop_index("ix_deliveries_sent", table_name="deliveries")
    op.create_index("ix_deliveries_channel_id", "deliveries", ["channel_id"])
    op.drop_index("ix_deliveries_queue", table_name="deliveries")
