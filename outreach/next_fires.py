"""When each announcement fires next, remembered across restarts, and when that may be used.

A plan over ten thousand announcements computes, for each one, the first fire
time after the moment up to which it is settled (schedule.plan): some 0.4 s of
CPU at every start, most of it APScheduler's CronTrigger stepping through its
fields, for an answer that is nearly always "not yet". The planner keeps that
answer in the ledger (table next_fires) and a restart reads it back instead.

A row says: for the schedule named by `fingerprint`, the first fire time strictly
after `settled_until` is `next_at` (None: it fires no more). That is a pure
function of the two, so a row is used only when both still match what the plan
would start from, and then the plan decides exactly as it would have computed:
an announcement changed in the file or by an organiser has another fingerprint,
one that fired or was recorded missed has another settled_until, and one whose
remembered time has come is computed in full (due, coalesced, missed) as
before. The fingerprint covers what makes the fire times besides the
definition: the time zone's rules as this machine has them (the zone file's
bytes, so a tzdata update is a new fingerprint), APScheduler's version and
RULES below (raise it when schedule.py's stepping changes).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import zoneinfo
from collections.abc import Mapping
from pathlib import Path

from . import schedule
from .ledger import NextFire

RULES = 1
"""schedule.py's way of stepping through fire times (next_after); a change is a new one."""


@functools.lru_cache(maxsize=256)
def _zone_rules(name: str) -> str:
    """A digest of the zone's rules as zoneinfo loads them here: TZPATH first, then the
    tzdata package (zoneinfo's own order); '' when neither has it."""
    data = b""
    if name and not name.startswith(("/", ".")) and ".." not in name:
        for root in zoneinfo.TZPATH:
            path = Path(root) / name
            if path.is_file():
                data = path.read_bytes()
                break
        else:
            try:
                from importlib.resources import files

                package, _, leaf = f"tzdata.zoneinfo.{name}".replace("/", ".").rpartition(".")
                data = files(package).joinpath(leaf).read_bytes()
            except (ImportError, OSError, ValueError):
                data = b""
    return hashlib.sha256(data).hexdigest()[:16] if data else ""


@functools.cache
def _scheduler_version() -> str:
    import apscheduler

    return str(getattr(apscheduler, "__version__", "?"))


@functools.lru_cache(maxsize=100_000)
def _fingerprint(cron: str | None, at: dt.datetime | None, fold: int, tz_name: str) -> str:
    at_text = "" if at is None else at.astimezone(dt.UTC).isoformat()
    what = "\0".join(
        (
            str(RULES),
            _scheduler_version(),
            cron or "",
            at_text,
            str(fold),
            tz_name,
            _zone_rules(tz_name),
        )
    )
    return hashlib.sha256(what.encode()).hexdigest()[:32]


def fingerprint(ann: schedule.Announcement) -> str:
    """What decides the announcement's fire times, as a digest (the module docstring)."""
    return _fingerprint(ann.cron, ann.at, ann.at.fold if ann.at else 0, ann.timezone)


def remembered_next(
    ann: schedule.Announcement,
    done: dt.datetime | None,
    remembered: Mapping[str, NextFire],
) -> dt.datetime | None:
    """The announcement's first fire time after where it is settled, as remembered, when
    the row still stands for it: schedule.NEVER when it fires no more; None when there is
    no such row (the plan computes it)."""
    row = remembered.get(ann.id)
    if row is None or row.fingerprint != fingerprint(ann):
        return None
    if row.settled_until != schedule.settled_until(ann, done):
        return None
    return schedule.NEVER if row.next_at is None else row.next_at


def row(ann: schedule.Announcement, done: dt.datetime | None, nxt: dt.datetime) -> NextFire:
    """What to remember of an announcement a plan found nothing to do for until `nxt`
    (schedule.NEVER: never again)."""
    return NextFire(
        ann.id,
        fingerprint(ann),
        schedule.settled_until(ann, done),
        None if nxt == schedule.NEVER else nxt,
    )
