"""An announcement without a page is about the campaign itself, so its item's title is the
campaign's name. The bundled announcement, reminder and anniversary templates print the
campaign's name and then the item's title: subscribers read "Free Ales Bialiatski" twice
(`outreach schedule add monday --template reminder --cron ...` with no --page, as the
README shows, or the composer's default "None: about the campaign")."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from outreach.channel_posts import render_for_channels
from outreach.config import BUNDLED_CONFIG, AnnouncementConfig, load_config
from outreach.messages import Messages
from outreach.networks.mastodon import MastodonChannel
from outreach.networks.telegram import TelegramChannel

NOW = dt.datetime(2026, 12, 7, 7, 0, tzinfo=dt.UTC)
LANGS = ("en", "ru", "be", "fr")


def every_language():
    cfg = load_config(BUNDLED_CONFIG, {})
    channels = [
        MastodonChannel(
            id=f"m-{lang}", kind="mastodon", instance="https://m.example.org", language=lang
        )
        for lang in LANGS
    ] + [
        TelegramChannel(id=f"t-{lang}", kind="telegram", chat="@x", language=lang) for lang in LANGS
    ]
    return cfg.model_copy(update={"channels": channels})


@pytest.mark.parametrize("kind", ["announcement", "reminder", "anniversary"])
def test_an_announcement_about_the_campaign_names_it_once(kind):
    cfg = every_language()
    m = Messages(cfg)
    ann = AnnouncementConfig(id="monday", template=kind, cron="0 10 * * mon")
    made = render_for_channels(m, m.subject_for_announcement(ann), at=NOW)
    assert len(made) == 2 * len(LANGS)
    for cp in made:
        assert cp.error is None and cp.post is not None, cp.error
        name = cfg.campaign.name[cp.channel.language]
        assert cp.post.text.count(name) == 1, (cp.channel.id, cp.post.text)


@pytest.mark.parametrize("kind", ["announcement", "reminder"])
def test_an_announcement_about_a_page_still_names_the_page(kind):
    cfg = every_language()
    m = Messages(cfg)
    ann = AnnouncementConfig(id="monday", template=kind, page="ales", cron="0 10 * * mon")
    for cp in render_for_channels(m, m.subject_for_announcement(ann), at=NOW):
        assert cp.post is not None, cp.error
        lang = cp.channel.language
        page = next(p for p in cfg.pages if p.id == "ales")
        text = html.unescape(cp.post.text)
        assert page.title[lang] in text and cfg.campaign.name[lang] in text
        # the title keeps its own line: the summary follows it after a line break
        assert f"{page.title[lang]}\n" in re.sub(r"</?b>", "", text), text


def test_the_share_text_of_the_campaign_names_it_once():
    cfg = every_language()
    m = Messages(cfg)
    for lang in LANGS:
        text = m.share_text(m.campaign_item(), lang, now=NOW, kind="announcement")
        assert text == cfg.campaign.name[lang]
