"""Delivery commands: doctor, deliver, deliveries, resolve, retry."""

from __future__ import annotations

import sys
from dataclasses import asdict
from typing import TYPE_CHECKING

import click

from .common import App, delivery_json, pass_app, print_json

if TYPE_CHECKING:
    from ..ledger import Delivery


def _line(d: Delivery) -> str:
    where = d.remote_url or d.remote_id or ""
    what = {
        "sent": f"sent{' (dry-run)' if d.dry_run else ''} {where}",
        "pending": f"pending, next try {d.next_attempt_at or d.due_at:%Y-%m-%d %H:%M:%S} UTC",
    }.get(d.state, d.state)
    text = f"#{d.id} {d.channel_id} [{d.about}]: {what}".rstrip()
    if d.reason and d.state != "sent":
        text += f"\n    {d.reason}"
    return text


@click.command()
@click.argument("channels", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@pass_app
def doctor(app: App, channels: tuple[str, ...], as_json: bool) -> None:
    """Check each channel's credentials and rights for real, and say what to fix.

    Mastodon: verifies the token and reads the instance's limits, which are
    kept in the store: preview and the service fit posts to the instance's
    max_characters (unless the channel sets its own). Telegram: getMe, then
    that the bot may post in the channel. Nothing is posted. Exits 1 when a
    channel has a problem.

    \b
    Example:
      outreach doctor
      OUTREACH_TELEGRAM_TOKEN=... outreach doctor telegram-ru --json
    """
    report = app.doctor(channels)
    checks = report.checks
    if report.warning:
        click.secho(f"warning: {report.warning}", fg="yellow", err=True)
    if as_json:
        print_json([asdict(c) for c in checks])
    else:
        for c in checks:
            click.secho(
                f"{'ok ' if c.ok else 'FIX'} {c.channel_id} ({c.network})",
                fg="green" if c.ok else "red",
                bold=True,
            )
            for fact in c.facts:
                click.echo(f"    {fact}")
            for problem in c.problems:
                click.secho(f"    fix: {problem}", fg="red")
        if not checks:
            click.echo("No channels are configured (add some under `channels:`).")
    if not report.ok:
        sys.exit(1)


@click.command()
@click.argument("item_id")
@click.option("--channel", "channels", multiple=True, help="Only this channel (repeatable).")
@click.option("--again", is_flag=True, help="Queue it even if it was delivered before.")
@click.option(
    "--wait", default=60.0, show_default=True, help="Seconds to wait for retries and pacing."
)
@click.option("--json", "as_json", is_flag=True, help="Print the deliveries as JSON.")
@pass_app
def deliver(
    app: App,
    item_id: str,
    channels: tuple[str, ...],
    again: bool,
    wait: float,
    as_json: bool,
) -> None:
    """Post a page or news item to its channels now, once, and report each outcome.

    Channels without a token go to the dry-run publisher, which prints the post.
    A post already delivered to a channel is not sent again unless --again.
    Exits 1 if any delivery failed or has an unknown outcome.

    \b
    Example:
      outreach deliver ales
      outreach deliver ales --channel telegram-ru --again
    """
    done = app.deliver(item_id, channels, again=again, wait=wait)
    for line in done.not_made:
        click.secho(line, fg="red", err=True)
    for line in done.already:
        click.echo(line, err=True)
    rows = done.rows
    if as_json:
        print_json([delivery_json(d) for d in rows])
    else:
        for d in rows:
            click.echo(_line(d))
    if not done.ok:
        sys.exit(1)


@click.command()
@click.option(
    "--state", "states", multiple=True, help="Only these states (repeatable), e.g. unknown."
)
@click.option("--channel", default=None, help="Only this channel.")
@click.option(
    "--limit",
    type=click.IntRange(1, 10_000),
    default=100,
    show_default=True,
    help="How many, newest first.",
)
@click.option(
    "--before",
    "before",
    type=click.IntRange(1),
    default=None,
    help="Only those queued before this id (paging).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the deliveries as JSON.")
@pass_app
def deliveries(
    app: App,
    states: tuple[str, ...],
    channel: str | None,
    limit: int,
    before: int | None,
    as_json: bool,
) -> None:
    """List deliveries, newest first, with what an organiser must decide.

    \b
    Example:
      outreach deliveries --state unknown --state failed
      outreach deliveries --limit 20 --before 180    # the next page
    """
    from ..ledger import STATES

    bad = [s for s in states if s not in STATES]
    if bad:
        raise click.BadParameter(
            f"{bad[0]!r}; states are {', '.join(STATES)}", param_hint="--state"
        )
    rows = app.ledger.deliveries(
        states=states or None, channel_id=channel, order="newest", limit=limit, before_id=before
    )
    if as_json:
        print_json([delivery_json(d) for d in rows])
        return
    for d in rows:
        click.echo(_line(d))
    if not rows:
        click.echo("No deliveries.")


@click.command()
@click.argument("delivery_id", type=int)
@click.argument("outcome", type=click.Choice(["sent", "failed"]))
@click.option("--url", default=None, help="Where the post is, when you found it.")
@click.option("--note", default="", help="What you checked, kept with the delivery.")
@pass_app
def resolve(app: App, delivery_id: int, outcome: str, url: str | None, note: str) -> None:
    """Record what happened to a delivery whose outcome is unknown (or that failed).

    \b
    Example:
      outreach resolve 42 sent --url https://t.me/freeales_ru/118
      outreach resolve 43 failed --note "not in the channel"
    """
    d = app.ledger.resolve(delivery_id, outcome, note, remote_url=url)  # type: ignore[arg-type]
    click.echo(_line(d))


@click.command()
@click.argument("delivery_id", type=int)
@click.option("--no-send", is_flag=True, help="Only queue it again; the service sends it.")
@click.option(
    "--wait", default=60.0, show_default=True, help="Seconds to wait for retries and pacing."
)
@pass_app
def retry(app: App, delivery_id: int, no_send: bool, wait: float) -> None:
    """Send a failed, unknown, missed or cancelled delivery again, now.

    For an unknown one, first look at the channel: if the post is there, use
    `outreach resolve ID sent` instead, or readers get it twice.

    \b
    Example:
      outreach retry 43
    """
    d = app.retry(delivery_id, send=not no_send, wait=wait)
    click.echo(_line(d))
    if d.state in ("failed", "unknown"):
        sys.exit(1)
