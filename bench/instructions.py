"""Instructions, not seconds: `outreach run --once` under valgrind, per post and fixed.

On the shared two-core machines here, wall and CPU ratios of two identical trees
move by a tenth or more between runs (bench/README.md), which hides any change
smaller than that. Valgrind's cachegrind counts the instructions a process runs
(`I refs`): for the same interpreter, inputs and PYTHONHASHSEED the count repeats
within about 0.1% whatever else the machine does (helper perpost2's probe,
third session of 2026-12-02, which this script makes permanent).

The run is peers.py's: the CLI as a subprocess on a campaign file with one feed
and one Mastodon channel, posting to the fake Mastodon on 127.0.0.1 (in this
process, not counted), after an untimed first run on the empty feed. Two sizes
give the instructions per post (the slope) and the fixed instructions (the
count extrapolated to no items: start-up, imports, the store, the clients).
`--against DIR` counts another checkout (a `git archive` unpacked in DIR) the
same way and prints after/before ratios. Instructions are not time (a cache
miss or a system call costs more than its count), so a change that moves no
instructions but waits less shows only in the timed benchmarks.

    .venv/bin/python bench/instructions.py [--items 100,400] [--against /tmp/before] [--quick]
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from bench import peers  # noqa: E402  (after the sys.path lines)
from bench._common import PYTHON, compile_outreach, parser, report, scratch_dir  # noqa: E402

_IREFS = re.compile(r"I\s+refs:\s+([\d,]+)")
_VALGRIND = ("valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null")


@contextmanager
def prepared_run(items: int, env: dict[str, str], prefix: str) -> Iterator[tuple[Path, Any]]:
    """peers.py's `run --once` set up and its untimed first run done, on a fresh fake
    Mastodon: (folder holding outreach_cli.py and outreach.yaml, the fake). The run to
    measure is `python outreach_cli.py` + RUN_ARGS, in that folder."""
    from fakes.mastodon_server import FakeMastodon

    compile_outreach(PYTHON, env)
    with (
        tempfile.TemporaryDirectory(prefix=prefix, dir=scratch_dir()) as d,
        FakeMastodon(realistic=True) as fake,
    ):
        tmp = Path(d)
        feed = tmp / "feed.xml"
        peers.outreach_config(tmp, feed, fake.url, items)
        (tmp / "outreach_cli.py").write_text(peers.OUTREACH_SCRIPT, encoding="utf-8")
        peers.prepare_outreach([str(tmp / "outreach_cli.py"), *RUN_ARGS], env, tmp, feed, items)
        yield tmp, fake


RUN_ARGS = ["--config", "outreach.yaml", "run", "--once"]


def count(items: int, tree: str | None = None) -> dict[str, int]:
    """Instructions of one `run --once` announcing `items` new feed items; `tree` is
    another checkout (through PYTHONPATH), None this one."""
    env = {"BENCH_MASTODON_TOKEN": peers.TOKEN}
    if tree:
        env["PYTHONPATH"] = str(Path(tree).resolve())
    with prepared_run(items, env, "bench-instructions-") as (tmp, fake):
        done = subprocess.run(
            [*_VALGRIND, PYTHON, str(tmp / "outreach_cli.py"), *RUN_ARGS],
            env={**os.environ, **env, "PYTHONHASHSEED": "0"},
            cwd=tmp,
            capture_output=True,
            text=True,
            check=False,
        )
        found = _IREFS.search(done.stderr)
        if done.returncode != 0 or not found:
            raise RuntimeError(f"run --once under valgrind failed: {done.stderr[-1500:]}")
        return {"instructions": int(found.group(1).replace(",", "")), "posted": len(fake.statuses)}


def run(
    quick: bool = False, sizes: tuple[int, int] = (100, 400), against: str | None = None
) -> dict[str, Any]:
    if shutil.which("valgrind") is None:
        raise RuntimeError("valgrind is not installed (Debian: apt-get install valgrind)")
    small, large = (2, 6) if quick else sizes
    trees: dict[str, str | None] = {"outreach": None}
    if against:
        trees["before"] = against
    figures: dict[str, Any] = {"items": f"{small},{large}"}
    for name, tree in trees.items():
        a, b = count(small, tree), count(large, tree)
        per_post = (b["instructions"] - a["instructions"]) / (large - small)
        figures[f"{name}_posted"] = f"{a['posted']},{b['posted']}"
        figures[f"{name}_per_post"] = round(per_post)
        figures[f"{name}_fixed"] = round(a["instructions"] - per_post * small)
    if against:
        for what in ("per_post", "fixed"):
            figures[f"{what}_vs_before"] = figures[f"outreach_{what}"] / figures[f"before_{what}"]
    return figures


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--items", default="100,400", help="two sizes, comma-separated")
    p.add_argument("--against", help="another checkout, counted the same way as 'before'")
    a = p.parse_args()
    small, large = (int(n) for n in a.items.split(","))
    report("instructions", run(a.quick, (small, large), a.against), a.json)


if __name__ == "__main__":
    main()
