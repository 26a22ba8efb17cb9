"""the delivery loop's indexes partial on PostgreSQL: each over the rows its questions ask for

Revision ID: 0010_partial_loop_indexes
Revises: 0009_web_failures
Create Date: 2026-12-01

A planner that knows nothing of the deliveries table (never ANALYZEd: a new
store after a large backfill) takes any index on (channel_id, state) for
"about one row": with ix_deliveries_queue and ix_deliveries_sent both full,
it took the queue's for the claim's pacing count about half the time and read
the channel's whole history per post (issue 15). On PostgreSQL the queue's
index now holds the live rows (pending, sending) and the sent one the rows
with a sent_at, so each is the only one for its questions. SQLite keeps them
full (its planner cannot match a partial index to a bound parameter). Only
indexes change; downgrade makes them full again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_partial_loop_indexes"
down_revision = "0009_web_failures"
branch_labels = None
depends_on = None

QUEUE = ["channel_id", "state", "due_at", "id"]
SENT = ["channel_id", "state", "sent_at"]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_deliveries_queue", table_name="deliveries")
    op.create_index(
        "ix_deliveries_queue",
        "deliveries",
        QUEUE,
        postgresql_where=sa.text("state IN ('pending', 'sending')"),
    )
    op.drop_index("ix_deliveries_sent", table_name="deliveries")
    op.create_index(
        "ix_deliveries_sent",
        "deliveries",
        SENT,
        postgresql_where=sa.text("sent_at IS NOT NULL"),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_deliveries_sent", table_name="deliveries")
    op.create_index("ix_deliveries_sent", "deliveries", SENT)
    op.drop_index("ix_deliveries_queue", table_name="deliveries")
    op.create_index("ix_deliveries_queue", "deliveries", QUEUE)
