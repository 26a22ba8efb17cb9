"""When each announcement fires next, remembered across restarts (outreach/next_fires.py,
issue 15's start-up over 10,000 announcements): a restart plans from the remembered
times without stepping a trigger, and what a restart decides is what it decided before:
an edited schedule, an occurrence that passed while the service was down (within the
grace window or beyond it) and a changed time zone are computed afresh."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from test_service import CHANNELS, MINSK, ONE_OFF, WEEKLY, Rig

from outreach import next_fires, schedule


@pytest.fixture
def stepped(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every trigger step schedule.py takes from here on (the calls to next_after)."""
    calls: list[Any] = []
    real = schedule.next_after

    def counted(trig: Any, after: dt.datetime) -> dt.datetime | None:
        calls.append(trig)
        return real(trig, after)

    monkeypatch.setattr(schedule, "next_after", counted)
    return calls


def test_a_restart_plans_from_the_remembered_times_and_still_sends_on_time(
    tmp_path: Path, stepped: list[Any]
):
    rig = Rig(
        tmp_path, dt.datetime(2026, 3, 1, 12, 0, tzinfo=MINSK), announcements=[WEEKLY, ONE_OFF]
    )
    rig.once()  # works out Monday 10:00 and Tuesday 10:00, and keeps them
    assert stepped
    rig.restart()
    stepped.clear()
    turn = rig.once()
    assert stepped == [] and turn.queued == []  # nothing computed again, nothing due
    rig.at(2026, 3, 2, 10, 0, 20)
    rig.restart()
    rig.once()
    assert rig.sent("announcement:weekly") == sorted(CHANNELS)
    assert rig.sent("announcement:verdict-day") == []  # Tuesday's, not yet


def test_a_schedule_edited_while_down_is_computed_from_its_new_definition(tmp_path: Path):
    rig = Rig(tmp_path, dt.datetime(2026, 3, 1, 12, 0, tzinfo=MINSK), announcements=[WEEKLY])
    rig.once()  # remembers Monday 10:00
    rig.at(2026, 3, 2, 9, 0, 20)
    rig.restart(announcements=[{**WEEKLY, "cron": "0 9 * * mon"}])  # now at 9:00
    rig.once()
    assert rig.sent("announcement:weekly") == sorted(CHANNELS)
    [row] = rig.rows(channel_id="telegram-be", about="announcement:weekly")
    assert row.occurrence == dt.datetime(2026, 3, 2, 9, 0, tzinfo=MINSK)


def test_occurrences_passed_while_down_are_sent_in_grace_or_reported_missed(tmp_path: Path):
    every_quarter = {**WEEKLY, "id": "pulse", "cron": "*/15 * * * *", "channels": ["telegram-be"]}
    rig = Rig(tmp_path, dt.datetime(2026, 3, 2, 8, 1, tzinfo=MINSK), announcements=[every_quarter])
    rig.once()  # remembers 08:15
    rig.at(2026, 3, 2, 8, 50)  # 08:15, 08:30 and 08:45 passed while it was down
    rig.restart()
    turn = rig.once()
    [row] = rig.rows()
    assert (row.state, row.occurrence) == ("sent", dt.datetime(2026, 3, 2, 8, 45, tzinfo=MINSK))
    assert turn.queued and not turn.missed
    rig.at(2026, 3, 2, 12, 10)  # down past the grace window (60 min) this time
    rig.restart()
    turn = rig.once()
    [missed] = turn.missed
    assert (missed[0].first, missed[0].last) == (
        dt.datetime(2026, 3, 2, 9, 0, tzinfo=MINSK),
        dt.datetime(2026, 3, 2, 11, 0, tzinfo=MINSK),
    )
    assert missed[0].count == 9  # 09:00 .. 11:00 too late; 11:15 .. 12:00 coalesced
    [sent] = [q for q in turn.queued]
    assert rig.ledger.get(sent.delivery_id).occurrence == dt.datetime(  # type: ignore[union-attr]
        2026, 3, 2, 12, 0, tzinfo=MINSK
    )


def test_a_remembered_time_of_other_zone_rules_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stepped: list[Any]
):
    rig = Rig(tmp_path, dt.datetime(2026, 3, 1, 12, 0, tzinfo=MINSK), announcements=[WEEKLY])
    rig.once()
    # the machine's tzdata changed (a new file for Europe/Minsk) while it was down
    monkeypatch.setattr(next_fires, "_zone_rules", lambda name: "other rules")
    next_fires._fingerprint.cache_clear()
    rig.restart()
    stepped.clear()
    rig.once()
    assert stepped  # computed again, not taken from the old rules
    monkeypatch.undo()
    next_fires._fingerprint.cache_clear()


def test_the_fingerprint_names_what_decides_the_fire_times():
    base = schedule.Announcement(
        id="a", channels=("c",), timezone="Europe/Minsk", cron="0 10 * * mon"
    )
    same = schedule.Announcement(
        id="a", channels=("d", "e"), timezone="Europe/Minsk", cron="0 10 * * mon"
    )
    assert next_fires.fingerprint(base) == next_fires.fingerprint(same)  # channels do not count
    for other in (
        schedule.Announcement(id="a", channels=("c",), timezone="Europe/Minsk", cron="0 9 * * mon"),
        schedule.Announcement(id="a", channels=("c",), timezone="Europe/Vilnius", cron="0 10 * * mon"),
        schedule.Announcement(
            id="a", channels=("c",), timezone="Europe/Minsk",
            at=dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC),
        ),
    ):  # fmt: skip
        assert next_fires.fingerprint(other) != next_fires.fingerprint(base)
    assert next_fires._zone_rules("Europe/Minsk")  # the zone's rules are read
    assert next_fires._zone_rules("Nowhere/Atlantis") == ""
