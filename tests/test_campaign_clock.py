"""The campaign clock and language-aware formatting (Babel)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from babel.numbers import format_decimal

from outreach.campaign_clock import CampaignClock, LocalFormat, anniversary_in, parse_date
from outreach.config import load_config
from outreach.errors import ClockError, ConfigError

MINSK = ZoneInfo("Europe/Minsk")
DATES = {"arrest": dt.date(2011, 8, 4), "sentence": dt.date(2011, 11, 24)}


def clock_at(when: dt.datetime, dates=DATES) -> CampaignClock:
    return CampaignClock(dates, when, MINSK)


def test_day_counts_from_injected_now():
    c = clock_at(dt.datetime(2011, 8, 4, 12, tzinfo=MINSK))
    assert c.days_since("arrest") == 0
    assert c.day_number("arrest") == 1
    assert c.years_since("arrest") == 0
    c = clock_at(dt.datetime(2025, 8, 4, 9, tzinfo=MINSK))
    assert c.days_since("arrest") == (dt.date(2025, 8, 4) - dt.date(2011, 8, 4)).days == 5114
    assert c.years_since("arrest") == 14


def test_today_is_the_campaign_timezone_day():
    # 22:30 UTC on 3 August is already 4 August in Minsk (UTC+3).
    c = clock_at(dt.datetime(2025, 8, 3, 22, 30, tzinfo=dt.UTC))
    assert c.today == dt.date(2025, 8, 4)
    assert c.is_anniversary("arrest")
    assert c.years_since("arrest") == 14


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        CampaignClock(DATES, dt.datetime(2025, 1, 1), MINSK)


def test_years_turn_on_the_anniversary_not_before():
    assert clock_at(dt.datetime(2025, 8, 3, 12, tzinfo=MINSK)).years_since("arrest") == 13
    assert clock_at(dt.datetime(2025, 8, 4, 0, 1, tzinfo=MINSK)).years_since("arrest") == 14


def test_next_anniversary_and_countdown():
    c = clock_at(dt.datetime(2025, 8, 5, 12, tzinfo=MINSK))
    nxt = c.next_anniversary("arrest")
    assert (nxt.date, nxt.years, nxt.days_until) == (dt.date(2026, 8, 4), 15, 364)
    on_the_day = clock_at(dt.datetime(2025, 8, 4, 12, tzinfo=MINSK)).next_anniversary("arrest")
    assert (on_the_day.years, on_the_day.days_until) == (14, 0)
    assert c.days_until("2025-12-31") == 148
    assert c.days_until("2025-08-01") == -4


def test_first_anniversary_of_a_date_in_the_future():
    c = clock_at(dt.datetime(2025, 1, 1, tzinfo=MINSK), {"trial": dt.date(2025, 3, 1)})
    assert c.days_since("trial") == -59
    assert c.next_anniversary("trial").date == dt.date(2026, 3, 1)


def test_leap_day_anniversary_falls_on_28_february():
    assert anniversary_in(dt.date(2012, 2, 29), 2025) == dt.date(2025, 2, 28)
    c = clock_at(dt.datetime(2025, 2, 28, 12, tzinfo=MINSK), {"x": dt.date(2012, 2, 29)})
    assert c.is_anniversary("x")
    assert c.years_since("x") == 13


def test_first_is_the_first_configured_date():
    assert clock_at(dt.datetime(2025, 1, 1, tzinfo=MINSK)).first == "arrest"
    with pytest.raises(ClockError, match=r"campaign\.dates"):
        _ = clock_at(dt.datetime(2025, 1, 1, tzinfo=MINSK), {}).first


@pytest.mark.parametrize("bad", ["04.08.2011", "2011/08/04", "20110804", "yesterday", "2011-02-30"])
def test_a_date_in_the_wrong_form_is_a_clear_error(bad):
    c = clock_at(dt.datetime(2025, 1, 1, tzinfo=MINSK))
    with pytest.raises(ClockError) as exc:
        c.days_since(bad)
    assert repr(bad) in str(exc.value)
    with pytest.raises(ClockError):
        parse_date(bad)


def test_unknown_date_name_lists_the_known_ones():
    c = clock_at(dt.datetime(2025, 1, 1, tzinfo=MINSK))
    with pytest.raises(ClockError, match="known: arrest, sentence"):
        c.days_since("release")


def test_config_date_in_the_wrong_form_names_file_and_line(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text(
        "campaign:\n  name: x\n  base_url: https://e.org/\n  dates:\n    arrest: 04.08.2011\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as exc:
        load_config(p, {})
    assert f"{p}:5: campaign.dates.arrest" in str(exc.value)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "5,228"), ("ru", "5\u00a0228"), ("be", "5\u00a0228"), ("fr", "5\u202f228")],
)
def test_numbers_use_the_language_digit_grouping(lang, expected):
    assert LocalFormat(lang).number(5228) == expected == format_decimal(5228, locale=lang)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "August 4, 2011"),
        ("ru", "4 августа 2011\u202fг."),
        ("be", "4 жніўня 2011\u202fг."),
        ("fr", "4 août 2011"),
    ],
)
def test_dates_in_the_post_language(lang, expected):
    assert LocalFormat(lang).date(dt.date(2011, 8, 4)) == expected
    assert LocalFormat(lang).date("2011-08-04") == expected


RU_DAYS = dict(one="день", few="дня", many="дней", other="дня")
BE_DAYS = dict(one="дзень", few="дні", many="дзён", other="дня")


@pytest.mark.parametrize(
    ("n", "ru", "be"),
    [
        (1, "день", "дзень"),
        (2, "дня", "дні"),
        (5, "дней", "дзён"),
        (11, "дней", "дзён"),
        (21, "день", "дзень"),
        (22, "дня", "дні"),
        (5228, "дней", "дзён"),
        (5221, "день", "дзень"),
        (5224, "дня", "дні"),
        (112, "дней", "дзён"),
    ],
)
def test_russian_and_belarusian_plural_forms(n, ru, be):
    assert LocalFormat("ru").plural(n, **RU_DAYS) == ru
    assert LocalFormat("be").plural(n, **BE_DAYS) == be


def test_plural_falls_back_to_other_and_says_what_is_missing():
    assert LocalFormat("fr").plural(1_000_000, one="jour", other="jours") == "jours"
    assert LocalFormat("en").plural(1, one="day", other="days") == "day"
    with pytest.raises(ClockError, match="'many' form or an 'other'"):
        LocalFormat("ru").plural(5, one="день", few="дня")
    with pytest.raises(ClockError, match="not plenty"):
        LocalFormat("en").plural(5, one="day", plenty="days")


def test_unknown_language_for_babel():
    with pytest.raises(ClockError, match="no locale data for language 'zz'"):
        LocalFormat("zz").number(1)
