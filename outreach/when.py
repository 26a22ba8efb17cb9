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
