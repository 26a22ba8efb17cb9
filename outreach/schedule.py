"""What is due: a pure function of announcements, a clock reading and what was already done.

No database, no threads, no real clock: the service passes `now` and the
latest occurrence already handled per announcement (read from the ledger), and
gets back what to send, what was missed and when each announcement fires next.
APScheduler 3's own triggers compute fire times (CronTrigger.from_crontab,
DateTrigger), in the announcement's zone via zoneinfo.

Rules, in the words an organiser would use:

- An occurrence is sent if the service notices it within the grace window
  (`delivery.misfire_grace_minutes`, at least ON_TIME); older ones are
  `missed` and reported, never sent days late by surprise.
- Several occurrences of a recurring announcement inside the window go out
  once, for the latest of them (coalesced), not once per miss.
- A cron announcement counts its occurrences from when it was defined (or last
  changed), so a new weekly reminder does not report last week as missed.
- In a repeated hour (clocks going back) a wall-clock time fires once, on its
  first instance; in a skipped hour (clocks going forward) it fires at the
  same instant shifted by the gap, as zoneinfo resolves it.
- Quiet hours of a channel (campaign time zone) push a post due inside them to
  the end of the window.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from .errors import ScheduleError

UTC = dt.UTC
ON_TIME = dt.timedelta(seconds=60)
"""However small the configured grace, this much lateness still counts as on time."""
_COUNT_CAP = 5000
"""Occurrences counted one by one before the count is reported as 'at least'."""
_TICK = dt.timedelta(microseconds=1)
NEVER = dt.datetime.max.replace(tzinfo=UTC)
"""An `idle_until` for an announcement that fires no more (plan())."""


@dataclass(frozen=True)
class Announcement:
    """The schedule's view of an announcement: only what decides when it fires."""

    id: str
    channels: tuple[str, ...]
    timezone: str
    at: dt.datetime | None = None
    """A one-off: aware, or naive meaning wall time in `timezone`."""
    cron: str | None = None
    """Recurring: five crontab fields, weekdays numbered as in cron (0 or 7 = Sunday)."""
    active_from: dt.datetime | None = None
    """Cron occurrences at or before this instant do not count (defined or changed then)."""
    cancelled: bool = False


@dataclass(frozen=True)
class Send:
    channel_id: str
    not_before: dt.datetime
    """Now, or the end of the channel's quiet hours if now falls inside them."""


@dataclass(frozen=True)
class Due:
    """An occurrence to deliver now, once per channel."""

    announcement_id: str
    occurrence: dt.datetime
    """The scheduled instant (UTC); the dedupe key is built from it."""
    late: dt.timedelta
    coalesced: int
    """Earlier occurrences inside the grace window folded into this one."""
    sends: tuple[Send, ...]


@dataclass(frozen=True)
class Missed:
    """Occurrences noticed too late to send; one record per announcement per plan."""

    announcement_id: str
    first: dt.datetime
    last: dt.datetime
    """The latest missed occurrence (UTC): recording it moves the announcement past all of them."""
    count: int
    count_is_minimum: bool = False

    def reason(self, grace: dt.timedelta) -> str:
        n = f"at least {self.count}" if self.count_is_minimum else str(self.count)
        span = (
            f"at {iso(self.first)}"
            if self.count == 1
            else f"{n} occurrences from {iso(self.first)} to {iso(self.last)}"
        )
        return (
            f"missed {span}: the service was not running and the grace window "
            f"is {int(grace.total_seconds() // 60)} min"
        )


@dataclass(frozen=True)
class Plan:
    due: list[Due] = field(default_factory=list)
    missed: list[Missed] = field(default_factory=list)
    next_at: dict[str, dt.datetime | None] = field(default_factory=dict)
    """The next occurrence after `now` per announcement (UTC), None when there is none."""


def iso(moment: dt.datetime) -> str:
    """The canonical UTC form used in dedupe keys and reports: 2024-08-04T07:00:00Z."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def occurrence_key(announcement_id: str, occurrence: dt.datetime) -> str:
    """The dedupe key of one occurrence; the ledger adds the channel."""
    return f"announcement:{announcement_id}@{iso(occurrence)}"


# -- triggers ---------------------------------------------------------------

_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _weekday_names(field_: str) -> str:
    """Cron numbers weekdays from Sunday = 0; APScheduler 3 from Monday = 0 (its issue 286).

    Numbers are turned into names, which both read the same way, so "1-5"
    means Monday to Friday as in every crontab an organiser has seen.
    """
    if not re.search(r"\d", field_):
        return field_
    out = []
    for part in field_.split(","):
        m = re.fullmatch(r"(\d)(?:-(\d))?", part)
        if not m:
            if re.search(r"\d", part):
                raise ScheduleError(
                    f"weekday {part!r}: use names (mon-fri) or plain numbers and ranges (1-5)"
                )
            out.append(part)
            continue
        first, last = int(m[1]), int(m[2] if m[2] is not None else m[1])
        if first > 7 or last > 7 or first > last:
            raise ScheduleError(f"weekday {part!r} is not a range of 0-7 (0 and 7 are Sunday)")
        if first == 0 and last > 0:
            # sun-sat would run backwards in APScheduler's Monday-first numbering
            out.append("sun")
            first = 1
        out.append(_WEEKDAYS[first] if first == last else f"{_WEEKDAYS[first]}-{_WEEKDAYS[last]}")
    return ",".join(out)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError) as exc:
        raise ScheduleError(f"unknown timezone {name!r}; use a name like 'Europe/Minsk'") from exc


def localize(wall: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """An aware instant for a wall time; a time in a DST gap is a ScheduleError."""
    if wall.tzinfo is not None:
        return wall
    aware = wall.replace(tzinfo=tz)
    back = aware.astimezone(UTC).astimezone(tz)
    if back.replace(tzinfo=None) != wall:
        raise ScheduleError(
            f"{wall.isoformat(sep=' ')} does not exist in {tz.key} (the clocks skip that hour)"
        )
    return aware


def trigger(ann: Announcement):
    """The APScheduler 3 trigger that computes this announcement's fire times."""
    if ann.cron is None and ann.at is None:
        raise ScheduleError(f"announcement {ann.id!r} has neither 'at' nor 'cron'")
    # fold: a wall time in a repeated hour is two instants, though equal as keys
    return _trigger(ann.cron, ann.at, ann.at.fold if ann.at else 0, ann.timezone)


@functools.lru_cache(maxsize=100_000)
def _trigger(cron: str | None, at: dt.datetime | None, _fold: int, tz_name: str):
    # Made once per schedule: the service checks each announcement's trigger when it
    # first sees the row, and the plan after uses it (20-25 us each to make, ten
    # thousand announcements at start-up). Errors are raised, never cached.
    from apscheduler.triggers.date import DateTrigger

    tz = zone(tz_name)
    if cron is not None:
        fields = cron.split()
        if len(fields) != 5:
            raise ScheduleError(
                f"cron {cron!r} needs 5 fields (minute hour day month weekday), got {len(fields)}"
            )
        fields[4] = _weekday_names(fields[4])
        try:
            return _cron_trigger(" ".join(fields), tz_name)
        except ValueError as exc:
            raise ScheduleError(f"cron {cron!r}: {exc}") from None
    assert at is not None
    return DateTrigger(run_date=localize(at, tz), timezone=tz)


@functools.lru_cache(maxsize=100_000)
def _cron_trigger(crontab: str, tz_name: str):
    # Parsing is most of a plan over many announcements, every turn; a CronTrigger
    # never changes once made, so one per (expression, zone) serves every turn.
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger.from_crontab(crontab, timezone=zone(tz_name))


def _repeated_wall_time(moment: dt.datetime) -> bool:
    """The second instance of a wall time that happens twice (clocks went back)."""
    return moment.fold == 1 and moment.replace(fold=0).utcoffset() != moment.utcoffset()


def next_after(trig, after: dt.datetime) -> dt.datetime | None:
    """The first fire time strictly after `after` (UTC), skipping repeated wall times."""
    # arithmetic in UTC: adding to an aware local time is wall-clock arithmetic and drops fold
    moment = after.astimezone(UTC)
    while True:
        nxt = trig.get_next_fire_time(None, moment + _TICK)
        if nxt is None or nxt <= after:
            return None  # a DateTrigger answers its date even when it is past
        if not _repeated_wall_time(nxt):
            return nxt.astimezone(UTC)
        moment = nxt.astimezone(UTC)


def _last_at_or_before(trig, start: dt.datetime, end: dt.datetime) -> dt.datetime | None:
    """The latest fire time in (start, end], by bisection: triggers only look forward."""
    first = next_after(trig, start)
    if first is None or first > end:
        return None
    lo, hi = first, end  # invariant: next_after(lo - tick) <= end
    while hi - lo > dt.timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        nxt = next_after(trig, mid)
        if nxt is not None and nxt <= end:
            lo = nxt
        else:
            hi = mid
    # lo is a fire time; step forward in case one more lies before end
    nxt = next_after(trig, lo)
    while nxt is not None and nxt <= end:
        lo, nxt = nxt, next_after(trig, nxt)
    return lo


@dataclass(frozen=True)
class _Span:
    first: dt.datetime
    last: dt.datetime
    count: int
    at_least: bool


def _span(trig, start: dt.datetime, end: dt.datetime) -> _Span | None:
    """Fire times in (start, end]: the first, the last and how many."""
    first = next_after(trig, start)
    if first is None or first > end:
        return None
    count, last = 1, first
    for moment in _iter_after(trig, first):
        if moment > end:
            return _Span(first, last, count, False)
        if count >= _COUNT_CAP:
            return _Span(first, _last_at_or_before(trig, start, end) or last, count, True)
        count, last = count + 1, moment
    return _Span(first, last, count, False)


def _iter_after(trig, after: dt.datetime) -> Iterator[dt.datetime]:
    moment = next_after(trig, after)
    while moment is not None:
        yield moment
        moment = next_after(trig, moment)


def occurrences(ann: Announcement, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """Fire times in (start, end] (UTC); for listings, so capped at _COUNT_CAP."""
    out: list[dt.datetime] = []
    for moment in _iter_after(trigger(ann), start):
        if moment > end or len(out) >= _COUNT_CAP:
            break
        out.append(moment)
    return out


def next_occurrence(ann: Announcement, after: dt.datetime) -> dt.datetime | None:
    if ann.cancelled:
        return None
    return next_after(trigger(ann), after)


# -- quiet hours -------------------------------------------------------------


def quiet_until(start: dt.time, end: dt.time, tz: ZoneInfo, moment: dt.datetime) -> dt.datetime:
    """`moment`, or the end of the quiet window it falls in (windows may cross midnight).

    A window whose start equals its end is empty.
    """
    local = moment.astimezone(tz)
    wall = local.time().replace(tzinfo=None)
    if start == end:
        return moment
    inside = start <= wall < end if start < end else (wall >= start or wall < end)
    if not inside:
        return moment
    day = local.date()
    if start > end and wall >= start:
        day += dt.timedelta(days=1)  # the window ends tomorrow morning
    # a wall end time inside a DST gap resolves forward, as zoneinfo does
    release = dt.datetime.combine(day, end, tzinfo=tz).astimezone(UTC)
    return max(release, moment.astimezone(UTC))


@dataclass(frozen=True)
class Quiet:
    start: dt.time
    end: dt.time


def release_time(
    quiet: Mapping[str, Quiet | None], channel_id: str, tz: ZoneInfo, moment: dt.datetime
) -> dt.datetime:
    q = quiet.get(channel_id)
    return moment if q is None else quiet_until(q.start, q.end, tz, moment)


# -- the plan ----------------------------------------------------------------


def plan(
    announcements: Sequence[Announcement],
    now: dt.datetime,
    last_done: Mapping[str, dt.datetime],
    grace: dt.timedelta,
    quiet: Mapping[str, Quiet | None] | None = None,
    quiet_tz: ZoneInfo | None = None,
    idle_until: Mapping[str, dt.datetime] | None = None,
) -> Plan:
    """What to send now and what was missed.

    `last_done` holds, per announcement, the latest occurrence already handled
    (sent, queued, failed or marked missed); everything up to it is settled.

    `idle_until`, per announcement, an instant before which it is known to fire
    nothing (NEVER: it fires no more): a previous plan's next_at for it, which
    holds while neither the announcement nor its last_done has changed and that
    plan found nothing due or missed for it (the caller keeps this true). Until
    `now` reaches it the announcement is not looked at again: a plan over
    thousands of announcements, every turn, computes only what can have changed.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    quiet = quiet or {}
    quiet_tz = quiet_tz or ZoneInfo("UTC")
    grace = max(grace, ON_TIME)
    idle_until = idle_until or {}
    result = Plan()
    for ann in announcements:
        if ann.cancelled:
            result.next_at[ann.id] = None
            continue
        idle = idle_until.get(ann.id)
        if idle is not None and now < idle:
            result.next_at[ann.id] = None if idle == NEVER else idle
            continue
        trig = trigger(ann)
        start = settled_until(ann, last_done.get(ann.id))
        if start <= now:
            # Most announcements fire nothing in (start, now]: then nothing is missed or
            # due, and the first fire after start is the first after now. One trigger
            # step instead of three (the first plan after start-up looks at them all).
            first = next_after(trig, start)
            if first is None or first > now:
                result.next_at[ann.id] = first
                continue
        cutoff = now - grace
        if start < cutoff:
            missed = _span(trig, start, cutoff)
            if missed is not None:
                result.missed.append(
                    Missed(ann.id, missed.first, missed.last, missed.count, missed.at_least)
                )
        fresh = _span(trig, max(start, cutoff), now)
        if fresh is not None:
            # it goes out now (on time or late); quiet hours are judged at that moment
            sends = tuple(Send(ch, release_time(quiet, ch, quiet_tz, now)) for ch in ann.channels)
            result.due.append(Due(ann.id, fresh.last, now - fresh.last, fresh.count - 1, sends))
        result.next_at[ann.id] = next_after(trig, now)
    return result


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)


def settled_until(ann: Announcement, done: dt.datetime | None) -> dt.datetime:
    """The instant up to which this announcement has nothing left to consider."""
    floor = _EPOCH
    if ann.cron is not None and ann.active_from is not None:
        floor = ann.active_from.astimezone(UTC)
    if done is not None:
        floor = max(floor, done.astimezone(UTC))
    return floor
