"""The store's schema version: db upgrade | current | history | downgrade."""

from __future__ import annotations

import click

from .common import App, pass_app, print_json


@click.group()
def db() -> None:
    """The store's schema: upgrade it after installing a new outreach.

    `outreach run` and every other command refuse a store made by an older
    outreach, naming `outreach db upgrade`; they never migrate by themselves.
    An upgrade runs in one transaction under a lock: whole, or not at all.

    \b
    Example:
      outreach db current
      outreach db upgrade
    """


@db.command("current")
@click.option("--json", "as_json", is_flag=True, help="Print the state as JSON.")
@pass_app
def db_current(app: App, as_json: bool) -> None:
    """The store's revision, this outreach's head, and whether an upgrade is due.

    \b
    Example:
      outreach db current
    """
    from ..ledger import migrations

    found = migrations.status(app.config.store.url)
    if as_json:
        print_json({"state": found.state, "current": found.current, "head": found.head})
        return
    click.echo(found.describe())
    if found.state == "behind":
        click.echo("run `outreach db upgrade` (back the store up first)")


@db.command("upgrade")
@click.argument("target", default="head")
@pass_app
def db_upgrade(app: App, target: str) -> None:
    """Bring the store to this outreach's schema (or to TARGET, a revision).

    A store made before outreach had migrations is adopted at the baseline
    first; a new store is created at head. Back the store up first.

    \b
    Example:
      outreach db upgrade
    """
    from ..ledger import migrations

    before, after = migrations.upgrade(app.config.store.url, target)
    if before.current == after.current and before.state != "fresh":
        click.echo(f"nothing to do: {after.describe()}")
    else:
        click.echo(f"upgraded: {before.current or 'none'} -> {after.current}")


@db.command("downgrade", context_settings={"ignore_unknown_options": True})
@click.argument("target")
@pass_app
def db_downgrade(app: App, target: str) -> None:
    """Take the store back to TARGET (a revision id, or -1), where that loses nothing needed.

    For going back to an older outreach; the baseline cannot be downgraded.

    \b
    Example:
      outreach db downgrade -1
    """
    from ..ledger import migrations

    before, after = migrations.downgrade(app.config.store.url, target)
    click.echo(f"downgraded: {before.current} -> {after.current or 'none'}")


@db.command("history")
@click.option("--json", "as_json", is_flag=True, help="Print the revisions as JSON.")
def db_history(as_json: bool) -> None:
    """Every schema revision, oldest first.

    \b
    Example:
      outreach db history
    """
    from ..ledger import migrations

    revisions = migrations.history()
    if as_json:
        print_json([{"id": r.id, "down": r.down, "message": r.message} for r in revisions])
        return
    top = migrations.head()
    for r in revisions:
        click.echo(f"{r.id}{' (head)' if r.id == top else ''}: {r.message}")
