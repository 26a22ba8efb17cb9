"""/compose: an organiser writes an announcement and sees each channel's post before saving it.

A template kind (the files under messages/) or a one-off text (a Jinja2
template typed here, stored with the announcement and rendered in the same
sandbox on the day), a page, the channels, once or recurring. Every check is
announcements.draft's, the same as `schedule add` and the admin bot's
/schedule (compose_form.py reads the fields); saving is announcements.add,
recorded in the audit trail with who did it. The posts are rendered through
channel_posts.render_for_channels and drawn by outreach.post_cards, as
`outreach preview --html` draws them.

Without JavaScript, "Preview" posts the form and gets the page again with the
previews and every error next to its field; "Save" checks, saves and goes to
the calendar's week that shows it. With it, static/compose.js posts the form
to /compose/preview as the organiser types and puts the fragment it answers
in place. Whatever is typed comes back in the fields, also with an error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import post_cards, schedule
from ..errors import OutreachError
from .auth import Visitor
from .compose_form import Form, Reading, read
from .i18n import Words
from .kit import action, console_of, done, language, page, render

if TYPE_CHECKING:
    from ..config import Config

CARD_WORDS = ("shortened", "length", "image", "link_preview", "show_less", "public", "unlisted",
              "private", "direct")  # fmt: skip
UPCOMING = 3


def _kept(request: Request, name: str, make: Callable[[Config], Any]) -> Any:
    """`make(config)`, made once per console and config (kept in app.state)."""
    state, cfg = request.app.state, console_of(request).config
    kept: tuple[Config, dict[str, Any]] | None = getattr(state, "composer", None)
    if kept is None or kept[0] is not cfg:
        kept = (cfg, {})
        state.composer = kept
    made = kept[1]
    if name not in made:
        made[name] = make(cfg)
    return made[name]


def _messages(request: Request) -> Any:
    """One Messages for the console: it caches compiled templates."""
    from ..messages import Messages

    return _kept(request, "messages", Messages)


def _offered(request: Request) -> Any:
    """The networks the campaign offers: share_targets.yaml read once, not per keystroke."""
    from ..share import load_targets, targets_path
    from ..share import select as select_targets

    return _kept(
        request, "offered", lambda cfg: select_targets(cfg, load_targets(targets_path(cfg)))
    )


def _default_form(request: Request) -> Form:
    con = console_of(request)
    tomorrow = con.ledger.now().astimezone(con.config.campaign.tz).date() + dt.timedelta(days=1)
    return Form(
        channels=tuple(c.id for c in con.config.channels),
        at=f"{tomorrow.isoformat()}T10:00",
    )


def _read(request: Request, form: Form, *, saving: bool, by: str | None = None) -> Reading:
    con = console_of(request)
    return read(
        form, con.config, con.ledger, con.ledger.now(), _messages(request), saving=saving, by=by
    )


def _clock(request: Request, moment: dt.datetime) -> list[dict[str, Any]]:
    """The campaign clock's values as of `moment`, one row per campaign date."""
    from babel.dates import format_date

    from ..campaign_clock import CampaignClock

    con, lang = console_of(request), language(request)
    clock = CampaignClock.from_config(con.config, moment)
    rows = []
    for name in clock.names:
        nxt = clock.next_anniversary(name)
        rows.append({
            "name": name,
            "date": format_date(clock.date(name), "d MMM y", locale=lang),
            "day_number": clock.day_number(name),
            "years": clock.years_since(name),
            "anniversary": format_date(nxt.date, "d MMM y", locale=lang),
            "days_until": nxt.days_until,
        })  # fmt: skip
    return rows


def _share_links(request: Request, form: Form, moment: dt.datetime) -> tuple[list[Any], str]:
    """The page's share links in the reader's language (or the campaign's), or why there are none."""
    from ..content import find_item, pages
    from ..share import DEFAULT_PICKER, ShareOptions, links_for, picker_href

    con, messages = console_of(request), _messages(request)
    cfg = con.config
    lang = language(request)
    if lang not in cfg.campaign.languages:
        lang = cfg.campaign.default_language
    try:
        item = (
            find_item(pages(cfg), form.page)
            if form.page and cfg.page(form.page)
            else messages.campaign_item()
        )
        sel = _offered(request)
        opts = ShareOptions.from_config(cfg, lang)
        site = opts.mirror_url or cfg.campaign.base_url
        opts = dataclasses.replace(
            opts, picker_url=picker_href(site.rstrip("/") + DEFAULT_PICKER, lang, opts.fallback)
        )
        words = messages.share_text(item, lang, now=moment)
        return links_for(item, sel.offered, opts, words), lang
    except OutreachError as exc:
        return [str(exc)], lang


def _upcoming(request: Request, form: Form) -> list[dt.datetime]:
    """A recurring announcement's next few times, so a cron is read back in dates."""
    con = console_of(request)
    if form.when != "recurring" or not form.cron:
        return []
    ann = schedule.Announcement(
        id="draft", channels=(), timezone=con.config.campaign.timezone, cron=form.cron
    )
    out: list[dt.datetime] = []
    after = con.ledger.now()
    try:
        while len(out) < UPCOMING:
            nxt = schedule.next_occurrence(ann, after)
            if nxt is None:
                break
            out.append(nxt)
            after = nxt
    except OutreachError:
        return []
    return out


def _live(request: Request, reading: Reading) -> dict[str, Any]:
    """What the previews region shows (the page and the fragment alike)."""
    con = console_of(request)
    t = Words(language(request))
    moment = reading.moment or con.ledger.now()
    rows = post_cards.rows_of(_messages(request), reading.draft.posts if reading.draft else ())
    words = {k: t(f"card.{k}") for k in CARD_WORDS}
    links, share_lang = _share_links(request, reading.form, moment)
    return {
        "form": reading.form,
        "errors": reading.errors,
        "lines": reading.lines,
        "repeated": reading.repeated,
        "moment": moment,
        "cards": post_cards.draw(con.config, rows, moment, words=words, level=3),
        "clock_rows": _clock(request, moment),
        "share_links": [x for x in links if not isinstance(x, str)],
        "share_problem": next((x for x in links if isinstance(x, str)), None),
        "share_lang": share_lang,
        "upcoming": _upcoming(request, reading.form),
        "local_clock": lambda m: m.astimezone(con.config.campaign.tz).strftime("%H:%M %z"),
    }


def _page(request: Request, reading: Reading, status: int = 200) -> Response:
    con = console_of(request)
    cfg = con.config
    lang = language(request)
    from ..config import pick

    return render(
        request,
        "compose.html",
        status=status,
        kinds=[k for k in _messages(request).kinds()],
        pages=[(p.id, pick(p.title, lang, cfg.campaign.default_language)) for p in cfg.pages],
        channels=[(c.id, c.kind, c.language) for c in cfg.channels],
        **_live(request, reading),
    )


@page("organiser")
def compose(request: Request, who: Visitor) -> Response:
    reading = _read(request, _default_form(request), saving=False)
    return _page(request, dataclasses.replace(reading, errors={}))


@action("organiser")
def submit(request: Request, who: Visitor, fields: Mapping[str, str]) -> Response:
    form = Form.read(fields)
    if fields.get("do") != "save":
        return _page(request, _read(request, form, saving=False))
    try:
        reading = _read(request, form, saving=True, by=who.actor)
    except OutreachError as exc:  # another organiser took the id meanwhile: said in place
        reading = _read(request, form, saving=False)
        reading.errors.setdefault(exc.field or "id", []).append(str(exc))
    if not reading.ok:
        return _page(request, reading, status=422)
    con = console_of(request)
    local = (reading.moment or con.ledger.now()).astimezone(con.config.campaign.tz)
    return done(
        request,
        f"/calendar?view=week&date={local.date().isoformat()}",
        "done.composed",
        id=form.id,
        when=local.strftime("%Y-%m-%d %H:%M"),
    )


@action("organiser")
def preview(request: Request, who: Visitor, fields: Mapping[str, str]) -> Response:
    """The previews region alone, for static/compose.js."""
    reading = _read(request, Form.read(fields), saving=False)
    return render(request, "compose_live.html", **_live(request, reading))


async def cards_css(request: Request) -> Response:
    return Response(post_cards.CSS, media_type="text/css")


routes = [
    Route("/compose", compose, methods=["GET"]),
    Route("/compose", submit, methods=["POST"]),
    Route("/compose/preview", preview, methods=["POST"]),
    Route("/compose/cards.css", cards_css, methods=["GET"]),
]
