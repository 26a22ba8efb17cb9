"""Times of day typed by people are read strictly (issue 12): property tests.

dateparser drops what it cannot read, so "tomorrow 25:00" came back as
tomorrow at the current time of day. No hour over 23 (over 12 before am/pm),
minute or second over 59 is ever accepted, in any form of day it is typed with;
every time in range is kept exactly.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.errors import ScheduleError
from outreach.when import parse_when, typed_time

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
DAYS = st.sampled_from(["tomorrow", "2026-12-10", "monday", "10/12/2026", "завтра", "demain", ""])
SEP = st.sampled_from([":", "h", " : "])


def when(text: str) -> dt.datetime:
    return parse_when(text, timezone="Europe/Minsk", now=NOW, languages=["be", "ru", "fr"]).moment


@given(day=DAYS, hour=st.integers(24, 10**6), minute=st.integers(0, 59), sep=SEP)
def test_an_hour_out_of_range_is_never_accepted(day, hour, minute, sep):
    text = f"{day} {hour}{sep}{minute:02d}".strip()
    with pytest.raises(ScheduleError) as exc:
        when(text)
    assert f"the hour {hour} is not 0-23" in str(exc.value) and repr(text) in str(exc.value)


@given(day=DAYS, hour=st.integers(0, 23), minute=st.integers(60, 10**6), sep=SEP)
def test_a_minute_out_of_range_is_never_accepted(day, hour, minute, sep):
    text = f"{day} {hour}{sep}{minute}".strip()
    with pytest.raises(ScheduleError) as exc:
        when(text)
    assert f"the minute {minute} is not 0-59" in str(exc.value)


@given(hour=st.integers(0, 10**4).filter(lambda h: not 1 <= h <= 12), half=st.sampled_from("ap"))
def test_an_hour_before_am_pm_out_of_range_is_never_accepted(hour, half):
    with pytest.raises(ScheduleError, match=f"the hour {hour} is not 1-12"):
        when(f"tomorrow {hour}{half}m")


@given(hour=st.integers(0, 23), minute=st.integers(0, 59), second=st.integers(60, 99))
def test_a_second_out_of_range_is_never_accepted(hour, minute, second):
    with pytest.raises(ScheduleError, match=f"the second {second} is not 0-59"):
        when(f"tomorrow {hour}:{minute:02d}:{second}")


@given(hour=st.integers(0, 23), minute=st.integers(0, 59))
def test_every_time_in_range_is_read_as_typed(hour, minute):
    assert typed_time(f"tomorrow {hour}:{minute:02d}") == (hour, minute)


@settings(max_examples=25, deadline=None)
@given(hour=st.integers(1, 23), minute=st.integers(0, 59))
def test_tomorrow_at_a_time_in_range_is_that_time_tomorrow(hour, minute):
    got = when(f"tomorrow {hour}:{minute:02d}").astimezone(dt.timezone(dt.timedelta(hours=3)))
    assert (got.date(), got.hour, got.minute) == (dt.date(2026, 12, 2), hour, minute)
