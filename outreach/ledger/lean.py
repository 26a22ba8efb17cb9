"""The delivery loop's statements on SQLite, run on the driver's cursor once compiled.

Why: per post the loop runs the same five statements (heads' two reads, the
claim's pacing count and UPDATE, the finish's UPDATE). On a SQLite store on
tmpfs their database work is about 0.2 ms a post, and SQLAlchemy's work
around each execution (an execution context, the parameters built and
checked, the result's metadata and row objects) plus our glue was about
1.3 ms more, a third of a post's whole cost through `run --once`
(bench/README.md, "per-post cost").

What stays SQLAlchemy's: the statements (built with Core in loop_sql.py and
pace.py, the same objects PostgreSQL runs), their SQL (compiled once by the
engine's dialect), every value's conversion (each bound value through its
type's bind processor for the dialect, each column through its result
processor: aware UTC datetimes, JSON, booleans come back exactly as
`Connection.execute` gives them), and the connection with its pool and its
transaction: the statements run on `conn`'s own DBAPI connection, inside the
transaction `conn` began, so begin, commit and rollback are SQLAlchemy's as
before (and this process's write queue, sqlite.py, sees them: the cursor is
its own). What is skipped is only the per-execution bookkeeping. While
anything listens to the engine's statements (`before_cursor_execute` or
`after_cursor_execute`: tests/test_loop_plans.py reads their query plans,
tracing tools time them), they run through `conn.execute`, so listeners
see every statement as before.

Only SQLite, and only statements without "expanding" IN lists (their SQL
depends on the values): anything else runs through `conn.execute` as
before, so the result is the same, only slower. tests/test_ledger_lean.py
runs each of the loop's statements both ways and compares.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect

Row = tuple[Any, ...]


class _Compiled:
    """One statement's SQL for one dialect, with what converts its values both ways."""

    def __init__(self, stmt: Any, dialect: Dialect) -> None:
        compiled = stmt.compile(dialect=dialect)
        self.sql = compiled.string
        names = compiled.positiontup or ()
        # Per position: the name of a required parameter (converted at each execution,
        # once per name: `now` is bound several times), or None and the value converted
        # now (a literal, the same at every execution).
        self.slots: list[tuple[str | None, Any]] = []
        converters: dict[str, Callable[[Any], Any] | None] = {}
        for name in names:
            bp = compiled.binds[name]
            process = bp.type.dialect_impl(dialect).bind_processor(dialect)
            if bp.required:
                converters.setdefault(name, process)
                self.slots.append((name, None))
            else:
                value = bp.effective_value
                self.slots.append((None, value if process is None else process(value)))
        self.required = list(converters.items())
        # Only the columns whose type converts (times, JSON, booleans), by position.
        exported = list(getattr(stmt, "exported_columns", ()))
        self.width = len(exported)
        self.columns: list[tuple[int, Callable[[Any], Any]]] = []
        for i, col in enumerate(exported):
            p = col.type.dialect_impl(dialect).result_processor(dialect, None)
            if p is not None:
                self.columns.append((i, p))

    def run(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        done = {
            name: params[name] if process is None else process(params[name])
            for name, process in self.required
        }
        values = [value if name is None else done[name] for name, value in self.slots]
        cursor = driver(conn).cursor()
        cursor.execute(self.sql, values)
        return cursor

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[Row]:
        cursor = self.run(conn, params)
        try:
            found = cursor.fetchall()
        finally:
            cursor.close()
        out = []
        for row in found:
            if len(row) != self.width:
                raise ValueError(f"{len(row)} columns, expected {self.width}")
            if not self.columns:
                out.append(tuple(row))
                continue
            values = list(row)
            for i, p in self.columns:
                values[i] = p(values[i])
            out.append(tuple(values))
        return out


@functools.lru_cache(maxsize=512)
def _lean(stmt: Any, dialect: Dialect) -> _Compiled | None:
    """`stmt` compiled for the driver, or None when it must go through SQLAlchemy."""
    if dialect.name != "sqlite" or dialect.paramstyle != "qmark":
        return None
    probe = stmt.compile(dialect=dialect)
    if probe.post_compile_params or not probe.positional:
        return None  # an expanding IN list: the SQL depends on the values
    return _Compiled(stmt, dialect)


def _watched(conn: Connection) -> bool:
    """Someone listens to this engine's statements (tests of query plans, tracing)."""
    if not (conn._has_events or conn.engine._has_events):
        return False  # SQLAlchemy's own test before it fires any statement event: none listens
    dispatch = conn.dispatch
    return bool(dispatch.before_cursor_execute) or bool(dispatch.after_cursor_execute)


def rows(conn: Connection, stmt: Any, params: Mapping[str, Any]) -> list[Row]:
    """What `conn.execute(stmt, params).all()` gives, as tuples of converted values."""
    lean = None if _watched(conn) else _lean(stmt, conn.dialect)
    if lean is None:
        return [tuple(r) for r in conn.execute(stmt, dict(params)).all()]
    return lean.rows(conn, params)


def each(conn: Connection, stmt: Any, params: Sequence[Mapping[str, Any]]) -> list[Row]:
    """What `conn.execute(stmt, params).all()` gives for several sets of parameters (an
    INSERT ... RETURNING of several rows): on the driver, one execution per set; through
    SQLAlchemy, one statement for all (on PostgreSQL, one round trip)."""
    lean = None if _watched(conn) else _lean(stmt, conn.dialect)
    if lean is None:
        return [tuple(r) for r in conn.execute(stmt, [dict(p) for p in params]).all()]
    return [row for p in params for row in lean.rows(conn, p)]


def first(conn: Connection, stmt: Any, params: Mapping[str, Any]) -> Row | None:
    """The first row of `rows`, or None."""
    found = rows(conn, stmt, params)
    return found[0] if found else None


def keys(stmt: Any) -> Sequence[str]:
    """The names of `stmt`'s columns, in the order `rows` gives them."""
    return [col.key for col in stmt.exported_columns]


def driver(conn: Connection) -> Any:
    """`conn`'s DBAPI connection (on SQLite, sqlite.py's queued one)."""
    return conn.connection.dbapi_connection


def begin_immediate(conn: Connection) -> None:
    """SQLite: take the write lock now (BEGIN IMMEDIATE), on the driver's cursor."""
    if _watched(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        driver(conn).cursor().execute("BEGIN IMMEDIATE").close()


def write(conn: Connection, stmt: Any, params: Mapping[str, Any]) -> int:
    """Run an INSERT, UPDATE or DELETE without RETURNING; how many rows it changed."""
    lean = None if _watched(conn) else _lean(stmt, conn.dialect)
    if lean is None:
        return int(conn.execute(stmt, dict(params)).rowcount)
    cursor = lean.run(conn, params)
    try:
        return int(cursor.rowcount)
    finally:
        cursor.close()
