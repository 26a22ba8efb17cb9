"""Human date input: campaign zone, an injected now, the future only, exact restatement."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from outreach.errors import ScheduleError
from outreach.when import describe, parse_when

MINSK = ZoneInfo("Europe/Minsk")
PARIS = ZoneInfo("Europe/Paris")
# Tuesday 1 December 2026, 12:00 in Minsk (UTC+3, no DST)
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
# Saturday 28 March 2026, 10:00 in Paris; clocks go forward that night (02:00 -> 03:00)
BEFORE_DST = dt.datetime(2026, 3, 28, 9, 0, tzinfo=dt.UTC)


def when(text: str, now: dt.datetime = NOW, tz: str = "Europe/Minsk", langs=("en", "ru", "be")):
    return parse_when(text, timezone=tz, now=now, languages=langs).moment


@pytest.mark.parametrize(
    ("text", "wall"),
    [
        ("tomorrow 10:00", dt.datetime(2026, 12, 2, 10, 0)),
        ("2026-12-10 09:30", dt.datetime(2026, 12, 10, 9, 30)),
        ("in 2 hours", dt.datetime(2026, 12, 1, 14, 0)),
        ("monday 10:00", dt.datetime(2026, 12, 7, 10, 0)),
        ("10/12/2026 09:30", dt.datetime(2026, 12, 10, 9, 30)),  # day first, as organisers write
        ("завтра 10:00", dt.datetime(2026, 12, 2, 10, 0)),
        ("заўтра 18:30", dt.datetime(2026, 12, 2, 18, 30)),
        ("  tomorrow   10:00 ", dt.datetime(2026, 12, 2, 10, 0)),
        ("tomorrow midnight", dt.datetime(2026, 12, 2, 0, 0)),
    ],
)
def test_readings_in_the_campaign_zone(text: str, wall: dt.datetime) -> None:
    got = when(text)
    assert got == wall.replace(tzinfo=MINSK)
    assert got.tzinfo == MINSK


def test_an_explicit_zone_is_converted_to_campaign_wall_time() -> None:
    assert when("2026-12-10 09:30 UTC") == dt.datetime(2026, 12, 10, 9, 30, tzinfo=dt.UTC)


def test_relative_base_is_the_injected_now_not_the_machine_clock() -> None:
    later = NOW + dt.timedelta(days=400)
    assert when("tomorrow 10:00", later).date() == (later + dt.timedelta(days=1)).date()


def test_seconds_are_dropped() -> None:
    got = when("in 2 hours", NOW.replace(second=37, microsecond=5))
    assert (got.second, got.microsecond) == (0, 0)
    assert got.astimezone(dt.UTC) == dt.datetime(2026, 12, 1, 11, 0, tzinfo=dt.UTC)


def test_wall_times_across_a_clock_change_get_that_days_offset() -> None:
    # dateparser's own aware result would say +01:00 here, an hour late in real time
    got = when("tomorrow 10:00", BEFORE_DST, "Europe/Paris", ("en", "fr"))
    assert got == dt.datetime(2026, 3, 29, 10, 0, tzinfo=PARIS)
    assert got.utcoffset() == dt.timedelta(hours=2)


def test_spans_in_hours_are_elapsed_time_across_a_clock_change() -> None:
    got = when("in 20 hours", BEFORE_DST, "Europe/Paris", ("en",))
    assert got.astimezone(dt.UTC) == BEFORE_DST + dt.timedelta(hours=20)
    assert (got.hour, got.minute) == (7, 0)  # 05:00 UTC is 07:00 CEST, not 06:00


def test_a_wall_time_the_clocks_skip_is_refused() -> None:
    with pytest.raises(ScheduleError, match="does not exist in Europe/Paris"):
        when("2026-03-29 02:30", BEFORE_DST, "Europe/Paris", ("en",))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Say when"),
        ("   ", "Say when"),
        ("whenever you like", "could not read 'whenever you like'"),
        ("2026-11-30 10:00", "not in the future"),
        ("1 hour ago", "not in the future"),
        ("now", "not in the future"),
        ("friday", "no time of day"),
        ("2026-12-20", "no time of day"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message) as err:
        when(text)
    assert "Europe/Minsk" in str(err.value)


def test_the_past_message_restates_both_times() -> None:
    with pytest.raises(ScheduleError) as err:
        when("2026-11-30 10:00")
    text = str(err.value)
    assert "Mon 30 Nov 2026 10:00 Europe/Minsk (07:00 UTC)" in text
    assert "Tue 1 Dec 2026 12:00 Europe/Minsk (09:00 UTC)" in text


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ScheduleError, match="aware"):
        parse_when("tomorrow 10:00", timezone="Europe/Minsk", now=NOW.replace(tzinfo=None))


def test_unknown_zone() -> None:
    with pytest.raises(ScheduleError, match="unknown timezone"):
        parse_when("tomorrow 10:00", timezone="Mars/Olympus", now=NOW)


def test_describe() -> None:
    moment = dt.datetime(2026, 12, 10, 9, 30, tzinfo=MINSK)
    assert describe(moment, MINSK) == "Thu 10 Dec 2026 09:30 Europe/Minsk (06:30 UTC)"
    assert describe(moment, dt.UTC) == "Thu 10 Dec 2026 06:30 UTC"
    late = dt.datetime(2026, 12, 10, 1, 30, tzinfo=MINSK)
    assert describe(late, MINSK) == "Thu 10 Dec 2026 01:30 Europe/Minsk (9 Dec 22:30 UTC)"
