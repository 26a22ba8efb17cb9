"""/calendar: a month or a week of what is planned and what was done, in the campaign's zone.

Planned: each active announcement's occurrences from now on (recurring ones
projected forward by schedule.occurrences), once per channel, and the feed
items and posts queued in the ledger. A feed item is known once a read of its
feed has queued it; the page says when each feed is next read (it does not
fetch feeds itself). Done: what the ledger says went out
(with its link), failed, was missed or is unknown. A planned post inside its
channel's quiet hours says when it will go out instead; one on a paused
channel says it is held. Prev/next are plain links (no script needed).

An organiser moves a one-off announcement that is not queued yet
(announcements.reschedule: the same validation as `schedule add`, and the
audit trail names who moved it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import announcements, schedule
from ..errors import ScheduleError
from .auth import Visitor
from .kit import Message, action, console_of, done, language, page, quoted, render

DAY = dt.timedelta(days=1)
DONE_STATES = ("sent", "failed", "missed", "unknown", "cancelled")


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    """When it goes (or went) out: UTC."""
    channel_id: str
    state: str
    """'planned' (an occurrence not queued yet), or the delivery's state."""
    label: str
    url: str | None = None
    movable: str | None = None
    """The one-off announcement's id, when an organiser may move it from here."""
    quiet_until: dt.datetime | None = None
    """Inside the channel's quiet hours: when it will go out instead."""
    held: bool = False
    """Falls in a pause or embargo of its channel (or of everything)."""
    dry_run: bool = False
    """Printed by the dry-run publisher (the channel has no token): it reached nobody."""


@dataclass
class Day:
    date: dt.date
    in_range: bool
    today: bool
    entries: list[Entry] = field(default_factory=list)


FIRST_YEAR, LAST_YEAR = 1970, 2999
"""The years the calendar shows (a month's grid and its neighbours stay inside Python's dates)."""


def _anchor(request: Request, today: dt.date) -> tuple[dt.date, Message | None]:
    """?date= (YYYY-MM-DD), or today with a message saying why it was not used."""
    raw = request.query_params.get("date", "")
    if not raw:
        return today, None
    try:
        date = dt.date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        date = None
    if date is None or not FIRST_YEAR <= date.year <= LAST_YEAR:
        values = {"value": quoted(raw), "lo": FIRST_YEAR, "hi": LAST_YEAR}
        return today, Message("cal.bad_date", values)
    return date, None


def _span(view: str, anchor: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """(first shown day, day after the last shown, previous anchor, next anchor)."""
    if view == "week":
        first = anchor - dt.timedelta(days=anchor.weekday())
        return first, first + 7 * DAY, first - 7 * DAY, first + 7 * DAY
    month = anchor.replace(day=1)
    following = (month + 32 * DAY).replace(day=1)
    first = month - dt.timedelta(days=month.weekday())
    last = following + dt.timedelta(days=(7 - following.weekday()) % 7)
    return first, last, (month - DAY).replace(day=1), following


def entries(request: Request, start: dt.datetime, end: dt.datetime) -> list[Entry]:
    """Everything planned or done in [start, end), by time."""
    con = console_of(request)
    cfg, ledger = con.config, con.ledger
    now = ledger.now()
    tz = cfg.campaign.tz
    quiet = {
        c.id: schedule.Quiet(c.quiet_hours.start, c.quiet_hours.end) if c.quiet_hours else None
        for c in cfg.channels
    }
    pauses = ledger.pauses()

    def held(channel_id: str, at: dt.datetime) -> bool:
        return any(
            p.channel_id in (None, channel_id) and (p.until is None or at < p.until) for p in pauses
        )

    def planned(channel_id: str, at: dt.datetime, **kw: object) -> Entry:
        release = schedule.release_time(quiet, channel_id, tz, at)
        return Entry(
            at,
            channel_id,
            kw.pop("state", "planned"),  # type: ignore[arg-type]
            quiet_until=release if release != at else None,
            held=held(channel_id, at),
            **kw,  # type: ignore[arg-type]
        )

    out: list[Entry] = []
    queued: set[tuple[str, str, dt.datetime]] = set()
    for d in ledger.between(start, end):
        at = d.sent_at or d.due_at
        if d.occurrence is not None:
            queued.add((d.about, d.channel_id, d.occurrence))
        if d.state in DONE_STATES:
            out.append(
                Entry(at, d.channel_id, d.state, d.about, url=d.remote_url, dry_run=d.dry_run)
            )
        else:
            out.append(planned(d.channel_id, at, state=d.state, label=d.about))
    for stored in ledger.announcements(state="active"):
        ann = announcements.for_schedule(stored, cfg)
        try:
            moments = schedule.occurrences(ann, max(start, now) - dt.timedelta(microseconds=1), end)
        except ScheduleError:
            continue
        about = f"announcement:{stored.id}"
        movable = stored.id if stored.at is not None and stored.source != "yaml" else None
        for at in moments:
            if at >= end:
                continue
            for i, ch in enumerate(ann.channels):
                if (about, ch, at) not in queued:  # one form per occurrence, on its first channel
                    out.append(planned(ch, at, label=about, movable=movable if i == 0 else None))
    out.sort(key=lambda e: (e.at, e.channel_id))
    return out


def feed_reads(request: Request) -> list[tuple[str, dt.datetime | None]]:
    """(feed id, when it is next read) per feed: its items reach the calendar only then.

    The ledger knows a feed item once a read has queued it (queued at once, or at
    the end of its channel's quiet hours); what a feed holds before its next read
    is not known without fetching it, which a page view does not do.
    """
    con = console_of(request)
    out = []
    for f in con.config.feeds:
        state = con.ledger.feed_state(f.id)
        last = state.last_poll if state is not None else None
        out.append((f.id, last + dt.timedelta(minutes=f.poll_minutes) if last else None))
    return out


def quiet_hours(request: Request) -> list[tuple[str, str, str]]:
    return [
        (c.id, c.quiet_hours.start.strftime("%H:%M"), c.quiet_hours.end.strftime("%H:%M"))
        for c in console_of(request).config.channels
        if c.quiet_hours is not None
    ]


@page("viewer")
def calendar(request: Request, who: Visitor) -> Response:
    from babel.dates import format_date

    con = console_of(request)
    tz = con.config.campaign.tz
    lang = language(request)
    today = con.ledger.now().astimezone(tz).date()
    view = "week" if request.query_params.get("view") == "week" else "month"
    anchor, bad_date = _anchor(request, today)
    first, after, prev, nxt = _span(view, anchor)
    start = schedule.localize(dt.datetime.combine(first, dt.time()), tz)
    end = schedule.localize(dt.datetime.combine(after, dt.time()), tz)
    days = [
        Day(first + i * DAY, view == "week" or (first + i * DAY).month == anchor.month, False)
        for i in range((after - first).days)
    ]
    for d in days:
        d.today = d.date == today
    for e in entries(request, start, end):
        i = (e.at.astimezone(tz).date() - first).days
        if 0 <= i < len(days):
            days[i].entries.append(e)
    if view == "month":
        heading = format_date(anchor, "LLLL y", locale=lang)
    else:
        heading = f"{format_date(first, 'd MMM', locale=lang)} – {format_date(after - DAY, 'd MMM y', locale=lang)}"
    return render(
        request,
        "calendar.html",
        view=view,
        heading=heading,
        days=days,
        weekdays=[format_date(first + i * DAY, "EEEE", locale=lang) for i in range(7)],
        day_name=lambda d: format_date(d, "EEE d MMM", locale=lang),
        clock=lambda m: m.astimezone(tz).strftime("%H:%M"),
        local_input=lambda m: m.astimezone(tz).strftime("%Y-%m-%dT%H:%M"),
        prev=f"/calendar?view={view}&date={prev.isoformat()}",
        next=f"/calendar?view={view}&date={nxt.isoformat()}",
        today_link=f"/calendar?view={view}",
        other_view=f"/calendar?view={'week' if view == 'month' else 'month'}&date={anchor.isoformat()}",
        quiet=quiet_hours(request),
        feeds=feed_reads(request),
        problems=[bad_date] if bad_date else [],
        back=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    )


@action("organiser")
def move(request: Request, who: Visitor, form: Mapping[str, str]) -> Response:
    con = console_of(request)
    ident = str(request.path_params.get("id", ""))
    up = announcements.reschedule(
        con.config,
        con.ledger,
        ident,
        form.get("at", "").replace("T", " "),
        now=con.ledger.now(),
        by=who.actor,
    )
    when = (
        up.next_at.astimezone(con.config.campaign.tz).strftime("%Y-%m-%d %H:%M")
        if up.next_at
        else ""
    )
    back = form.get("back") or "/calendar"
    return done(request, back, "done.moved", id=ident, when=when)


routes = [
    Route("/calendar", calendar, methods=["GET"]),
    Route("/calendar/{id}/move", move, methods=["POST"]),
]
