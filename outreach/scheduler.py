"""APScheduler 3 wiring: it decides when the service wakes up, nothing else.

The ledger is the truth. On start the jobs are made (the service makes one per
feed: it wakes itself for the announcements at the earliest next occurrence
its plan found, which costs nothing per announcement; `sync` can also make
one per announcement) in a MemoryJobStore: nothing is pickled, so no job holds
a live object or a token. Every job points at one
module-level function, `fire`, with primitive arguments (which scheduler,
what kind, which id); it only tells the service to look at the ledger, and the
service decides with outreach.schedule what is due, missed or coalesced. A
job firing twice, late or not at all therefore never sends anything twice:
the service also looks on its own at least once a minute.

The clock is injected. APScheduler waits in real time, so the triggers are
wrapped in `ClockTrigger`, which computes fire times in the clock's time and
hands APScheduler the matching real instants; with the system clock that is
the identity, with a `ScaledClock` (a fake "now" that runs N times faster,
for end-to-end tests and demos) a weekly cron can fire within seconds.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from . import schedule
from .clock import Clock, SystemClock

if TYPE_CHECKING:
    from .config import FeedConfig

log = logging.getLogger("outreach.scheduler")
UTC = dt.UTC


# -- jobs --------------------------------------------------------------------

_OWNERS: dict[str, Callable[[str, str], None]] = {}
_OWNERS_LOCK = threading.Lock()


def fire(owner: str, kind: str, ident: str) -> None:
    """What every job calls: tell the owning service that `kind` `ident` may be due."""
    with _OWNERS_LOCK:
        callback = _OWNERS.get(owner)
    if callback is None:
        log.warning("job %s:%s fired for a scheduler that has stopped", kind, ident)
        return
    callback(kind, ident)


def _make_clock_trigger():
    from apscheduler.triggers.base import BaseTrigger

    class ClockTrigger(BaseTrigger):
        """Fire times computed on the injected clock, handed to APScheduler in real time."""

        __slots__ = ("clock", "inner")

        def __init__(self, inner: Any, clock: Clock) -> None:
            self.inner = inner
            self.clock = clock

        def get_next_fire_time(self, previous_fire_time, now):
            after = self.clock.from_real(now)
            if previous_fire_time is not None:
                after = max(after, self.clock.from_real(previous_fire_time))
            nxt = schedule.next_after(self.inner, after)
            return None if nxt is None else self.clock.to_real(nxt)

        def __str__(self) -> str:
            return f"clock[{self.inner}]"

    return ClockTrigger


def job_id(kind: str, ident: str) -> str:
    return f"{kind}:{ident}"


class Scheduler:
    """Our small class over APScheduler's BackgroundScheduler."""

    def __init__(
        self,
        on_fire: Callable[[str, str], None],
        *,
        clock: Clock | None = None,
        misfire_grace: dt.timedelta = dt.timedelta(minutes=60),
    ) -> None:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.jobstores.memory import MemoryJobStore
        from apscheduler.schedulers.background import BackgroundScheduler

        self.clock: Clock = clock or SystemClock()
        self.owner = uuid.uuid4().hex
        self._on_fire = on_fire
        self._trigger_class = _make_clock_trigger()
        self.aps = BackgroundScheduler(
            jobstores={"default": MemoryJobStore()},
            # one worker: a job only sets a flag, and order is kept
            executors={"default": ThreadPoolExecutor(1)},
            job_defaults={
                "coalesce": True,
                # APScheduler counts grace in real seconds; ours is in clock time
                "misfire_grace_time": max(1, int(self._real_seconds(misfire_grace))),
                "max_instances": 1,
            },
            timezone=UTC,
        )

    def _real_seconds(self, span: dt.timedelta) -> float:
        start = self.clock.now()
        return (self.clock.to_real(start + span) - self.clock.to_real(start)).total_seconds()

    # -- life ----------------------------------------------------------------

    def start(self) -> None:
        with _OWNERS_LOCK:
            _OWNERS[self.owner] = self._on_fire
        self.aps.start()

    def shutdown(self) -> None:
        with _OWNERS_LOCK:
            _OWNERS.pop(self.owner, None)
        if self.aps.running:
            self.aps.shutdown(wait=False)

    # -- jobs ----------------------------------------------------------------

    def sync(
        self, announcements: Iterable[schedule.Announcement], feeds: Iterable[FeedConfig]
    ) -> None:
        """Make the jobs match the database: add or replace the active ones, drop the rest."""
        wanted: set[str] = set()
        for ann in announcements:
            if ann.cancelled:
                continue
            wanted.add(self.add_announcement(ann))
        for feed in feeds:
            wanted.add(self.add_feed(feed))
        for job in self.aps.get_jobs():
            if job.id not in wanted:
                job.remove()

    def add_announcement(self, ann: schedule.Announcement) -> str:
        return self._add("announcement", ann.id, schedule.trigger(ann))

    def add_feed(self, feed: FeedConfig) -> str:
        from apscheduler.triggers.interval import IntervalTrigger

        interval = IntervalTrigger(
            minutes=feed.poll_minutes, start_date=self.clock.now(), timezone=UTC
        )
        return self._add("feed", feed.id, interval)

    def remove(self, kind: str, ident: str) -> None:
        job = self.aps.get_job(job_id(kind, ident))
        if job is not None:
            job.remove()

    def _add(self, kind: str, ident: str, inner: Any) -> str:
        jid = job_id(kind, ident)
        self.aps.add_job(
            fire,
            trigger=self._trigger_class(inner, self.clock),
            args=(self.owner, kind, ident),
            id=jid,
            name=jid,
            replace_existing=True,
        )
        return jid

    def next_runs(self) -> dict[str, dt.datetime | None]:
        """Job id -> next fire time on the clock (None: paused or finished)."""
        out: dict[str, dt.datetime | None] = {}
        for job in self.aps.get_jobs():
            nxt = getattr(job, "next_run_time", None)
            out[job.id] = None if nxt is None else self.clock.from_real(nxt)
        return out
