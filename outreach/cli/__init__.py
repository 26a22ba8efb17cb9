"""The `outreach` command line: a thin layer over the library.

Commands live in small modules of this package and are imported only when
run, so that `outreach --help` stays fast (the network clients are heavy).
To add one, add a line to COMMANDS.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from ..app import App
from ..errors import OutreachError
from ..startup import hold_collector, release_collector
from .common import note

# Commands that release the garbage collector themselves, once their start-up is over
# (outreach.startup): `run`'s service, when its clients are ready.
RELEASE_THEMSELVES = frozenset({"run"})

# name -> (module in this package, attribute, one-line help shown by --help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "check": (
        "share_cmds",
        "check",
        "Validate the config, share targets and templates; report retired networks.",
    ),
    "share": (
        "share_cmds",
        "share",
        "Print every network's share link for a page, news item or URL.",
    ),
    "buttons": ("share_cmds", "buttons", "Export static share bars, manifests and a demo page."),
    "preview": (
        "message_cmds",
        "preview",
        "Show what each channel would receive for an item, with lengths.",
    ),
    "doctor": (
        "delivery_cmds",
        "doctor",
        "Check each channel's token and rights for real; say what to fix.",
    ),
    "deliver": ("delivery_cmds", "deliver", "Post a page or news item to its channels now, once."),
    "deliveries": (
        "delivery_cmds",
        "deliveries",
        "List deliveries and their states (e.g. --state unknown).",
    ),
    "resolve": ("delivery_cmds", "resolve", "Record an unknown delivery as sent or failed."),
    "retry": ("delivery_cmds", "retry", "Send a failed, unknown or missed delivery again."),
    "run": (
        "schedule_cmds",
        "run",
        "Run the service (announcements, feeds, delivery); --once for cron.",
    ),
    "instances": (
        "instance_cmds",
        "instances",
        "The live `outreach run` processes, their channels and heartbeats.",
    ),
    "schedule": ("schedule_cmds", "schedule", "Plan announcements: schedule add|list|cancel."),
    "history": (
        "schedule_cmds",
        "history",
        "What went out, where, with links; failures with reasons.",
    ),
    "feeds": ("feed_cmds", "feeds", "News feeds: status, poll now, backfill."),
    "web": ("web_cmds", "web", "Run the organisers' web console; web add-user adds an account."),
    "pause": ("pause_cmds", "pause", "Hold everything (or a channel) queued, now or until a time."),
    "resume": (
        "pause_cmds",
        "resume",
        "End the pauses (or a channel's) and release what was held.",
    ),
    "status": (
        "status_cmds",
        "status",
        "Is `outreach run` alive? What is overdue; each feed's and channel's last activity.",
    ),
    "init": ("init_cmds", "init", "Start a campaign of your own from the bundled one."),
    "db": ("db_cmds", "db", "The store's schema: db upgrade|current|history|downgrade."),
    "correct": (
        "correction_cmds",
        "correct",
        "Edit sent posts in place (templates again, or your text); --dry-run.",
    ),
    "takedown": (
        "correction_cmds",
        "takedown",
        "Remove everything about a subject on every channel; --dry-run.",
    ),
    "lookup": ("correction_cmds", "lookup", "Look for a post of unknown outcome on its channel."),
    "adminbot": (
        "admin_cmds",
        "adminbot",
        "Run the organisers' Telegram bot: commands and failure alerts.",
    ),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in RELEASE_THEMSELVES:
            release_collector()
        if cmd_name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[cmd_name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Help from the table, so --help imports none of the command modules.
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OutreachError as exc:
            click.secho(f"Error: {exc}", fg="red", err=True)
            ctx.exit(1)


@click.group(cls=LazyGroup)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="OUTREACH_CONFIG",
    help="Campaign YAML (default: ./outreach.yaml, else the bundled campaign).",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    envvar="OUTREACH_LOG_FORMAT",
    show_default=True,
    help="Log lines for people, or one JSON object per line (journald, Loki).",
)
@click.version_option(package_name="outreach")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, log_format: str) -> None:
    """Share links, share bars and scheduled posts for a campaign.

    \b
    Example:
      outreach check
      outreach share ales --lang be
    """
    if log_format == "json":
        # Every command's warnings as JSON too; run and adminbot raise the level to INFO.
        from ..logsetup import setup_logging

        setup_logging("json")
    app = App(config_path, os.environ, notify=note)
    ctx.obj = app
    ctx.call_on_close(app.close)


def main(argv: list[str] | None = None) -> None:
    hold_collector()  # while the command imports and builds its parts (outreach.startup)
    cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="outreach")
