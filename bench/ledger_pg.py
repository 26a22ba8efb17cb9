"""Per-post SQL on a PostgreSQL ledger of 100,000 deliveries that was never ANALYZEd.

A campaign that backfilled a large feed, or has been sending for a year, has a
large `deliveries` table; PostgreSQL plans its statements from table
statistics, which exist only once ANALYZE (or autovacuum) has run. This
measures what the delivery loop pays per post on such a table before that,
against the same posts on an empty ledger, in the same run:

- two schemas on one server, each a ledger at head: one empty, one filled with
  `rows` deliveries over 4 channels (two thirds done: sent, failed, missed; a
  third pending, scheduled from an hour on) and no statistics (autovacuum off
  for the table, no ANALYZE);
- each round queues `posts` posts on one channel of each ledger, due now, and
  delivers them with the real delivery loop (`run_once`) to a publisher that
  takes each at once (`instant_publisher`; pacing windows shrunk, PACING_SCALE),
  so every post is the loop's own statements (action_head, head, the claim with
  its pacing count, finish) and their commits;
- rounds alternate between the two ledgers; the best round of each counts.
  Per post: wall time, and this process's CPU time.

Also `outreach history --limit 50` (one page, order="history") on both.
Target (issue 15): per-post time on the large ledger at most 1.2x the empty one's.

The rows are written by one INSERT ... SELECT from generate_series (`fill`):
through the ledger's own queueing, 100,000 rows take minutes, and what is
measured is reading them. tests/test_loop_plans.py fills its table the same way.

    .venv/bin/python bench/ledger_pg.py [--rows 100000] [--posts 100] [--rounds 5] [--quick]
    OUTREACH_BENCH_PG=postgresql://... to use another server (default: the tests')
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._common import parser, report  # noqa: E402  (after the sys.path line)

TARGET = 1.2
PG_URL = os.environ.get("OUTREACH_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
CHANNELS = ("ch0", "ch1", "ch2", "ch3")
DONE = ("sent", "failed", "unknown", "missed", "cancelled")


@contextmanager
def pg_schema(url: str = PG_URL) -> Iterator[tuple[Any, str, str]]:
    """(an autocommit psycopg connection, a fresh schema, a store URL using it); dropped after.

    The store's connections name the schema as their application_name (`server_cpu`).
    """
    import psycopg

    admin = psycopg.connect(url, connect_timeout=2, autocommit=True)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield (
                admin,
                schema,
                f"{url}?options=-csearch_path%3D{schema}&application_name={schema}",
            )
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def server_cpu(admin: Any, schema: str) -> float:
    """CPU seconds the server's processes for this store's connections have used so far.

    Read from /proc (the server runs on this machine): what the statements cost the
    database itself, which the client's CPU time does not show and the wall time
    shows mixed with every other process's load.
    """
    pids = admin.execute(
        "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (schema,)
    ).fetchall()
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for (pid,) in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile, or another machine's
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def fill(admin: Any, schema: str, rows: int, now: dt.datetime) -> None:
    """`rows` deliveries over CHANNELS in a ledger at head, and no statistics gathered.

    Row n: pending (n % 3 == 0, due an hour from `now` and a second apart: a
    queue of scheduled posts) or done, sent n minutes before `now` (one in 50
    failed, one in 40 missed). Each has a post the ledger can read back.
    """
    table = f'"{schema}".deliveries'
    # No autovacuum either: its ANALYZE would give the planner what this is about lacking.
    admin.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
    admin.execute(
        f"""
        INSERT INTO {table} (channel_id, network, about, dedupe_key, post, state, due_at,
            attempts, idempotency_key, dry_run, created_at, updated_at, sent_at, remote_id, reason)
        SELECT 'ch' || (n %% 4), 'mastodon', 'news:' || n, 'news:' || n,
            json_build_object('channel_id', 'ch' || (n %% 4), 'network', 'mastodon',
                              'text', 'item ' || n, 'language', 'en', 'about', 'news:' || n),
            s.state,
            CASE WHEN s.state = 'pending' THEN %(now)s + interval '1 hour' + n * interval '1 second'
                 ELSE %(now)s - n * interval '1 minute' END,
            CASE WHEN s.state = 'pending' THEN 0 ELSE 1 END,
            md5(n::text), false,
            %(now)s - n * interval '1 minute' - interval '1 day',
            %(now)s - n * interval '1 minute',
            CASE WHEN s.state = 'sent' THEN %(now)s - n * interval '1 minute' END,
            CASE WHEN s.state = 'sent' THEN 'remote-' || n END,
            CASE WHEN s.state IN ('failed', 'missed') THEN 'synthetic' END
        FROM generate_series(1, %(rows)s) AS n,
            LATERAL (SELECT CASE WHEN n %% 3 = 0 THEN 'pending' WHEN n %% 50 = 1 THEN 'failed'
                                 WHEN n %% 40 = 1 THEN 'missed' ELSE 'sent' END AS state) AS s
        """,
        {"now": now.astimezone(dt.UTC).replace(tzinfo=None), "rows": rows},
    )


PACING_SCALE = 1e-4
"""Mastodon's windows (300 posts in 3 hours...) shrunk to about a second: the claim still
counts what the store says went out in each (pace.py), but a run of hundreds of posts
is not held back."""


def instant_publisher(channel_id: str) -> Any:
    """A Mastodon account that takes every post at once, as a real publisher (not a dry
    run: its posts are paced and counted), so that what a post costs is the ledger's."""
    from outreach.publishers.base import Check, Publisher, Receipt

    class Instant(Publisher):
        network = "mastodon"

        def publish(self, post: Any, delivery_key: str) -> Receipt:
            return Receipt(remote_id=f"instant-{delivery_key[:12]}")

        def check(self) -> Check:
            return Check(self.channel_id, self.network, True)

        @property
        def account(self) -> str:
            return f"instant@{self.channel_id}"

    return Instant(channel_id, None)


def never_analyzed(admin: Any, schema: str) -> bool:
    """No statistics for the deliveries table: never ANALYZEd, by hand or by autovacuum."""
    found = admin.execute(
        "SELECT count(*) FROM pg_stats WHERE schemaname = %s AND tablename = 'deliveries'",
        (schema,),
    ).fetchone()
    return bool(found[0] == 0)


def run(
    quick: bool = False, rows: int = 100_000, posts: int = 100, rounds: int = 5
) -> dict[str, Any]:
    from outreach.config import DeliverySettings
    from outreach.delivery import DeliveryLoop
    from outreach.ledger import open_ledger
    from outreach.post import Post

    if quick:
        rows, posts, rounds = 2_000, 5, 2
    try:
        import psycopg

        psycopg.connect(PG_URL, connect_timeout=2).close()
    except Exception as exc:  # psycopg missing, or no server
        return {"skipped": f"no PostgreSQL at {PG_URL} ({type(exc).__name__})"}
    settings = DeliverySettings(timeout_seconds=10.0)
    channel = CHANNELS[1]

    def deliver(ledger: Any, label: str, n: int) -> tuple[float, float, float, int]:
        """Queue `posts` posts due now on `channel` and deliver them: (wall, CPU, the
        server's CPU, sent)."""
        now = dt.datetime.now(dt.UTC)
        with ledger.batch() as batch:
            for i in range(posts):
                about = f"bench:{label}:{n}:{i}"
                batch.enqueue(Post(channel, "mastodon", f"post {i}", "en", about=about), due_at=now)
        pub = instant_publisher(channel)
        loop = DeliveryLoop(
            ledger, {channel: pub}, settings, rng=random.Random(1), pacing_scale=PACING_SCALE
        )
        loop.start()  # recovery and pacing's seed: once per start, not per post
        schema = schemas[label]
        s0, c0, t0 = server_cpu(admin, schema), time.process_time(), time.perf_counter()
        result = loop.run_once(max_wait=0)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        return wall, cpu, server_cpu(admin, schema) - s0, result.count("sent")

    with pg_schema() as (_, empty_schema, empty_url), pg_schema() as (admin, big_schema, big_url):
        schemas = {"empty": empty_schema, "big": big_schema}
        empty = open_ledger(empty_url)
        big = open_ledger(big_url)
        try:
            t0 = time.perf_counter()
            fill(admin, big_schema, rows, dt.datetime.now(dt.UTC))
            fill_s = time.perf_counter() - t0
            best = {label: [float("inf")] * 3 for label in schemas}
            sent = 0
            history_ms = {"empty": float("inf"), "big": float("inf")}
            for n in range(rounds):
                for label, ledger in (("empty", empty), ("big", big)):
                    *times, got = deliver(ledger, label, n)
                    sent += got
                    best[label] = [
                        min(b, t / posts) for b, t in zip(best[label], times, strict=True)
                    ]
                    h0 = time.perf_counter()
                    page = ledger.deliveries(states=DONE, order="history", limit=50)
                    history_ms[label] = min(history_ms[label], (time.perf_counter() - h0) * 1000)
                    assert page, "the history is never empty here: the posts just sent are in it"
            unanalyzed = never_analyzed(admin, big_schema)
        finally:
            empty.close()
            big.close()
    ratio = best["big"][0] / best["empty"][0]
    cpu = {label: best[label][1] + best[label][2] for label in best}
    return {
        "rows": rows,
        "posts_per_round": posts,
        "rounds": rounds,
        "sent": sent,
        "fill_s": fill_s,
        "never_analyzed": unanalyzed,
        "empty_ms_per_post": best["empty"][0] * 1000,
        "large_ms_per_post": best["big"][0] * 1000,
        "empty_cpu_ms_per_post": best["empty"][1] * 1000,
        "large_cpu_ms_per_post": best["big"][1] * 1000,
        "empty_server_cpu_ms_per_post": best["empty"][2] * 1000,
        "large_server_cpu_ms_per_post": best["big"][2] * 1000,
        "ratio": ratio,
        "cpu_ratio": cpu["big"] / cpu["empty"],
        "history_limit_50_empty_ms": history_ms["empty"],
        "history_limit_50_large_ms": history_ms["big"],
        "target_ratio": TARGET,
        "meets_target": ratio <= TARGET,
        "load": _load(),
    }


def _load() -> str:
    """The machine's load average over the last minute, as the figures are read against."""
    loadavg = Path("/proc/loadavg")
    return loadavg.read_text().split()[0] if loadavg.exists() else ""


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--posts", type=int, default=100, help="posts delivered per round")
    p.add_argument("--rounds", type=int, default=5)
    a = p.parse_args()
    report("ledger_pg", run(a.quick, a.rows, a.posts, a.rounds), a.json)


if __name__ == "__main__":
    main()
