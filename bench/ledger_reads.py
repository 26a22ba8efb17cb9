"""Ledger reads: a page of deliveries and the history, from the store, on a large ledger.

`outreach deliveries --limit 3` and `outreach history --limit 50` ask the
ledger for one page, ordered and cut by the database (ORDER BY ... LIMIT).
Baseline: the same answer the way the commands used to get it, every
matching row read into Python and sorted there (`limit=10**9`, then a slice),
which grew with the ledger. Target (issue 10): one page in under a tenth of
the baseline's time at 20,000 rows, and the same rows.

    .venv/bin/python bench/ledger_reads.py [--rows 20000] [--quick]
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._common import compare, parser, report  # noqa: E402  (after the sys.path line)

TARGET = 0.1
DONE = ("sent", "failed", "unknown", "missed", "cancelled")
NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def fill(ledger: Any, rows: int) -> None:
    """Half queued (pending), half done (missed), spread over two channels, 100 to a batch."""
    from outreach.post import Post

    for start in range(0, rows, 100):
        with ledger.batch() as batch:
            for n in range(start, min(rows, start + 100)):
                ch = ("tg", "ma")[n % 2]
                due = NOW + dt.timedelta(minutes=n)
                if n % 4 < 2:
                    post = Post(ch, "telegram", f"<b>{n}</b>", "ru", about=f"news:{n}")
                    batch.enqueue(post, due_at=due, dedupe_key=f"k{n}")
                else:
                    batch.record_missed(ch, "telegram", about=f"news:{n}", dedupe_key=f"k{n}",
                                        occurrence=due, reason="late")  # fmt: skip


def run(quick: bool = False, rows: int = 20_000) -> dict[str, Any]:
    from outreach.ledger import open_ledger

    rows = 300 if quick else rows
    with tempfile.TemporaryDirectory() as tmp:
        ledger = open_ledger(f"sqlite:///{tmp}/ledger.sqlite3", lambda: NOW)
        try:
            fill(ledger, rows)

            def page() -> list[int]:
                return [d.id for d in ledger.deliveries(order="newest", limit=3)]

            def page_in_python() -> list[int]:
                every = ledger.deliveries(limit=10**9)
                return [d.id for d in sorted(every, key=lambda d: d.id, reverse=True)[:3]]

            def history() -> list[int]:
                return [d.id for d in ledger.deliveries(states=DONE, order="history", limit=50)]

            def history_in_python() -> list[int]:
                every = ledger.deliveries(states=DONE, limit=10**9)
                every.sort(key=lambda d: (d.sent_at or d.updated_at, d.id), reverse=True)
                return [d.id for d in every[:50]]

            same = page() == page_in_python() and history() == history_in_python()
            best = compare(
                {"page": page, "page_py": page_in_python,
                 "history": history, "history_py": history_in_python},
                repeat=3 if quick else 5,
            )  # fmt: skip
        finally:
            ledger.close()
    page_ratio = best["page"]["wall"] / best["page_py"]["wall"]
    history_ratio = best["history"]["wall"] / best["history_py"]["wall"]
    return {
        "rows": rows,
        "same_rows_as_baseline": same,
        "deliveries_limit_3_ms": best["page"]["wall"] * 1000,
        "baseline_all_rows_ms": best["page_py"]["wall"] * 1000,
        "deliveries_ratio": page_ratio,
        "history_limit_50_ms": best["history"]["wall"] * 1000,
        "baseline_history_ms": best["history_py"]["wall"] * 1000,
        "history_ratio": history_ratio,
        "target_ratio": TARGET,
        "meets_target": page_ratio <= TARGET and history_ratio <= TARGET,
    }


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=20_000)
    a = p.parse_args()
    report("ledger_reads", run(a.quick, a.rows), a.json)


if __name__ == "__main__":
    main()
