"""The composer over HTTP (uvicorn on 127.0.0.1, tests/webkit.py): errors in place with what was
typed kept, the server's refusals, the one render path, and a saved one-off text sent on the day.

Every test checks the store afterwards: a refusal or an error stores nothing.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
import yaml
from markupsafe import escape
from webkit import Site

from outreach.config import BUNDLED_CONFIG
from outreach.service import Service

TEXT_WITH_ERROR = "Day {{ clock.day_number('arrest') }} for {{ campaign.name }}\n{{ item.titel }}"
TEXT = "Day {{ clock.day_number('arrest') }} for {{ campaign.name }} & friends\n{{ item.url }}"


@pytest.fixture
def site(tmp_path):
    s = Site(tmp_path)
    yield s
    s.close()


@pytest.fixture
def paris(tmp_path):
    """The bundled campaign on Paris time, whose clocks change (Minsk's do not)."""
    camp = yaml.safe_load(BUNDLED_CONFIG.read_text(encoding="utf-8"))["campaign"]
    s = Site(tmp_path, campaign={**camp, "timezone": "Europe/Paris"})
    yield s
    s.close()


def form(**over: str) -> dict[str, str]:
    base = {
        "id": "weekly-count", "source": "text", "template": "announcement", "text": TEXT,
        "page": "ales", "ch:mastodon-en": "1", "ch:telegram-be": "1", "when": "recurring",
        "at": "", "cron": "0 10 * * mon", "do": "save",
    }  # fmt: skip
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def slot(page: str, name: str) -> str:
    """The text of the errors shown next to field `name`."""
    m = re.search(rf'<div class="field-error" id="err-{name}"[^>]*>(.*?)</div>', page, re.S)
    assert m, f"no error slot for {name}"
    return html.unescape(re.sub(r"<[^>]+>", " ", m.group(1))).strip()


def card(page: str, channel: str) -> str:
    m = re.search(rf'<section class="post" id="post-{channel}".*?</section>', page, re.S)
    assert m, f"no card for {channel}"
    return html.unescape(re.sub(r"<[^>]+>", " ", m.group(0)))


def test_the_composer_draws_each_channels_post_with_its_length_the_clock_and_share_links(site):
    olga = site.signed_in("olga")
    r = olga.get("/compose")
    assert r.status_code == 200
    page = r.text
    for ch in ("mastodon-en", "telegram-ru", "telegram-be"):
        assert f'id="post-{ch}"' in page
    assert re.search(r"\d+ / 500", card(page, "mastodon-en"))  # length against Mastodon's limit
    assert '<div class="tg-bubble" lang="be">' in page and '<article class="toot"' in page
    # the clock as of the default time, tomorrow (2 March 2026) at 10:00 in Minsk
    assert "5325" in page  # arrest (4 Aug 2011) is day 1
    assert "https://bsky.app/intent/compose?text=" in page  # the page's share links
    assert 'class="field-error"' in page and "aria-invalid" not in page  # no errors yet


def test_a_template_error_is_shown_next_to_the_text_with_its_line_and_nothing_is_lost(site):
    olga = site.signed_in("olga")
    olga.get("/compose")
    r = olga.post("/compose", form(text=TEXT_WITH_ERROR, do="preview"))
    assert r.status_code == 200
    errors = slot(r.text, "text")
    # one mistake, failing both networks' posts the same way: said once, naming both
    assert errors.count("has no attribute 'titel'") == 1, errors
    assert errors.startswith("mastodon and telegram, line 2: item has no attribute 'titel'")
    assert "Line 2: {{ item.titel }}" in " ".join(errors.split())
    assert (
        'id="f-text" name="text" rows="8" spellcheck="true" aria-describedby="hint-text err-text" aria-invalid="true"'
        in r.text
    )
    # what was typed comes back
    assert str(escape(TEXT_WITH_ERROR)) in r.text
    assert 'value="weekly-count"' in r.text and 'value="0 10 * * mon"' in r.text
    assert 'name="ch:telegram-ru" value="1">' in r.text  # left unticked
    assert 'name="ch:telegram-be" value="1" checked>' in r.text
    # the same error on each channel's card; saving refuses it and stores nothing
    assert "has no attribute 'titel'" in card(r.text, "telegram-be")
    saved = olga.post("/compose", form(text=TEXT_WITH_ERROR))
    assert saved.status_code == 422 and "Nothing was saved yet" in saved.text
    assert site.ledger.announcements() == []


def test_a_template_error_on_one_network_names_its_template(site):
    olga = site.signed_in("olga")
    olga.get("/compose")
    one = olga.post(
        "/compose", form(text=TEXT_WITH_ERROR, do="preview", **{"ch:mastodon-en": None})
    )
    errors = slot(one.text, "text")
    assert errors.count("has no attribute 'titel'") == 1
    assert errors.startswith("one-off/telegram.j2:2: item has no attribute 'titel'")


def test_each_template_error_is_said_once_with_every_template_it_is_in():
    from outreach.web.compose_form import once_per_line

    said = once_per_line([
        "one-off/mastodon.j2:2: item has no attribute 'titel'",
        "one-off/telegram.j2:2: item has no attribute 'titel'",
        "one-off/telegram.j2:3: 'x' is undefined",
        "announcement/mastodon.be.j2:4: 'y' is undefined",
        "announcement/telegram.be.j2:4: 'y' is undefined",
        "announcement/telegram.ru.j2:4: 'y' is undefined",
        "choose at least one channel",
    ])  # fmt: skip
    assert said == [
        "mastodon and telegram, line 2: item has no attribute 'titel'",
        "one-off/telegram.j2:3: 'x' is undefined",
        "announcement/mastodon.be.j2, announcement/telegram.be.j2 and "
        "announcement/telegram.ru.j2, line 4: 'y' is undefined",
        "choose at least one channel",
    ]


def test_too_long_for_a_channel_is_said_on_its_card_and_by_the_text(site):
    olga = site.signed_in("olga")
    olga.get("/compose")
    r = olga.post("/compose", form(text="{{ 'word ' * 120 }}", do="preview"))
    assert "over the limit of 500" in card(r.text, "mastodon-en")
    assert "over the limit of 500" in slot(r.text, "text")
    assert "over the limit" not in card(r.text, "telegram-be")  # 4096 there: it fits


@pytest.mark.parametrize(
    ("over", "field", "said"),
    [
        ({"when": "once", "at": "2026-02-27T10:00"}, "at", "is not in the future"),
        ({"when": "once", "at": "next blursday"}, "at", "could not read"),
        ({"cron": "0 10 30 2 *"}, "cron", "never fires"),
        ({"cron": "0 25 * * *"}, "cron", "cron"),
        ({"page": "nowhere"}, "page", "unknown page 'nowhere'"),
        ({"ch:telegram-xx": "1"}, "channels", "unknown channel 'telegram-xx'"),
        ({"ch:mastodon-en": None, "ch:telegram-be": None}, "channels", "at least one channel"),
        ({"id": "Not An Id"}, "id", "not a valid id"),
        ({"source": "template", "template": "nonesuch"}, "template", "no mastodon template"),
        ({"text": "x" * 20_001}, "text", "the text has 20,001 characters; at most 20,000"),
        ({"text": " \n "}, "text", "write the text, or choose a template"),
    ],
)
def test_each_problem_is_shown_next_to_its_field_before_saving(site, over, field, said):
    olga = site.signed_in("olga")
    olga.get("/compose")
    r = olga.post("/compose", form(**over))
    assert r.status_code == 422
    assert said in slot(r.text, field)
    assert f'href="#f-{field}"' in r.text  # and listed at the top, linking to it
    assert site.ledger.announcements() == []


def test_an_id_in_use_is_refused_in_place(site):
    olga = site.signed_in("olga")
    olga.get("/compose")
    assert olga.post("/compose", form()).status_code == 303
    r = olga.post("/compose", form(text="Another"))
    assert r.status_code == 422 and "exists already" in slot(r.text, "id")
    assert site.ledger.announcement("weekly-count").text == TEXT  # type: ignore[union-attr]


def test_a_time_the_clocks_skip_or_repeat_is_said_in_place(paris):
    olga = paris.signed_in("olga")
    olga.get("/compose")
    skipped = olga.post("/compose", form(when="once", at="2026-03-29T02:30"))
    assert skipped.status_code == 422
    assert "does not exist in Europe/Paris" in slot(skipped.text, "at")
    repeated = olga.post("/compose", form(when="once", at="2026-10-25T02:30"))
    assert repeated.status_code == 422
    assert "happens twice" in slot(repeated.text, "fold")
    assert "The first, 02:30 +0200" in repeated.text and "The second, 02:30 +0100" in repeated.text
    assert paris.ledger.announcements() == []
    second = olga.post("/compose", form(when="once", at="2026-10-25T02:30", fold="1"))
    assert second.status_code == 303
    stored = paris.ledger.announcement("weekly-count")
    assert stored is not None and stored.at == dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)


def test_a_viewer_is_refused_by_the_server_and_nothing_is_stored(site):
    vera = site.signed_in("vera")
    assert vera.get("/compose").status_code == 403
    for path in ("/compose", "/compose/preview"):
        r = vera.post(path, form())
        assert r.status_code == 403 and "may not do this" in r.text
    assert site.ledger.announcements() == []
    nav = vera.get("/queue").text
    assert 'href="/compose"' not in nav


def test_a_form_without_the_sessions_token_is_refused(site):
    olga = site.signed_in("olga")
    olga.get("/compose")
    for token in (None, "forged-token-0123456789abcdef"):
        data = form() if token is None else {**form(), "csrf": token}
        r = olga.post("/compose", data, csrf=False)
        assert r.status_code == 403 and "did not come from this console" in r.text
    assert site.ledger.announcements() == []


def test_the_preview_endpoint_answers_the_previews_region_only(site):
    olga = site.signed_in("olga")
    olga.get("/compose")
    r = olga.post("/compose/preview", form(text=TEXT_WITH_ERROR))
    assert r.status_code == 200 and "<html" not in r.text
    assert '<div class="tg-bubble" lang="be">' not in r.text  # every card is an error now
    assert '<div data-problems-for="text">' in r.text
    assert site.ledger.announcements() == []
    ok = olga.post("/compose/preview", form())
    assert "data-problems-for" not in ok.text and "Day 5325 for Free Ales Bialiatski" in ok.text
    css = olga.get("/compose/cards.css")
    assert css.headers["content-type"].startswith("text/css") and ".drawn .tg-bubble" in css.text


def test_saved_it_is_on_the_calendar_in_the_audit_trail_and_sent_on_the_day(site):
    olga = site.signed_in("olga")
    olga.get("/compose")
    r = olga.post("/compose", form())
    assert r.status_code == 303
    assert r.headers["location"] == "/calendar?view=week&date=2026-03-02"
    week = olga.get(r.headers["location"]).text
    assert "Announcement weekly-count is saved: it first goes out 2026-03-02 10:00." in week
    assert week.count("announcement:weekly-count") == 2  # Monday 10:00, on its two channels
    stored = site.ledger.announcement("weekly-count")
    assert stored is not None and stored.text == TEXT and stored.cron == "0 10 * * mon"
    assert stored.channels == ("mastodon-en", "telegram-be")
    [entry] = [e for e in site.ledger.audit.entries(limit=50) if e.action == "schedule"]
    assert entry.by == "web:olga" and entry.target == "announcement:weekly-count"
    assert "web:olga" in olga.get("/history").text

    # the service, on the day: the text rendered then, by the dry-run publishers (no tokens)
    out = io.StringIO()
    site.app.dry_run_out = out
    service = Service(site.config, site.ledger, site.app.delivery_loop(), clock=site.clock)
    site.clock.advance(22 * 3600 + 30)  # from Sunday 12:00 to Monday 2 March, 10:00:30 in Minsk
    service.run_once(max_wait=5)
    sent = site.ledger.deliveries(about="announcement:weekly-count", states=("sent",))
    assert sorted(d.channel_id for d in sent) == ["mastodon-en", "telegram-be"]
    printed = out.getvalue()
    assert "Day 5325 for Free Ales Bialiatski & friends" in printed  # Mastodon, as typed
    assert "Day 5\u00a0325" not in printed  # the text gave no |number filter
    assert "for Волю Алесю Бяляцкаму &amp; friends" in printed  # Telegram: HTML, escaped
