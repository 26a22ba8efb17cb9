"""Scale: 10,000 scheduled announcements in the store; 1,000 of them due in the same minute.

`outreach run` as the CLI wires it (outreach.app.App.service: ledger,
publishers, delivery loop, alerts hook), on the real clock, in a fresh
process, against a SQLite store filled beforehand with N announcements
(one-off `at` times over the coming year and weekly crons, none due during
the run) plus `--due` announcements all due at the same instant, about
`--lead` seconds after the process starts. Channels have no token, so posts
go to the dry-run publisher (no network, no pacing): what is measured is the
service itself.

Figures: start-up (process start -> first turn done: imports, ledger,
first plan), resident memory after start-up and at peak, the CPU time of
the turn that fires (this process's, all threads: the delivery threads
start on the first committed batch), from its start (`fire_turn_cpu_s`)
and from the end of the turn before (`since_last_turn_cpu_s`: with the idle
time between, where the posts due next are rendered ahead, prerender.py),
and the lateness of the due announcements, p50 and p99:

- fired: from the due moment to the commit of the transaction that queued
  the announcement's post (what `outreach deliveries` then lists and the
  delivery loop can claim; a kill -9 after it loses nothing). The rows'
  `created_at` is stamped inside that transaction, before the rest of its
  batch is written, so it would flatter the figure; the commit is when the
  service's queueing loop (Outbox.queue_batches) hands the batch back.
- sent: sent_at - due time (the dry-run publisher, no network); `first_sent_s`
  the first of them (what a subscriber waits for the first post).

`child_cpu_s`: the CPU of the whole run that fires (start-up, the idle time
(--lead) with its rendering ahead, the firing turn, every send), from wait4: the same
work before and after a change that only moves when posts go out, where
`fire_turn_cpu_s` also counts whatever the delivery threads did during the turn.

Start-up is a restart's: a first run of the service over the N announcements,
stopped once its first turn is done and it has written what it keeps for the
next start (when each announcement fires next, outreach/next_fires.py), comes
before; its own figures are `first_startup_s` and `first_startup_cpu_s`. The
due announcements are written after it (1,000 added since the last start:
the restart computes their times).

Baseline: the same runs with one announcement in the store, due at the same
moment. The store is on tmpfs when there is one (bench._common.scratch_dir).

    .venv/bin/python bench/scale.py [--announcements 10000] [--due 1000] [--no-ahead] [--quick]
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._common import parser, percentile, report, run_measured, scratch_dir  # noqa: E402

UTC = dt.UTC


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def prepare(tmp: Path, total: int, due: int) -> tuple[Path, Any]:
    """A campaign file (the bundled one, no feeds) and a store holding the announcements
    not due during the run; returns the file and a function writing the `due` ones, due
    `lead` seconds after it is called (add_due(lead))."""
    import yaml

    from outreach.config import load_config
    from outreach.ledger import StoredAnnouncement, open_ledger

    bundled = Path(load_config(None, {}).source)
    data = yaml.safe_load(bundled.read_text(encoding="utf-8"))
    data["feeds"] = []
    data["store"] = {"url": f"sqlite:///{tmp / 'store.sqlite3'}"}
    cfg_path = tmp / "outreach.yaml"
    cfg_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    channels = [c["id"] for c in data["channels"]]

    rng = random.Random(7)
    now = dt.datetime.now(UTC)
    quiet_day = (now.weekday() + 3) % 7  # weekly crons on a day that is not today
    rows = []
    for i in range(total - due):
        row: dict[str, Any] = {"at": None, "cron": None}
        if i % 2:
            row["at"] = now + dt.timedelta(days=1 + rng.random() * 364)
        else:
            row["cron"] = f"{rng.randrange(60)} {rng.randrange(24)} * * {quiet_day}"
        rows.append({"id": f"later-{i}", **row})
    ledger = open_ledger(f"sqlite:///{tmp / 'store.sqlite3'}")

    def save(rows: list[dict[str, Any]], first: int) -> None:
        ledger.save_announcements(  # one transaction: set-up, not what is measured
            [
                StoredAnnouncement(
                    id=r["id"],
                    template="reminder",
                    page="ales",
                    channels=(channels[n % len(channels)],),
                    timezone="Europe/Minsk",
                    at=r["at"],
                    cron=r["cron"],
                    source="cli",
                    created_at=now,
                )
                for n, r in enumerate(rows, first)
            ]
        )

    save(rows, 0)
    ledger.close()

    def add_due(lead: float) -> None:
        nonlocal ledger
        ledger = open_ledger(f"sqlite:///{tmp / 'store.sqlite3'}")
        # the lead counts from here: writing the others takes seconds on a loaded machine
        due_at = (dt.datetime.now(UTC) + dt.timedelta(seconds=lead)).replace(microsecond=0)
        save([{"id": f"due-{i}", "at": due_at, "cron": None} for i in range(due)], len(rows))
        ledger.close()

    return cfg_path, add_due


def child(
    cfg_path: str, due: int, spawned: float, timeout: float, ahead: bool = True
) -> dict[str, Any]:
    """Run the service until every due announcement was sent; report from inside.

    due == 0: the first start, stopped once its first turn is done and what it keeps for
    the next start is written."""
    try:
        from outreach.startup import hold_collector
    except ImportError:  # a tree before it (PYTHONPATH on an older checkout)
        pass
    else:
        hold_collector()  # as outreach.cli.main does first (outreach/startup.py)
    from outreach.app import App

    app = App(cfg_path, {})
    app.dry_run_out = open(os.devnull, "w")  # noqa: SIM115  (the dry-run publisher prints every post)
    service = app.service()
    ready = threading.Event()
    figures: dict[str, Any] = {}
    hook = service.on_turn

    cpu_at_turn = [0.0]

    def on_turn(turn: Any) -> None:
        # CPU time too (this process's, all threads): on a loaded machine it moves far
        # less than the wall-clock figures. The turn that queues the due ones is measured
        # from the end of the turn before it (the service idles in between).
        cpu = time.process_time()
        if not ready.is_set():
            figures["startup_s"] = time.time() - spawned
            figures["startup_cpu_s"] = cpu
            figures["rss_after_startup_mib"] = _rss_mib()
            ready.set()
        elif turn.queued and "since_last_turn_cpu_s" not in figures:
            figures["since_last_turn_cpu_s"] = cpu - cpu_at_turn[0]
        cpu_at_turn[0] = cpu
        if hook is not None:
            hook(turn)

    service.on_turn = on_turn
    plain_turn = service.turn

    def timed_turn() -> Any:
        # The firing turn alone, from its start (since_last_turn_cpu_s adds the idle time
        # before it, where the service renders the posts due next ahead, prerender.py).
        cpu, wall = time.process_time(), time.time()
        turn = plain_turn()
        if turn.queued and "fire_turn_cpu_s" not in figures:
            figures["fire_turn_cpu_s"] = time.process_time() - cpu
            figures["fire_turn_wall_s"] = time.time() - wall
        return turn

    service.turn = timed_turn  # type: ignore[method-assign]
    render_ahead = getattr(service, "render_ahead", None)
    figures["rendered_ahead"] = 0

    def counted_ahead() -> int:
        n = render_ahead() if ahead else 0  # type: ignore[misc]
        figures["rendered_ahead"] += n
        return n

    if render_ahead is not None:
        service.render_ahead = counted_ahead  # type: ignore[method-assign]
    committed: dict[int, float] = {}
    queue_batches = service.outbox.queue_batches

    def timed_batches(*args: Any, **kwargs: Any) -> Any:
        # Each chunk is yielded once its transaction has committed: that is the firing.
        for chunk in queue_batches(*args, **kwargs):
            at = time.time()
            for _job, queued in chunk:
                for q in queued or ():
                    if q.delivery_id is not None:
                        committed.setdefault(q.delivery_id, at)
            yield chunk

    service.outbox.queue_batches = timed_batches  # type: ignore[method-assign]
    kept = threading.Event()
    planner = getattr(service, "planner", None)
    remember = getattr(planner, "remember", None)
    if remember is not None:

        def remembered() -> int:
            n = remember()
            figures.setdefault("remembered", n)
            kept.set()
            return n

        planner.remember = remembered  # type: ignore[union-attr]
    else:  # a tree before next_fires.py: nothing to wait for
        kept.set()
    runner = threading.Thread(target=service.run, name="service")
    runner.start()
    ready.wait(timeout)
    if due == 0:
        kept.wait(timeout)
        service.stop.set()
        service.wake.set()
        runner.join(60)
        return figures
    deadline = time.monotonic() + timeout
    ledger = service.ledger
    rows: list[Any] = []
    # Only the due announcements make deliveries, one each (one channel per announcement):
    # the count of sent rows says when they are all out. (Reading every row five times a
    # second, as this did before, competed with the service for the GIL.)
    while time.monotonic() < deadline and ledger.counts().get("sent", 0) < due:
        time.sleep(0.2)
    rows = [
        d
        for d in ledger.deliveries(limit=10 * due + 100)
        if d.about.startswith("announcement:due-")
    ]
    figures["rss_at_end_mib"] = _rss_mib()
    service.stop.set()
    service.wake.set()
    runner.join(60)
    queued = [
        committed[d.id] - d.occurrence.timestamp()
        for d in rows
        if d.occurrence and d.id in committed
    ]
    stamped = [(d.created_at - d.occurrence).total_seconds() for d in rows if d.occurrence]
    sent = [(d.sent_at - d.occurrence).total_seconds() for d in rows if d.sent_at and d.occurrence]
    occurrences = [d.occurrence.timestamp() for d in rows if d.occurrence]
    figures.update(
        idle_before_due_s=min(occurrences) - spawned - figures["startup_s"] if rows else None,
        due=due,
        queued=len(queued),
        sent=len(sent),
        fire_lateness_p50_s=percentile(queued, 50) if queued else None,
        fire_lateness_p99_s=percentile(queued, 99) if queued else None,
        created_lateness_p99_s=percentile(stamped, 99) if stamped else None,
        sent_lateness_p50_s=percentile(sent, 50) if sent else None,
        sent_lateness_p99_s=percentile(sent, 99) if sent else None,
        first_sent_s=min(sent) if sent else None,
    )
    return figures


def _start(cfg: Path, due: int, timeout: float, ahead: bool) -> tuple[dict[str, Any], Any]:
    spawned = time.time()
    res = run_measured(
        [
            __file__,
            "--child",
            str(cfg),
            "--due",
            str(due),
            "--spawned",
            repr(spawned),
            "--timeout",
            str(timeout),
            *([] if ahead else ["--no-ahead"]),
        ]
    )
    return json.loads(res.out.strip().splitlines()[-1]), res


def one_run(total: int, due: int, lead: float, ahead: bool = True) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-scale-", dir=scratch_dir()) as tmp:
        cfg, add_due = prepare(Path(tmp), total, due)
        first, _ = _start(cfg, 0, 300, ahead)
        add_due(lead)
        figures, res = _start(cfg, due, lead + 300, ahead)
    return {
        **figures,
        "first_startup_s": first["startup_s"],
        "first_startup_cpu_s": first["startup_cpu_s"],
        "peak_rss_mib": res.maxrss_mib,
        "child_cpu_s": res.cpu,
    }


def run(
    quick: bool = False,
    announcements: int = 10_000,
    due: int = 1_000,
    lead: float = 30.0,
    ahead: bool = True,
) -> dict[str, Any]:
    if quick:
        announcements, due, lead = 40, 5, 3.0
    base = one_run(1, 1, lead, ahead)
    full = one_run(announcements, due, lead, ahead)
    out: dict[str, Any] = {"announcements": announcements, "due_in_same_minute": due}
    for key in (
        "first_startup_s",
        "first_startup_cpu_s",
        "startup_s",
        "startup_cpu_s",
        "fire_turn_cpu_s",
        "since_last_turn_cpu_s",
        "fire_turn_wall_s",
        "rendered_ahead",
        "idle_before_due_s",
        "rss_after_startup_mib",
        "peak_rss_mib",
        "fire_lateness_p50_s",
        "fire_lateness_p99_s",
        "created_lateness_p99_s",
        "sent_lateness_p50_s",
        "sent_lateness_p99_s",
        "first_sent_s",
        "child_cpu_s",
    ):
        out[f"baseline_{key}"] = base.get(key)
        out[key] = full.get(key)
    out["queued"], out["sent"] = full["queued"], full["sent"]
    out["ratio_startup"] = full["startup_s"] / base["startup_s"]
    out["ratio_rss_after_startup"] = full["rss_after_startup_mib"] / base["rss_after_startup_mib"]
    return out


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--announcements", type=int, default=10_000)
    p.add_argument("--due", type=int, default=1_000)
    p.add_argument("--lead", type=float, default=30.0, help="seconds from start to the due time")
    p.add_argument(
        "--no-ahead",
        action="store_true",
        help="render nothing ahead: every due post is rendered in the turn that queues it "
        "(announcements added a moment before their time, a restart at the moment)",
    )
    p.add_argument("--child", help=__import__("argparse").SUPPRESS)
    p.add_argument("--spawned", type=float, help=__import__("argparse").SUPPRESS)
    p.add_argument("--timeout", type=float, default=300.0, help=__import__("argparse").SUPPRESS)
    a = p.parse_args()
    if a.child:
        figures = child(a.child, a.due, a.spawned, a.timeout, not a.no_ahead)
        print(json.dumps(figures, default=str))
        return
    report("scale", run(a.quick, a.announcements, a.due, a.lead, not a.no_ahead), a.json)


if __name__ == "__main__":
    main()
