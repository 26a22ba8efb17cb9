"""The language note still fits: every bundled post template, given an overlong item in
another language than the channel's (with an image: Telegram's 1024-character caption),
is shortened to its network's limit and keeps the note, the link and valid Telegram HTML."""

from __future__ import annotations

import datetime as dt

import pytest

from outreach import telegram_html
from outreach.config import BUNDLED_CONFIG, Config, Image, load_config
from outreach.content import Item
from outreach.message_env import is_partial
from outreach.messages import BUNDLED_DIR, Messages
from outreach.networks.mastodon import MastodonChannel
from outreach.networks.telegram import TelegramChannel

NOW = dt.datetime(2025, 8, 4, 7, 0, tzinfo=dt.UTC)
NOTES = {
    "en": "(in Russian)",
    "fr": "(en russe)",
    "ru": "(язык: английский)",
    "be": "(мова: англійская)",
}

POSTS = sorted(
    p.relative_to(BUNDLED_DIR).as_posix()
    for p in BUNDLED_DIR.glob("[np]*/*.j2")  # news and page: items sent as themselves
    if not is_partial(p.relative_to(BUNDLED_DIR).as_posix()) and not p.name.startswith("share")
)


@pytest.fixture(scope="module")
def cfg() -> Config:
    return load_config(BUNDLED_CONFIG, {})


def test_every_news_and_page_template_is_here():
    assert len(POSTS) == 16  # 2 kinds x 2 networks x 4 languages


@pytest.mark.parametrize("name", POSTS)
def test_an_overlong_item_in_another_language_fits_with_its_note(cfg: Config, name: str):
    kind, file = name.split("/")
    network, lang, _ = file.split(".")
    other = "ru" if lang == "en" or lang == "fr" else "en"
    long = Item(
        kind="page",
        id="long",
        url="https://freeales.fidh.net/" + "a/" * 60,
        title={other: "Title " * 60},
        summary={other: "Very long summary " * 400},
        image=Image(url="https://freeales.fidh.net/i.jpg", alt={other: "alt"}),
    )
    channel = (
        MastodonChannel(id="m", kind="mastodon", instance="https://m.example", language=lang)
        if network == "mastodon"
        else TelegramChannel(id="t", kind="telegram", chat="@x", language=lang)
    )
    messages = Messages(cfg)
    r = messages.render_post(channel, messages.subject_for_item(long, kind), now=NOW)
    assert r.template == str(BUNDLED_DIR / name)
    assert r.shortened and r.length <= r.limit
    assert NOTES[lang] in r.post.text and long.url in r.post.text
    if network == "telegram":
        assert telegram_html.problems(r.post.text) == []
