"""Several `outreach run` processes on one store, for tests and bench/takeover.py.

Each instance is a real process (its stderr in a log file) started on a campaign
file written for the run; a simulated clock (OUTREACH_CLOCK_SPEED) may shorten
pacing, while leases stay in real seconds (the database's); every process
reads one simulated time (OUTREACH_CLOCK_EPOCH), as machines agree by NTP.
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from servicekit import write_campaign

from outreach.ledger import CHANNEL, open_ledger

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class TimedOut(AssertionError):
    pass


def poll(what: str, check: Callable[[], Any], timeout: float, logs: Iterable[Path] = ()) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    tails = "\n".join(p.read_text(errors="replace")[-1500:] for p in logs if p.exists())
    raise TimedOut(f"timed out waiting for {what}; the instances said:\n{tails}")


def campaign_env(
    folder: Path,
    url: str,
    channels: list[dict[str, Any]],
    *,
    speed: float = 1.0,
    lease: float = 5.0,
    renew: float = 1.0,
    secrets: dict[str, str] | None = None,
) -> dict[str, str]:
    config = write_campaign(
        folder,
        feeds=[],
        announcements=[],
        channels=channels,
        store={"url": url, "lease_seconds": lease, "renew_seconds": renew},
        delivery={"timeout_seconds": 5, "backoff_base_seconds": 2, "backoff_max_seconds": 20},
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OUTREACH_", "MI_"))}
    return env | {
        "OUTREACH_CONFIG": str(config),
        "OUTREACH_FAKE_NOW": T0.isoformat(),
        "OUTREACH_CLOCK_SPEED": str(speed),
        # every process's simulated clock read T0 now: they agree, as machines do by NTP
        "OUTREACH_CLOCK_EPOCH": repr(time.time()),
        "PYTHONUNBUFFERED": "1",
        **(secrets or {}),
    }


class Instance:
    """One `outreach run` (its simulated clock is the others', OUTREACH_CLOCK_EPOCH)."""

    def __init__(self, env: dict[str, str], log: Path, *args: str) -> None:
        self.log = log
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from outreach.cli import main; main()", "run", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("a", encoding="utf-8"),
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()


def held_by_pid(url: str) -> dict[int, set[str]]:
    """What the store says each live instance holds, by pid."""
    ledger = open_ledger(url)
    try:
        out: dict[int, set[str]] = collections.defaultdict(set)
        for held in ledger.leases.held():
            out[held.pid].add(held.name)
        return out
    finally:
        ledger.close()


def holder(url: str, channel_id: str) -> int | None:
    """The pid of the instance holding the channel now, if any."""
    return next((p for p, names in held_by_pid(url).items() if CHANNEL + channel_id in names), None)
