"""System calls, not seconds: `outreach run --once` under `strace -f -c`, per post and fixed.

Instructions (bench/instructions.py) leave out the kernel: a post's `pwrite`s
to SQLite's write-ahead log, its `fdatasync`, its file locks and its socket
calls are a handful of instructions each in user space and cost far more in
system time. On these machines outreach runs fewer instructions per post than
feediverse (7.4 M against 9.3 M) and still took more CPU per post; this script
counts where the difference goes. The counts repeat within a few tenths of a
call a post from run to run, whatever the load (only `poll` and `futex` depend
on timing), so a before/after of one call less a post shows.

The run is instructions.py's (peers.py's `run --once`: one feed, one Mastodon
channel, the fake on 127.0.0.1 in this process, not counted). Two sizes give the
calls per post (the slope) by name. `--against DIR` counts another checkout the
same way; `--feediverse` counts feediverse on the same feed and fake (installed
by peers.py into its own venv, /tmp/outreach-bench-peers, if missing).

    .venv/bin/python bench/syscalls.py [--items 100,400] [--against /tmp/before] [--feediverse]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from bench import instructions, peers  # noqa: E402  (after the sys.path lines)
from bench._common import PYTHON, parser, report, scratch_dir  # noqa: E402

SHOWN = 8
"""The calls named in the report, most frequent per post first; the rest are in `other`."""


def summary(path: Path) -> dict[str, int]:
    """strace -c's table: {syscall: calls}, without the total line."""
    calls: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        # % time, seconds, usecs/call, calls, [errors,] syscall
        if len(fields) >= 5 and fields[0][0].isdigit() and fields[-1] != "total":
            calls[fields[-1]] = int(fields[3])
    return calls


def traced(args: list[str], env: dict[str, str], cwd: Path) -> dict[str, int]:
    out = cwd / "strace.txt"
    done = subprocess.run(
        ["strace", "-f", "-c", "-o", str(out), *args],
        env={**os.environ, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(f"{args[1]} under strace failed: {done.stderr[-1500:]}")
    return summary(out)


def outreach_calls(items: int, tree: str | None) -> tuple[dict[str, int], int]:
    env = {"BENCH_MASTODON_TOKEN": peers.TOKEN}
    if tree:
        env["PYTHONPATH"] = str(Path(tree).resolve())
    with instructions.prepared_run(items, env, "bench-syscalls-") as (tmp, fake):
        args = [PYTHON, str(tmp / "outreach_cli.py"), *instructions.RUN_ARGS]
        return traced(args, env, tmp), len(fake.statuses)


def feediverse_calls(items: int, python: str) -> tuple[dict[str, int], int]:
    from fakes.mastodon_server import FakeMastodon

    with (
        tempfile.TemporaryDirectory(prefix="bench-syscalls-", dir=scratch_dir()) as d,
        FakeMastodon(realistic=True) as fake,
    ):
        tmp = Path(d)
        feed = tmp / "feed.xml"
        peers.write_feed(feed, items)
        cfg = peers.feediverse_config(tmp, feed, fake.url)
        args = [python, str(Path(python).with_name("feediverse")), "-c", str(cfg)]
        return traced(args, {}, tmp), len(fake.statuses)


def per_post(small: dict[str, int], large: dict[str, int], posts: int) -> dict[str, float]:
    names = set(small) | set(large)
    slope = {n: (large.get(n, 0) - small.get(n, 0)) / posts for n in names}
    return {n: round(v, 1) for n, v in sorted(slope.items(), key=lambda kv: -kv[1])}


def run(
    quick: bool = False,
    sizes: tuple[int, int] = (100, 400),
    against: str | None = None,
    feediverse: bool = False,
) -> dict[str, Any]:
    if shutil.which("strace") is None:
        raise RuntimeError("strace is not installed (Debian: apt-get install strace)")
    small, large = (2, 6) if quick else sizes
    tools: dict[str, Any] = {"outreach": lambda n: outreach_calls(n, None)}
    if against:
        tools["before"] = lambda n: outreach_calls(n, against)
    if feediverse:
        python = peers.ensure_peers(peers.PEERS_VENV, True)
        if python is None:
            raise RuntimeError("feediverse could not be installed (see peers.py)")
        tools["feediverse"] = lambda n: feediverse_calls(n, python)
    figures: dict[str, Any] = {"items": f"{small},{large}"}
    for name, count in tools.items():
        (a, posted_a), (b, posted_b) = count(small), count(large)
        slope = per_post(a, b, large - small)
        total = round(sum(slope.values()), 1)
        figures[f"{name}_posted"] = f"{posted_a},{posted_b}"
        figures[f"{name}_per_post"] = total
        figures[f"{name}_fixed"] = round(sum(a.values()) - total * small)
        shown = {k: v for k, v in list(slope.items())[:SHOWN] if v > 0}
        shown["other"] = round(total - sum(shown.values()), 1)
        figures[f"{name}_per_post_by_call"] = shown
    for name in ("before", "feediverse"):
        if name in tools and figures[f"{name}_per_post"]:
            ratio = figures["outreach_per_post"] / figures[f"{name}_per_post"]
            figures[f"per_post_vs_{name}"] = round(ratio, 3)
    return figures


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--items", default="100,400", help="two sizes, comma-separated")
    p.add_argument("--against", help="another checkout, counted the same way as 'before'")
    p.add_argument("--feediverse", action="store_true", help="count feediverse the same way")
    a = p.parse_args()
    small, large = (int(n) for n in a.items.split(","))
    report("syscalls", run(a.quick, (small, large), a.against, a.feediverse), a.json)


if __name__ == "__main__":
    main()
