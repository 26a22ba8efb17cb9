"""Pause and embargo from the web: everything or one channel, now or until a time.

The ledger owns the pauses (outreach/ledger/pause.py); this page shows those
in force to everyone and lets an admin add, extend or end them. An end time
is read in the campaign's time zone: the browser's date-and-time field
('2026-12-10T09:30'), or words as the admin bot reads them ('tomorrow 10:00').
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import StoreError
from .auth import Visitor
from .kit import action, console_of, done, page, render


def read_until(request: Request, text: str) -> dt.datetime | None:
    """The end of an embargo, in the campaign's zone; None when left empty."""
    text = " ".join(text.split())
    if not text:
        return None
    con = console_of(request)
    now = con.ledger.now()
    try:
        wall = dt.datetime.fromisoformat(text)
    except ValueError:
        from ..when import parse_when

        return parse_when(
            text,
            timezone=con.config.campaign.timezone,
            now=now,
            languages=con.config.campaign.languages,
        ).moment
    if wall.tzinfo is None:
        from ..schedule import localize

        wall = localize(wall, con.config.campaign.tz)
    if wall <= now:
        raise StoreError(f"{text} has passed: an embargo must end in the future")
    return wall


def _channel(request: Request, form: Mapping[str, str]) -> str | None:
    channel = form.get("channel", "") or None
    if channel is not None and channel not in {c.id for c in console_of(request).config.channels}:
        raise StoreError(f"there is no channel {channel!r}")
    return channel


@page("viewer")
def pause_page(request: Request, who: Visitor) -> Response:
    return render(
        request, "pause.html", channels=[c.id for c in console_of(request).config.channels]
    )


@action("admin")
def pause(request: Request, who: Visitor, form: Mapping[str, str]) -> Response:
    until = read_until(request, form.get("until", ""))
    why = " ".join(form.get("why", "").split())[:500] or None
    r = console_of(request).ledger.pause(
        who.actor, channel_id=_channel(request, form), until=until, why=why
    )
    if r.sending:
        return done(request, "/pause", "done.pause_sending", n=r.sending)
    return done(request, "/pause", "done.pause", held=r.held)


@action("admin")
def resume(request: Request, who: Visitor, form: Mapping[str, str]) -> Response:
    r = console_of(request).ledger.resume(by=who.actor, channel_id=_channel(request, form))
    if r.still is not None and form.get("channel"):
        return done(request, "/pause", "done.still")
    return done(request, "/pause", "done.resume", released=r.released)


routes = [
    Route("/pause", pause_page, methods=["GET"]),
    Route("/pause", pause, methods=["POST"]),
    Route("/resume", resume, methods=["POST"]),
]
