"""Feed commands: feeds status | poll | backfill (with a progress bar on a terminal)."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click

from .common import App, console, pass_app, print_json
from .schedule_cmds import _local, _progress


@click.group()
def feeds() -> None:
    """The news feeds: their health, a poll now, a backfill.

    \b
    Example:
      outreach feeds status
      outreach feeds backfill news --newest 3
    """


def _feed(app: App, feed_id: str):
    for f in app.config.feeds:
        if f.id == feed_id:
            return f
    known = ", ".join(f.id for f in app.config.feeds) or "none"
    raise click.BadParameter(f"unknown feed {feed_id!r}; known: {known}", param_hint="FEED")


@feeds.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the states as JSON.")
@pass_app
def feeds_status(app: App, as_json: bool) -> None:
    """Each feed's last good read, failures in a row and last problem.

    \b
    Example:
      outreach feeds status
    """
    from rich.table import Table

    ledger = app.ledger
    states = [(f, ledger.feed_state(f.id)) for f in app.config.feeds]
    if as_json:
        print_json([
            {"id": f.id, "source": f.url or f.path,
             "last_poll": s.last_poll.isoformat() if s and s.last_poll else None,
             "failures": s.failures if s else 0, "last_error": s.last_error if s else None}
            for f, s in states
        ])  # fmt: skip
        return
    table = Table(title="Feeds", title_justify="left")
    for col in ("id", "source", "last good read", "failures", "last problem"):
        table.add_column(col, overflow="fold")
    tz = app.config.campaign.tz
    for f, s in states:
        table.add_row(
            f.id, f.url or f.path or "", _local(s.last_poll if s else None, tz) or "never",
            str(s.failures if s else 0), (s.last_error or "") if s else "",
        )  # fmt: skip
    console().print(table)


def _poll_report(results: list[Any], as_json: bool) -> None:
    if as_json:
        print_json([
            {"id": r.feed_id, "ok": r.ok, "error": r.error, "announced": [i.id for i in r.announced],
             "already": [i.id for i in r.already], "deliveries": r.deliveries, "left_out": r.skipped_backlog, "problems": r.problems}
            for r in results
        ])  # fmt: skip
        return
    for r in results:
        if r.error:
            click.secho(f"{r.feed_id}: {r.error}", fg="red")
            continue
        click.echo(f"{r.feed_id}: {_queued(r)}")
        for problem in r.problems:
            click.secho(f"  {problem}", fg="yellow")
    click.echo("`outreach run --once` sends what is queued.")


def _queued(r: Any) -> str:
    """What a poll or backfill queued, and what it found already posted or queued."""
    before = (
        f"{len(r.already)} item(s) already posted or queued before (not again)" if r.already else ""
    )
    if not r.announced:
        return f"nothing new; {before}" if before else "nothing new"
    queued = f"{len(r.announced)} item(s) queued as {r.deliveries} post(s)"
    return f"{queued}; {before}" if before else queued


@feeds.command("poll")
@click.argument("feed_ids", nargs=-1, metavar="[FEED]...")
@click.option("--json", "as_json", is_flag=True, help="Print what was queued as JSON.")
@pass_app
def feeds_poll(app: App, feed_ids: tuple[str, ...], as_json: bool) -> None:
    """Read the feeds now and queue their new items (the service sends them).

    \b
    Example:
      outreach feeds poll news
    """
    chosen = [_feed(app, f) for f in feed_ids] or None
    watcher = app.feed_watcher()
    with _progress(not as_json) as progress:
        results = watcher.poll_all(chosen, progress)
    _poll_report(results, as_json)
    if any(not r.ok for r in results):
        sys.exit(1)


@feeds.command("backfill")
@click.argument("feed_id", metavar="FEED")
@click.option("--newest", type=int, default=None, help="Only the newest N items.")
@click.option(
    "--since", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Items published since."
)
@click.option("--json", "as_json", is_flag=True, help="Print what was queued as JSON.")
@pass_app
def feeds_backfill(
    app: App, feed_id: str, newest: int | None, since: dt.datetime | None, as_json: bool
) -> None:
    """Queue a feed's items that were never announced (e.g. left out by `backlog`).

    An item already delivered to a channel is not queued there again.

    \b
    Example:
      outreach feeds backfill news --newest 3
      outreach feeds backfill news --since 2026-01-01
    """
    feed = _feed(app, feed_id)
    watcher = app.feed_watcher()
    start = since.replace(tzinfo=app.config.campaign.tz) if since else None
    with _progress(not as_json) as progress:
        result = watcher.backfill(feed, newest=newest, since=start, progress=progress)
    _poll_report([result], as_json)
