"""Migrations: stores made before them upgrade with every row; new stores are made at head,
also by two processes at once; a store behind the code is refused, untouched.

The fixtures in tests/data/stores/ were written by outreach at commit 195acf4, the
last code without migrations (make_195acf4.py says how).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from fakes import postgres_schema_url
from sqlalchemy import create_engine, inspect, text

from outreach.cli import cli
from outreach.errors import StoreError
from outreach.ledger import migrations, open_ledger

STORES = Path(__file__).parent / "data" / "stores"
TABLES = ("deliveries", "announcements", "seen_items", "feed_state", "pause", "channel_limits",
          "alerts")  # fmt: skip
BOT_USER = 2**40 + 7


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from postgres_schema_url()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def old_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store as outreach 195acf4 left it, on SQLite or PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "old.sqlite3"
        shutil.copy(STORES / "195acf4.sqlite3", path)
        yield f"sqlite:///{path}"
        return
    for url in postgres_schema_url():
        schema = url.rsplit("%3D", 1)[1]
        _restore_pg_dump(url, schema)
        yield url


def _restore_pg_dump(url: str, schema: str) -> None:
    import psycopg

    dump = (STORES / "195acf4.pg.sql").read_text(encoding="utf-8")
    lines = [line for line in dump.splitlines() if not line.startswith("\\")]  # psql's \restrict
    sql = "\n".join(lines).replace("fixture_195acf4.", f"{schema}.")
    sql = sql.replace("CREATE SCHEMA fixture_195acf4;", "")
    with psycopg.connect(url.split("?")[0], autocommit=True) as conn:
        conn.execute(sql)


def _pauses(url: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(map(tuple, conn.execute(text("SELECT scope, since, by FROM pauses"))))
    finally:
        engine.dispose()


# Columns revisions added to tables the fixture has rows in; empty on the fixture's rows.
ADDED = {"feed_state": ("validators_for",)}


def _rows(url: str) -> dict[str, list[tuple]]:
    """Every row of TABLES, in the fixture's columns (an ADDED column must be empty)."""
    engine = create_engine(url)
    out = {}
    try:
        with engine.connect() as conn:
            for t in TABLES:
                result = conn.execute(text(f'SELECT * FROM "{t}"'))
                keys = list(result.keys())
                rows = [dict(zip(keys, r, strict=True)) for r in result]
                added = [c for c in ADDED.get(t, ()) if c in keys]
                assert all(r[c] is None for r in rows for c in added), (t, rows)
                kept = [k for k in keys if k not in added]
                out[t] = sorted((tuple(r[k] for k in kept) for r in rows), key=repr)
    finally:
        engine.dispose()
    return out


def test_a_store_from_before_migrations_is_refused_untouched_then_upgraded_with_every_row(
    old_store: str,
):
    before = _rows(old_store)
    assert len(before["deliveries"]) == 12 and len(before["announcements"]) == 5
    assert all(before[t] for t in TABLES), "the fixture has rows in every table"

    with pytest.raises(StoreError, match=r"older outreach.*`outreach db upgrade`"):
        open_ledger(old_store)
    engine = create_engine(old_store)
    assert "alembic_version" not in inspect(engine).get_table_names(), "refusing changed nothing"
    engine.dispose()

    current = CliRunner().invoke(cli, ["db", "current"], env={"OUTREACH_DB_URL": old_store})
    assert "made before migrations" in current.output and "db upgrade" in current.output
    upgraded = CliRunner().invoke(cli, ["db", "upgrade"], env={"OUTREACH_DB_URL": old_store})
    assert upgraded.exit_code == 0, upgraded.output
    assert f"none -> {migrations.head()}" in upgraded.output

    after = _rows(old_store)
    # every row kept; the old pause flag now lives on as the pause of everything (0003)
    assert {t: r for t, r in after.items() if t != "pause"} == {
        t: r for t, r in before.items() if t != "pause"
    }
    assert after["pause"] == []
    assert _pauses(old_store) == [("*", before["pause"][0][1], "organiser 123456789")]
    ledger = open_ledger(old_store)
    try:
        assert len(ledger.deliveries()) == 12
        assert {d.state for d in ledger.deliveries()} == {"sent", "held"}
        assert ledger.paused() is not None
        bot = ledger.announcement("bot-reminder")
        assert bot is not None and bot.created_by_id == BOT_USER
        assert bot.created_by_name == "Наталля"
        assert ledger.announcement("weekly") is not None
        assert ledger.announcement("weekly").state == "cancelled"  # type: ignore[union-attr]
    finally:
        ledger.close()
    again = CliRunner().invoke(cli, ["db", "upgrade"], env={"OUTREACH_DB_URL": old_store})
    assert again.exit_code == 0 and "nothing to do" in again.output


def _by_revisions(url: str) -> None:
    """A store made the long way: every revision run in turn from nothing."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            command.upgrade(migrations.alembic_config(conn), "head")
    finally:
        engine.dispose()


# SQLite's reflection cannot read an expression index (deliveries' history order), so
# there SQLAlchemy and Alembic skip it, saying so; PostgreSQL compares it, and
# test_loop_plans.py finds both stores using it.
SQLITE_SKIPS_EXPRESSION_INDEXES = [
    pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index"),
    pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based"),
]


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param("sqlite", marks=SQLITE_SKIPS_EXPRESSION_INDEXES),
        pytest.param("postgres", marks=pytest.mark.postgres),
    ],
)
def test_the_revisions_give_exactly_the_schema_the_models_declare(kind, tmp_path):
    from outreach.ledger.schema import (
        METADATA,
    )  # the tables, to compare with; tests may look inside

    urls = postgres_schema_url() if kind == "postgres" else iter([f"sqlite:///{tmp_path}/r.db"])
    for url in urls:
        _by_revisions(url)
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn), METADATA)
                assert diff == [], "schema.py changed without a revision in migrations/versions/"
                assert MigrationContext.configure(conn).get_current_revision() == migrations.head()
        finally:
            engine.dispose()


@pytest.mark.postgres
def test_a_new_postgresql_store_has_the_partial_loop_indexes():
    # their WHERE is attached when a PostgreSQL engine is made (schema.py says why)
    for url in postgres_schema_url():
        ledger = open_ledger(url)
        try:
            with ledger.engine.connect() as conn:
                rows = conn.execute(
                    text(
                        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'deliveries'"
                        " AND schemaname = current_schema()"
                    )
                ).all()
        finally:
            ledger.close()
        where = {name: " WHERE " in definition for name, definition in rows}
        assert where["ix_deliveries_queue"] and where["ix_deliveries_sent"]
        assert where["ix_deliveries_history"] and not where["ix_deliveries_state"]


def test_a_new_store_is_created_at_head_and_a_newer_one_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path}/new.sqlite3"
    open_ledger(url).close()
    assert migrations.status(url).state == "current"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    with pytest.raises(StoreError, match="newer outreach"):
        open_ledger(url)
    with pytest.raises(StoreError, match="cannot upgrade"):
        migrations.upgrade(url)


def test_the_baseline_is_not_downgraded(tmp_path):
    url = f"sqlite:///{tmp_path}/new.sqlite3"
    open_ledger(url).close()
    result = CliRunner().invoke(cli, ["db", "downgrade", "base"], env={"OUTREACH_DB_URL": url})
    assert result.exit_code == 1 and "would delete the store" in result.output
    assert migrations.status(url).state == "current"


def test_the_head_written_out_for_quick_opens_is_the_newest_revision():
    assert migrations.HEAD == migrations.head() == migrations.history()[-1].id


def test_history_lists_the_baseline_first():
    result = CliRunner().invoke(cli, ["db", "history"])
    assert result.exit_code == 0
    assert result.output.splitlines()[0].startswith("0001_baseline")


START = """
import sys, time
from pathlib import Path
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.005)
from outreach.ledger import open_ledger
ledger = open_ledger(sys.argv[1])
print(len(ledger.deliveries()))
ledger.close()
"""


@pytest.mark.postgres
@pytest.mark.parametrize("attempt", range(4))
def test_two_processes_starting_on_a_fresh_postgresql_both_succeed(pg_url, tmp_path, attempt):
    _two_first_starts(pg_url, tmp_path)


def test_two_processes_starting_on_a_fresh_sqlite_file_both_succeed(tmp_path):
    _two_first_starts(f"sqlite:///{tmp_path / 'new.sqlite3'}", tmp_path)


def _two_first_starts(url: str, tmp_path: Path) -> None:
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", START, url, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    import outreach.ledger  # noqa: F401  (both children import it too; let them get there)

    go.touch()
    results = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in results]
    assert [out.strip() for out, _ in results] == ["0", "0"]
    assert migrations.status(url).state == "current"


def test_revisions_that_allow_it_are_downgraded_and_upgraded_again_rows_kept(old_store: str):
    up = CliRunner().invoke(cli, ["db", "upgrade"], env={"OUTREACH_DB_URL": old_store})
    assert up.exit_code == 0, up.output
    before, pauses = _rows(old_store), _pauses(old_store)
    env = {"OUTREACH_DB_URL": old_store}
    down = CliRunner().invoke(cli, ["db", "downgrade", "0001_baseline"], env=env)
    assert down.exit_code == 0, down.output
    assert f"{migrations.head()} -> 0001_baseline" in down.output
    engine = create_engine(old_store)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert not tables & {"heartbeats", "pauses", "audit", "web_users"}
    back = _rows(old_store)
    assert {t: r for t, r in back.items() if t != "pause"} == {
        t: r for t, r in before.items() if t != "pause"
    }
    assert [(1, since, by) for _, since, by in pauses] == back["pause"]  # the old flag again
    with pytest.raises(StoreError, match="older outreach"):
        open_ledger(old_store)
    migrations.upgrade(old_store)
    assert _rows(old_store) == before and _pauses(old_store) == pauses
    assert migrations.status(old_store).state == "current"


def _alembic(url: str, fn, revision: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            fn(migrations.alembic_config(conn), revision)
    finally:
        engine.dispose()


def test_an_instances_beat_moves_from_the_leases_into_its_heartbeat_rows_kept(old_store: str):
    """0011_one_heartbeat: the 'instance:<id>' leases become heartbeats rows, nothing lost."""
    import datetime as dt

    _alembic(old_store, command.upgrade, "0005_leases")
    at = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    naive = at.replace(tzinfo=None)
    lease = "INSERT INTO leases VALUES (:name, :owner, :host, :pid, :at, :at, :until)"
    engine = create_engine(old_store)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO heartbeats VALUES ('run@a:1', 'run', 'a', 1, '0.1.0', :t, :t)"),
            {"t": naive},
        )
        for name, owner, host, pid in (("instance:i1", "i1", "a", 1), ("instance:i2", "i2", "b", 2),
                                       ("channel:tg", "i1", "a", 1)):  # fmt: skip
            conn.execute(text(lease), dict(name=name, owner=owner, host=host, pid=pid, at=at,
                                           until=at + dt.timedelta(seconds=10)))  # fmt: skip
    before = _rows(old_store)
    _alembic(old_store, command.upgrade, "head")
    with engine.connect() as conn:
        beats = {r.process: r for r in conn.execute(text("SELECT * FROM heartbeats"))}
        leases = [r.name for r in conn.execute(text("SELECT name FROM leases"))]
    assert leases == ["channel:tg"]
    assert set(beats) == {"run@a:1", "run@b:2"}
    one, two = beats["run@a:1"], beats["run@b:2"]
    assert (one.kind, one.version, one.owner) == ("run", "0.1.0", "i1")
    assert (two.kind, two.host, two.pid, two.owner) == ("run", "b", 2, "i2")
    for row in (one, two):
        assert row.until is not None and row.renewed_at is not None
    assert _rows(old_store) == before  # every other table as it was
    _alembic(old_store, command.downgrade, "0005_leases")
    with engine.connect() as conn:
        leases = sorted(r.name for r in conn.execute(text("SELECT name FROM leases")))
        process = sorted(r.process for r in conn.execute(text("SELECT process FROM heartbeats")))
    engine.dispose()
    assert leases == ["channel:tg", "instance:i1", "instance:i2"]
    assert process == ["run@a:1", "run@b:2"]
