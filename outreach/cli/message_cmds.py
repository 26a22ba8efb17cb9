"""`outreach preview`: what every channel would receive, before anything is sent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import OutreachError
from ..networks import network
from ..post_cards import PreviewRow, preview_rows
from .common import App, console, pass_app, print_json

if TYPE_CHECKING:
    from rich.text import Text

    from ..config import Config
    from ..messages import Subject
    from ..post import Post


def learned_limits(app: App) -> dict[str, int]:
    """What `doctor` or `run` learned of each Mastodon instance's limit; {} before either ran.

    A store that does not exist yet is not created for a preview.
    """
    from ..channel_posts import learned_limits as from_ledger

    cfg = app.config
    if not any(network(c.kind).limits_source(c) for c in cfg.channels):
        return {}
    try:
        return from_ledger(cfg, app.ledger) if app.has_ledger else {}
    except OutreachError as exc:
        click.secho(
            f"note: instance limits not read ({exc}); Mastodon posts fitted to 500 characters "
            "or the channel's max_characters",
            fg="yellow",
            err=True,
        )
        return {}


def parse_at(value: str | None, tz: dt.tzinfo, clock: Callable[[], dt.datetime]) -> dt.datetime:
    """--at as given (a date means 10:00), in the campaign's timezone; the clock's now when absent."""
    if not value:
        return clock()
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date or time like 2025-08-04 or 2025-08-04T10:00",
            param_hint="--at",
        ) from None
    if len(value) == 10:
        when = when.replace(hour=10)
    return when if when.tzinfo else when.replace(tzinfo=tz)


@click.command()
@click.argument("ident", metavar="PAGE_OR_NEWS_ID")
@click.option(
    "--kind",
    help="Template kind to use instead of the item's own: news, page, announcement, "
    "anniversary, reminder, or one of your own.",
)
@click.option("--lang", help="Render every channel in this language instead of its own.")
@click.option(
    "--at",
    "at",
    metavar="DATE[TIME]",
    help="Render as of this moment, for the campaign clock (a date alone means 10:00 "
    "in the campaign's timezone). Default: now.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the posts as JSON.")
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a page showing each post as it will look.",
)
@pass_app
def preview(
    app: App,
    ident: str,
    kind: str | None,
    lang: str | None,
    at: str | None,
    as_json: bool,
    html_file: Path | None,
) -> None:
    """Show what each channel would receive for a page, news item or announcement.

    Renders the message templates for every configured channel the item goes
    to, fitted to each network's limit (Mastodon: the channel's max_characters,
    else what `outreach doctor` or `run` read from the instance, else 500), and
    shows each text with its length against that limit. Nothing is sent. Exits 1 when a channel's message
    cannot be made (a template error, or a text that cannot fit).

    \b
    Example:
      outreach preview ales
      outreach preview news:freeales-2011-08-arrest --lang fr
      outreach preview arrest-anniversary --at 2025-08-04 --html preview.html
      outreach preview ales --kind reminder --json
    """
    from ..messages import Messages

    cfg = app.config
    messages = Messages(cfg)
    subject = messages.subject(ident, kind)
    if lang is not None:
        messages.check_language(lang)
    now = parse_at(at, cfg.campaign.tz, lambda: app.clock.now())
    rows = preview_rows(messages, subject, now, lang, learned_limits(app))
    if html_file is not None:
        from .preview_page import render_page

        html_file.write_text(render_page(cfg, subject, now, rows), encoding="utf-8")
    if as_json:
        print_json(
            {
                "about": subject.about,
                "kind": subject.kind,
                "at": now.astimezone(cfg.campaign.tz).isoformat(),
                "posts": [row.to_dict() for row in rows],
            }
        )
    else:
        _print_table(cfg, subject, now, rows)
        if html_file is not None:
            click.echo(f"Preview page: {html_file}")
    if not rows or any(row.error for row in rows):
        raise click.exceptions.Exit(1)


def _print_table(cfg: Config, subject: Subject, now: dt.datetime, rows: list[PreviewRow]) -> None:
    from rich.table import Table

    from ..fit_words import number

    local = now.astimezone(cfg.campaign.tz)
    out = console()
    out.print(
        f"[bold]{subject.about}[/bold] as [bold]{subject.kind}[/bold], "
        f"{local:%Y-%m-%d %H:%M} {cfg.campaign.timezone}"
    )
    if not rows:
        out.print("[red]No configured channel receives this.[/red]")
        return
    table = Table(show_lines=True, expand=True)
    table.add_column("Channel", no_wrap=True)
    table.add_column("Length", justify="right", no_wrap=True)
    table.add_column("What subscribers read", ratio=1)
    for row in rows:
        who = f"[bold]{row.channel_id}[/bold]\n{row.network} · {row.language}\n[dim]{row.template}[/dim]"
        if row.rendered is None:
            table.add_row(who, "[red]error[/red]", "[red]Nothing can be sent: see below.[/red]")
            continue
        r = row.rendered
        loc = cfg.campaign.default_language  # figures as the organisers read them (fit_words)
        length = f"{number(r.length, loc)} / {number(r.limit, loc)}"
        if r.shortened:
            length += "\n[yellow]shortened[/yellow]"
        table.add_row(who, length, post_text(r.post))
    out.print(table)
    # Errors in full, unwrapped: they name files and lines an organiser has to open.
    for row in rows:
        if row.error:
            prefix = "" if row.error.startswith(f"{row.channel_id} ") else f"{row.channel_id}: "
            click.secho(f"{prefix}{row.error}", fg="red", err=True)


_RICH_STYLES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strike",
    "strike": "strike",
    "del": "strike",
    "code": "cyan",
    "pre": "cyan",
    "blockquote": "italic dim",
    "tg-spoiler": "reverse",
    "span": "reverse",
}


def post_text(post: Post) -> Text:
    """The post as subscribers see it: Telegram's HTML shown as styles, not as markup."""
    from html.parser import HTMLParser

    from rich.text import Text

    text = Text()
    if post.spoiler_text:
        text.append(f"CW: {post.spoiler_text}\n", style="bold yellow")
    if post.image_url:
        alt = f" ({post.image_alt})" if post.image_alt else ""
        text.append(f"[image {post.image_url}{alt}]\n", style="dim")
    if network(post.network).html:
        styles: list[str] = []

        class ToRich(HTMLParser):
            def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
                style = _RICH_STYLES.get(tag, "")
                if tag == "a":
                    style = f"underline blue link {dict(attrs).get('href', '')}"
                styles.append(style)

            def handle_endtag(self, tag: str) -> None:
                if styles:
                    style = styles.pop()
                    if tag == "a":
                        # Terminals may not show links: the organiser checks where it goes.
                        text.append(f" <{style.rsplit(' ', 1)[-1]}>", style="dim")

            def handle_data(self, data: str) -> None:
                text.append(data, style=" ".join(s for s in styles if s))

        parser = ToRich(convert_charrefs=True)
        parser.feed(post.text)
        parser.close()
    else:
        text.append(post.text)
    for button in post.buttons:
        text.append(f"\n[ {button.text} ↗ ]", style="bold blue")
        text.append(f" {button.url}", style="dim")
    return text
