"""Corrections and takedowns: correct, takedown, lookup (outreach/corrections/ does the work)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import asdict
from typing import TYPE_CHECKING, TextIO

import click

from .common import App, pass_app, print_json

if TYPE_CHECKING:
    from ..corrections import Change, Plan, Report

MARK = {
    "removed": ("removed", "green"),
    "already removed": ("already removed", "green"),
    "edited": ("corrected", "green"),
    "cancelled": ("cancelled (was queued)", "green"),
    "not removable": ("NOT REMOVED", "red"),
    "not corrected": ("NOT CORRECTED", "red"),
    "failed": ("NOT CONFIRMED", "red"),
    "not cancelled": ("NOT CANCELLED", "red"),
    "still trying": ("still being tried", "yellow"),
}


def _who(by: str) -> str:
    return f"the command line ({by})" if by else "the command line"


def show_plan(plan: Plan) -> None:
    click.echo(f"Dry run: nothing was changed. {plan.summary()}")
    for ch, changes in _grouped(plan.changes).items():
        click.secho(f"{ch}:", bold=True)
        for c in changes:
            verb = {"remove": "would remove", "edit": "would correct", "cancel": "would cancel"}
            click.echo(f"  #{c.delivery_id} {verb.get(c.what, 'left alone')}"
                       + (f" {c.link}" if c.link else ""))  # fmt: skip
            if c.note:
                click.echo(f"      {c.note}")
            if c.what == "edit":
                click.echo("      - " + (c.old_text or "").replace("\n", "\n        "))
                click.echo("      + " + (c.new_text or "").replace("\n", "\n        "))


def show_report(report: Report) -> None:
    click.echo(report.summary())
    for ch, lines in report.by_channel().items():
        click.secho(f"{ch}:", bold=True)
        for line in lines:
            word, colour = MARK.get(line.outcome, (line.outcome, ""))
            where = f" {line.link}" if line.link else ""
            click.secho(f"  #{line.delivery_id} {word}{where}", fg=colour or None)
            if line.detail and line.outcome not in ("removed", "edited"):
                click.echo(f"      {line.detail}")


def _grouped(items: Iterable[Change]) -> dict[str, list[Change]]:
    out: dict[str, list[Change]] = {}
    for it in items:
        out.setdefault(it.channel_id, []).append(it)
    return out


def _finish(report: Report, as_json: bool, plan: Plan) -> None:
    if as_json:
        print_json({"plan": asdict(plan), "report": asdict(report), "complete": report.complete})
    else:
        show_report(report)
    if not report.complete:
        sys.exit(1)


@click.command()
@click.argument("subject")
@click.option(
    "--dry-run", is_flag=True, help="Show what would be removed and cancelled; change nothing."
)
@click.option("--why", default="", help="Kept in the ledger and shown in history.")
@click.option("--by", default="", help="Who asks (kept in the ledger and shown in history).")
@click.option(
    "--wait", default=60.0, show_default=True, help="Seconds to wait for retries and pacing."
)
@click.option("--json", "as_json", is_flag=True, help="Print the plan and the report as JSON.")
@pass_app
def takedown(
    app: App, subject: str, dry_run: bool, why: str, by: str, wait: float, as_json: bool
) -> None:
    """Remove every post about a subject on every channel, and cancel what is queued.

    SUBJECT is what `outreach history` shows: page:ales (or ales), a news id,
    announcement:<id>, or one occurrence announcement:<id>@<time>. Reports per
    channel what was removed, what could not be and why (with the post's link,
    to remove it by hand). Only what a platform confirmed is reported removed.
    Exits 1 unless every post is removed or was never posted.

    \b
    Example:
      outreach takedown news:freeales-2012-01-pressure --dry-run
      outreach takedown ales --why "the photo identifies a witness"
    """
    from ..corrections import plan_takedown
    from ..corrections import takedown as do_takedown

    if dry_run:
        plan = plan_takedown(app, subject)
        print_json(asdict(plan)) if as_json else show_plan(plan)
        return
    result = do_takedown(app, subject, by=_who(by), why=why, wait=wait)
    _finish(result.report, as_json, result.plan)


@click.command()
@click.argument("target")
@click.option(
    "--text", default=None, help="The new text (else: rendered again from the templates)."
)
@click.option(
    "--text-file", type=click.File("r", encoding="utf-8"), default=None,
    help="Read the new text from this file ('-': standard input).",
)  # fmt: skip
@click.option("--channel", "channels", multiple=True, help="Only this channel (repeatable).")
@click.option("--dry-run", is_flag=True, help="Show each post's old and new text; change nothing.")
@click.option("--why", default="", help="Kept in the ledger and shown in history.")
@click.option("--by", default="", help="Who asks (kept in the ledger and shown in history).")
@click.option(
    "--wait", default=60.0, show_default=True, help="Seconds to wait for retries and pacing."
)
@click.option("--json", "as_json", is_flag=True, help="Print the plan and the report as JSON.")
@pass_app
def correct(
    app: App,
    target: str,
    text: str | None,
    text_file: TextIO | None,
    channels: tuple[str, ...],
    dry_run: bool,
    why: str,
    by: str,
    wait: float,
    as_json: bool,
) -> None:
    """Edit sent posts in place: rendered again from the templates, or with your text.

    TARGET is a subject (as for takedown) or one post by its number (42).
    Mastodon keeps the language, visibility, content warning, media and alt
    text; Telegram keeps the buttons and the photo. The new text is fitted to
    each network's limit like any post. Exits 1 unless every post is corrected.

    \b
    Example:
      outreach correct page:ales --dry-run            # after fixing a template or a title
      outreach correct 42 --text "Day 5001: ..." --why "wrong day count"
    """
    from ..corrections import correct as do_correct
    from ..corrections import plan_correction

    if text_file is not None:
        text = text_file.read().strip("\n")
    if dry_run:
        plan = plan_correction(app, target, text=text, channels=channels)
        print_json(asdict(plan)) if as_json else show_plan(plan)
        return
    result = do_correct(app, target, by=_who(by), why=why, text=text, channels=channels, wait=wait)
    _finish(result.report, as_json, result.plan)


@click.command()
@click.argument("delivery_id", type=int)
@pass_app
def lookup(app: App, delivery_id: int) -> None:
    """Look for a post whose outcome is unknown on its channel, where the network allows.

    Mastodon: among the account's latest statuses, by its text. Telegram: the
    Bot API cannot read a channel, so this says so. Changes nothing: record
    what you learn with `outreach resolve`.

    \b
    Example:
      outreach lookup 42
    """
    from ..corrections import look_up

    found = look_up(app, delivery_id)
    if found.found is not None:
        url = found.found.url or found.found.remote_id
        click.echo(f"#{delivery_id} is there: {url}")
        click.echo(f"record it: outreach resolve {delivery_id} sent --url {url}")
    elif found.possible:
        click.echo(f"#{delivery_id} was not found: {found.note}")
        click.echo(f"send it again with `outreach retry {delivery_id}` if you are sure")
    else:
        click.echo(f"#{delivery_id} cannot be looked up: {found.note}")
        sys.exit(1)
