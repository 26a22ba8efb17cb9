"""Dates as organisers type them: "tomorrow 10:00", "2026-12-10 09:30", "in 2 hours".

dateparser reads the words (in English and the campaign's languages), with
the campaign's time zone and an injected "now" as its relative base, and
prefers the future ("monday 10:00" is the coming Monday). Two things it gets
wrong are done here instead:

- Its time-zone-aware results keep the UTC offset of "now", so "tomorrow
  10:00" on the night clocks change comes back an hour off. We take its
  answer as wall time in the campaign zone and let zoneinfo attach the offset
  of that date (outreach.schedule.localize also settles skipped and repeated
  hours).
- "in 20 hours" is elapsed time, not wall time: across a clock change the
  wall-clock sum is an hour off. An expression that moves with "now" (parsed
  twice, from two bases) is a span; a span of whole days keeps the time of
  day ("tomorrow", "in 2 days"), any other span is added to the instant.

Times of day are read strictly. dateparser drops what it cannot read, so
"tomorrow 25:00" or "tomorrow 10:99" came back as tomorrow at the current
time of day. Every time written with a colon or 'h' ("10:30", "10h30",
"10:30:15") and every hour before am/pm is checked here first (hours 0-23,
1-12 before am/pm, minutes and seconds 0-59) before dateparser reads it.

Dates written with digits or an English month name are checked here too
(`typed_date`). dateparser swaps a month over 12 into the day, so
"2027-13-01" came back as 13 January 2027, and it answers nothing for
"31 February", which the organiser then reads as a format they got wrong.
A year-month-day, a day/month(/year) or day.month.year, and a day with an
English month name are checked against the calendar first, and refused
saying which part is impossible.

A bare day without a time ("friday") would be midnight, which nobody means:
it is refused with a hint. Every answer should restate the result with
`describe`, because a machine reading of a human date can be wrong in ways no
rule catches.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from .errors import ScheduleError
from .schedule import localize, zone

UTC = dt.UTC
EXAMPLES = "'tomorrow 10:00', '2026-12-10 09:30', 'in 2 hours' or 'monday 10:00'"
_PROBE = dt.timedelta(minutes=1, seconds=7)
"""How far the second parse moves "now": odd, so no calendar rule lands on it by chance."""
_MIDNIGHT = re.compile(r"\b0?0\s*[:.hч]\s*00\b|midnight|minuit|полноч|поўнач", re.IGNORECASE)
_DATEPARSER_LANGS: frozenset[str] | None = None
_CLOCK = re.compile(
    r"(?<![\d:])(\d+)\s*[:hч]\s*(\d+)(?:\s*:\s*(\d+))?(?![\d:])(?:\s*([ap])\.?m\b)?", re.I
)
"""A time of day as typed: 10:30, 10h30, 10:30:15, 9:30 pm (any number of digits, to refuse 100:00)."""
_MERIDIEM = re.compile(r"(?<![\d:])(\d+)\s*([ap])\.?m\b", re.I)
"""An hour before am/pm without minutes: 10am, 13 pm."""
_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
_ISO_DATE = re.compile(r"(?<![\d./:-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d./:-])")
"""2027-12-01: year, month, day."""
_DMY_DATE = re.compile(
    r"(?<![\d./:-])(\d{1,2})(?:/(\d{1,2})(?:/(\d{4}|\d{2}))?|\.(\d{1,2})\.(\d{4}|\d{2}))(?![\d./:-])"
)
"""12/01, 12/01/2027, 12.01.2027: day first (DATE_ORDER below). Not 12.01 alone: a time."""
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:\s+(\d{{4}}))?\b", re.I
)
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}})\b)?", re.I)
_MAX_TEXT = 200
"""Characters a date may have: dateparser's work grows with the text."""


@dataclass(frozen=True)
class When:
    moment: dt.datetime
    """Aware, in the campaign zone."""
    text: str
    """What the organiser typed."""

    def describe(self) -> str:
        return describe(self.moment, self.moment.tzinfo)


def _languages(wanted: list[str] | tuple[str, ...]) -> list[str]:
    global _DATEPARSER_LANGS
    if _DATEPARSER_LANGS is None:
        from dateparser.languages.loader import default_loader

        _DATEPARSER_LANGS = frozenset(default_loader.get_locale_map())
    out = ["en"]
    for lang in wanted:
        base = lang.split("-", 1)[0].lower()
        if base in _DATEPARSER_LANGS and base not in out:
            out.append(base)
    return out


def _parse(text: str, tz_name: str, base: dt.datetime, languages: list[str]) -> dt.datetime | None:
    import dateparser

    return dateparser.parse(
        text,
        languages=languages,
        settings={
            "TIMEZONE": tz_name,
            # naive wall time in TIMEZONE: see the module docstring for why not aware
            "RETURN_AS_TIMEZONE_AWARE": False,
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": base,
            # the campaign's organisers write 10/12 for the 10th of December
            "DATE_ORDER": "DMY",
        },
    )


def parse_when(
    text: str,
    *,
    timezone: str,
    now: dt.datetime,
    languages: list[str] | tuple[str, ...] = (),
) -> When:
    """The moment `text` names, in `timezone`; an error for nonsense or the past.

    `now` is aware (the injected clock); `languages` are the campaign's, tried
    after English.
    """
    if now.tzinfo is None:
        raise ScheduleError("parse_when needs an aware 'now'")
    tz = zone(timezone)
    cleaned = " ".join(text.split())
    hint = f"Try {EXAMPLES} (times are {timezone})."
    if not cleaned:
        raise ScheduleError(f"Say when, for example {EXAMPLES} (times are {timezone}).")
    if len(cleaned) > _MAX_TEXT:
        raise ScheduleError(
            f"{cleaned[:40]!r}... is too long for a date ({len(cleaned)} characters). {hint}"
        )
    typed_time(cleaned)
    typed_date(cleaned)
    langs = _languages(languages)
    base = now.astimezone(tz).replace(tzinfo=None)
    first = _parse(cleaned, timezone, base, langs)
    if first is None:
        raise ScheduleError(f"I could not read {cleaned!r} as a date and time. {hint}")
    second = _parse(cleaned, timezone, base + _PROBE, langs)
    span = first - base
    moves_with_now = second is not None and second - first == _PROBE
    if moves_with_now and span % dt.timedelta(days=1):
        moment = now + span
    else:
        if not moves_with_now and first.time() == dt.time(0, 0) and not _MIDNIGHT.search(cleaned):
            raise ScheduleError(
                f"{cleaned!r} has no time of day I could read (it would be midnight). "
                f"Add one, for example '{cleaned} 10:00'. {hint}"
            )
        moment = localize(first, tz)
    moment = moment.astimezone(tz).replace(second=0, microsecond=0)
    if moment <= now:
        raise ScheduleError(
            f"{cleaned!r} is {describe(moment, tz)}, which is not in the future "
            f"(it is now {describe(now, tz)}). {hint}"
        )
    return When(moment, cleaned)


def typed_time(text: str) -> tuple[int, int] | None:
    """The (hour, minute) a text gives with digits, if any; an error when out of range.

    The error names the text, the part read as a time and what the rest was read as.
    """
    found: list[tuple[int, int]] = []
    for m in _CLOCK.finditer(text):
        hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        meridiem = (m.group(4) or "").lower()
        bad = _out_of_range(hour, minute, second, meridiem)
        if bad:
            raise ScheduleError(_not_a_time(text, m.group(0), bad))
        found.append((_hour24(hour, meridiem), minute))
    for m in _MERIDIEM.finditer(text):
        if any(c.start() <= m.start() < c.end() for c in _CLOCK.finditer(text)):
            continue
        hour, meridiem = int(m.group(1)), m.group(2).lower()
        bad = _out_of_range(hour, 0, 0, meridiem)
        if bad:
            raise ScheduleError(_not_a_time(text, m.group(0), bad))
        found.append((_hour24(hour, meridiem), 0))
    return found[0] if len(found) == 1 else None


def typed_date(text: str) -> None:
    """An error when a date typed with digits or an English month name is not in the calendar.

    Only what is certainly impossible is refused (a month over 12, a day past its month's
    end); anything else is left to dateparser.
    """
    for m in _ISO_DATE.finditer(text):
        _check_date(
            text, m.group(0), int(m.group(1)), int(m.group(2)), int(m.group(3)), "year-month-day"
        )
    for m in _DMY_DATE.finditer(text):
        month, year = (m.group(2), m.group(3)) if m.group(2) else (m.group(4), m.group(5))
        year_n = None if year is None else int(year) + (2000 if len(year) == 2 else 0)
        _check_date(text, m.group(0), year_n, int(month), int(m.group(1)), "day/month/year")
    for m in _DAY_MONTH.finditer(text):
        year = int(m.group(3)) if m.group(3) else None
        _check_date(text, m.group(0), year, _month_number(m.group(2)), int(m.group(1)), "")
    for m in _MONTH_DAY.finditer(text):
        year = int(m.group(3)) if m.group(3) else None
        _check_date(text, m.group(0), year, _month_number(m.group(1)), int(m.group(2)), "")


def _month_number(name: str) -> int:
    return next(i for i, full in enumerate(_MONTHS, 1) if full.startswith(name.lower()[:3]))


def _check_date(text: str, part: str, year: int | None, month: int, day: int, order: str) -> None:
    import calendar

    how = f" ({order})" if order else ""
    if not 1 <= month <= 12:
        why = f"the month {month} is not 1-12{how}"
    else:
        name = _MONTHS[month - 1].capitalize()
        if year is None:
            longest = 29 if month == 2 else calendar.monthrange(2001, month)[1]
            if 1 <= day <= longest:
                return
            days = "28 days, 29 in a leap year" if month == 2 else f"{longest} days"
            why = f"{name} has {days}{how}"
        else:
            longest = calendar.monthrange(year, month)[1]
            if 1 <= day <= longest:
                return
            why = f"{name} {year} has {longest} days{how}"
    raise ScheduleError(
        f"I could not read {text!r} as a date and time: {part.strip()} is not a date: {why}. "
        f"Try {EXAMPLES}."
    )


def _out_of_range(hour: int, minute: int, second: int, meridiem: str) -> str | None:
    if meridiem and not 1 <= hour <= 12:
        return f"the hour {hour} is not 1-12 before {meridiem}m"
    if hour > 23:
        return f"the hour {hour} is not 0-23"
    if minute > 59:
        return f"the minute {minute} is not 0-59"
    if second > 59:
        return f"the second {second} is not 0-59"
    return None


def _hour24(hour: int, meridiem: str) -> int:
    if meridiem == "a":
        return 0 if hour == 12 else hour
    if meridiem == "p":
        return 12 if hour == 12 else hour + 12
    return hour


def _not_a_time(text: str, part: str, why: str) -> str:
    rest = " ".join(text.replace(part, " ").split())
    understood = f"I read {rest!r} as the day, but " if rest else ""
    return f"{text!r}: {understood}{part.strip()!r} is not a time of day ({why}). Try {EXAMPLES}."


def describe(moment: dt.datetime, tz: ZoneInfo | dt.tzinfo | None) -> str:
    """'Thu 10 Dec 2026 09:30 Europe/Minsk (06:30 UTC)': the exact time, its zone and UTC."""
    if moment.tzinfo is None:
        raise ScheduleError("describe needs an aware datetime")
    tz = tz or UTC
    local = moment.astimezone(tz)
    name = getattr(tz, "key", None) or local.tzname() or "UTC"
    text = f"{local:%a} {local.day} {local:%b %Y %H:%M} {name}"
    if local.utcoffset():
        u = moment.astimezone(UTC)
        same_day = u.date() == local.date()
        text += f" ({u:%H:%M} UTC)" if same_day else f" ({u.day} {u:%b %H:%M} UTC)"
    return text
