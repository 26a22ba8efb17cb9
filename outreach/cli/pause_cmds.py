"""`outreach pause` and `outreach resume`: silence everything or one channel, now or until a time."""

from __future__ import annotations

import click

from ..app import App
from ..errors import ConfigError, ScheduleError
from .common import pass_app


def actor(app: App) -> str:
    """Who asks, as the audit trail names it: the login name, from the command line."""
    return f"cli:{app.environ.get('USER') or app.environ.get('LOGNAME') or 'unknown'}"


def _channel(app: App, channel: str | None) -> str | None:
    """`channel` when the config has it; else an error with the nearest id when one is
    close ('did you mean 'telegram-be'?'), or the channels there are, as doctor says it."""
    if channel is not None and app.config.channel(channel) is None:
        from ..validation_words import did_you_mean, named  # difflib: only for a mistake

        ids = [c.id for c in app.config.channels]
        hint = did_you_mean(channel, ids, otherwise="channels") or "; channels: none"
        raise ConfigError(f"--channel: there is no channel {named(channel)}{hint}")
    return channel


@click.command()
@click.option("--until", "until_text", help="Lift the pause by itself at this time (an embargo).")
@click.option("--channel", help="Pause this channel only (default: everything).")
@click.option("--why", help="Why: kept with the pause and in the history.")
@pass_app
def pause(app: App, until_text: str | None, channel: str | None, why: str | None) -> None:
    """Hold everything queued (or one channel's) until `outreach resume`, or until a time.

    Nothing is posted while paused; what falls due meanwhile is held too. A
    time is in the campaign's zone ('2026-12-10 09:30', 'tomorrow 10:00').
    Pausing what is paused already extends it, never shortens it.

    \b
    Example:
      outreach pause --why "the family asked for silence"
      outreach pause --channel telegram-be --until "2026-12-10 09:30" --why "verdict embargo"
    """
    from ..when import describe, parse_when

    channel = _channel(app, channel)
    cfg = app.config
    until = None
    if until_text:
        try:
            until = parse_when(
                until_text,
                timezone=cfg.campaign.timezone,
                now=app.clock.now(),
                languages=cfg.campaign.languages,
            ).moment
        except ScheduleError as exc:  # named as schedule add names --at
            raise ScheduleError(f"--until: {exc}") from None
    r = app.ledger.pause(actor(app), channel_id=channel, until=until, why=why)
    what = channel or "everything"
    end = (
        f"until {describe(r.paused.until, cfg.campaign.tz)}"
        if r.paused.until
        else "until `outreach resume`"
    )
    head = "Already paused" if r.already else "Paused"
    click.echo(f"{head} ({what}) since {describe(r.paused.since, cfg.campaign.tz)}, {end}.")
    click.echo(f"{r.held} queued post(s) held now; posts that fall due while paused are held too.")
    if r.sending:
        click.echo(
            f"{r.sending} post(s) were being sent and could not be stopped: see `outreach history`."
        )


@click.command()
@click.option("--channel", help="Resume this channel only (default: every pause ends).")
@pass_app
def resume(app: App, channel: str | None) -> None:
    """End the pauses (or one channel's) and release what they held, in order.

    \b
    Example:
      outreach resume
      outreach resume --channel telegram-be
    """
    channel = _channel(app, channel)
    r = app.ledger.resume(by=actor(app), channel_id=channel)
    if not r.ended and not r.released:
        click.echo("Not paused; nothing was changed.")
        return
    click.echo(f"Resumed; {r.released} held post(s) released and go out in order.")
    if r.still is not None:
        click.echo(
            "Everything is still paused (`outreach resume` ends that too): their posts stay held."
        )
