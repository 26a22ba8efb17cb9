"""`outreach instances`: the live `outreach run` processes, and what each holds."""

from __future__ import annotations

import json

import click

from ..app import App
from .common import pass_app


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per instance.")
@pass_app
def instances(app: App, as_json: bool) -> None:
    """List the live instances on the store: host, pid, channels held, last heartbeat.

    On PostgreSQL several `outreach run` may share the store; each channel is
    sent by one of them at a time, and 'queueing' marks the one that plans
    announcements and polls feeds. On SQLite there is one at most.

    \b
    Example:
      outreach instances
      outreach instances --json
    """
    from ..instances import describe, sqlite_holder

    ledger = app.ledger
    members = ledger.leases.members()
    if as_json:
        for m in members:
            click.echo(json.dumps({
                "instance": m.owner, "host": m.host, "pid": m.pid, "holds": list(m.holds),
                "since": m.since.isoformat(), "last_beat": m.beat_at.isoformat(),
                "beat_age_seconds": round(m.beat_age, 1),
            }))  # fmt: skip
        return
    shared = ledger.leases.shared
    click.echo("Instances:")
    for line in describe(members, sqlite_holder(app.config.store.url), shared):
        click.echo(line)
