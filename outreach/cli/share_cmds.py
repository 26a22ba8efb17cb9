"""`outreach check`, `outreach share` and `outreach buttons`: thin over outreach/share/."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from ..errors import ConfigError, ContentError, OutreachError
from .common import App, pass_app, print_json


def share_texts(app: App):
    """The organisers' `share` templates as (item, lang) -> text, rendered as of the app's now."""
    from ..messages import Messages

    return Messages(app.config).share_texts(app.clock.now())


def _targets(app: App):
    from ..share import load_targets, targets_path

    return load_targets(targets_path(app.config))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_app
def check(app: App, as_json: bool) -> None:
    """Validate the campaign config and share targets; report retired networks.

    Builds every share link for every page, news item and language, so a
    title that cannot fit a network's limit shows up here, not on the site.
    Exits 1 when anything is wrong.

    \b
    Example:
      outreach check
      outreach --config my-campaign.yaml check --json
    """
    from ..config.file_problems import (
        feed_languages,
        hidden_controls,
        language_mismatches,
        languages_unknown,
        token_problems,
    )
    from ..content import all_items
    from ..share import ShareOptions, links_for, select, targets_path

    problems: list[str] = []
    warnings: list[str] = []  # worth a look, but maybe what the organisers want: exit 0
    report: dict = {"config": None, "share_targets": None}
    try:
        doc = app.config_doc  # first: the one read of the file, kept for the lines below
        cfg = app.config
        report["config"] = str(cfg.source)
        report["share_targets"] = str(targets_path(cfg))
        problems += token_problems(cfg, doc)  # run and deliver would refuse these
        problems += hidden_controls(doc)
        langs = feed_languages(cfg, _polled_language(app))
        warnings += language_mismatches(cfg, doc, langs)
        report["feed_languages"] = [fl.to_json() for fl in langs]
        unknown = languages_unknown(cfg, doc, langs)
        targets = _targets(app)
        sel = select(cfg, targets, doc)
        problems += sel.problems
        items = all_items(cfg)
        texts = share_texts(app)
        for item in items:
            for lang in cfg.campaign.languages:
                try:
                    opts = ShareOptions.from_config(cfg, lang)
                    links_for(item, sel.offered, opts, texts(item, lang))
                except OutreachError as exc:
                    problems.append(f"{item.id} [{lang}]: {exc}")
        report["posts_checked"] = _check_messages(app, items, problems)
        report |= {
            "pages": sum(1 for i in items if i.kind == "page"),
            "news_items": sum(1 for i in items if i.kind == "news"),
            "offered": [n.id for n in sel.offered],
            "retired": [
                {"id": n.id, "date": str(n.retired.date), "reason": n.retired.reason}
                for n in targets.retired
                if n.retired
            ],
            "russian_jurisdiction": cfg.share.russian_jurisdiction,
            "utm": cfg.share.utm.enabled,
            "notes": sel.notes + unknown,
        }
    except (ConfigError, ContentError) as exc:
        problems.append(str(exc))
    report["problems"] = problems
    report["warnings"] = warnings
    if as_json:
        print_json(report)
    else:
        _print_check(report)
    if problems:
        raise click.exceptions.Exit(1)


def _polled_language(app: App):
    """feed id -> the language the newest post queued from that feed carried, as its last
    poll read the feed; None when no store exists yet (check creates none)."""
    if all(f.url is None for f in app.config.feeds) or not app.has_ledger:
        return None

    def polled(feed_id: str) -> str | None:
        try:
            rows = app.ledger.deliveries(about_prefix=f"{feed_id}:", order="newest", limit=1)
        except OutreachError:  # a store that cannot be read: nothing known, as with none
            return None
        return rows[0].post.language if rows and rows[0].post else None

    return polled


def _check_messages(app: App, items, problems: list[str]) -> int:
    """Render every post every channel would get, so a broken template shows today.

    Fitted to the limits `doctor` or `run` learned from the platforms when
    the store has them, else to the config's (or the network's default).
    """
    from ..channel_posts import render_for_channels
    from ..messages import Messages
    from .message_cmds import learned_limits

    cfg, now, limits = app.config, app.clock.now(), learned_limits(app)
    messages, done = Messages(cfg), 0
    subjects = []
    for item in items:
        try:
            subjects.append((item.id, messages.subject_for_item(item)))
        except OutreachError as exc:
            problems.append(f"{item.id}: {exc}")
    for ann in cfg.announcements:
        try:
            subjects.append((f"announcement {ann.id}", messages.subject_for_announcement(ann)))
        except OutreachError as exc:
            problems.append(f"announcement {ann.id}: {exc}")
    for name, subject in subjects:
        for cp in render_for_channels(messages, subject, at=now, limits=limits):
            if cp.error is None:
                done += 1
            else:
                problems.append(f"{name} -> {cp.channel.id}: {cp.error}")
    return done


def _print_check(report: dict) -> None:
    if report.get("config"):
        click.echo(f"config:        {report['config']}")
    if report.get("share_targets"):
        click.echo(f"share targets: {report['share_targets']}")
    if "offered" in report:
        click.echo(f"content:       {report['pages']} pages, {report['news_items']} news items")
        click.echo(f"messages:      {report['posts_checked']} posts render and fit")
        click.echo(f"offered:       {', '.join(report['offered'])}")
        click.echo(
            "russian jurisdiction networks: "
            + ("offered, labelled" if report["russian_jurisdiction"] else "withheld")
            + f"; UTM tags: {'on' if report['utm'] else 'off'}"
        )
        for r in report["retired"]:
            click.echo(f"retired:       {r['id']} ({r['date']}): {r['reason']}")
        for note in report["notes"]:
            click.echo(f"note:          {note}")
    for w in report["warnings"]:
        click.secho(f"warning: {w}", fg="yellow", err=True)
    for p in report["problems"]:
        click.secho(f"error: {p}", fg="red", err=True)
    if not report["problems"]:
        click.echo("OK")


@click.command()
@click.argument("target", metavar="URL_OR_PAGE_ID")
@click.option("--lang", help="Language of the text and labels (default: the campaign's).")
@click.option("--title", help="Title to share, when TARGET is a URL.")
@click.option("--text", help="Text to share, when TARGET is a URL.")
@click.option("--mirror/--no-mirror", default=None, help="Share the mirror URL instead.")
@click.option("--json", "as_json", is_flag=True, help="Print the links as JSON.")
@pass_app
def share(
    app: App,
    target: str,
    lang: str | None,
    title: str | None,
    text: str | None,
    mirror: bool | None,
    as_json: bool,
) -> None:
    """Print every offered network's share link for a page, news item or URL.

    Each network's text is fitted to its own limit; the page URL is never cut.

    \b
    Example:
      outreach share ales --lang be
      outreach share https://example.org/appeal --title "Sign the appeal" --json
    """
    from ..content import all_items, find_item
    from ..share import DEFAULT_PICKER, ShareOptions, item_for_url, links_for, picker_href, select

    cfg = app.config
    if lang and lang not in cfg.campaign.languages:
        raise click.BadParameter(
            f"{lang!r} is not one of {cfg.campaign.languages}", param_hint="--lang"
        )
    if "://" in target:
        item = item_for_url(target, title or "", text or "")
    else:
        item = find_item(all_items(cfg), target)
    targets = _targets(app)
    sel = select(cfg, targets)
    if sel.problems:
        raise ConfigError(f"{cfg.source}: the share settings are not valid", sel.problems)
    overrides = {}
    if mirror is not None:
        if mirror and not cfg.campaign.mirror_url:
            raise click.BadParameter("campaign.mirror_url is not set", param_hint="--mirror")
        overrides["mirror_url"] = cfg.campaign.mirror_url if mirror else None
    opts = ShareOptions.from_config(cfg, lang, **overrides)
    # On the command line the picker needs the site's address, not a site-relative path.
    site = opts.mirror_url or cfg.campaign.base_url
    picker = picker_href(site.rstrip("/") + DEFAULT_PICKER, opts.lang, opts.fallback)
    opts = dataclasses.replace(opts, picker_url=picker)
    # A page or news item carries the organisers' share text; an ad-hoc URL its --text.
    words = text or None if "://" in target else share_texts(app)(item, opts.lang)
    links = links_for(item, sel.offered, opts, words)
    if as_json:
        print_json({"item": item.id, "lang": opts.lang, "links": [x.to_dict() for x in links]})
        return
    width = max(len(x.label) for x in links) if links else 0
    for x in links:
        flag = " [RU]" if x.jurisdiction == "RU" else ""
        click.echo(f"{x.label:<{width}}  {x.href}{flag}")


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write; replaced as a whole (only if it is empty or an earlier export).",
)
@click.option(
    "--meta",
    "meta_item",
    metavar="ID",
    help="Print the Open Graph tags of one page or news item for the CMS's <head>, and stop.",
)
@click.option(
    "--picker-url",
    default="/share/fediverse.html",
    show_default=True,
    help="Where the fediverse picker page will be served on the campaign site.",
)
@click.option("--lang", "languages", multiple=True, help="Only these languages (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@pass_app
def buttons(
    app: App,
    out_dir: Path | None,
    meta_item: str | None,
    picker_url: str,
    languages: tuple[str, ...],
    as_json: bool,
) -> None:
    """Export static share bars, JSON manifests, the fediverse picker and a demo page.

    For every page and news item in every language: bars/<id>.<lang>.html (a
    fragment to include), bars/<id>.<lang>.json (its links) and
    meta/<id>.<lang>.html (its Open Graph tags, for the page's <head>). Serve
    assets/ and share/ from the campaign site; open index.html to see them all.
    Nothing is written unless everything renders.

    \b
    Example:
      outreach buttons --out share-bars
      outreach buttons --meta ales --lang be
    """
    from ..content import all_items, find_item
    from ..feed_order import with_shown_dates
    from ..share import export, meta_tags

    cfg = app.config
    if meta_item is not None:
        # a date later than the clock allows is shown nowhere (a pinned page's 9999)
        item = find_item(with_shown_dates(all_items(cfg), app.clock.now()), meta_item)
        for lang in languages or cfg.campaign.languages:
            if as_json:
                continue
            click.echo(f"<!-- {item.id} ({lang}) -->")
            click.echo(meta_tags(cfg, item, lang), nl=False)
        if as_json:
            print_json(
                {lang: meta_tags(cfg, item, lang) for lang in languages or cfg.campaign.languages}
            )
        return
    if out_dir is None:
        raise click.UsageError("give --out FOLDER to export, or --meta ID to print one item's tags")
    result = export(
        cfg,
        _targets(app),
        with_shown_dates(all_items(cfg), app.clock.now()),
        out_dir,
        picker_url,
        list(languages) or None,
        share_texts(app),
    )
    if as_json:
        print_json(
            {
                "out": str(result.out_dir),
                "bars": result.bars,
                "networks": result.networks,
                "files": result.files,
            }
        )
        return
    click.echo(
        f"Wrote {result.bars} share bars ({len(result.networks)} networks) to {result.out_dir}/"
    )
    click.echo(f"Demo page: {result.out_dir / 'index.html'}")
