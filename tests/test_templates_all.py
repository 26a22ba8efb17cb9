"""Every template in messages/ renders with sample data under StrictUndefined and fits.

Templates are discovered from the folder, so a new file is covered without
touching this test.
"""

from __future__ import annotations

import datetime as dt

import pytest

from outreach import telegram_html
from outreach.config import BUNDLED_CONFIG, Config, load_config
from outreach.content import Item, all_items, find_item
from outreach.message_env import is_partial
from outreach.messages import BUNDLED_DIR, Messages, channel_kinds
from outreach.networks.mastodon import MastodonChannel
from outreach.networks.telegram import TelegramChannel
from outreach.textlimits import count

NOW = dt.datetime(2025, 8, 4, 7, 0, tzinfo=dt.UTC)
X_LIMIT_WITH_LINK = 280 - 24  # X counts a link as 23, plus the space before it

TEMPLATES = sorted(
    p.relative_to(BUNDLED_DIR).as_posix()
    for p in BUNDLED_DIR.rglob("*.j2")
    if not is_partial(p.relative_to(BUNDLED_DIR).as_posix())
)


def parse_name(name: str) -> tuple[str, str, str | None]:
    kind, file = name.split("/")
    parts = file.removesuffix(".j2").split(".")
    return kind, parts[0], parts[1] if len(parts) > 1 else None


@pytest.fixture(scope="module")
def cfg() -> Config:
    return load_config(BUNDLED_CONFIG, {})


def sample(cfg: Config, kind: str) -> Item:
    items = all_items(cfg)
    if kind == "news":
        return find_item(items, "news:freeales-2011-11-sentence")
    return find_item(items, "ales")  # the page with an image: Telegram's 1024 caption limit


def language_for(cfg: Config, kind: str, channel: str, lang: str | None) -> str:
    if lang is not None:
        return lang
    specific = {parse_name(n)[2] for n in TEMPLATES if parse_name(n)[:2] == (kind, channel)}
    free = [lang for lang in cfg.campaign.languages if lang not in specific]
    if not free:
        pytest.skip("every language has its own file, so this fallback is never used")
    return free[0]


def channel_for(channel: str, lang: str):
    if channel == "mastodon":
        return MastodonChannel(id="m", kind="mastodon", instance="https://m.example", language=lang)
    return TelegramChannel(id="t", kind="telegram", chat="@x", language=lang)


CHANNEL_KINDS = channel_kinds()


def test_templates_are_found():
    assert len(TEMPLATES) >= 60
    for name in TEMPLATES:
        channel = parse_name(name)[1]
        assert channel in CHANNEL_KINDS, f"{name}: channel must be one of {CHANNEL_KINDS}"


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_renders_and_fits(cfg, name):
    kind, channel, lang = parse_name(name)
    lang = language_for(cfg, kind, channel, lang)
    messages = Messages(cfg)
    it = sample(cfg, kind)
    if channel == "share":
        template = messages.template(kind, "share", lang)
        assert template.filename == str(BUNDLED_DIR / name)
        text = messages.share_text(it, lang, now=NOW, kind=kind)
        assert text and "\n" not in text
        assert count(text, "x_weighted") <= X_LIMIT_WITH_LINK
        return
    ch = channel_for(channel, lang)
    r = messages.render_post(ch, messages.subject_for_item(it, kind), now=NOW)
    assert r.template == str(BUNDLED_DIR / name), "the lookup must reach this very file"
    # Real content fits without cutting anything, and leaves the URL whole.
    assert not r.shortened and r.length <= r.limit
    assert it.url in r.post.text
    if channel == "telegram":
        assert telegram_html.problems(r.post.text) == []


@pytest.mark.parametrize("name", [n for n in TEMPLATES if parse_name(n)[1] != "share"])
def test_template_fits_an_overlong_item(cfg, name):
    kind, channel, lang = parse_name(name)
    lang = language_for(cfg, kind, channel, lang)
    long = Item(
        kind="page",
        id="long",
        url="https://freeales.fidh.net/" + "a/" * 60,
        title={lang: "Title " * 60},
        summary={lang: "Very long summary " * 400},
    )
    messages = Messages(cfg)
    r = messages.render_post(
        channel_for(channel, lang), messages.subject_for_item(long, kind), now=NOW
    )
    assert r.shortened and r.length <= r.limit
    assert long.url in r.post.text


def test_every_bundled_kind_has_every_channel_and_language(cfg):
    kinds = {parse_name(n)[0] for n in TEMPLATES}
    assert kinds >= {"news", "page", "announcement", "anniversary", "reminder"}
    for kind in kinds:
        for channel in CHANNEL_KINDS:
            for lang in cfg.campaign.languages:
                assert (BUNDLED_DIR / kind / f"{channel}.{lang}.j2").is_file() or (
                    BUNDLED_DIR / kind / f"{channel}.j2"
                ).is_file(), f"{kind}/{channel}.{lang}.j2 is missing"


def test_readme_documents_the_template_names():
    readme = (BUNDLED_DIR / "README.md").read_text(encoding="utf-8")
    assert "messages/<kind>/<channel>.<lang>.j2" in readme
    assert "default:" in readme
    for kind in {parse_name(n)[0] for n in TEMPLATES}:
        assert f"`{kind}`" in readme, f"messages/README.md does not mention the kind {kind!r}"
