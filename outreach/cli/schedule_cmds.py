"""Scheduling commands: run, schedule add|list|cancel, history (feeds: feed_cmds.py).

The service, its ledger and its clock are the application's (outreach/app.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from ..errors import OutreachError, ScheduleError
from .common import App, console, delivery_json, pass_app, print_json
from .run_output import print_queue, print_result, turn_json

HISTORY_STATES = ("sent", "failed", "unknown", "missed", "cancelled")


# -- shared plumbing -----------------------------------------------------------

OPTIONS = {
    "id": "ID",
    "at": "--at",
    "cron": "--cron",
    "channel": "--channel",
    "page": "--page",
    "template": "--template",
    "timezone": "--timezone",
}
"""The input an error is about (OutreachError.field), as these commands spell it."""


@contextmanager
def naming_options() -> Iterator[None]:
    """An error about one input names it as this command's option ('--at: ...').

    The announcements layer names no option itself: the admin bot shows the
    same errors, and an organiser in Telegram has no --at to fix.
    """
    try:
        yield
    except OutreachError as exc:
        if exc.field in OPTIONS:
            exc.args = (f"{OPTIONS[exc.field]}: {exc}", *exc.args[1:])
        raise


def _local(moment: dt.datetime | None, tz: Any) -> str:
    return "" if moment is None else moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _maybe_terminal() -> bool:
    """False only where rich's Console.is_terminal is surely False too: output to a pipe
    or file (cron, timers, scripts) then never imports rich (1.8 MiB, 0.04 s; issue 15)."""
    if os.environ.get("TTY_COMPATIBLE") == "1" or os.environ.get("FORCE_COLOR"):
        return True
    try:
        return sys.stdout.isatty()
    except ValueError:  # closed
        return False


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """A rich progress bar fed by (feed id, done, total) calls; None when not on a terminal."""
    if not enabled or not _maybe_terminal():
        yield None
        return
    con = console()
    if not con.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=con
    ) as bar:
        tasks: dict[str, Any] = {}

        def update(feed_id: str, done: int, total: int) -> None:
            if feed_id not in tasks:
                tasks[feed_id] = bar.add_task(f"feed {feed_id}", total=total)
            bar.update(tasks[feed_id], completed=done, total=total)

        yield update


def _setup_logging(verbose: bool, level: int = logging.WARNING) -> None:
    from ..logsetup import setup_logging

    setup_logging(None, logging.INFO if verbose else level)  # the format --log-format chose
    # APScheduler logs every job it runs, httpx every request (a private feed's URL may
    # carry a key in its query): our own lines say what matters
    for noisy in ("apscheduler", "httpx"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)


# -- run -----------------------------------------------------------------------


@click.command()
@click.option("--once", is_flag=True, help="Do all that is due now, then exit (cron, timers).")
@click.option(
    "--wait", default=30.0, show_default=True, help="--once: seconds to wait for retries, pacing."
)
@click.option("-v", "--verbose", is_flag=True, help="Log what happens (to stderr).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report (--once) or JSON lines.")
@click.option(
    "--metrics-port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Serve Prometheus /metrics and /health on 127.0.0.1:PORT (not with --once).",
)
@pass_app
def run(
    app: App, once: bool, wait: float, verbose: bool, as_json: bool, metrics_port: int | None
) -> None:
    """Run the service: scheduled announcements, the feed watcher and delivery.

    Without --once it runs until SIGTERM or Ctrl-C, which let the post in
    flight finish; a restart resumes where it stopped. With --once it
    queues what is due now (announcements, new feed items), delivers it and
    exits. Channels without a token go to the dry-run publisher, which prints
    the posts.

    \b
    Example:
      outreach run --once
      outreach run            # as a systemd service
      outreach run --metrics-port 9464
    """
    # with --json, stdout carries JSON only: printed dry-run posts go to stderr
    app.dry_run_out = sys.stderr if as_json else sys.stdout
    if not once:
        _setup_logging(verbose, logging.INFO)
        service = app.service()
        if as_json:
            import json

            def emit(outcome: Any) -> None:
                line = {"delivery": outcome.delivery_id, "channel": outcome.channel_id}
                line |= {"state": outcome.state, "detail": outcome.detail}
                click.echo(json.dumps(line, ensure_ascii=False))

            service.delivery.on_outcome = emit
        service.install_signal_handlers()
        server = None
        if metrics_port is not None:
            from ..metrics import MetricsServer

            server = MetricsServer(app.config, app.ledger, app.clock.now, metrics_port).start()
            click.echo(f"metrics: http://127.0.0.1:{server.port}/metrics", err=True)
        try:
            service.run()
        finally:
            if server is not None:
                server.stop()
        return
    _setup_logging(verbose)
    service = app.service(once=True)
    service.install_signal_handlers()
    # Posts go out while the feeds are still being queued, unless dry-run posts would
    # be printed among the queue's lines.
    rehearsing = any(pub.dry_run for pub in service.delivery.publishers.values())
    with _progress(not as_json) as progress:
        turn = service.run_once(
            max_wait=wait,
            progress=progress,
            on_queued=None if as_json else (lambda t: print_queue(app, service, t)),
            stream=as_json or not rehearsing,
        )
    if as_json:
        print_json(turn_json(app, service, turn))
    else:
        print_result(app, service, turn)
    if turn.delivered and (turn.delivered.count("failed") or turn.delivered.count("unknown")):
        sys.exit(1)


# -- schedule add | list | cancel ----------------------------------------------


@click.group()
def schedule() -> None:
    """Plan announcements: add, list and cancel them.

    \b
    Example:
      outreach schedule add verdict --template reminder --page ales --at "tomorrow 10:00"
      outreach schedule add monday --template reminder --cron "0 10 * * mon"
      outreach schedule list
      outreach schedule cancel verdict
    """


def _ann_json(up: Any) -> dict[str, Any]:
    a = up.announcement
    return {
        "id": a.id, "template": a.template, "page": a.page, "channels": list(a.channels),
        "at": a.at.isoformat() if a.at else None, "cron": a.cron, "timezone": a.timezone,
        "source": a.source, "state": a.state,
        "next": up.next_at.isoformat() if up.next_at else None,
        # who scheduled it in the admin bot; null: the campaign's own (the file, the CLI)
        "created_by": None if a.created_by_id is None
        else {"telegram_id": a.created_by_id, "name": a.created_by_name},
    }  # fmt: skip


@schedule.command("add")
@click.argument("ident", metavar="ID")
@click.option("--template", required=True, help="Message kind, e.g. reminder, anniversary.")
@click.option("--page", default=None, help="The page it is about (default: the campaign).")
@click.option("--channel", "channels", multiple=True, help="Only this channel (repeatable).")
@click.option(
    "--at", default=None, help="Once: '2026-08-04 10:00', 'tomorrow 10:00' (campaign time zone)."
)
@click.option("--cron", default=None, help="Recurring: '0 10 * * mon' (crontab fields).")
@click.option("--timezone", default=None, help="Time zone (default: the campaign's).")
@click.option("--json", "as_json", is_flag=True, help="Print the stored announcement as JSON.")
@pass_app
def schedule_add(
    app: App,
    ident: str,
    template: str,
    page: str | None,
    channels: tuple[str, ...],
    at: str | None,
    cron: str | None,
    timezone: str | None,
    as_json: bool,
) -> None:
    """Add an announcement; it is checked to render on every channel first.

    \b
    Example:
      outreach schedule add verdict --template reminder --page ales --at "tomorrow 10:00"
      outreach schedule add monday --template reminder --cron "0 10 * * mon" --channel telegram-be
    """
    from .. import announcements

    if (at is None) == (cron is None):
        raise ScheduleError("give exactly one of --at (a date and time) or --cron")
    with naming_options():
        up = announcements.add(
            app.config, app.ledger, ident=ident, template=template, now=app.clock.now(),
            at=at, cron=cron, page=page, channels=channels or ("*",), timezone=timezone,
        )  # fmt: skip
    if as_json:
        print_json(_ann_json(up))
        return
    from ..when import describe

    nxt = describe(up.next_at, _zone(up.announcement.timezone)) if up.next_at else "never"
    click.echo(f"added {ident}: next at {nxt}")


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


@schedule.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include cancelled announcements.")
@click.option("--json", "as_json", is_flag=True, help="Print the announcements as JSON.")
@pass_app
def schedule_list(app: App, show_all: bool, as_json: bool) -> None:
    """List announcements with their next time (the campaign file's ones once `run` has seen them).

    \b
    Example:
      outreach schedule list --all
    """
    from rich.table import Table

    from .. import announcements
    from ..announcement_sync import sync_yaml

    ledger = app.ledger
    sync_yaml(app.config, ledger)
    rows = [
        u
        for u in announcements.upcoming(app.config, ledger, app.clock.now())
        if show_all or u.announcement.state == "active"
    ]
    if as_json:
        print_json([_ann_json(u) for u in rows])
        return
    table = Table(title="Announcements", title_justify="left")
    for col in ("id", "when", "next", "template", "channels", "source", "by", "state"):
        table.add_column(col, overflow="fold")
    for u in rows:
        a = u.announcement
        zone = _zone(a.timezone)
        when = f"cron {a.cron}" if a.cron else f"at {_local(a.at, zone)}"
        nxt = f"{_local(u.next_at, zone)} {a.timezone}" if u.next_at else "-"
        what = a.template + (f" ({a.page})" if a.page else "")
        by = a.creator or "the campaign"
        table.add_row(a.id, when, nxt, what, ", ".join(a.channels), a.source, by, a.state)
    console().print(table if rows else "No announcements.")


@schedule.command("cancel")
@click.argument("ident", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_app
def schedule_cancel(app: App, ident: str, as_json: bool) -> None:
    """Cancel an announcement and its posts still waiting in the queue.

    \b
    Example:
      outreach schedule cancel verdict
    """
    from .. import announcements

    with naming_options():
        n = announcements.cancel(app.ledger, ident)
    if as_json:
        print_json({"id": ident, "state": "cancelled", "deliveries_cancelled": n})
        return
    click.echo(f"cancelled {ident} ({n} queued post(s) cancelled)")


# -- history -------------------------------------------------------------------


@click.command()
@click.option("--state", "states", multiple=True, type=click.Choice(HISTORY_STATES))
@click.option("--channel", default=None, help="Only this channel.")
@click.option("--limit", default=50, show_default=True, help="How many, newest first.")
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON.")
@pass_app
def history(
    app: App, states: tuple[str, ...], channel: str | None, limit: int, as_json: bool
) -> None:
    """What went out, where, with links; failures, unknowns and misses with their reasons.

    \b
    Example:
      outreach history
      outreach history --state unknown --state failed --json
    """
    from rich.table import Table

    from ..corrections import changes_of, describe

    rows = app.ledger.deliveries(
        states=states or HISTORY_STATES, channel_id=channel, order="history", limit=limit
    )
    changes = changes_of(app, [d.id for d in rows])
    if as_json:
        print_json(
            [
                {**delivery_json(d), "changes": [describe(a) for a in changes.get(d.id, [])]}
                for d in rows
            ]
        )
        return
    if not rows:
        click.echo("Nothing has gone out yet (`outreach run --once` sends what is due).")
        return
    tz = app.config.campaign.tz
    table = Table(title=f"History ({tz.key})", title_justify="left")
    for col in ("when", "#", "channel", "about", "state", "link or reason"):
        table.add_column(col, overflow="fold")
    colour = {"sent": "green", "failed": "red", "unknown": "red", "missed": "yellow"}
    for d in rows:
        state = d.state + (" (dry-run)" if d.dry_run and d.state == "sent" else "")
        detail = (d.remote_url or d.remote_id or "") if d.state == "sent" else (d.reason or "")
        detail = "\n".join([detail, *(describe(a) for a in changes.get(d.id, []))]).strip()
        style = colour.get(d.state, "")
        table.add_row(
            _local(d.sent_at or d.updated_at, tz), str(d.id), d.channel_id, d.about,
            f"[{style}]{state}[/{style}]" if style else state, detail,
        )  # fmt: skip
    console().print(table)
