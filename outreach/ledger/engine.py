"""The store's engine from its URL: PostgreSQL (psycopg 3) here, SQLite in sqlite.py.

Apart from the tables (schema.py): opening a store is about drivers and connections
(the URL's driver, how statements are planned on PostgreSQL), not about what it
holds. normalize_url is on the ledger's face (the printed label, config checks).
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine

from .schema import postgresql_partial_indexes


def normalize_url(url: str) -> str:
    """psycopg 3 for PostgreSQL URLs (SQLAlchemy's default driver would be psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    if not url.startswith("sqlite"):
        postgresql_partial_indexes()
        # Planned with its values every time (psycopg prepares a statement run five
        # times, and PostgreSQL may then keep one plan for any values): only a plan
        # that sees the state asked for can use the partial indexes (schema.py).
        return create_engine(url, pool_pre_ping=True, connect_args={"prepare_threshold": None})
    from . import sqlite

    return sqlite.make_engine(url)
