"""said: the key and values of a delivery's reason and an action's detail (outreach/said.py)

Revision ID: 0012_said
Revises: 0011_one_heartbeat
Create Date: 2026-12-01

Kept beside the English texts, so the web console words them in its reader's
language: a table for the deliveries (the delivery loop's reads of deliveries
stay as they are), a column for the actions. Rows written before have none and
show their text as it is. Downgrade drops both: the texts stay, in English.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_said"
down_revision = "0011_one_heartbeat"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_said",
        sa.Column("delivery_id", sa.Integer(), primary_key=True),
        sa.Column("said", sa.JSON(), nullable=False),
    )
    op.add_column("post_actions", sa.Column("detail_said", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("post_actions") as batch:
        batch.drop_column("detail_said")
    op.drop_table("delivery_said")
