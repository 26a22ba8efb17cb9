"""Due-time computation as a pure function of a clock reading: no sleeping, no threads."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from outreach.errors import ScheduleError
from outreach.schedule import (
    Announcement,
    Quiet,
    iso,
    localize,
    next_occurrence,
    occurrence_key,
    occurrences,
    plan,
    quiet_until,
)

UTC = dt.UTC
MINSK = ZoneInfo("Europe/Minsk")
PARIS = ZoneInfo("Europe/Paris")
HOUR = dt.timedelta(hours=1)
GRACE = dt.timedelta(minutes=60)


def at(tz: ZoneInfo, *parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=tz)


def cron(expr: str, tz: str = "Europe/Minsk", since=None, channels=("m", "t")) -> Announcement:
    return Announcement(
        id="c",
        channels=channels,
        timezone=tz,
        cron=expr,
        active_from=since or at(UTC, 2024, 1, 1),
    )


def once(when: dt.datetime, tz: str = "Europe/Minsk") -> Announcement:
    return Announcement(id="o", channels=("m",), timezone=tz, at=when)


# -- one-off -----------------------------------------------------------------


def test_one_off_naive_time_is_wall_time_in_the_announcement_zone():
    ann = once(dt.datetime(2024, 8, 4, 10, 0))
    assert next_occurrence(ann, at(UTC, 2024, 1, 1)) == at(UTC, 2024, 8, 4, 7, 0)  # Minsk is UTC+3


def test_one_off_is_not_due_before_its_time_and_due_at_it():
    ann = once(at(MINSK, 2024, 8, 4, 10, 0))
    before = plan([ann], at(MINSK, 2024, 8, 4, 9, 59), {}, GRACE)
    assert before.due == [] and before.missed == []
    assert before.next_at["o"] == at(UTC, 2024, 8, 4, 7, 0)
    on_time = plan([ann], at(MINSK, 2024, 8, 4, 10, 0, 5), {}, GRACE)
    [due] = on_time.due
    assert due.occurrence == at(UTC, 2024, 8, 4, 7, 0)
    assert [s.channel_id for s in due.sends] == ["m"]
    assert on_time.next_at["o"] is None


def test_one_off_already_done_is_not_due_again():
    ann = once(at(MINSK, 2024, 8, 4, 10, 0))
    done = {"o": at(UTC, 2024, 8, 4, 7, 0)}
    result = plan([ann], at(MINSK, 2024, 8, 4, 10, 30), done, GRACE)
    assert result.due == [] and result.missed == []


def test_cancelled_announcement_is_never_due():
    ann = once(at(MINSK, 2024, 8, 4, 10, 0))
    cancelled = Announcement(**{**ann.__dict__, "cancelled": True})
    result = plan([cancelled], at(MINSK, 2024, 8, 4, 10, 1), {}, GRACE)
    assert result.due == [] and result.missed == [] and result.next_at["o"] is None
    assert next_occurrence(cancelled, at(UTC, 2024, 1, 1)) is None


# -- misfires and coalescing -----------------------------------------------


def test_one_off_within_grace_is_sent_late():
    ann = once(at(MINSK, 2024, 8, 4, 10, 0))
    [due] = plan([ann], at(MINSK, 2024, 8, 4, 10, 59), {}, GRACE).due
    assert due.late == dt.timedelta(minutes=59)


def test_one_off_beyond_grace_is_missed_and_not_sent():
    ann = once(at(MINSK, 2024, 8, 4, 10, 0))
    result = plan([ann], at(MINSK, 2024, 8, 6, 9, 0), {}, GRACE)
    assert result.due == []
    [missed] = result.missed
    assert (missed.first, missed.last, missed.count) == (
        at(UTC, 2024, 8, 4, 7),
        at(UTC, 2024, 8, 4, 7),
        1,
    )
    assert "missed at 2024-08-04T07:00:00Z" in missed.reason(GRACE)
    assert "60 min" in missed.reason(GRACE)


def test_zero_grace_still_accepts_a_tick_that_arrives_seconds_late():
    ann = once(at(MINSK, 2024, 8, 4, 10, 0))
    assert plan([ann], at(MINSK, 2024, 8, 4, 10, 0, 30), {}, dt.timedelta(0)).due
    assert plan([ann], at(MINSK, 2024, 8, 4, 10, 5), {}, dt.timedelta(0)).missed


def test_recurring_misses_beyond_grace_are_reported_once_and_the_latest_in_grace_goes_out():
    # every 15 minutes; the service was down from 08:00 to 11:20
    ann = cron("*/15 * * * *", since=at(MINSK, 2024, 8, 4, 8, 0))
    result = plan([ann], at(MINSK, 2024, 8, 4, 11, 20), {}, GRACE)
    [missed] = result.missed
    assert missed.first == at(MINSK, 2024, 8, 4, 8, 15)
    assert missed.last == at(MINSK, 2024, 8, 4, 10, 15)
    assert missed.count == 9
    [due] = result.due
    assert due.occurrence == at(MINSK, 2024, 8, 4, 11, 15)  # the latest, once
    assert due.coalesced == 3  # 10:30, 10:45, 11:00 went into it
    assert len(due.sends) == 2  # once per channel


def test_recurring_missed_completely_is_not_sent_at_all():
    ann = cron("0 10 * * mon", since=at(UTC, 2024, 7, 1))
    result = plan([ann], at(MINSK, 2024, 8, 1, 12, 0), {}, GRACE)
    assert result.due == []
    [missed] = result.missed
    assert missed.count == 5  # 1, 8, 15, 22, 29 July
    assert missed.last == at(MINSK, 2024, 7, 29, 10, 0)


def test_recording_the_missed_and_sent_occurrences_settles_them():
    ann = cron("*/15 * * * *", since=at(MINSK, 2024, 8, 4, 8, 0))
    now = at(MINSK, 2024, 8, 4, 11, 20)
    first = plan([ann], now, {}, GRACE)
    done = {"c": max([first.due[0].occurrence, first.missed[0].last])}
    again = plan([ann], now + dt.timedelta(minutes=2), done, GRACE)
    assert again.due == [] and again.missed == []


def test_huge_gaps_are_counted_with_a_cap_and_still_find_the_last_miss():
    ann = cron("* * * * *", since=at(UTC, 2024, 1, 1))
    now = at(UTC, 2024, 3, 1, 0, 0, 30)
    [missed] = plan([ann], now, {}, GRACE).missed
    assert missed.count_is_minimum
    assert missed.last == at(UTC, 2024, 2, 29, 23, 0)
    assert "at least" in missed.reason(GRACE)


def test_cron_occurrences_before_the_announcement_existed_do_not_count():
    ann = cron("0 10 * * mon", since=at(MINSK, 2024, 7, 29, 12, 0))  # created after Monday 10:00
    result = plan([ann], at(MINSK, 2024, 7, 29, 12, 1), {}, GRACE)
    assert result.due == [] and result.missed == []
    assert result.next_at["c"] == at(MINSK, 2024, 8, 5, 10, 0)


# -- cron --------------------------------------------------------------------


def test_cron_weekday_numbers_mean_what_they_mean_in_crontab():
    # 1 is Monday in cron; APScheduler 3 alone would read it as Tuesday
    monday = next_occurrence(cron("0 10 * * 1"), at(UTC, 2024, 7, 30))
    assert monday is not None and monday.astimezone(MINSK).strftime("%a %H:%M") == "Mon 10:00"
    sunday = next_occurrence(cron("0 10 * * 0"), at(UTC, 2024, 7, 30))
    assert sunday is not None and sunday.astimezone(MINSK).strftime("%a") == "Sun"
    seven = next_occurrence(cron("0 10 * * 7"), at(UTC, 2024, 7, 30))
    assert seven == sunday
    weekdays = occurrences(cron("0 9 * * 1-5"), at(UTC, 2024, 7, 28), at(UTC, 2024, 8, 4))
    assert [d.astimezone(MINSK).strftime("%a") for d in weekdays] == [
        "Mon",
        "Tue",
        "Wed",
        "Thu",
        "Fri",
    ]
    all_week = occurrences(cron("0 9 * * 0-6"), at(UTC, 2024, 7, 28), at(UTC, 2024, 8, 4))
    assert len(all_week) == 7


def test_yearly_cron_fires_on_the_anniversary():
    ann = cron("0 10 4 8 *")
    assert next_occurrence(ann, at(UTC, 2024, 8, 5)) == at(MINSK, 2025, 8, 4, 10, 0)


@pytest.mark.parametrize(
    "expr, words",
    [
        ("0 10 * *", "5 fields"),
        ("61 * * * *", "61"),
        ("0 10 * * */2", "weekday"),
        ("0 10 * * 8", "0-7"),
    ],
)
def test_bad_cron_is_a_clear_error(expr, words):
    with pytest.raises(ScheduleError, match=words):
        next_occurrence(cron(expr), at(UTC, 2024, 1, 1))


def test_unknown_zone_is_a_clear_error():
    with pytest.raises(ScheduleError, match="unknown timezone 'Mars/Olympus'"):
        next_occurrence(cron("0 10 * * *", tz="Mars/Olympus"), at(UTC, 2024, 1, 1))


# -- time zones and DST -----------------------------------------------------


def test_minsk_has_no_dst_so_ten_oclock_is_always_seven_utc():
    days = occurrences(cron("0 10 * * *"), at(UTC, 2024, 3, 29), at(UTC, 2024, 4, 2))
    assert {d.time() for d in days} == {dt.time(7, 0)}


def test_paris_follows_summer_time():
    days = occurrences(
        cron("0 10 * * *", tz="Europe/Paris"), at(UTC, 2024, 3, 29), at(UTC, 2024, 4, 2)
    )
    assert [d.astimezone(PARIS).hour for d in days] == [10, 10, 10, 10]
    assert [d.hour for d in days] == [9, 9, 8, 8]  # UTC+1 then UTC+2 from 31 March


def test_repeated_hour_fires_once_when_clocks_go_back():
    # 27 Oct 2024 in Paris: 02:30 happens twice
    days = occurrences(
        cron("30 2 * * *", tz="Europe/Paris"), at(UTC, 2024, 10, 26), at(UTC, 2024, 10, 29)
    )
    assert [iso(d) for d in days] == [
        "2024-10-26T00:30:00Z",
        "2024-10-27T00:30:00Z",
        "2024-10-28T01:30:00Z",
    ]


def test_skipped_hour_still_fires_that_day_when_clocks_go_forward():
    # 31 Mar 2024 in Paris: 02:30 does not exist; it fires once, an hour on
    days = occurrences(
        cron("30 2 * * *", tz="Europe/Paris"), at(UTC, 2024, 3, 30), at(UTC, 2024, 4, 1, 12)
    )
    assert [iso(d) for d in days] == [
        "2024-03-30T01:30:00Z",
        "2024-03-31T01:30:00Z",
        "2024-04-01T00:30:00Z",
    ]
    assert days[1].astimezone(PARIS).strftime("%H:%M") == "03:30"


def test_one_off_in_a_dst_gap_is_an_error_naming_the_time():
    with pytest.raises(ScheduleError, match="does not exist in Europe/Paris"):
        localize(dt.datetime(2024, 3, 31, 2, 30), PARIS)
    assert localize(dt.datetime(2024, 3, 31, 3, 30), PARIS) == at(UTC, 2024, 3, 31, 1, 30)


def test_dedupe_key_is_the_same_whatever_zone_the_occurrence_is_in():
    assert occurrence_key("a", at(MINSK, 2024, 8, 4, 10)) == occurrence_key(
        "a", at(UTC, 2024, 8, 4, 7)
    )
    assert occurrence_key("a", at(UTC, 2024, 8, 4, 7)) == "announcement:a@2024-08-04T07:00:00Z"


# -- quiet hours -------------------------------------------------------------


def test_quiet_hours_push_a_post_to_the_end_of_the_window_across_midnight():
    # 22:00-07:00 in Minsk; due at 23:30 -> 07:00 next morning
    pushed = quiet_until(dt.time(22), dt.time(7), MINSK, at(MINSK, 2024, 8, 4, 23, 30))
    assert pushed == at(MINSK, 2024, 8, 5, 7, 0)
    early = quiet_until(dt.time(22), dt.time(7), MINSK, at(MINSK, 2024, 8, 5, 6, 59))
    assert early == at(MINSK, 2024, 8, 5, 7, 0)
    outside = at(MINSK, 2024, 8, 5, 7, 0)
    assert quiet_until(dt.time(22), dt.time(7), MINSK, outside) == outside
    assert quiet_until(dt.time(13), dt.time(14), MINSK, at(MINSK, 2024, 8, 5, 13, 10)) == at(
        MINSK, 2024, 8, 5, 14
    )
    assert quiet_until(dt.time(9), dt.time(9), MINSK, outside) == outside  # empty window


def test_quiet_hours_apply_per_channel_in_a_plan():
    ann = cron("0 23 * * *", since=at(UTC, 2024, 8, 1), channels=("m", "t"))
    quiet = {"t": Quiet(dt.time(22), dt.time(8)), "m": None}
    [due] = plan([ann], at(MINSK, 2024, 8, 4, 23, 0, 10), {}, GRACE, quiet, MINSK).due
    sends = {s.channel_id: s.not_before for s in due.sends}
    assert sends["m"] == at(MINSK, 2024, 8, 4, 23, 0, 10)
    assert sends["t"] == at(MINSK, 2024, 8, 5, 8, 0)


def test_a_late_occurrence_is_judged_by_quiet_hours_when_it_goes_out():
    # due at 21:50, noticed at 22:10, inside 22:00-08:00: it waits for the morning
    ann = cron("50 21 * * *", since=at(UTC, 2024, 8, 1), channels=("t",))
    quiet = {"t": Quiet(dt.time(22), dt.time(8))}
    [due] = plan([ann], at(MINSK, 2024, 8, 4, 22, 10), {}, GRACE, quiet, MINSK).due
    assert due.occurrence == at(MINSK, 2024, 8, 4, 21, 50)
    assert due.sends[0].not_before == at(MINSK, 2024, 8, 5, 8, 0)


def test_quiet_window_end_in_a_dst_gap_resolves_forward():
    pushed = quiet_until(dt.time(1), dt.time(2, 30), PARIS, at(PARIS, 2024, 3, 31, 1, 15))
    assert pushed.astimezone(PARIS).strftime("%H:%M") == "03:30"
