"""`outreach status`: is the service alive, what is late, when each feed and channel last worked."""

from __future__ import annotations

import click

from .common import App, pass_app, print_json


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_app
def status(app: App, as_json: bool) -> None:
    """Whether `outreach run` is alive, what is overdue, each feed's last poll and
    each channel's last post; exits 1 unless the service is alive and nothing is overdue.

    Read from the store, so it works from any machine that reaches it (a
    monitoring check, a cron job). `outreach run` writes a sign of life there
    at least once a minute.

    \b
    Example:
      outreach status
      outreach status --json
    """
    from ..liveness import lines, report
    from ..when import describe

    r = report(app.config, app.ledger, app.clock.now())
    if as_json:
        print_json(r.to_json())
    else:
        tz = app.config.campaign.tz
        for line in lines(r, lambda moment: describe(moment, tz)):
            click.echo(line)
        from ..instances import describe as instances
        from ..instances import sqlite_holder

        leases = app.ledger.leases
        holder = None if leases.shared else sqlite_holder(app.config.store.url)
        click.echo("Instances:")
        for line in instances(leases.members(), holder, leases.shared):
            click.echo(line)
    if not r.ok:
        raise SystemExit(1)
