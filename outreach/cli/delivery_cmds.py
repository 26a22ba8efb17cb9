"""Delivery commands: doctor, deliver, deliveries, resolve, retry."""

from __future__ import annotations

import sys
from dataclasses import asdict
from typing import TYPE_CHECKING

import click

from ..errors import ConfigError
from .common import App, delivery_json, pass_app, print_json

if TYPE_CHECKING:
    from ..delivery import Report
    from ..ledger import Delivery
    from ..publishers import Check, Publisher


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


def _run_delivery(app: App, channels: tuple[str, ...], wait: float) -> Report:
    loop = app.delivery_loop(channels)
    loop.start()
    return loop.run_once(max_wait=wait)


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
    pubs = app.publishers_of(channels)
    checks = [pub.check() for pub in pubs.values()]
    _remember_limits(app, pubs, checks)
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
    if any(not c.ok for c in checks):
        sys.exit(1)


def _remember_limits(app: App, pubs: dict[str, Publisher], checks: list[Check]) -> None:
    """Keep what the platforms said (Mastodon's max_characters) for fitting posts."""
    from ..delivery import LearnsLimits
    from ..errors import OutreachError

    learned = [
        (c, pubs[c.channel_id])
        for c in checks
        if c.limits and isinstance(pubs[c.channel_id], LearnsLimits)
    ]
    if not learned:
        return
    try:
        ledger = app.ledger
        for c, pub in learned:
            assert isinstance(pub, LearnsLimits)
            ledger.save_channel_limits(c.channel_id, c.limits, source=pub.limits_source)
    except OutreachError as exc:
        click.secho(f"warning: the limits read could not be kept: {exc}", fg="yellow", err=True)


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
    from ..content import all_items, find_item
    from ..errors import OutreachError
    from ..messages import Messages
    from ..outbox import learned_limits

    cfg = app.config
    item = find_item(all_items(cfg), item_id)
    messages = Messages(cfg)
    subject = messages.subject_for_item(item)
    now = app.clock.now()
    targets = [c for c in messages.channels(subject) if not channels or c.id in channels]
    if not targets:
        raise ConfigError(
            f"{item_id!r} goes to no configured channel{' among ' + ', '.join(channels) if channels else ''}"
        )
    ledger = app.ledger
    limits = learned_limits(cfg, ledger)
    ids = []
    for ch in targets:
        try:
            post = messages.render_post(ch, subject, now=now, limits=limits).post
        except OutreachError as exc:
            click.secho(f"{ch.id}: not sent, the post cannot be made: {exc}", fg="red", err=True)
            continue
        key = f"manual:{subject.about}@{now.isoformat()}" if again else subject.about
        done = ledger.enqueue(post, dedupe_key=key)
        if not done.created:
            click.echo(
                f"{ch.id}: already queued as #{done.id} ({ledger.get(done.id).state})", err=True
            )
        ids.append(done.id)
    _run_delivery(app, tuple(ch.id for ch in targets), wait)
    rows = [ledger.get(i) for i in ids]
    if as_json:
        print_json([delivery_json(d) for d in rows])
    else:
        for d in rows:
            click.echo(_line(d))
    if any(d.state in ("failed", "unknown") for d in rows) or len(rows) < len(targets):
        sys.exit(1)


@click.command()
@click.option(
    "--state", "states", multiple=True, help="Only these states (repeatable), e.g. unknown."
)
@click.option("--channel", default=None, help="Only this channel.")
@click.option("--limit", default=100, show_default=True, help="How many, newest first.")
@click.option(
    "--before", "before", type=int, default=None, help="Only those queued before this id (paging)."
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
    ledger = app.ledger
    d = ledger.retry(delivery_id)
    if not no_send:
        _run_delivery(app, (d.channel_id,), wait)
    d = ledger.get(delivery_id)
    click.echo(_line(d))
    if d.state in ("failed", "unknown"):
        sys.exit(1)
