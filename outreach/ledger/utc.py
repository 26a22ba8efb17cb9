"""UtcDateTime: the column type of every time the ledger keeps (aware UTC in Python).

Apart from the tables (schema.py) because statements use it too: pause.py and pace.py
bind times with it outside any column, and it holds the one rule of how a time is
stored (naive UTC, SQLite having no time zones), not what is stored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, TypeDecorator

from ..errors import StoreError

UTC = dt.UTC


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC in Python, naive UTC in the database (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise StoreError("the ledger stores aware datetimes only (got a naive one)")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)
