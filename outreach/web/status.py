"""The status page: is the service delivering, are the feeds read, do the credentials work.

What the ledger knows: posts overdue (pending for more than OVERDUE past their
time: `outreach run` is not running), the last post out, deliveries by state,
each feed's last read and its failures in a row, the pauses, the alerts still
to send. The channels' credentials are `doctor`'s checks (the application's
check_channels(), network calls of a few seconds): run when someone asks,
with a button, and shown until the console restarts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..admin.views import OVERDUE
from ..ledger import STATES
from .auth import Visitor
from .kit import action, console_of, done, page, render


@page("viewer")
def status(request: Request, who: Visitor) -> Response:
    con = console_of(request)
    ledger, now = con.ledger, con.ledger.now()
    pending = ledger.deliveries(states=("pending",), limit=200)
    overdue = [d for d in pending if max(d.due_at, d.next_attempt_at or d.due_at) < now - OVERDUE]
    counts = ledger.counts()
    feeds = [(f.id, ledger.feed_state(f.id)) for f in con.config.feeds]
    return render(
        request,
        "status.html",
        overdue=overdue,
        last_sent=ledger.last_sent_at(),
        counts=[(s, counts.get(s, 0)) for s in STATES],
        feeds=feeds,
        checks=con.checks,
        alerts_waiting=ledger.alerts.waiting(),
    )


CHECK_EVERY = dt.timedelta(minutes=1)
"""A viewer may ask, but the networks are asked at most this often (their rate limits)."""


@action("viewer")
def check(request: Request, who: Visitor, form: Mapping[str, str]) -> Response:
    con = console_of(request)
    now = con.ledger.now()
    if con.checked_at is None or now - con.checked_at >= CHECK_EVERY:
        con.checks = list(con.application.check_channels())
        con.checked_at = now
    return done(request, "/status", "done.checked")


routes = [
    Route("/status", status, methods=["GET"]),
    Route("/status/check", check, methods=["POST"]),
]
