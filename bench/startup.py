"""Start-up: `outreach --help` against a bare `python -c pass`, and what --help imports.

Both run as fresh processes, interleaved, many times; the figure is the
median wall time (start-up is what a user waits for). Target (issue 7):
`outreach --help` within 3x of bare Python. The import check lists the
heaviest modules `-X importtime` sees, and fails the target outright if
--help imports a network client, rich, Jinja2 or a database layer at all.

    .venv/bin/python bench/startup.py [--runs 30] [--quick]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import PYTHON, ROOT, parser, report

TARGET = 3.0
OUTREACH = str(Path(PYTHON).with_name("outreach"))
# Heavy, and needed by no --help: their presence alone misses the target.
FORBIDDEN = (
    "mastodon",
    "telegram",
    "httpx",
    "requests",
    "rich",
    "jinja2",
    "sqlalchemy",
    "apscheduler",
    "feedparser",
    "babel",
    "pydantic",
    "yaml",
)


def _wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - t0


def imports_at_help() -> list[tuple[str, float]]:
    """(module, cumulative ms) of each import `outreach --help` makes at the top level."""
    proc = subprocess.run(
        [PYTHON, "-X", "importtime", OUTREACH, "--help"],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cum_us, name = line.split("|")
        if name.startswith("  "):  # nested: imported by another module
            continue
        rows.append((name.strip(), int(cum_us) / 1000))
    return rows


def run(quick: bool = False, runs: int = 30) -> dict[str, Any]:
    if quick:
        runs = 2
    bare, ours = [], []
    for _ in range(runs):
        bare.append(_wall([PYTHON, "-c", "pass"]))
        ours.append(_wall([OUTREACH, "--help"]))
    rows = imports_at_help()
    loaded = subprocess.run(
        [PYTHON, "-X", "importtime", OUTREACH, "--help"], capture_output=True, text=True, cwd=ROOT
    ).stderr
    every = {ln.split("|")[2].strip() for ln in loaded.splitlines() if ln.count("|") == 2}
    heavy = sorted({m.split(".")[0] for m in every} & set(FORBIDDEN))
    slowest = sorted(rows, key=lambda r: -r[1])
    ratio = statistics.median(ours) / statistics.median(bare)
    return {
        "runs": runs,
        "bare_python_median_ms": statistics.median(bare) * 1000,
        "outreach_help_median_ms": statistics.median(ours) * 1000,
        "ratio": ratio,
        "target": f"<= {TARGET}x, and none of {', '.join(FORBIDDEN)} imported",
        "heavy_imports": heavy or "none",
        "slowest_top_level_imports_ms": ", ".join(f"{n} {ms:.1f}" for n, ms in slowest[:8]),
        "met": ratio <= TARGET and not heavy,
    }


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=30)
    a = p.parse_args()
    report("start-up", run(a.quick, a.runs), a.json)


if __name__ == "__main__":
    main()
