"""What `outreach run --once` holds in memory, per import and per phase (issue 15).

bench/peers.py gives one figure a run (peak VmHWM against the bare Mastodon.py
loop's); this says where it comes from, so that a cut can be aimed:

- imports: fresh pythons, VmRSS after each step. "alone": the step on its own
  over `python -c pass`. "in turn": the steps one after another in one python,
  starting from the bare loop's one import (mastodon), so each figure is what
  the step adds on top of the floor and the steps before it (less than alone
  when they share dependencies): SQLAlchemy Core with its SQLite dialect,
  pydantic with one model made (its schema machinery loads at the first
  model, not at `import pydantic`), the Jinja2 sandbox, Babel's dates,
  feedparser, PyYAML, click, then outreach's own modules as `run --once`
  loads them. Also what `run --once` does not load (the ORM, Alembic, rich),
  had it loaded them.
- run: `outreach run --once` posting N new feed items (bench/peers.py's
  campaign file, feed and fake Mastodon, pacing shrunk the same way), with
  VmRSS and VmHWM at the ends of its phases (the wrapper wraps these methods,
  importing outreach.service and outreach.delivery first): outreach's modules
  imported; the service built (campaign file read, store opened); the
  delivery loop started (crash recovery, pacing, the instance's limits);
  the feed parsed; its first batch committed; the clients made ready; the
  feed polled (parsed, posts rendered and queued; posting has begun
  meanwhile, on its thread); the posting done; exit. Each with the seconds
  since the spawn (time to the first post, issue 15), and the fake's first
  status likewise. A sampler thread reads
  VmRSS every 2 ms and, each time the process grew by 1 MiB, charges the
  growth to what was running: the package being imported on any thread, else
  the innermost outreach function of the main thread. It costs the process
  ~3 MiB itself (its peak is printed beside the sampler-free one).
  `--tracemalloc` adds the Python allocations alive at the traced peak, by
  file's package (tracemalloc makes the process bigger: read shares).

    .venv/bin/python bench/memory_phases.py [--items 200,1000] [--tracemalloc] [--quick]
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from bench._common import PYTHON, parser, report, run_measured, scratch_dir  # noqa: E402

# name -> code; "in turn" runs them in this order, from the bare loop's import on.
STEPS: dict[str, str] = {
    "mastodon (the bare loop's one import)": "import mastodon",
    "sqlalchemy + SQLite dialect + sqlite3": "import sqlalchemy, sqlalchemy.dialects.sqlite, sqlite3",
    "pydantic + one model": "import pydantic\nclass _M(pydantic.BaseModel):\n    x: int",
    "jinja2.sandbox": "import jinja2.sandbox",
    "babel.dates": "import babel.dates",
    "feedparser": "import feedparser",
    "yaml": "import yaml",
    "click": "import click",
}
# Not loaded by `run --once` on an existing SQLite store with no terminal: had they been.
NOT_LOADED: dict[str, str] = {
    "sqlalchemy.orm": "import sqlalchemy.orm",
    "alembic (command, migration)": "import alembic.command, alembic.migration",
    "rich (console, table)": "import rich.console, rich.table",
}

_MEASURE = """
import json, sys
def rss():
    with open('/proc/self/status') as f:
        return next(int(l.split()[1]) for l in f if l.startswith('VmRSS:')) / 1024
out = [["python", rss()]]
for name, code in json.loads(sys.argv[1]):
    exec(code, {})
    out.append([name, rss()])
print(json.dumps(out))
"""


def _steps(steps: list[tuple[str, str]]) -> list[tuple[str, float]]:
    proc = subprocess.run(
        [PYTHON, "-c", _MEASURE, json.dumps(steps)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return [(name, mib) for name, mib in json.loads(proc.stdout)]


def import_costs(outreach_modules: list[str], quick: bool = False) -> dict[str, Any]:
    """MiB each step adds alone and in turn; outreach_modules: what run --once loaded."""
    steps = dict(list(STEPS.items())[:2]) if quick else dict(STEPS)
    ours = "\n".join(f"import {m}" for m in outreach_modules)
    steps["outreach's modules (as run --once loads them)"] = ours
    alone = {}
    for name, code in {**steps, **({} if quick else NOT_LOADED)}.items():
        (_, base), (_, after) = _steps([(name, code)])
        alone[name] = f"+{after - base:.1f} MiB"
    turn = _steps(list(steps.items()) + ([] if quick else list(NOT_LOADED.items())))
    in_turn = [f"{turn[0][1]:.1f} MiB (python)"]
    for (_, before), (name, after) in itertools.pairwise(turn):
        in_turn.append(f"{name}: +{after - before:.1f} -> {after:.1f} MiB")
    return {"alone": alone, "in_turn": in_turn}


# Put before bench/peers.py's OUTREACH_SCRIPT: phase marks (seconds after the spawn, which
# the parent passes in BENCH_SPAWNED; the sampler thread costs the run some time) and the sampler.
_WRAPPER = """
import atexit, json, os, sys, threading, time

_spawned = float(os.environ['BENCH_SPAWNED'])

def _status():
    with open('/proc/self/status') as f:
        d = {l.split(':')[0]: int(l.split()[1]) / 1024 for l in f
             if l.startswith(('VmRSS', 'VmHWM'))}
    return round(time.time() - _spawned, 3), round(d['VmRSS'], 1), round(d['VmHWM'], 1)

_marks = [('python', *_status())]
_growth = {}
_main = threading.main_thread().ident
_trace = os.environ.get('BENCH_TRACEMALLOC') == '1'
_snap = [None, 0]
if _trace:
    import tracemalloc
    tracemalloc.start(1)

def _rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20

def _label():
    frames = sorted(sys._current_frames().items(), key=lambda kv: kv[0] != _main)
    for _, frame in frames:  # a thread importing: the innermost module's package
        while frame is not None:
            g = frame.f_globals.get('__name__', '')
            if frame.f_code.co_name == '<module>' and g not in ('__main__', '<run_path>'):
                return 'import ' + (g if g.startswith('outreach') else g.split('.')[0])
            frame = frame.f_back
    for _, frame in frames:  # else the innermost outreach function
        while frame is not None:
            g = frame.f_globals.get('__name__', '')
            if g.startswith('outreach'):
                return g + '.' + frame.f_code.co_name
            frame = frame.f_back
    return 'other'

def _sample():
    # reads a number every 2 ms; looks at the stacks only when the process grew by 1 MiB
    last = _rss()
    while True:
        now = _rss()
        if now - last >= 1.0:
            label = _label()
            _growth[label] = _growth.get(label, 0.0) + now - last
            last = now
        if _trace:
            cur = tracemalloc.get_traced_memory()[0]
            if cur > _snap[1] + 2**21:
                _snap[0], _snap[1] = tracemalloc.take_snapshot(), cur
        time.sleep(0.002)

def _mark_after(cls, name, label):
    inner = getattr(cls, name)
    def wrapped(*a, **kw):
        try:
            return inner(*a, **kw)
        finally:
            if not any(m[0] == label for m in _marks):
                _marks.append((label, *_status()))
    setattr(cls, name, wrapped)

def _write():
    _marks.append(('exit', *_status()))
    out = {'marks': _marks, 'growth': _growth}
    if _trace and _snap[0] is not None:
        by = {}
        for stat in _snap[0].statistics('filename'):
            path = stat.traceback[0].filename
            if 'site-packages/' in path:
                key = path.split('site-packages/')[1].split('/')[0]
            elif '/outreach/' in path:
                key = 'outreach'
            elif path.startswith('<frozen importlib'):
                key = 'code objects (importlib)'
            else:
                key = 'other'
            by[key] = by.get(key, 0) + stat.size
        out['traced_peak_mib'] = _snap[1] / 2**20
        out['traced'] = {k: round(v / 2**20, 1) for k, v in sorted(by.items(), key=lambda kv: -kv[1])[:12]}
    with open(os.environ['BENCH_PHASES_FILE'], 'w') as f:
        json.dump(out, f)

atexit.register(_write)
threading.Thread(target=_sample, daemon=True).start()
import outreach.cli.schedule_cmds, outreach.service, outreach.delivery
_marks.append(("outreach's modules imported", *_status()))
_mark_after(outreach.service.Service, '__init__', 'service built (campaign read, store open)')
_mark_after(outreach.delivery.DeliveryLoop, 'start', 'delivery loop started (recovery, limits)')
_warm = 'warm_clients' if hasattr(outreach.delivery.DeliveryLoop, 'warm_clients') else '_warm'  # before 79a818b
_mark_after(outreach.delivery.DeliveryLoop, _warm, 'clients ready (Mastodon.py imported)')
_mark_after(outreach.service.Service, 'poll', 'feed polled (parsed, rendered, queued)')

import outreach.feeds, outreach.outbox
_mark_after(outreach.feeds.FeedWatcher, '_parse', 'feed parsed (feedparser imported)')
_batches = outreach.outbox.Outbox.queue_batches
def _first_batch(self, *a, **kw):
    for chunk in _batches(self, *a, **kw):
        if not any(m[0] == 'first batch committed' for m in _marks):
            _marks.append(('first batch committed', *_status()))
        yield chunk
outreach.outbox.Outbox.queue_batches = _first_batch
_mark_after(outreach.delivery.DeliveryLoop, 'run_once', 'posting done')
"""

# Writes the modules the run loaded (for import_costs).
_MODULES = """
import atexit, json, os, sys
atexit.register(lambda: json.dump(sorted(sys.modules), open(os.environ['BENCH_MODULES_FILE'], 'w')))
"""


def _when(mark: list[Any]) -> float:
    return float(mark[1])


def run_phases(items: int, tracemalloc: bool) -> tuple[dict[str, Any], list[str]]:
    """The run's phases, and the outreach modules a sampler-free run loaded."""
    from fakes.mastodon_server import FakeMastodon

    from bench.peers import OUTREACH_SCRIPT, TOKEN, outreach_config, prepare_outreach

    def once(script: str, extra: dict[str, str]) -> Any:
        with (
            tempfile.TemporaryDirectory(prefix="bench-phases-", dir=scratch_dir()) as d,
            FakeMastodon(realistic=True) as fake,
        ):
            tmp = Path(d)
            feed = tmp / "feed.xml"
            cfg = outreach_config(tmp, feed, fake.url, items)
            (tmp / "cli.py").write_text(OUTREACH_SCRIPT, encoding="utf-8")
            (tmp / "measured.py").write_text(script + OUTREACH_SCRIPT, encoding="utf-8")
            env = {"BENCH_MASTODON_TOKEN": TOKEN}
            args = ["--config", str(cfg), "run", "--once"]
            prepare_outreach([str(tmp / "cli.py"), *args], env, tmp, feed, items)
            out = tmp / "out.json"
            env |= {key: str(out) if value is None else value for key, value in extra.items()}
            env["BENCH_SPAWNED"] = repr(time.time())
            child = run_measured([str(tmp / "measured.py"), *args], env=env, cwd=tmp)
            assert len(fake.statuses) == items, f"{len(fake.statuses)} of {items} posted"
            first = dt.datetime.fromisoformat(fake.statuses[0]["json"]["created_at"]).timestamp()
            return child, json.loads(out.read_text()), first - float(env["BENCH_SPAWNED"])

    plain, modules, _ = once(_MODULES, {"BENCH_MODULES_FILE": None})
    extra = {"BENCH_PHASES_FILE": None, "BENCH_TRACEMALLOC": "1" if tracemalloc else "0"}
    sampled, found, first_post = once(_WRAPPER, extra)
    growth = sorted(found["growth"].items(), key=lambda kv: -kv[1])
    result: dict[str, Any] = {
        "peak_without_sampler": f"{plain.maxrss_mib:.1f} MiB",
        "peak_with_sampler": f"{sampled.maxrss_mib:.1f} MiB",
        "phases (VmRSS / VmHWM at the end)": [
            f"{n}: {t:.3f} s, {r} / {h} MiB" for n, t, r, h in sorted(found["marks"], key=_when)
        ],
        "first post (the fake's first status), s after the spawn": round(first_post, 3),
        "growth by what ran (MiB, >= 1)": ", ".join(f"{k} {v:.1f}" for k, v in growth if v >= 1),
    }
    if "traced" in found:
        result["traced_peak_mib"] = round(found["traced_peak_mib"], 1)
        result["traced_at_peak_by_package_mib"] = found["traced"]
    ours = [m for m in modules if m.startswith("outreach")]
    return result, ours


def run(
    quick: bool = False, items: tuple[int, ...] = (200, 1000), tracemalloc: bool = False
) -> dict[str, Any]:
    if quick:
        items = (5,)
    figures: dict[str, Any] = {"load": Path("/proc/loadavg").read_text().split()[:3]}
    ours: list[str] = []
    for n in items:
        figures[f"run_{n}"], ours = run_phases(n, tracemalloc)
    figures["imports"] = import_costs(ours, quick)
    figures["load_after"] = Path("/proc/loadavg").read_text().split()[:3]
    return figures


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--items", default="200,1000")
    p.add_argument("--tracemalloc", action="store_true")
    a = p.parse_args()
    items = tuple(int(x) for x in a.items.split(","))
    report("memory by phase", run(a.quick, items, a.tracemalloc), a.json)


if __name__ == "__main__":
    main()
