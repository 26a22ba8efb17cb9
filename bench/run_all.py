"""Run every benchmark in turn and print its figures (JSON lines with --json).

    .venv/bin/python bench/run_all.py [--quick] [--json] [--only share_links,startup]

Each benchmark is also a script of its own; see bench/README.md for what each
measures, its baseline and its target.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import machine, parser, report

BENCHMARKS = (
    "startup",
    "share_links",
    "sharebar_export",
    "buttons_cli",
    "pacing",
    "fanout",
    "telegram_posts",
    "peers",
    "delivery_thread",
    "instructions",
    "import_costs",
    "syscalls",
    "memory_phases",
    "scale",
    "ledger_reads",
    "ledger_pg",
    "takeover",
)


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--only", help="comma-separated names: " + ", ".join(BENCHMARKS))
    a = p.parse_args()
    names = a.only.split(",") if a.only else list(BENCHMARKS)
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        p.error(f"unknown benchmark(s): {', '.join(unknown)}")
    if not a.json:
        print("machine:", ", ".join(f"{k} {v}" for k, v in machine().items()))
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        t0 = time.perf_counter()
        figures = module.run(a.quick)
        figures["benchmark_took_s"] = time.perf_counter() - t0
        report(name, figures, a.json)


if __name__ == "__main__":
    main()
