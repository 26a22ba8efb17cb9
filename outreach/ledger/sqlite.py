"""The SQLite engine: WAL, commits on disk, and this process's writers in a queue.

SQLite has one writer at a time per file. A connection that finds the write
lock taken waits in SQLite's busy handler, which sleeps and polls: 1, 2, 5,
10 ... then 100 ms between tries, so a writer may sleep long after the lock
is free. With a channel thread per channel that is what spread a fan-out's
posts (bench/fanout.py: 20 claims and 20 finishes at once, a finish waiting
up to 860 ms). So each connection of this process takes a lock of the file's
own first (one per database file and process, shared by every engine on it),
from its first statement that may write until its transaction ends, and
waiting writers wake as soon as it is released instead of at their next
poll. Other processes (`outreach pause`, the web console) still meet ours in
SQLite's busy handler, as before. Neither SQLAlchemy nor the sqlite3 module
offers such a queue; it is a subclass of sqlite3's connection and cursor,
given to sqlite3.connect as its factory, so nothing above the driver changes.

The lock queues, it never refuses: a writer that has waited the busy timeout
goes on to SQLite, which decides as it did without the queue (waits its own
timeout, then "database is locked").

Durability: journal_mode=WAL, synchronous=FULL, so a commit is on disk when
commit() returns. NORMAL would spare the fsync of every commit (and survive
a kill -9 alike) but not a power cut or a kernel crash, which could lose the
last commits: a claim lost that way leaves its post `pending` although it went
out, and it would go out again (Telegram has no idempotency key), against
exactly-once. The fsync costs about 0.15 ms a commit on the machines measured
(bench/README.md, fan-out), well below what the queue saved.

The pool keeps up to 32 connections open (each thread of the delivery loop
uses one at a time): SQLAlchemy's default kept 5 and closed the rest on
return, so a fan-out opened a new connection (and ran the pragmas) for most of
its writes.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any, cast

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.pool import StaticPool

BUSY_TIMEOUT = 30.0
"""Seconds a writer waits for another (the queue, then SQLite's busy handler) before failing."""
POOL = 32

_READS = ("SELECT", "PRAGMA", "EXPLAIN", "COMMIT", "ROLLBACK", "RELEASE", "END")
"""Statements that take no write lock of their own (a transaction's end gives it back)."""

_FILES: dict[str, threading.Lock] = {}
_FILES_LOCK = threading.Lock()


def make_engine(url: str) -> Engine:
    """An engine on the SQLite database at `url` (a file, or memory)."""
    memory = url in ("sqlite://", "sqlite:///:memory:")
    args: dict[str, Any] = {"timeout": BUSY_TIMEOUT, "check_same_thread": False}
    if memory:
        # one connection shared by every thread (StaticPool): no queue to keep
        engine = create_engine(url, connect_args=args, poolclass=StaticPool)
    else:
        args["factory"] = _connection_class(_file_lock(make_url(url).database or ""))
        engine = create_engine(url, connect_args=args, pool_size=POOL, max_overflow=POOL)

    @event.listens_for(engine, "connect")
    def _pragmas(conn: Any, _record: Any) -> None:
        cur = conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        cur.execute("PRAGMA synchronous=FULL")  # see the docstring
        cur.close()

    return engine


def _file_lock(path: str) -> threading.Lock:
    key = os.path.realpath(path)
    with _FILES_LOCK:
        return _FILES.setdefault(key, threading.Lock())


def _connection_class(lock: threading.Lock) -> type[sqlite3.Connection]:
    class Connection(_Queued):
        _queue = lock

    return Connection


class _Queued(sqlite3.Connection):
    """Holds the file's lock from a statement that may write to the end of its transaction."""

    _queue: threading.Lock
    _holding = False

    def cursor(self, factory: Any = None) -> Any:
        return super().cursor(factory or _Cursor)

    # sqlite3's shortcuts run on a cursor of their own without calling its methods
    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> Any:
        return self.cursor().executemany(sql, seq_of_parameters)

    def take(self, statement: str) -> None:
        """Queue for the file before a statement that may write, unless holding already."""
        if self._holding or statement.lstrip()[:8].upper().startswith(_READS):
            return
        # Past the timeout the statement goes on to SQLite's busy handler (see the docstring).
        self._holding = self._queue.acquire(timeout=BUSY_TIMEOUT)

    def settle(self) -> None:
        """Give the lock back once no transaction is open (after a statement or its end)."""
        if self._holding and not self.in_transaction:
            self._holding = False
            self._queue.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.settle()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.settle()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._let_go()

    def __del__(self) -> None:  # dropped without close(): sqlite3 closes it in C
        self._let_go()

    def _let_go(self) -> None:
        if self._holding:
            self._holding = False
            self._queue.release()


class _Cursor(sqlite3.Cursor):
    def execute(self, sql: str, parameters: Any = (), /) -> _Cursor:
        conn = cast(_Queued, self.connection)
        conn.take(sql)
        try:
            return super().execute(sql, parameters)
        finally:
            conn.settle()

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> _Cursor:
        conn = cast(_Queued, self.connection)
        conn.take(sql)
        try:
            return super().executemany(sql, seq_of_parameters)
        finally:
            conn.settle()
