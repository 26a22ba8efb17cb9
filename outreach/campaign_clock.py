"""The campaign clock: how long since the dates a campaign counts from.

Dates come from `campaign.dates` (e.g. arrest, sentence). "Today" comes from an
injected `now` seen in the campaign's timezone, so a post sent at 01:00 in Minsk
counts the Minsk day and tests choose the day.

`LocalFormat` writes numbers, dates and plural words in one language with Babel
(CLDR data), so Russian and Belarusian get their three plural forms and their
own digit grouping ("5 228" with a no-break space).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .errors import ClockError

if TYPE_CHECKING:
    from babel import Locale

    from .config import Config

DateRef = str | dt.date
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
_time_of_day = threading.local()


def time_of_day_reads() -> int:
    """How many times a CampaignClock's `now` was read on this thread.

    Templates count days (`today`, messages/README.md); one that reads `now` makes
    its text depend on the time of day. Rendering ahead (outreach.prerender) keeps
    a text only when its render did not move this.
    """
    return getattr(_time_of_day, "reads", 0)


@dataclass(frozen=True)
class Anniversary:
    """The next anniversary of a date, today included."""

    date: dt.date
    years: int
    """How many years that anniversary marks."""
    days_until: int
    """0 on the day itself."""


def anniversary_in(origin: dt.date, year: int) -> dt.date:
    """`origin`'s anniversary in `year`; a 29 February is kept on 28 February."""
    try:
        return origin.replace(year=year)
    except ValueError:
        return dt.date(year, 2, 28)


def parse_date(value: DateRef) -> dt.date:
    """A date from a date, or from text in YYYY-MM-DD form."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not _ISO_DATE.match(text):
        raise ClockError(f"{value!r} is not a date in YYYY-MM-DD form (e.g. 2011-08-04)")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ClockError(f"{value!r} is not a real date: {exc}") from None


class CampaignClock:
    """Day and year counts from the campaign's named dates, as of an injected `now`."""

    def __init__(self, dates: Mapping[str, dt.date], now: dt.datetime, tz: dt.tzinfo) -> None:
        if now.tzinfo is None:
            # A naive "now" would silently mean the server's zone, not the campaign's.
            raise ValueError("the clock needs a timezone-aware 'now'")
        self._dates = dict(dates)
        self._now = now.astimezone(tz)
        self.today = self._now.date()

    @property
    def now(self) -> dt.datetime:
        """The moment itself, in the campaign's zone (counted: time_of_day_reads)."""
        _time_of_day.reads = time_of_day_reads() + 1
        return self._now

    @classmethod
    def from_config(cls, cfg: Config, now: dt.datetime) -> CampaignClock:
        return cls(cfg.campaign.dates, now, cfg.campaign.tz)

    @property
    def names(self) -> tuple[str, ...]:
        """The configured date names, in the config's order."""
        return tuple(self._dates)

    @property
    def first(self) -> str:
        """The first configured date: the one a campaign counts from by default."""
        if not self._dates:
            raise ClockError("the campaign has no dates: add some under campaign.dates")
        return next(iter(self._dates))

    def date(self, ref: DateRef) -> dt.date:
        """A configured date by name, or a date given as YYYY-MM-DD."""
        if isinstance(ref, str) and ref in self._dates:
            return self._dates[ref]
        if isinstance(ref, str) and not _ISO_DATE.match(ref.strip()):
            known = ", ".join(self._dates) or "none (add some under campaign.dates)"
            raise ClockError(
                f"{ref!r} is neither a campaign date (known: {known}) nor a date in YYYY-MM-DD form"
            )
        return parse_date(ref)

    def days_since(self, ref: DateRef) -> int:
        """Days from the date to today: 0 on the day, negative before it."""
        return (self.today - self.date(ref)).days

    def day_number(self, ref: DateRef) -> int:
        """Today's number counting the date as day 1 ("day 5 228 in prison")."""
        return self.days_since(ref) + 1

    def days_until(self, ref: DateRef) -> int:
        """Days from today to the date: a countdown, negative once it has passed."""
        return (self.date(ref) - self.today).days

    def years_since(self, ref: DateRef) -> int:
        """Whole years from the date to today."""
        origin = self.date(ref)
        years = self.today.year - origin.year
        if self.today < anniversary_in(origin, self.today.year):
            years -= 1
        return years

    def next_anniversary(self, ref: DateRef) -> Anniversary:
        origin = self.date(ref)
        year = max(self.today.year, origin.year + 1)
        day = anniversary_in(origin, year)
        if day < self.today:
            year += 1
            day = anniversary_in(origin, year)
        return Anniversary(date=day, years=year - origin.year, days_until=(day - self.today).days)

    def is_anniversary(self, ref: DateRef) -> bool:
        return self.next_anniversary(ref).days_until == 0


@lru_cache(maxsize=32)
def locale_for(lang: str) -> Locale:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise ClockError(f"Babel has no locale data for language {lang!r}") from None


@dataclass(frozen=True)
class LocalFormat:
    """Numbers, dates and plural words written the way `lang` writes them."""

    lang: str

    @property
    def locale(self) -> Locale:
        return locale_for(self.lang)

    def number(self, value: float) -> str:
        from babel.numbers import format_decimal

        return format_decimal(value, locale=self.locale)

    def date(self, value: DateRef, format: str = "long") -> str:
        """`format` is a Babel width (short, medium, long, full) or a CLDR pattern."""
        from babel.dates import format_date

        return format_date(parse_date(value), format=format, locale=self.locale)

    def plural(self, value: float, **forms: str) -> str:
        """The word for `value` from forms named by CLDR category (one, few, many, other)."""
        unknown = set(forms) - set(PLURAL_CATEGORIES)
        if unknown:
            raise ClockError(
                f"plural() takes the forms {', '.join(PLURAL_CATEGORIES)}; "
                f"not {', '.join(sorted(unknown))}"
            )
        category = self.locale.plural_form(value)
        if category in forms:
            return forms[category]
        if "other" in forms:
            return forms["other"]
        raise ClockError(
            f"plural({value}) in {self.lang!r} needs the {category!r} form or an 'other' form"
        )
