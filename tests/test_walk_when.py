"""Dates an organiser types that are not dates are refused, saying why; none is read as
another date. dateparser swaps a month over 12 into the day ("2027-13-01" came back as
13 January 2027, scheduled without a word) and answers "I could not read" for 31 February,
which reads as if the format were wrong."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from servicekit import write_campaign

from outreach.cli import cli
from outreach.errors import ScheduleError
from outreach.when import parse_when

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def when(text: str) -> dt.datetime:
    return parse_when(text, timezone="Europe/Minsk", now=NOW, languages=["be", "ru", "fr"]).moment


def refused(text: str) -> str:
    with pytest.raises(ScheduleError) as exc:
        when(text)
    return str(exc.value)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2027-13-01 10:00", "2027-13-01 is not a date: the month 13 is not 1-12 (year-month-day)"),
        ("2027-00-10 10:00", "2027-00-10 is not a date: the month 0 is not 1-12 (year-month-day)"),
        ("2027-02-31 10:00", "2027-02-31 is not a date: February 2027 has 28 days"),
        ("2027-02-29 10:00", "2027-02-29 is not a date: February 2027 has 28 days"),
        ("2027-04-31 10:00", "2027-04-31 is not a date: April 2027 has 30 days"),
        (
            "31/02/2027 10:00",
            "31/02/2027 is not a date: February 2027 has 28 days (day/month/year)",
        ),
        ("01/13/2027 10:00", "01/13/2027 is not a date: the month 13 is not 1-12 (day/month/year)"),
        ("31.04.2027 10:00", "31.04.2027 is not a date: April 2027 has 30 days (day/month/year)"),
        ("31 February 10:00", "31 February is not a date: February has 28 days, 29 in a leap year"),
        ("February 30 2027 10:00", "February 30 2027 is not a date: February 2027 has 28 days"),
        ("31 April 10:00", "31 April is not a date: April has 30 days"),
        ("32 January 10:00", "32 January is not a date: January has 31 days"),
    ],
)
def test_an_impossible_date_is_refused_saying_why(text, why):
    message = refused(text)
    assert f"I could not read {text!r} as a date and time: {why}" in message


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2027-01-12 10:00", dt.date(2027, 1, 12)),
        ("2028-02-29 10:00", dt.date(2028, 2, 29)),
        ("12/01/2027 10:00", dt.date(2027, 1, 12)),
        ("29.02.2028 10:00", dt.date(2028, 2, 29)),
        ("31 January 10:00", dt.date(2027, 1, 31)),
        ("4 August 10:00", dt.date(2027, 8, 4)),
        ("December 30 10:00", dt.date(2026, 12, 30)),
        ("tomorrow 10:30", dt.date(2026, 12, 2)),
    ],
)
def test_real_dates_are_read_as_before(text, day):
    assert when(text).date() == day


@settings(max_examples=20, deadline=None)
@given(year=st.integers(2027, 2099), month=st.integers(13, 99), day=st.integers(1, 28))
def test_a_month_over_12_is_never_read_as_a_day(year, month, day):
    assert "is not 1-12" in refused(f"{year}-{month:02d}-{day:02d} 10:00")


def test_schedule_add_stores_nothing_for_an_impossible_date(tmp_path):
    env = {
        "OUTREACH_CONFIG": str(write_campaign(tmp_path)),
        "OUTREACH_DB_URL": f"sqlite:///{tmp_path / 'ledger.sqlite3'}",
        "OUTREACH_FAKE_NOW": "2026-12-01T12:00:00+03:00",
    }
    at = ["--template", "reminder", "--page", "ales", "--at", "2027-13-01 10:00"]
    result = CliRunner().invoke(cli, ["schedule", "add", "verdict", *at], env=env)
    assert result.exit_code != 0
    assert (
        "--at: I could not read '2027-13-01 10:00' as a date and time: 2027-13-01 is not a date"
        in result.output
    )
    listed = CliRunner().invoke(cli, ["schedule", "list", "--json"], env=env)
    assert listed.exit_code == 0 and "verdict" not in listed.output
