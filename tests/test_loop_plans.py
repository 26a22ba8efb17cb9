"""The delivery loop's statements on a large ledger whose table was never ANALYZEd (issue 15).

PostgreSQL: 100,000 deliveries written as a backfill and a year of sending
leave them (bench/ledger_pg.py's `fill`), autovacuum off for the table, no
ANALYZE: the planner knows nothing of the rows. Then the real delivery loop
sends two posts on one channel (to an account that takes them at once; paced,
so each claim counts what the store says went out), and every statement the
ledger sends on deliveries or post_actions is EXPLAINed (ANALYZE, BUFFERS,
FORMAT JSON) just before it runs, on the rows it really meets, inside a
savepoint rolled back. Each must scan by index (no Seq Scan of those tables)
and, while it sends a post, read a few pages, not the channel's queue or its
history. The history page (`outreach history`, the console's) likewise.

SQLite: the loop's statements through EXPLAIN QUERY PLAN: no full scan, and no
sort for head's order. (Its history page still sorts: bench/README.md.)
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fakes import PG_URL, postgres_schema_url
from sqlalchemy import event

from outreach.config import DeliverySettings
from outreach.delivery import DeliveryLoop
from outreach.ledger import open_ledger
from outreach.post import Post

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ledger_pg import PACING_SCALE, fill, instant_publisher  # noqa: E402  (the same rows)

HISTORY = ("sent", "failed", "unknown", "missed", "cancelled")
CHANNEL = "ch1"
TABLES = ("deliveries", "post_actions")
PAGES_PER_POST = 60
"""At most this many pages read by one statement of a post (the table has ~3,400)."""


def _send_two_posts(ledger: Any) -> DeliveryLoop:
    """Two posts due now on CHANNEL, and a loop to send them: a Mastodon account that
    takes each at once (its posts paced, so each claim counts the store's sends)."""
    now = dt.datetime.now(dt.UTC)
    with ledger.batch() as batch:
        for i in range(2):
            batch.enqueue(Post(CHANNEL, "mastodon", f"post {i}", "en", about=f"t:{i}"), due_at=now)
    pub = instant_publisher(CHANNEL)
    return DeliveryLoop(
        ledger, {CHANNEL: pub}, DeliverySettings(), rng=random.Random(1), pacing_scale=PACING_SCALE
    )


@contextmanager
def _watching(engine: Any, explain: Any) -> Iterator[list[tuple[str, Any]]]:
    """Every SELECT, UPDATE or DELETE on the loop's tables, with what `explain` said of it."""
    seen: list[tuple[str, Any]] = []

    def before(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool):
        verb = statement.lstrip().split(None, 1)[0].upper()
        ours = any(t in statement for t in TABLES)
        if ours and not many and verb in ("SELECT", "UPDATE", "DELETE"):
            seen.append((statement, explain(cursor, statement, params)))

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _pg_explain(cursor: Any, statement: str, params: Any) -> dict[str, Any]:
    with cursor.connection.cursor() as c:
        c.execute("SAVEPOINT look")
        c.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, params)
        plan = c.fetchone()[0][0]["Plan"]
        c.execute("ROLLBACK TO SAVEPOINT look")
    return plan


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def _pages(plan: dict[str, Any]) -> int:
    return int(plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0))


def _short(statement: str) -> str:
    return " ".join(statement.split())[:160]


@pytest.fixture
def big_pg_ledger() -> Iterator[tuple[Any, Any, str]]:
    import psycopg

    for url in postgres_schema_url():
        schema = url.rsplit("%3D", 1)[1]
        ledger = open_ledger(url)
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            try:
                fill(admin, schema, 100_000, dt.datetime.now(dt.UTC))
                yield ledger, admin, schema
            finally:
                ledger.close()


@pytest.mark.postgres
def test_on_a_large_never_analyzed_postgresql_ledger_each_post_reads_by_index(big_pg_ledger):
    ledger, admin, schema = big_pg_ledger
    loop = _send_two_posts(ledger)
    with _watching(ledger.engine, _pg_explain) as at_start:
        loop.start()
    with _watching(ledger.engine, _pg_explain) as per_post:
        report = loop.run_once(max_wait=0)
    with _watching(ledger.engine, _pg_explain) as listing:
        page = ledger.deliveries(states=HISTORY, order="history", limit=50)
    # One channel's sent posts: by index too, but the planner, knowing nothing, expects
    # few rows of a channel in a state and sorts them (bench/README.md, what remains).
    with _watching(ledger.engine, _pg_explain) as filtered:
        sent_only = ledger.deliveries(
            states=("sent",), channel_id=CHANNEL, order="history", limit=50
        )

    assert report.count("sent") == 2
    assert [d.about for d in page[:2]] == ["t:1", "t:0"]  # the newest first, then the fill's
    assert len(page) == 50 and all(d.state in HISTORY for d in page)
    assert len(sent_only) == 50 and {(d.state, d.channel_id) for d in sent_only} == {
        ("sent", CHANNEL)
    }
    stats = admin.execute(
        "SELECT count(*) FROM pg_stats WHERE schemaname = %s AND tablename = 'deliveries'",
        (schema,),
    ).fetchone()
    assert stats[0] == 0, "the planner was to know nothing of the table: it was ANALYZEd"

    heads = [s for s, _ in per_post if "ORDER BY deliveries.due_at" in s]
    # The claim's pacing count (pace.py) reads a channel's recent sends, not its history.
    assert any("deliveries.sent_at AS t" in s for s, _ in per_post), "the claims were paced"
    claims = [s for s, _ in per_post if s.lstrip().startswith("UPDATE deliveries")]
    assert heads and claims, "the loop's head and claim were seen"
    for statement, plan in at_start + per_post + listing + filtered:
        scans = [
            (n["Node Type"], n.get("Index Name"))
            for n in _nodes(plan)
            if n.get("Relation Name") in TABLES
        ]
        assert scans, _short(statement)
        assert all(kind != "Seq Scan" for kind, _ in scans), (_short(statement), scans)
    for statement, plan in per_post + listing:
        assert _pages(plan) <= PAGES_PER_POST, (_short(statement), _pages(plan))
    for _, plan in listing:
        assert all(n["Node Type"] != "Sort" for n in _nodes(plan)), "the index gives the order"


def _sqlite_explain(cursor: Any, statement: str, params: Any) -> list[str]:
    c = cursor.connection.cursor()
    try:
        return [row[-1] for row in c.execute("EXPLAIN QUERY PLAN " + statement, params)]
    finally:
        c.close()


def test_on_sqlite_the_loop_reads_by_index(tmp_path):
    ledger = open_ledger(f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    try:
        now = dt.datetime.now(dt.UTC)
        with ledger.batch() as batch:  # a queue ahead on other channels, and a history
            for n in range(400):
                ch = f"ch{n % 4}"
                if n % 2:
                    post = Post(ch, "mastodon", f"later {n}", "en", about=f"later:{n}")
                    batch.enqueue(post, due_at=now + dt.timedelta(hours=1, seconds=n))
                else:
                    batch.record_missed(ch, "mastodon", about=f"old:{n}", dedupe_key=f"old:{n}",
                                        occurrence=now - dt.timedelta(minutes=n), reason="late")  # fmt: skip
        loop = _send_two_posts(ledger)
        with _watching(ledger.engine, _sqlite_explain) as seen:
            loop.start()
            report = loop.run_once(max_wait=0)
    finally:
        ledger.close()
    assert report.count("sent") == 2
    heads = [s for s, _ in seen if "ORDER BY deliveries.due_at" in s]
    assert heads
    for statement, plan in seen:
        full = [p for p in plan if p.startswith(("SCAN deliveries", "SCAN post_actions"))]
        assert all("USING" in p for p in full), (_short(statement), plan)
        if statement in heads:
            assert not any("TEMP B-TREE" in p for p in plan), (_short(statement), plan)
