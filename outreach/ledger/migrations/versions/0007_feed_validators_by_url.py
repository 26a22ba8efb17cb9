"""feed_state.validators_for: a feed's ETag and Last-Modified belong to the URL that gave them

Revision ID: 0007_feed_validators_by_url
Revises: 0006_loop_indexes
Create Date: 2026-12-01

They were kept by feed id: after a feed's URL changed, the new URL was asked
with the old URL's validators and could answer 304, and was then never read
(issue 15). Which URL gave the stored ones is not in the store: their
validators_for is empty, which matches no URL, so the watcher does not send
them; each feed is read in full once, at its next poll, and its validators are
kept with their URL's digest from then on. Rows are not changed. Downgrade
drops the column; the validators stay, by feed id, as before.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_feed_validators_by_url"
down_revision = "0006_loop_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("feed_state", sa.Column("validators_for", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feed_state") as batch:
        batch.drop_column("validators_for")
