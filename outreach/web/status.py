"""The status page: is the service delivering, are the feeds read, do the credentials work.

The same report as `outreach status` and the admin bot's /status
(liveness.report: the heartbeat `outreach run` writes to the store, posts
overdue, each feed's last read and failures, each channel's last post), the
live instances and what each holds (ledger.leases.members(), as `outreach
instances` lists them; on SQLite, whether a run holds the store), deliveries
by state and the alerts still to send. A feed not read for LATE_READS of its
own poll intervals while the service is alive is marked late. The channels'
credentials are `doctor`'s checks (the application's check_channels(),
network calls of a few seconds): run when someone asks, with a button, and
shown until the console restarts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..ledger import STATES
from ..said import Said
from ..said_read import feed_error
from .auth import Visitor
from .kit import action, console_of, done, page, render

LATE_READS = 3
"""A feed is late when it has not been read for this many of its poll intervals."""


@dataclass(frozen=True)
class FeedLine:
    id: str
    last_poll: dt.datetime | None
    failures: int
    error: str | None
    late: bool


@dataclass(frozen=True)
class Instances:
    shared: bool
    """PostgreSQL: several instances may share the store; SQLite: one at most."""
    members: list[Any]
    """ledger Member: owner, host, pid, since, beat_at, beat_age, holds."""
    sqlite_pid: int | None
    """SQLite: the pid of the `outreach run` holding the store (-1: unknown pid)."""


@page("viewer")
def status(request: Request, who: Visitor) -> Response:
    from ..instances import sqlite_holder
    from ..liveness import report
    from ..service import HEARTBEAT

    con = console_of(request)
    ledger, now = con.ledger, con.ledger.now()
    r = report(con.config, ledger, now)
    polls = {f.id: dt.timedelta(minutes=f.poll_minutes) for f in con.config.feeds}
    feeds = [
        FeedLine(
            f,
            poll,
            n,
            _error(f, error),
            r.alive and poll is not None and now - poll > LATE_READS * polls[f],
        )
        for f, poll, n, error in r.feeds
    ]
    leases = ledger.leases
    instances = Instances(
        leases.shared,
        leases.members(),
        None if leases.shared else sqlite_holder(con.config.store.url),
    )
    counts = ledger.counts()
    return render(
        request,
        "status.html",
        r=r,
        beat_every=int(HEARTBEAT.total_seconds()),
        ago=lambda moment: _ago(now, moment),
        feeds=feeds,
        instances=instances,
        last_sent=ledger.last_sent_at(),
        last_dry_run=ledger.last_sent_at(dry_run=True),
        counts=[(s, counts.get(s, 0)) for s in STATES],
        dry_runs=ledger.health.dry_runs_sent(),
        checks=con.checks,
        checked_at=con.checked_at,
        alerts_waiting=ledger.alerts.waiting(),
    )


def _error(feed_id: str, error: str | None) -> str | None:
    """The feed's last error in the reader's words where outreach's words made it
    (said_read.py), without the "feed 'x': " its own line already says."""
    said = feed_error(error)
    if isinstance(said, Said) and said.key == "feed.error" and said.values["feed"] == feed_id:
        inner: str = said.values["error"]
        return inner
    return said


def _ago(now: dt.datetime, moment: dt.datetime) -> tuple[str, int]:
    """(unit, count) for 'N units ago': the template says it in the reader's language."""
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 120:
        return "s", seconds
    if seconds < 7200:
        return "min", seconds // 60
    if seconds < 2 * 86400:
        return "h", seconds // 3600
    return "d", seconds // 86400


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
