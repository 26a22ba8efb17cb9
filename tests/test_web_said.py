"""What outreach says of a channel (`doctor`'s facts and problems) in the reader's language on
the console's status page: the publishers give a key and values (outreach/said.py), the
console words them (strings.yaml `said.*`); the CLI keeps its English.

The checks ask the fake Mastodon and Telegram servers through the real clients."""

from __future__ import annotations

import html
import json

import pytest
import wording
from correctionkit import campaign_file, make_app, send
from fakes.mastodon_server import FakeMastodon
from fakes.telegram_server import Chat, FakeTelegram
from markupsafe import escape
from webkit import Site

from outreach.post import Post
from outreach.said import ENGLISH, Said
from outreach.web import i18n


def english_fragments() -> set[str]:
    """The fixed words of every Said in English: the CLI's sentences and the console's."""
    return wording.english_fragments(ENGLISH, "said.", strip=" :;,.()#`'\"“”", sentences_only=True)


def test_every_said_has_words_in_every_language_with_the_same_values():
    table = i18n.table()
    for key, english in ENGLISH.items():
        for lang in i18n.LANGS:
            words = table[lang].get(f"said.{key}")
            assert words, (lang, key)
            assert wording.placeholders(words) == wording.placeholders(english), (lang, key)
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
    words = wording.text_of(page.text)
    for expected in CHECKS[lang]:
        assert expected in words, (expected, words)
    assert [f for f in english_fragments() if f in words] == []


FIGURES = {  # an instance that allows 5000 characters, as each reader writes the number
    "en": "posts may have up to 5,000 characters",
    "ru": "в посте может быть до 5\u00a0000 знаков",
    "be": "у допісе можа быць да 5\u00a0000 знакаў",
    "fr": "une publication peut compter jusqu'à 5\u202f000 caractères",
}


@pytest.mark.parametrize("lang", sorted(FIGURES))
def test_a_count_is_written_as_the_reader_writes_numbers(tmp_path, lang):
    with FakeMastodon(max_characters=5000) as ma, FakeTelegram() as tg:
        masto = {"kind": "mastodon", "instance": ma.url, "token_env": "MA_TOKEN"}
        channels = [{"id": "mastodon-ru", "language": "ru", **masto}]
        site = Site(tmp_path, app=make_app(campaign_file(tmp_path, ma, tg, channels=channels)))
        try:
            vera = site.signed_in("vera")
            vera.get(f"/status?lang={lang}")
            assert vera.post("/status/check").status_code == 303
            page = vera.get("/status").text
            # the CLI and the ledger keep the English digits
            checks = {c.channel_id: c for c in site.app.check_channels()}
        finally:
            site.close()
    # the space inside the number is one that does not break the line between its digits
    assert FIGURES[lang] in html.unescape(page), wording.text_of(page)
    assert "posts may have up to 5000 characters" in checks["mastodon-ru"].facts


def test_only_counts_are_grouped_not_ids_or_http_statuses():
    from outreach.web.reasons import _said

    t = i18n.Words("ru")
    worded = _said(t, str, Said("telegram.bot_ok", username="b", id=1234567890))
    assert "1234567890" in worded
    worded = _said(t, str, Said("mastodon.server_error", instance="x", status=5030, doing="y"))
    assert "5030" in worded
    worded = _said(t, str, Said("feed.too_many", n=10000))
    assert "10\u00a0000" in worded


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


# -- what became of posts, corrections and takedowns: the ledger keeps the key and values ------


@pytest.fixture
def posted(tmp_path):
    """The ales page sent through the real delivery loop: Mastodon's 503s outlast the retry
    budget, one Telegram chat does not exist, one goes out; then a post to it meets a gateway
    error (it may be out). One failed row of the ledger's from before keeps its English."""
    with FakeMastodon() as ma, FakeTelegram() as tg:
        masto = {"kind": "mastodon", "instance": ma.url, "token_env": "MA_TOKEN"}
        tele = {"kind": "telegram", "api_base_url": tg.url, "token_env": "TG_TOKEN"}
        channels = [
            {"id": "mastodon-ru", "language": "ru", **masto},
            {"id": "telegram-ru", "language": "ru", "chat": "@freeales_ru", **tele},
            {"id": "telegram-be", "language": "be", "chat": "@nowhere", **tele},
        ]
        path = campaign_file(tmp_path, ma, tg, channels=channels)
        site = Site(tmp_path, app=make_app(path))
        try:
            ma.fail_next(20, "reply", reply=ma.error(503), path="/statuses")
            ids = {site.ledger.get(i).channel_id: i for i in send(site.app, "ales")}
            ma.faults.clear()
            later = Post("telegram-ru", "telegram", "A witness speaks", "ru", about="news:later")
            ids["unknown"] = site.ledger.enqueue(later, dedupe_key="news:later").id
            tg.fail_next(1, "reply", reply=tg.error(502), path="sendMessage")
            loop = site.app.delivery_loop()
            loop.start()
            loop.run_once(max_wait=10)
            ids["old"] = site.queue(channel="telegram-be")  # a row from before: English only
            site.force(ids["old"], "failed")
            yield site, ma, tg, path, ids
        finally:
            site.close()


STATES = {"mastodon-ru": "failed", "telegram-ru": "sent", "telegram-be": "failed",
          "unknown": "unknown", "old": "failed"}  # fmt: skip

WORDED = {
    "be": [
        "спроб: {n}, больш не спрабуем; апошняя памылка: {ma} адказаў HTTP 503 пры публікацыі",
        "Telegram не ведае чата @nowhere, або бота ў ім няма: праверце channels.telegram-be.chat",
        "шлюз Telegram адказаў HTTP 502 пры адпраўцы ў @freeales_ru, таму допіс можа там быць, "
        "а можа і не быць. Паглядзіце канал: калі допіс там ёсць, пазначце яго адпраўленым з "
        "чаргі (#{unknown})",
    ],
    "ru": [
        "попыток: {n}, больше не пробуем; последняя ошибка: {ma} ответил HTTP 503 при публикации",
        "Telegram не знает чат @nowhere, или бота в нём нет: проверьте channels.telegram-be.chat",
        "шлюз Telegram ответил HTTP 502 при отправке в @freeales_ru, поэтому пост может там быть, "
        "а может и не быть. Посмотрите канал: если пост там есть, отметьте его отправленным из "
        "очереди (#{unknown})",
    ],
    "fr": [
        "abandon après {n} tentatives ; la dernière : {ma} a répondu HTTP 503 pendant la "
        "publication",
        "Telegram ne connaît pas la discussion @nowhere, ou le bot n'en fait pas partie",
        "la passerelle de Telegram a répondu HTTP 502 pendant l'envoi dans @freeales_ru : la "
        "publication y est peut-être, peut-être pas. Regardez le canal : si la publication y "
        "est, marquez-la comme envoyée depuis la file (#{unknown})",
    ],
}

OLD = "403 Forbidden: the token lacks write:statuses"  # Site.force's English, kept as it was


def expected(site: Site, ma: FakeMastodon, ids: dict[str, int], lang: str) -> list[str]:
    n = site.ledger.get(ids["mastodon-ru"]).attempts
    return [w.format(n=n, ma=ma.url, unknown=ids["unknown"]) for w in WORDED[lang]]


@pytest.mark.parametrize("lang", ["be", "ru", "fr"])
def test_what_became_of_each_post_is_in_the_readers_language(posted, lang):
    site, ma, _tg, _path, ids = posted
    assert {k: site.ledger.get(i).state for k, i in ids.items()} == STATES
    vera = site.signed_in("vera")
    page = vera.get(f"/history?lang={lang}")
    assert page.status_code == 200
    words = wording.text_of(page.text)
    for sentence in expected(site, ma, ids, lang):
        assert sentence in words, (sentence, words)
    # the row from before is shown as it was written, marked as English
    assert f'<span lang="en">{OLD}</span>' in page.text
    assert [f for f in english_fragments() if f in words] == []


@pytest.mark.parametrize("lang", ["be", "fr"])
def test_a_takedown_telegram_refuses_is_reported_in_the_readers_language(posted, lang):
    site, _ma, tg, _path, ids = posted
    sent = site.ledger.get(ids["telegram-ru"])
    refusal = "Bad Request: message can't be deleted for everyone"
    told = "Message can't be deleted for everyone"  # as python-telegram-bot hands it on
    tg.fail_next(1, "reply", reply=tg.error(400, refusal), path="deleteMessage")
    anna = site.signed_in("anna")
    anna.get(f"/history?lang={lang}")
    r = anna.post(f"/deliveries/{sent.id}/takedown", {"why": "names a witness"})
    assert r.status_code == 303
    report = anna.get(r.headers["location"])
    history = anna.get("/history")
    hours = {"be": "на працягу 48 гадз. пасля адпраўкі; выдаліце яго ўручную ў @freeales_ru",
             "fr": "dans les 48 heures qui suivent son envoi ; supprimez-le à la main dans "
                   "@freeales_ru"}[lang]  # fmt: skip
    for page in (report, history):
        words = wording.text_of(page.text)
        assert hours in words, words
        # the platform's own words stay as it said them, marked as English
        assert f'<q lang="en">{escape(told)}</q>' in page.text
        assert [f for f in english_fragments() if f in words] == []


def test_the_cli_and_the_store_keep_the_english(posted):
    site, ma, _tg, path, ids = posted
    from click.testing import CliRunner
    from correctionkit import env

    from outreach.cli import cli

    result = CliRunner().invoke(
        cli, ["history", "--json"], env={"OUTREACH_CONFIG": str(path), **env()}
    )
    assert result.exit_code == 0, result.output
    reasons = {d["id"]: d["reason"] for d in json.loads(result.stdout)}
    n = site.ledger.get(ids["mastodon-ru"]).attempts
    assert reasons[ids["mastodon-ru"]] == (
        f"gave up after {n} attempts; the last: {ma.url} answered HTTP 503 while posting"
    )
    assert reasons[ids["telegram-be"]].startswith("Telegram does not know the chat @nowhere")
    assert reasons[ids["unknown"]] == (
        "Telegram's gateway answered HTTP 502 while sending to @freeales_ru, so the post may or "
        f"may not be there. Look at the channel: if the post is there, run `outreach resolve "
        f"{ids['unknown']} sent`; if not, `outreach retry {ids['unknown']}`."
    )
    assert reasons[ids["old"]] == OLD


def test_what_organisers_did_to_a_post_is_in_the_readers_language(posted):
    site, _ma, _tg, _path, ids = posted
    olga = site.signed_in("olga")
    olga.get("/queue?lang=ru")
    queued = site.queue(n=2, channel="telegram-ru")
    assert olga.post(f"/deliveries/{queued}/cancel", {"back": "/queue"}).status_code == 303
    note = "видела его в канале"
    resolved = {"outcome": "sent", "url": "", "note": note, "back": "/queue"}
    assert olga.post(f"/deliveries/{ids['unknown']}/resolve", resolved).status_code == 303
    site.ledger.pause(by="web:anna", channel_id="telegram-ru")  # a pause's own statements
    held = site.queue(n=3, channel="telegram-ru")
    assert site.ledger.get(held).state == "held"
    # the posts and the organisers' audit trail under them (tests/test_web_said_read.py)
    history = olga.get("/history").text
    words = wording.text_of(history) + " " + wording.text_of(olga.get("/queue").text)
    assert "отменено в веб-консоли (olga)" in words
    assert f"организатор отметил исход: отправлено: {note}" in words
    assert "задержано: организатор поставил на паузу" in words
    assert "пока кто-нибудь не снимет паузу" in words  # the pause's detail in the trail
    assert [f for f in english_fragments() if f in words] == []
    # what the CLI and the bot print
    assert site.ledger.get(queued).reason == "cancelled by olga in the web console"
    assert site.ledger.get(ids["unknown"]).reason == f"marked sent by an organiser: {note}"
    assert site.ledger.get(held).reason == "held: paused by an organiser"


def test_a_stored_count_read_back_is_a_number_again():
    """A feed's last error is kept as English text (said_read.py): its count is read back as a
    number, so the console groups it; an HTTP status read back stays as it was written."""
    from outreach.said_read import feed_error
    from outreach.web.reasons import _said

    t = i18n.Words("ru")
    too_many = feed_error(ENGLISH["feed.too_many"].format(n=10000))
    assert isinstance(too_many, Said)
    assert "10\u00a0000" in _said(t, str, too_many)
    http = feed_error(ENGLISH["feed.http"].format(status=5030, phrase="Odd"))
    assert isinstance(http, Said)
    assert "5030" in _said(t, str, http)
