"""What outreach says of a channel (`doctor`'s facts and problems) in the reader's language on
the console's status page: the publishers give a key and values (outreach/said.py), the
console words them (strings.yaml `said.*`); the CLI keeps its English.

The checks ask the fake Mastodon and Telegram servers through the real clients."""

from __future__ import annotations

import html
import re
import string

import pytest
from correctionkit import campaign_file, make_app
from fakes.mastodon_server import FakeMastodon
from fakes.telegram_server import Chat, FakeTelegram
from webkit import Site

from outreach.said import ENGLISH, Said
from outreach.web import i18n


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def text_of(page: str) -> str:
    """What a reader sees, without words that are not ours (quoted, marked as English)."""
    page = re.sub(r'<q lang="en">.*?</q>', " ", page, flags=re.S)
    blocks = re.sub(r"</?(li|p|td|th|tr|h\d|ul|div|section|dt|dd|article|br)\b[^>]*>", " ", page)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", blocks)).split())


def english_fragments() -> set[str]:
    """The fixed words of every Said in English: the CLI's sentences and the console's."""
    texts = [*ENGLISH.values()] + [
        v for k, v in i18n.table()["en"].items() if k.startswith("said.")
    ]
    out = set()
    for text in texts:
        for literal, *_ in string.Formatter().parse(text):
            words = literal.strip(" :;,.()#`'\"“”")
            if len(words) >= 8 and " " in words:  # a sentence's words, not a config name
                out.add(words)
    return out


def test_every_said_has_words_in_every_language_with_the_same_values():
    table = i18n.table()
    for key, english in ENGLISH.items():
        for lang in i18n.LANGS:
            words = table[lang].get(f"said.{key}")
            assert words, (lang, key)
            assert placeholders(words) == placeholders(english), (lang, key)
    assert {k for k in table["en"] if k.startswith("said.")} == {f"said.{k}" for k in ENGLISH}


def test_a_said_is_its_english_sentence_and_survives_the_store():
    fix = Said("telegram.fix_admin", chat="@c", username="bot")
    said = Said("telegram.not_admin", status="member", chat="@c", fix=fix)
    assert said == (
        "the bot is member of @c, not an administrator: in @c, open Administrators, "
        "add @bot and allow 'Post messages'"
    )
    again = Said.from_json(said.to_json())
    assert again == said and again is not None and again.values["fix"].key == "telegram.fix_admin"
    assert Said.from_json({"key": "no.such.key", "values": {}}) is None


@pytest.fixture
def world(tmp_path):
    with FakeMastodon() as ma, FakeTelegram() as tg:
        tg.add_chat(Chat(-1003, "member_only", "Members", bot_status="member"))
        masto = {"kind": "mastodon", "instance": ma.url, "token_env": "MA_TOKEN"}
        tele = {"kind": "telegram", "api_base_url": tg.url, "token_env": "TG_TOKEN"}
        channels = [
            {"id": "mastodon-ru", "language": "ru", "max_characters": 600, **masto},
            {"id": "telegram-ru", "language": "ru", "chat": "@freeales_ru", **tele},
            {"id": "telegram-be", "language": "be", "chat": "@member_only", **tele},
            {"id": "telegram-fr", "language": "fr", "chat": "@nobody", "kind": "telegram",
             "token_env": "UNSET_TOKEN"},
        ]  # fmt: skip
        site = Site(tmp_path, app=make_app(campaign_file(tmp_path, ma, tg, channels=channels)))
        try:
            yield site
        finally:
            site.close()


CHECKS = {
    "be": [
        "уваход выкананы як @campaign на",
        "у допісе можа быць да 500 знакаў",
        "у channels.mastodon-ru.max_characters стаіць 600, а",
        "токен бота @",
        "бот — адміністратар з правам публікаваць паведамленні",
        "статус бота ў @member_only — «удзельнік», ён не адміністратар: у @member_only "
        "адкрыйце «Адміністратары»",
        "пробны запуск: допісы толькі друкуюцца, а не адпраўляюцца; каб пачаць публікаваць, "
        "задайце $UNSET_TOKEN",
    ],
    "ru": [
        "вход выполнен как @campaign на",
        "в посте может быть до 500 знаков",
        "статус бота в @member_only — «участник», он не администратор",
        "чат @freeales_ru: канал",
        "задайте $UNSET_TOKEN",
    ],
    "fr": [
        "connecté en tant que @campaign sur",
        "une publication peut compter jusqu'à 500 caractères",
        "le statut du bot dans @member_only est « membre », il n'est pas administrateur",
        "discussion @freeales_ru : canal",
        "définissez $UNSET_TOKEN",
    ],
}


@pytest.mark.parametrize("lang", ["be", "ru", "fr"])
def test_the_channels_checks_are_in_the_readers_language(world, lang):
    vera = world.signed_in("vera")
    vera.get(f"/status?lang={lang}")
    assert vera.post("/status/check").status_code == 303
    page = vera.get("/status")
    assert page.status_code == 200
    words = text_of(page.text)
    for expected in CHECKS[lang]:
        assert expected in words, (expected, words)
    assert [f for f in english_fragments() if f in words] == []


def test_the_cli_keeps_its_english(world):
    checks = {c.channel_id: c for c in world.app.check_channels()}
    assert "posts may have up to 500 characters" in checks["mastodon-ru"].facts
    assert (
        checks["mastodon-ru"].problems[0].startswith("channels.mastodon-ru.max_characters is 600")
    )
    assert checks["telegram-ru"].facts[-1] == "the bot is an administrator allowed to post messages"
    assert checks["telegram-be"].problems == (
        "the bot is member of @member_only, not an administrator: in @member_only, open "
        "Administrators, add @outreach_test_bot and allow 'Post messages'",
    )
    assert checks["telegram-fr"].facts == (
        "dry-run: posts are printed, not sent; to go live, set $UNSET_TOKEN",
    )
