"""The campaign file's announcements brought into the ledger, at every start (`sync`).

They are upserted with source 'yaml': one declared exactly as it is stored is
not written again, one the organisers cancelled stays cancelled (their later
word wins), one removed from the file is cancelled. The reading of every
announcement this makes is handed to the service's first plan (planner.py),
so a start over ten thousand reads them once. The organisers' own
announcements (the CLI, the admin bot, the web console) are
outreach/announcements.py's.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from . import schedule
from .announcements import for_schedule
from .config import AnnouncementConfig, Config
from .errors import ConfigError, ScheduleError

if TYPE_CHECKING:
    from .ledger import Ledger, StoredAnnouncement

log = logging.getLogger("outreach.announcements")
UTC = dt.UTC


def _aware_at(at: dt.datetime, tz_name: str) -> dt.datetime:
    return schedule.localize(at, schedule.zone(tz_name)).astimezone(UTC)


def from_config(ann: AnnouncementConfig, config: Config) -> StoredAnnouncement:
    from .ledger import StoredAnnouncement

    tz_name = ann.timezone or config.campaign.timezone
    return StoredAnnouncement(
        id=ann.id,
        template=ann.template,
        page=ann.page,
        channels=tuple(ann.channels),
        timezone=tz_name,
        at=_aware_at(ann.at, tz_name) if ann.at else None,
        cron=ann.cron,
        source="yaml",
        text=ann.text,
    )


@dataclass(frozen=True)
class Synced:
    """What sync did."""

    changes: list[str]
    """What changed, in words (also logged)."""
    stored: list[StoredAnnouncement]
    """Every announcement in the ledger after the sync, by id, as `ledger.announcements()`
    would read them then (sync's docstring): the service's first plan starts from this
    (planner.py)."""


_READ_BACK_ONE_BY_ONE = 100
"""sync: up to this many written announcements are read back each by its id."""


def sync_yaml(config: Config, ledger: Ledger) -> list[str]:
    """Upsert the campaign file's announcements; returns what changed, in words."""
    return sync(config, ledger).changes


def sync(config: Config, ledger: Ledger) -> Synced:
    """Upsert the campaign file's announcements; what changed, and every announcement after.

    The ledger's announcements are read once: one the file declares exactly as it is
    stored is not written again, and those written (added, changed, cancelled) are
    read back, so the result is what the store holds, not what was sent to it. Many
    written (a first start on a long campaign file): all are read again instead.
    """
    problems: list[str] = []
    wanted: list[StoredAnnouncement] = []
    for i, ann in enumerate(config.announcements):
        field = "at" if ann.at else "cron"
        try:
            stored = from_config(ann, config)
            schedule.trigger(for_schedule(stored, config))
        except ScheduleError as exc:
            problems.append(f"{config.source}: announcements[{i}].{field}: {exc}")
            continue
        wanted.append(stored)
    if problems:
        raise ConfigError(f"{config.source}: announcements cannot be scheduled", problems)
    changes: list[str] = []
    current = {a.id: a for a in ledger.announcements()}
    written: list[str] = []
    for stored in wanted:
        old = current.get(stored.id)
        if old is not None and old.state != "active":
            stored = replace(stored, state=old.state)
        if old is None:
            changes.append(f"announcement {stored.id!r} added from the campaign file")
        elif _when(old) != _when(stored) or (old.template, old.text) != (
            stored.template,
            stored.text,
        ):
            changes.append(f"announcement {stored.id!r} updated from the campaign file")
        if old is not None and replace(stored, created_at=old.created_at) == old:
            continue  # stored as declared: writing it again would change nothing
        ledger.save_announcement(stored)
        written.append(stored.id)
    declared = {a.id for a in wanted}
    for old in current.values():
        if old.source == "yaml" and old.state == "active" and old.id not in declared:
            ledger.cancel_announcement(old.id)
            written.append(old.id)
            changes.append(f"announcement {old.id!r} is no longer in the campaign file: cancelled")
    for change in changes:
        log.info("%s", change)
    if len(written) > _READ_BACK_ONE_BY_ONE:
        return Synced(changes, ledger.announcements())
    for ann_id in written:
        back = ledger.announcement(ann_id)
        if back is None:  # deleted by another process meanwhile: as a reading now would say
            current.pop(ann_id, None)
        else:
            current[ann_id] = back
    # By id: the ledger's own order where nothing was written; Python's otherwise (SQLite's
    # too; a PostgreSQL collation may place some ids otherwise, which no plan depends on).
    after = list(current.values()) if not written else [current[k] for k in sorted(current)]
    return Synced(changes, after)


def _when(a: StoredAnnouncement) -> tuple[Any, ...]:
    return (a.at, a.cron, a.timezone, tuple(a.channels), a.page)
