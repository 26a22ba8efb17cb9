"""leases: what each of several `outreach run` on one PostgreSQL holds (issue 13)

Revision ID: 0005_leases
Revises: 0004_post_actions
Create Date: 2026-12-01

Downgrade drops the table: leases last seconds, and the instances take them again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_leases"
down_revision = "0004_post_actions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("renewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_leases_owner", "leases", ["owner"])


def downgrade() -> None:
    op.drop_index("ix_leases_owner", table_name="leases")
    op.drop_table("leases")
