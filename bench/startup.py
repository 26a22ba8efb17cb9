"""Start-up: `outreach --help` against a bare `python -c pass`, and what --help imports;
`outreach run --once` with nothing new against a bare Mastodon.py client.

Both run as fresh processes, interleaved, many times; the figure is the
median wall time (start-up is what a user waits for). Target (issue 7):
`outreach --help` within 3x of bare Python. The import check lists the
heaviest modules `-X importtime` sees, and fails the target outright if
--help imports a network client, rich, Jinja2 or a database layer at all.

Time to the first post (issue 15, figures only): `outreach run --once` posting
--first-items new feed items (bench/peers.py's campaign file, feed, pacing and
fake Mastodon) against the bare Mastodon.py `status_post` loop over the same
texts, each spawned fresh: seconds from the spawn to the fake's first status
(its `created_at`), the run's wall time, and what is left after the first post;
median and best of --once-runs interleaved rounds. `--against DIR` runs another
checkout's outreach beside them, as peers.py does ("before").

`run --once` (issue 15, figures only): what every cron run of a campaign pays
before its first post, on a campaign with one Mastodon channel and one feed
file (bench/peers.py's) whose items were all announced before, against the
fake Mastodon: read the campaign, open the store, read the feed (unchanged),
ask the instance for its limits, write the heartbeat, exit. Baseline: a
Mastodon.py client asking the same instance() in a fresh process. Also the
bundled campaign as `outreach run --once` runs it without tokens (dry run,
nothing due). CPU (wait4) and peak memory (VmHWM), best of --once-runs
interleaved rounds.

    .venv/bin/python bench/startup.py [--runs 30] [--once-runs 5] [--first-items 200]
        [--against DIR] [--quick]
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import PYTHON, ROOT, compile_outreach, parser, report, run_measured, scratch_dir

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


BARE_CLIENT = (
    "import sys\n"
    "from mastodon import Mastodon\n"
    "Mastodon(access_token=sys.argv[2], api_base_url=sys.argv[1]).instance()\n"
)


def run_once_startup(rounds: int) -> dict[str, Any]:
    """`outreach run --once` with nothing new (Mastodon-only; the bundled campaign)."""
    import tempfile

    sys.path.insert(0, str(ROOT / "tests"))
    from fakes.mastodon_server import FakeMastodon

    from bench.peers import OUTREACH_SCRIPT, TOKEN, outreach_config, prepare_outreach

    best: dict[str, tuple[float, float]] = {}

    def keep(name: str, cpu: float, mib: float) -> None:
        old = best.get(name, (float("inf"), float("inf")))
        best[name] = (min(old[0], cpu), min(old[1], mib))

    with (
        tempfile.TemporaryDirectory(prefix="bench-startup-", dir=scratch_dir()) as d,
        FakeMastodon(realistic=True) as fake,
    ):
        tmp = Path(d)
        feed = tmp / "feed.xml"
        cfg = outreach_config(tmp, feed, fake.url, 0)
        (tmp / "outreach_cli.py").write_text(OUTREACH_SCRIPT, encoding="utf-8")
        (tmp / "bare.py").write_text(BARE_CLIENT, encoding="utf-8")
        ours = [str(tmp / "outreach_cli.py"), "--config", str(cfg), "run", "--once"]
        env = {"BENCH_MASTODON_TOKEN": TOKEN}
        prepare_outreach(ours, env, tmp, feed, 3)  # the store exists and the feed was read
        run_measured(ours, env=env, cwd=tmp)  # its 3 items announced: nothing new after
        (tmp / "bundled").mkdir()
        bundled = [str(tmp / "outreach_cli.py"), "run", "--once"]
        bundled_env = {"OUTREACH_DB_URL": f"sqlite:///{tmp / 'bundled' / 'store.sqlite3'}"}
        run_measured(bundled, env=bundled_env, cwd=tmp / "bundled")  # its first posts (dry run)
        for _ in range(rounds):
            child = run_measured([str(tmp / "bare.py"), fake.url, TOKEN], cwd=tmp)
            keep("bare", child.cpu, child.maxrss_mib)
            child = run_measured(ours, env=env, cwd=tmp)
            keep("mastodon", child.cpu, child.maxrss_mib)
            child = run_measured(bundled, env=bundled_env, cwd=tmp / "bundled")
            keep("bundled", child.cpu, child.maxrss_mib)
    (bare_cpu, bare_mib), (cpu, mib) = best["bare"], best["mastodon"]
    return {
        "run_once_bare_client": f"{bare_cpu:.3f} s CPU, {bare_mib:.1f} MiB peak",
        "run_once_mastodon_only": f"{cpu:.3f} s CPU, {mib:.1f} MiB peak",
        "run_once_vs_bare": f"cpu {cpu / bare_cpu:.2f}x, memory {mib / bare_mib:.2f}x",
        "run_once_bundled_dry_run": f"{best['bundled'][0]:.3f} s CPU, {best['bundled'][1]:.1f} MiB",
    }


def first_post(items: int, rounds: int, against: str | None = None) -> dict[str, Any]:
    """Seconds from the spawn to the first status on the fake: outreach, bare (and before)."""
    import tempfile

    sys.path.insert(0, str(ROOT / "tests"))
    from fakes.mastodon_server import FakeMastodon

    from bench.peers import BARE_SCRIPT, OUTREACH_SCRIPT, TOKEN, outreach_config, prepare_outreach

    tools = ["outreach", "bare"] + (["before"] if against else [])
    times: dict[str, list[tuple[float, float]]] = {t: [] for t in tools}  # (first post, wall)
    with tempfile.TemporaryDirectory(prefix="bench-first-", dir=scratch_dir()) as d:
        texts = Path(d) / "texts.json"
        for _ in range(rounds):
            for tool in tools:
                with (
                    tempfile.TemporaryDirectory(prefix=f"{tool}-", dir=d) as run_dir,
                    FakeMastodon(realistic=True) as fake,
                ):
                    tmp = Path(run_dir)
                    env = {"BENCH_MASTODON_TOKEN": TOKEN}
                    if tool == "bare":
                        (tmp / "bare.py").write_text(BARE_SCRIPT, encoding="utf-8")
                        args = [str(tmp / "bare.py"), str(texts), fake.url, TOKEN]
                    else:
                        feed = tmp / "feed.xml"
                        cfg = outreach_config(tmp, feed, fake.url, items)
                        (tmp / "outreach_cli.py").write_text(OUTREACH_SCRIPT, encoding="utf-8")
                        args = [str(tmp / "outreach_cli.py"), "--config", str(cfg), "run", "--once"]
                        if tool == "before":
                            env["PYTHONPATH"] = str(Path(against or "").resolve())
                        prepare_outreach(args, env, tmp, feed, items)
                        compile_outreach(PYTHON, env)  # not inside the timed spawn
                    spawned = time.time()
                    child = run_measured(args, env=env, cwd=tmp)
                    assert len(fake.statuses) == items, f"{tool}: {len(fake.statuses)} of {items}"
                    created = fake.statuses[0]["json"]["created_at"]
                    first = dt.datetime.fromisoformat(created).timestamp() - spawned
                    times[tool].append((first, child.wall))
                    if tool == "outreach":
                        texts.write_text(json.dumps(fake.texts()), encoding="utf-8")
    out: dict[str, Any] = {"first_post_items": items, "first_post_rounds": rounds}
    for tool, got in times.items():
        firsts, walls = [f for f, _ in got], [w for _, w in got]
        rest = [w - f for f, w in got]
        out[f"first_post_{tool}"] = (
            f"first post {statistics.median(firsts):.3f} s after the spawn (best"
            f" {min(firsts):.3f}), run {statistics.median(walls):.3f} s (best {min(walls):.3f}),"
            f" after the first post {statistics.median(rest):.3f} s (medians)"
        )
    ours, bare = (statistics.median(f for f, _ in times[t]) for t in ("outreach", "bare"))
    out["first_post_outreach_vs_bare"] = f"{ours / bare:.2f}x, {ours - bare:+.3f} s"
    if against:
        before = statistics.median(f for f, _ in times["before"])
        out["first_post_outreach_vs_before"] = f"{ours / before:.2f}x, {ours - before:+.3f} s"
    return out


def run(
    quick: bool = False,
    runs: int = 30,
    once_runs: int = 5,
    first_items: int = 200,
    against: str | None = None,
) -> dict[str, Any]:
    if quick:
        runs, once_runs, first_items = 2, 1, 5
    compile_outreach()
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
        "load": Path("/proc/loadavg").read_text().split()[:3],
        **run_once_startup(once_runs),
        **first_post(first_items, once_runs, against),
        "load_after": Path("/proc/loadavg").read_text().split()[:3],
    }


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=30)
    p.add_argument("--once-runs", type=int, default=5)
    p.add_argument("--first-items", type=int, default=200, help="feed items of the first-post run")
    p.add_argument("--against", help="another checkout's outreach, timed beside (first post)")
    a = p.parse_args()
    report("start-up", run(a.quick, a.runs, a.once_runs, a.first_items, a.against), a.json)


if __name__ == "__main__":
    main()
