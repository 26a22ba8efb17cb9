"""What `outreach run --once` prints: the queue before sending, the outcome after, or JSON.

The announcements' next times come from the turn's own plan (Planner.upcoming), not from
every announcement read and its trigger stepped again: with ten thousand that was
another 0.7 s, and the printout shows the soonest few (NEXT_ROWS) and how many more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from .common import App, delivery_json

if TYPE_CHECKING:
    from ..service import Service, Turn

QUEUE_ROWS = 20
"""Rows of the queue `run --once` prints before sending; a count says how many more wait."""
NEXT_ROWS = 5
"""Announcements whose next time `run --once` prints, the soonest; a count says how many more
(`outreach schedule list` lists them all)."""


def _local(moment: dt.datetime | None, tz: Any) -> str:
    return "" if moment is None else moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def store_label(url: str) -> str:
    """The store's URL as printed: without the password, wherever the URL keeps it.

    libpq takes it after the user (user:pw@host) or in the query (?password=pw).
    """
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # cannot be parsed, so cannot be shown safely either
        return "the configured store"
    return parsed.set(query={}).render_as_string(hide_password=True)


def columns(rows: Sequence[Sequence[str]]) -> str:
    """Rows as aligned plain-text columns, the first row the heading.

    Not a rich Table: every `run --once` with a queue printed one, and rich cost it
    1.8 MiB and 0.04 s of start-up for at most QUEUE_ROWS lines (issue 15).
    """
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def print_queue(app: App, service: Service, turn: Turn) -> None:
    tz = app.config.campaign.tz
    store = store_label(app.config.store.url)
    click.echo(f"outreach run --once {_local(service.clock.now(), tz)} {tz.key} ({store})")
    for p in turn.polls:
        if p.error:
            click.secho(f"feed {p.feed_id}: {p.error}", fg="red")
            continue
        what = f"{len(p.announced)} new item(s)"
        if p.first_read:
            what += f" (first read: the newest {len(p.announced)} announced, "
            what += f"{p.skipped_backlog} older left out)"
        click.echo(f"feed {p.feed_id}: {'unchanged' if p.unchanged else what}")
        for problem in p.problems:
            click.secho(f"  {problem}", fg="yellow")
    for missed, channels in turn.missed:
        click.secho(
            f"announcement {missed.announcement_id}: {missed.reason(service.grace)}\n"
            f"  recorded as missed on {', '.join(channels)}; not sent",
            fg="yellow",
        )
    stopped = service.ledger.paused()
    if stopped is not None:
        held = service.ledger.counts().get("held", 0)
        click.secho(
            f"PAUSED since {_local(stopped.since, tz)} by {stopped.by}: nothing is sent; "
            f"{held} post(s) held until an organiser resumes",
            fg="red",
        )
    so_far = service.delivery.report  # posts go out while queueing (run_once(stream=True))
    if so_far is not None and so_far.outcomes:
        click.echo(f"Sent while queueing: {len(so_far.outcomes)} post(s), still sending")
    pending = service.ledger.counts().get("pending", 0)
    if not pending:
        click.echo("Queue: nothing due.")
        return
    # A summary, then the first rows: a big backlog would print (and cost) a row per post.
    queue = service.ledger.deliveries(states=("pending",), limit=QUEUE_ROWS)
    now = service.clock.now()
    rows = [("#", "channel", "about", "due")]
    for d in queue:
        due = "now" if d.due_at <= now else f"{_local(d.due_at, tz)} (waits)"
        rows.append((str(d.id), d.channel_id, d.about, due))
    click.echo(f"Queue: {pending} post(s)")
    click.echo(columns(rows))
    if pending > len(queue):
        click.echo(
            f"... and {pending - len(queue)} more; `outreach deliveries --state pending` lists them"
        )


def print_result(app: App, service: Service, turn: Turn) -> None:
    tz = app.config.campaign.tz
    report = turn.delivered
    if report is not None and report.outcomes:
        dry = [ch for ch, pub in service.delivery.publishers.items() if pub.dry_run]
        # A dry-run "sent" reached nobody: say so, never count it as posted.
        rehearsed = sum(1 for o in report.outcomes if o.state == "sent" and o.channel_id in dry)
        counts = {s: report.count(s) for s in ("sent", "retry", "failed", "unknown", "missed")}
        counts["sent"] -= rehearsed
        counts["dry-run (not posted)"] = rehearsed
        click.echo("Done: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n))
        if any(o.state == "sent" and o.channel_id in dry for o in report.outcomes):
            hints = sorted(
                {f"${c.token_env}" for c in app.config.channels if c.id in dry and c.token_env}
            )
            click.echo(
                "(dry-run: printed above, not posted"
                + (f"; set {', '.join(hints)} to go live)" if hints else ")")
            )
        for o in report.outcomes:
            if o.state in ("failed", "unknown", "missed"):
                click.secho(f"#{o.delivery_id} {o.channel_id} {o.state}: {o.detail}", fg="red")
    waiting = service.ledger.counts().get("pending", 0)
    if waiting:
        click.echo(f"{waiting} post(s) wait for later (quiet hours, pacing or a retry):")
        for d in service.ledger.deliveries(states=("pending",), limit=QUEUE_ROWS):
            when = max(d.due_at, d.next_attempt_at or d.due_at)
            click.echo(f"  #{d.id} {d.channel_id} {d.about} at {_local(when, tz)}")
        if waiting > QUEUE_ROWS:
            click.echo(
                f"  ... and {waiting - QUEUE_ROWS} more (`outreach deliveries --state pending`)"
            )
    upcoming = service.planner.upcoming(service.clock.now())
    for ann_id, at in upcoming[:NEXT_ROWS]:
        click.echo(f"next: {ann_id} at {_local(at, tz)} {tz.key}")
    if len(upcoming) > NEXT_ROWS:
        click.echo(
            f"... and {len(upcoming) - NEXT_ROWS} more announcement(s); "
            "`outreach schedule list` lists them all"
        )


def turn_json(app: App, service: Service, turn: Turn) -> dict[str, Any]:
    now = service.clock.now()
    return {
        "now": now.isoformat(),
        "feeds": [
            {
                "id": p.feed_id,
                "ok": p.ok,
                "error": p.error,
                "unchanged": p.unchanged,
                "first_read": p.first_read,
                "announced": [i.id for i in p.announced],
                "left_out": p.skipped_backlog,
                "problems": p.problems,
            }
            for p in turn.polls
        ],
        "missed": [
            {
                "announcement": m.announcement_id,
                "occurrence": m.last.isoformat(),
                "count": m.count,
                "channels": chans,
                "reason": m.reason(service.grace),
            }
            for m, chans in turn.missed
        ],
        "outcomes": [
            {
                "delivery": o.delivery_id,
                "channel": o.channel_id,
                "state": o.state,
                "detail": o.detail,
            }
            for o in (turn.delivered.outcomes if turn.delivered else [])
        ],
        "waiting": [delivery_json(d) for d in service.ledger.deliveries(states=("pending",))],
        "next": [  # every one, soonest first
            {"announcement": ann_id, "at": at.isoformat()}
            for ann_id, at in service.planner.upcoming(now)
        ],
    }
