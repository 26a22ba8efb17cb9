"""The store's schema versions (Alembic), and the lock that every creation and upgrade takes.

Every change to the tables in ../schema.py is a revision in versions/, oldest
first; 0001_baseline is the store as outreach made it before it had migrations.
A store is in one of four states:

    fresh     no tables yet: created at head, under the lock (two first starts
              on one PostgreSQL both succeed; the second finds it made)
    current   at head: opened as it is
    behind    at an older revision, or made before migrations existed (no
              alembic_version table): `outreach db upgrade` brings it to head
    ahead     at a revision this outreach does not know: a newer one made it

`open_ledger` opens only a current store (or makes a fresh one); it never
migrates by itself. `upgrade` runs in one transaction under the lock: on
PostgreSQL and SQLite alike, DDL included, it commits whole or not at all.

The lock: PostgreSQL's transaction-scoped advisory lock, one per schema (so
stores in other schemas of the database are not held up); SQLite's
BEGIN IMMEDIATE, which takes the file's write lock.

Adding a revision: change schema.py, then write versions/NNNN_what.py by hand
or with `alembic revision` (script.py.mako); tests/test_migrations.py checks
that head and schema.py agree, and that older stores upgrade with every row.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from ...errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

__all__ = [
    "Revision",
    "Status",
    "downgrade",
    "ensure_current",
    "head",
    "history",
    "status",
    "upgrade",
]

HERE = Path(__file__).resolve().parent
VERSION_TABLE = "alembic_version"
BASELINE = "0001_baseline"
HEAD = "0013_next_fires"
"""The newest revision in versions/, written out so that opening a current store needs
neither Alembic nor the revision files (tests/test_migrations.py checks it is the head)."""
State = Literal["fresh", "current", "behind", "ahead"]


@dataclass(frozen=True)
class Status:
    state: State
    current: str | None
    """The store's revision; None for a fresh store or one made before migrations."""
    head: str

    def describe(self) -> str:
        where = self.current or (
            "none (an empty store)" if self.state == "fresh" else "none (made before migrations)"
        )
        return f"store at {where}; this outreach's head is {self.head} ({self.state})"


@dataclass(frozen=True)
class Revision:
    id: str
    down: str | None
    message: str


def alembic_config(conn: Connection | None = None) -> Config:
    """Alembic's config for our revisions, running on `conn` (for alembic.command; tests)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["connection"] = conn
    return cfg


@cache
def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    found = _script().get_current_head()
    assert found is not None, "migrations/versions/ holds no revision"
    return found


def history() -> list[Revision]:
    """Every revision, oldest first."""
    revs = list(_script().walk_revisions("base", "heads"))
    return [Revision(r.revision, _down(r.down_revision), r.doc or "") for r in reversed(revs)]


def _down(value: str | Sequence[str] | None) -> str | None:
    return value if value is None or isinstance(value, str) else ",".join(value)


def _ours(conn: Connection) -> set[str]:
    from ..schema import METADATA

    return set(inspect(conn).get_table_names()) & set(METADATA.tables)


def status_of(conn: Connection) -> Status:
    from alembic.runtime.migration import MigrationContext

    top = head()
    if VERSION_TABLE not in inspect(conn).get_table_names():
        return Status("behind" if _ours(conn) else "fresh", None, top)
    current = MigrationContext.configure(conn).get_current_revision()
    if current == top:
        return Status("current", current, top)
    known = {r.id for r in history()}
    if current is None:  # an empty version table: treat as made before migrations
        return Status("behind" if _ours(conn) else "fresh", None, top)
    return Status("behind" if current in known else "ahead", current, top)


def _status(engine: Engine) -> Status:
    with engine.connect() as conn:
        return status_of(conn)


@contextlib.contextmanager
def _engine(url: str) -> Iterator[Engine]:
    """The store at `url` for the `db` commands; a driver's error named by kind only."""
    from ..engine import make_engine

    engine = make_engine(url)
    try:
        yield engine
    except StoreError:
        raise
    except Exception as exc:
        # Driver messages repeat the URL, which may hold a password.
        raise StoreError(
            f"the store cannot be opened ({type(exc).__name__}); check store.url "
            "or $OUTREACH_DB_URL"
        ) from None
    finally:
        engine.dispose()


def status(url: str) -> Status:
    with _engine(url) as engine:
        return _status(engine)


@contextlib.contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that holds the store's migration lock; commits at the end."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(
                text("SELECT pg_advisory_xact_lock(hashtext('outreach:' || current_schema()))")
            )
        elif conn.dialect.name == "sqlite":
            # pysqlite opens no transaction for DDL by itself: open one that takes the write
            # lock now, so a second process waits here and the DDL commits with the rest.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


def _create_at_head(conn: Connection) -> None:
    from alembic.runtime.migration import MigrationContext

    from ..schema import METADATA

    # The models are head (tests/test_migrations.py checks that running every revision
    # gives the same schema), so a new store is made in one step, then stamped.
    METADATA.create_all(conn)
    MigrationContext.configure(conn).stamp(_script(), "head")


def _at_head(engine: Engine) -> bool:
    """The common case, cheaply: one SELECT, no Alembic (every command opens the store)."""
    try:
        with engine.connect() as conn:
            return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar() == HEAD
    except DBAPIError:  # no version table yet: let status_of tell fresh from behind
        return False


def ensure_current(engine: Engine) -> Status:
    """Create a fresh store at head; refuse one that is behind or ahead, saying what to do."""
    if _at_head(engine):
        return Status("current", HEAD, HEAD)
    # Look again under the lock, whatever an unlocked look would say: its two reads (the
    # version table, then ours) can straddle another first start's commit and see a store
    # "behind" that is in fact being made at head.
    with _locked(engine) as conn:
        found = status_of(conn)
        if found.state == "fresh":
            _create_at_head(conn)
            return Status("current", head(), head())
    if found.state == "behind":
        raise StoreError(
            f"the store was made by an older outreach ({found.describe()}): back it up, then "
            "run `outreach db upgrade` to bring it to this version"
        )
    if found.state == "ahead":
        raise StoreError(
            f"the store was made by a newer outreach ({found.describe()}): install that "
            "version again, or downgrade the store with it (`outreach db downgrade`)"
        )
    return found


def upgrade(url: str, target: str = "head") -> tuple[Status, Status]:
    """Bring the store to `target` (default head), in one transaction under the lock."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    from .baseline import adopt

    with _engine(url) as engine, _locked(engine) as conn:
        before = status_of(conn)
        if before.state == "ahead":
            raise StoreError(f"cannot upgrade: {before.describe()}")
        if before.state == "fresh":
            _create_at_head(conn)
        else:
            if before.current is None:  # made before migrations: adopt it at the baseline
                adopt(conn)
                MigrationContext.configure(conn).stamp(_script(), BASELINE)
            command.upgrade(alembic_config(conn), target)
        after = status_of(conn)
    return before, after


def downgrade(url: str, target: str) -> tuple[Status, Status]:
    """Take the store back to `target` (a revision id, or e.g. "-1"), where that is safe."""
    from alembic import command

    with _engine(url) as engine, _locked(engine) as conn:
        before = status_of(conn)
        if before.state in ("fresh", "ahead") or before.current is None:
            raise StoreError(f"cannot downgrade: {before.describe()}")
        try:
            command.downgrade(alembic_config(conn), target)
        except NotImplementedError as exc:
            raise StoreError(f"cannot downgrade to {target}: {exc}") from None
        after = status_of(conn)
    return before, after
