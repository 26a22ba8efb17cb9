"""baseline: the store as outreach made it before it had migrations (commit 195acf4)

Revision ID: 0001_baseline
Revises:
Create Date: 2026-12-01

The tables are written out in ../baseline.py, not taken from schema.py, so that
later changes to the models never change what this revision creates. A store
made before migrations existed is adopted at this revision by `outreach db
upgrade` (../__init__.py).
"""

from alembic import op

from outreach.ledger.migrations.baseline import baseline_metadata

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    baseline_metadata().create_all(op.get_bind())


def downgrade() -> None:
    # Below the baseline there is no store: refuse rather than drop every row.
    raise NotImplementedError("the baseline cannot be downgraded: it would delete the store")
