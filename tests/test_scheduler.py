"""The APScheduler wrapper: jobs rebuilt from data, one importable callable, an injected clock."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest

from outreach.clock import ScaledClock, SystemClock
from outreach.config import FeedConfig
from outreach.schedule import Announcement, next_occurrence
from outreach.scheduler import Scheduler, fire

UTC = dt.UTC
MINSK = ZoneInfo("Europe/Minsk")


def ann(ident: str, cron: str = "0 10 * * mon", **kw) -> Announcement:
    return Announcement(
        id=ident, channels=("m",), timezone="Europe/Minsk", cron=cron,
        active_from=dt.datetime(2024, 1, 1, tzinfo=UTC), **kw,
    )  # fmt: skip


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.event = threading.Event()

    def __call__(self, kind: str, ident: str) -> None:
        self.calls.append((kind, ident))
        self.event.set()


@pytest.fixture
def started():
    made: list[Scheduler] = []

    def make(**kw) -> tuple[Scheduler, Recorder]:
        rec = Recorder()
        s = Scheduler(rec, **kw)
        s.start()
        made.append(s)
        return s, rec

    yield make
    for s in made:
        s.shutdown()


def test_jobs_are_rebuilt_from_data_with_explicit_ids_and_one_importable_function(started):
    sched, _ = started(misfire_grace=dt.timedelta(minutes=30))
    feeds = [FeedConfig(id="news", path="news.xml", poll_minutes=15)]
    sched.sync([ann("weekly"), ann("yearly", "0 10 4 8 *")], feeds)
    sched.sync([ann("weekly"), ann("yearly", "0 10 4 8 *")], feeds)  # again: replaced, not doubled
    jobs = {j.id: j for j in sched.aps.get_jobs()}
    assert sorted(jobs) == ["announcement:weekly", "announcement:yearly", "feed:news"]
    for job in jobs.values():
        assert job.func_ref == "outreach.scheduler:fire"
        assert all(isinstance(a, str) for a in job.args)
        assert job.coalesce is True
        assert job.misfire_grace_time == 30 * 60
    assert jobs["announcement:weekly"].args[1:] == ("announcement", "weekly")
    from apscheduler.jobstores.memory import MemoryJobStore

    assert isinstance(sched.aps._jobstores["default"], MemoryJobStore)


def test_a_cancelled_or_removed_announcement_loses_its_job(started):
    sched, _ = started()
    sched.sync([ann("a"), ann("b")], [])
    cancelled = Announcement(**{**ann("b").__dict__, "cancelled": True})
    sched.sync([ann("a"), cancelled], [])
    assert [j.id for j in sched.aps.get_jobs()] == ["announcement:a"]
    sched.sync([], [])
    assert sched.aps.get_jobs() == []


def test_next_run_is_the_schedules_next_occurrence_on_the_injected_clock(started):
    start = dt.datetime(2024, 7, 30, 12, tzinfo=UTC)  # a Tuesday
    sched, _ = started(clock=ScaledClock(start, speed=1.0))
    sched.sync([ann("weekly")], [])
    nxt = sched.next_runs()["announcement:weekly"]
    assert nxt is not None
    expected = next_occurrence(ann("weekly"), start)
    assert expected == dt.datetime(2024, 8, 5, 10, tzinfo=MINSK)
    assert abs((nxt - expected).total_seconds()) < 1


def test_a_job_fires_at_its_time_on_a_fast_clock():
    # two minutes before 10:00 on a clock running 240x: due in half a real second
    clock = ScaledClock(dt.datetime(2024, 8, 5, 9, 58, tzinfo=MINSK), speed=240)
    rec = Recorder()
    sched = Scheduler(rec, clock=clock)
    sched.start()
    try:
        sched.sync([ann("weekly")], [])
        assert rec.event.wait(10), "the job did not fire"
        assert rec.calls[0] == ("announcement", "weekly")
        assert clock.now() >= dt.datetime(2024, 8, 5, 10, tzinfo=MINSK)
    finally:
        sched.shutdown()


def test_a_job_of_a_stopped_scheduler_does_nothing(caplog):
    fire("no-such-owner", "announcement", "x")
    assert "fired for a scheduler that has stopped" in caplog.text


def test_scaled_clock_maps_both_ways():
    ticks = iter([100.0, 110.0])
    clock = ScaledClock(dt.datetime(2024, 1, 1, tzinfo=UTC), speed=60, real=lambda: next(ticks))
    assert clock.now() == dt.datetime(2024, 1, 1, 0, 10, tzinfo=UTC)  # 10 real s = 10 min
    moment = dt.datetime(2024, 1, 1, 1, tzinfo=UTC)
    assert clock.from_real(clock.to_real(moment)) == moment
    assert clock.to_real(moment).timestamp() == pytest.approx(160.0)


def test_system_clock_is_the_identity():
    moment = dt.datetime(2024, 1, 1, tzinfo=UTC)
    assert SystemClock().to_real(moment) == moment == SystemClock().from_real(moment)
