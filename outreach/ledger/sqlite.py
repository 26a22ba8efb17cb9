"""The SQLite engine: WAL, commits on disk, this process's writers in a queue, claims
committed together.

SQLite has one writer at a time per file. A connection that finds the write
lock taken waits in SQLite's busy handler, which sleeps and polls (1, 2, 5,
10 ... then 100 ms between tries), so a writer may sleep long after the lock
is free. With a thread per channel that is what spread a fan-out's posts
(bench/fanout.py: 20 claims and 20 finishes at once, a finish waiting up to
860 ms). So each connection of this process first takes a lock of its file
(one per database file and process, shared by every engine on it), from its
first statement that may write until its transaction ends; waiting writers
wake when it is released instead of at their next poll. Other processes
(`outreach pause`, the web console) still meet ours in SQLite's busy handler,
as before. The lock queues and never refuses: a writer that has waited the
busy timeout goes on to SQLite, which decides as it did without the queue.
Neither SQLAlchemy nor the sqlite3 module offers such a queue; it is a
subclass of sqlite3's connection and cursor, given to sqlite3.connect as its
factory, so nothing above the driver changes.

The delivery loop's claims go further (`together`): those asked for at the
same moment are committed together, one fsync and one hand-over of the lock
for a fan-out's first claims instead of one each.

Durability: journal_mode=WAL with synchronous=FULL, so a commit is on disk
when commit() returns. NORMAL would spare the fsync of each commit and still
survive a kill -9 (the WAL is in the OS's cache), but not a power cut or a
kernel crash, which can lose the last commits: a claim lost that way leaves
its post `pending` although it went out, and it would go out again (Telegram
has no idempotency key), against exactly-once. An fsync cost 0.15 ms on
this machine when quiet and 3-8 ms under the other developers' load;
committing claims together pays it once per fan-out instead of per channel.

The pool keeps up to 32 connections open (each thread of the delivery loop
uses one at a time): SQLAlchemy's default kept 5 and closed the rest on
return, so a fan-out opened a new connection (and ran the pragmas) for most
of its writes. It hands out the connection returned last (`pool_use_lifo`):
each connection keeps its own page cache, valid only while no other connection
has written since, and the default (the one returned first) gave the delivery
loop a different, cold connection at nearly every step, which read back from
the WAL the pages it had just written: 19.5 `pread` calls a post through
`run --once`, 1.3 with the last one (strace -c, 400 posts against 100).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.pool import StaticPool

from . import lean

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
        engine = create_engine(
            url, connect_args=args, pool_size=POOL, max_overflow=POOL, pool_use_lifo=True
        )

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
        if (
            self._holding
            or self.in_transaction
            or statement.lstrip()[:8].upper().startswith(_READS)
        ):
            return  # (in a transaction without the lock: it waited past the timeout, see above)
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


# -- claims committed together ----------------------------------------------------------

T = TypeVar("T")


def together(engine: Engine, body: Callable[[Connection], T]) -> T:
    """`body(conn)` in a write transaction (BEGIN IMMEDIATE) shared with the bodies other
    threads of this process ask for meanwhile, committed once for all: what `body`
    returns is handed back after that commit, its writes on disk.

    The delivery loop's claims (pace.claiming): a fan-out's 20 first claims were 20
    transactions one after another, each an fsync (3-8 ms on the shared machine) and a
    hand-over of the write lock to a thread the OS had to wake first. Here the thread
    that finds no leader leads: it runs every body waiting then, in the order asked,
    each in a savepoint when there are several (a body that raises undoes its own writes
    only, and raises in its own thread), commits, and hands the lead to the first that
    asked meanwhile. Each body sees what the bodies before it wrote: a pacing count
    includes the claims of the same commit. If the commit fails, every body of it raises.
    """
    return _group(engine).run(engine, body)


class _Asked:
    __slots__ = ("body", "error", "lead", "ready", "value")

    def __init__(self, body: Callable[[Connection], Any]) -> None:
        self.body = body
        self.ready: threading.Event | None = None  # done, or made the leader (not the first)
        self.lead = False
        self.value: Any = None
        self.error: BaseException | None = None


class _Group:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: list[_Asked] = []
        self._leading = False

    def run(self, engine: Engine, body: Callable[[Connection], T]) -> T:
        me = _Asked(body)
        with self._lock:
            self._waiting.append(me)
            me.lead = not self._leading
            self._leading = True
            if not me.lead:  # a leader alone (one channel's posts) never waits: no Event
                me.ready = threading.Event()
        if me.ready is not None:
            me.ready.wait()
        if me.lead:  # from the start, or handed the lead by the last leader
            self._lead(engine)
        if me.error is not None:
            raise me.error
        return cast(T, me.value)

    def _lead(self, engine: Engine) -> None:
        with self._lock:
            batch, self._waiting = self._waiting, []
        try:
            _commit(engine, batch)
        finally:
            with self._lock:
                if self._waiting:
                    nxt = self._waiting[0]
                    nxt.lead = True
                    assert nxt.ready is not None  # it found a leader, so it waits
                    nxt.ready.set()
                else:
                    self._leading = False
            for asked in batch:
                if asked.ready is not None:
                    asked.ready.set()


def _commit(engine: Engine, batch: list[_Asked]) -> None:
    try:
        with engine.begin() as conn:
            lean.begin_immediate(conn)
            if len(batch) == 1:  # alone: if it raises, the transaction is rolled back
                batch[0].value = batch[0].body(conn)
                return
            for asked in batch:
                # SQLite's own savepoint: SQLAlchemy's (begin_nested) cost a third of a claim
                conn.exec_driver_sql("SAVEPOINT claim")
                try:
                    asked.value = asked.body(conn)
                except Exception as exc:
                    conn.exec_driver_sql("ROLLBACK TO claim")
                    asked.error = exc
                conn.exec_driver_sql("RELEASE claim")
    except BaseException as exc:  # no commit: none of them holds
        for asked in batch:
            asked.value, asked.error = None, asked.error or exc
        if not isinstance(exc, Exception):
            raise


_GROUPS: weakref.WeakKeyDictionary[Engine, _Group] = weakref.WeakKeyDictionary()


def _group(engine: Engine) -> _Group:
    with _FILES_LOCK:
        group = _GROUPS.get(engine)
        if group is None:
            group = _GROUPS[engine] = _Group()
        return group
