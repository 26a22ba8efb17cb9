"""Alembic's environment for the ledger: always online, on the connection handed in.

outreach never runs alembic's own command line against a URL from alembic.ini:
migrations/__init__.py opens the store, takes the lock, and passes its
connection here (config.attributes["connection"]), so one transaction holds
the whole upgrade.
"""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=None,
    transactional_ddl=True,  # SQLite too: the upgrade commits whole or not at all
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
