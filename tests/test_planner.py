"""The planner at start-up (issue 15): the announcements are read once, the campaign file's
are written only when they changed, and a later plan reads the store as it is then."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from test_service import MINSK, ONE_OFF, WEEKLY, Rig

from outreach import announcement_sync, announcements, schedule
from outreach.ledger import StoredAnnouncement
from outreach.service import Service


class Counting:
    """A ledger that counts the calls named in `names` and otherwise is the ledger."""

    def __init__(self, ledger: Any, *names: str) -> None:
        self._ledger = ledger
        self.calls = dict.fromkeys(names, 0)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._ledger, name)
        if name not in self.calls:
            return attr

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return attr(*args, **kwargs)

        return counted


def counted_service(rig: Rig, *names: str) -> tuple[Service, Counting]:
    ledger = Counting(rig.ledger, *names)
    service = Service(rig.config, ledger, rig.service.delivery, clock=rig.clock)  # type: ignore[arg-type]
    return service, ledger


def test_run_once_reads_the_announcements_once_and_sends_what_the_file_declares(
    tmp_path: Path,
):
    rig = Rig(tmp_path, dt.datetime(2026, 3, 3, 10, 0, 20, tzinfo=MINSK), announcements=[WEEKLY])
    rig.ledger.save_announcement(
        StoredAnnouncement(
            id="from-the-bot", template="reminder", page="ales", channels=("*",),
            timezone="Europe/Minsk", at=dt.datetime(2026, 3, 3, 7, 0, tzinfo=dt.UTC),
            source="cli",
        )
    )  # fmt: skip
    rig.restart(announcements=[WEEKLY, ONE_OFF])  # the file adds one, due now too
    service, ledger = counted_service(rig, "announcements")
    service.run_once(max_wait=5)
    assert ledger.calls["announcements"] == 1  # the sync's reading served the first plan
    assert len(rig.sent("announcement:verdict-day")) == 3  # written by the sync, then planned
    assert len(rig.sent("announcement:from-the-bot")) == 3  # in the store before


def test_a_plan_after_start_up_reads_the_store_as_it_is_then(tmp_path: Path):
    rig = Rig(tmp_path, dt.datetime(2026, 3, 3, 9, 0, tzinfo=MINSK), announcements=[WEEKLY])
    rig.once()
    announcements.add(
        rig.config, rig.ledger, ident="later", template="reminder", page="ales",
        at=dt.datetime(2026, 3, 3, 9, 30, tzinfo=MINSK), now=rig.clock.now(),
    )  # fmt: skip
    rig.at(2026, 3, 3, 9, 30, 10)
    assert len(rig.service.plan().queued) == 3  # added after start-up, planned all the same


def test_the_reading_of_start_up_is_not_used_by_a_plan_long_after(tmp_path: Path):
    rig = Rig(tmp_path, dt.datetime(2026, 3, 3, 9, 0, tzinfo=MINSK), announcements=[ONE_OFF])
    synced = announcement_sync.sync(rig.config, rig.ledger)
    rig.service.planner.take_start_reading(synced.stored)
    rig.service.planner.take_start_reading(None)  # as the loop does after its first turn
    announcements.cancel(rig.ledger, "verdict-day")
    rig.at(2026, 3, 3, 10, 0, 10)
    assert rig.service.plan().queued == []  # the store says cancelled; the old reading did not


def test_the_campaign_file_is_written_only_where_it_changed(tmp_path: Path):
    rig = Rig(tmp_path, dt.datetime(2026, 3, 1, 12, 0, tzinfo=MINSK), announcements=[WEEKLY])
    first = Counting(rig.ledger, "save_announcement")
    synced = announcement_sync.sync(rig.config, first)  # type: ignore[arg-type]
    assert first.calls["save_announcement"] == 1
    assert synced.stored == rig.ledger.announcements()

    rig.restart(announcements=[WEEKLY, ONE_OFF])  # one added
    again = Counting(rig.ledger, "save_announcement")
    synced = announcement_sync.sync(rig.config, again)  # type: ignore[arg-type]
    assert again.calls["save_announcement"] == 1  # the new one; the weekly is as stored
    assert [a.id for a in synced.stored] == ["verdict-day", "weekly"]
    assert synced.stored == rig.ledger.announcements()

    announcements.cancel(rig.ledger, "weekly")
    rig.restart(announcements=[{**WEEKLY, "cron": "0 11 * * mon"}, ONE_OFF])
    edited = Counting(rig.ledger, "save_announcement")
    synced = announcement_sync.sync(rig.config, edited)  # type: ignore[arg-type]
    assert synced.changes == ["announcement 'weekly' updated from the campaign file"]
    assert edited.calls["save_announcement"] == 1
    weekly = {a.id: a for a in synced.stored}["weekly"]
    assert (weekly.cron, weekly.state) == ("0 11 * * mon", "cancelled")  # the cancel survives
    assert synced.stored == rig.ledger.announcements()

    rig.restart(announcements=[ONE_OFF])
    same = Counting(rig.ledger, "save_announcement", "cancel_announcement")
    synced = announcement_sync.sync(rig.config, same)  # type: ignore[arg-type]
    assert same.calls == {"save_announcement": 0, "cancel_announcement": 0}  # already cancelled
    assert synced.changes == [] and synced.stored == rig.ledger.announcements()


def test_a_wall_time_in_a_repeated_hour_keeps_its_instant_in_the_trigger():
    # 2026-10-25 02:30 happens twice in Berlin; the triggers are made once per schedule,
    # and the two are different schedules although the naive times compare equal.
    first, second = (
        schedule.Announcement(
            id=f"fold-{fold}",
            channels=("c",),
            timezone="Europe/Berlin",
            at=dt.datetime(2026, 10, 25, 2, 30, fold=fold),
        )
        for fold in (0, 1)
    )
    one, two = (schedule.trigger(a).run_date.astimezone(dt.UTC) for a in (first, second))
    assert two - one == dt.timedelta(hours=1)
    assert schedule.trigger(first) is schedule.trigger(first)


def test_a_long_campaign_file_written_at_once_is_read_back_at_once(tmp_path: Path):
    many = [{**ONE_OFF, "id": f"day-{n:03}"} for n in range(101)]
    rig = Rig(tmp_path, dt.datetime(2026, 3, 1, 12, 0, tzinfo=MINSK), announcements=many)
    ledger = Counting(rig.ledger, "announcements", "announcement")
    synced = announcement_sync.sync(rig.config, ledger)  # type: ignore[arg-type]
    assert ledger.calls == {"announcements": 2, "announcement": 0}  # not 101 reads by id
    assert synced.stored == rig.ledger.announcements() and len(synced.stored) == 101
