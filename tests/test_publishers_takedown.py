"""Edit and delete through the real clients (Mastodon.py, python-telegram-bot) against the fakes.

Each outcome is the one the platform documents: an edit keeps what it must
(Mastodon: media, alt text, content warning, language, visibility; Telegram: the
buttons), a deleted post is gone, and a refusal says why and where the post is.
"""

from __future__ import annotations

import pytest
from fakes.mastodon_server import FakeMastodon
from fakes.telegram_server import FakeTelegram

from outreach.errors import Gone, PermanentError, TransientError
from outreach.networks.mastodon import MastodonChannel
from outreach.networks.telegram import TelegramChannel
from outreach.post import LinkButton, Post
from outreach.publishers.base import SentPost
from outreach.publishers.mastodon import MastodonPublisher
from outreach.publishers.telegram import TelegramPublisher

TG_TOKEN = "123456:SECRET-TOKEN-xyz"
MA_TOKEN = "mastodon-SECRET-token-4242"
BUTTONS = (LinkButton("Sign", "https://e.org/sign"),)


@pytest.fixture
def ma():
    with FakeMastodon() as fake:
        yield fake


def mastodon(fake: FakeMastodon) -> MastodonPublisher:
    channel = MastodonChannel(id="ma", kind="mastodon", instance=fake.url)
    return MastodonPublisher(channel, MA_TOKEN, timeout=20, sleep=lambda s: None)


def telegram(fake: FakeTelegram) -> TelegramPublisher:
    channel = TelegramChannel(id="tg", kind="telegram", chat="@freeales_ru", api_base_url=fake.url)
    return TelegramPublisher(channel, TG_TOKEN, timeout=20)


def sent_mastodon(pub: MastodonPublisher, **kw) -> SentPost:
    post = Post("ma", "mastodon", kw.pop("text", "Ales day 5000 https://e.org/"), "be", **kw)
    r = pub.publish(post, "k")
    return SentPost("ma", r.remote_id, r.url, post, r.place)


def sent_telegram(pub: TelegramPublisher, **kw) -> SentPost:
    post = Post("tg", "telegram", kw.pop("text", "<b>Day 5000</b>"), "ru", **kw)
    r = pub.publish(post, "k")
    return SentPost("tg", r.remote_id, r.url, post, r.place)


# -- Mastodon -------------------------------------------------------------------------


def test_mastodon_edit_keeps_media_alt_text_warning_language_and_visibility(ma):
    pub = mastodon(ma)
    pub.fetch_image = lambda url: (b"png", "image/png")
    sent = sent_mastodon(
        pub,
        image_url="https://e.org/ales.png",
        image_alt="Ales in court",
        spoiler_text="prison",
        visibility="unlisted",
    )
    [status] = ma.statuses
    media = list(status["media_ids"])
    assert media  # the photo went out with the status

    assert pub.edit(sent, "Ales day 5001 https://e.org/").detail == "edited"
    [now] = ma.live()
    assert now["status"] == "Ales day 5001 https://e.org/"
    assert now["media_ids"] == media
    assert ma.media[media[0]]["description"] == "Ales in court"
    assert (now["spoiler_text"], now["language"], now["visibility"]) == ("prison", "be", "unlisted")
    assert ("PUT", f"/api/v1/statuses/{sent.remote_id}") in ma.log


def test_mastodon_delete_removes_the_status_and_a_second_delete_is_gone(ma):
    pub = mastodon(ma)
    sent = sent_mastodon(pub)
    assert pub.delete(sent).detail == "removed"
    assert ma.live() == []
    with pytest.raises(Gone, match=r"not on .* any more.*404"):
        pub.delete(sent)
    with pytest.raises(Gone):
        pub.edit(sent, "too late")


def test_mastodon_403_names_the_scope_and_the_link_and_5xx_is_transient(ma):
    pub = mastodon(ma)
    sent = sent_mastodon(pub)
    ma.fail_next(1, "reply", reply=ma.error(403), path="/statuses/")
    with pytest.raises(PermanentError, match="HTTP 403") as refused:
        pub.delete(sent)
    assert sent.url and sent.url in str(refused.value)
    assert "write:statuses" in str(refused.value) and MA_TOKEN not in str(refused.value)
    ma.fail_next(1, "reply", reply=ma.error(503), path="/statuses/")
    with pytest.raises(TransientError):
        pub.delete(sent)
    assert pub.delete(sent).detail == "removed"
    assert ma.live() == []


def test_mastodon_look_up_finds_a_status_by_its_text(ma):
    pub = mastodon(ma)
    sent = sent_mastodon(pub, text="Ales day 5000\n\nhttps://e.org/a")
    found = pub.look_up(sent)
    assert found.possible and found.found is not None
    assert found.found.remote_id == sent.remote_id and found.found.url == sent.url
    other = SentPost("ma", "0", None, Post("ma", "mastodon", "never posted", "be"))
    missing = pub.look_up(other)
    assert missing.possible and missing.found is None and "1 latest" in missing.note


# -- Telegram -------------------------------------------------------------------------


def test_telegram_edit_text_keeps_the_buttons_and_the_same_text_again_is_done(tg):
    pub = telegram(tg)
    sent = sent_telegram(pub, buttons=BUTTONS)
    assert sent.place == "-1001000000001"
    assert pub.edit(sent, "<b>Day 5001</b>").detail == "edited"
    [edit] = tg.edits
    assert edit["method"] == "editMessageText" and edit["text"] == "<b>Day 5001</b>"
    assert edit["reply_markup"] == {
        "inline_keyboard": [[{"text": "Sign", "url": "https://e.org/sign"}]]
    }
    assert tg.live()[0]["text"] == "<b>Day 5001</b>"
    # a repeat after a crash: Telegram says "message is not modified", and it does read so
    assert "already read so" in pub.edit(sent, "<b>Day 5001</b>").detail


def test_telegram_photo_caption_is_edited_with_edit_message_caption(tg):
    pub = telegram(tg)
    sent = sent_telegram(pub, image_url="https://e.org/ales.jpg", buttons=BUTTONS)
    pub.edit(sent, "<i>corrected</i>")
    [edit] = tg.edits
    assert edit["method"] == "editMessageCaption" and edit["text"] == "<i>corrected</i>"
    assert edit["reply_markup"]["inline_keyboard"][0][0]["text"] == "Sign"
    assert pub.delete(sent).detail == "removed"
    assert tg.live() == []


def test_telegram_delete_then_already_deleted_is_gone(tg):
    pub = telegram(tg)
    sent = sent_telegram(pub)
    assert pub.delete(sent).detail == "removed"
    assert tg.deletions == [{"chat": "@freeales_ru", "message_id": int(sent.remote_id)}]
    with pytest.raises(Gone, match=r"(?i)message to delete not found"):
        pub.delete(sent)


def test_telegram_refuses_after_48_hours_and_says_so_with_the_link(tg):
    pub = telegram(tg)
    sent = sent_telegram(pub)
    tg.make_old(int(sent.remote_id), hours=49)
    with pytest.raises(PermanentError, match="within 48 hours") as refused:
        pub.delete(sent)
    assert not isinstance(refused.value, Gone)
    assert f"https://t.me/freeales_ru/{sent.remote_id}" in str(refused.value)
    assert len(tg.live()) == 1


def test_telegram_403_and_5xx(tg):
    pub = telegram(tg)
    sent = sent_telegram(pub)
    tg.fail_next(1, "reply", reply=tg.error(403), path="deleteMessage")
    with pytest.raises(PermanentError, match="administrator") as refused:
        pub.delete(sent)
    assert not isinstance(refused.value, Gone) and TG_TOKEN not in str(refused.value)
    tg.fail_next(1, "reply", reply=tg.error(502), path="deleteMessage")
    with pytest.raises(TransientError):
        pub.delete(sent)
    assert pub.delete(sent).detail == "removed"


def test_telegram_cannot_look_a_post_up_and_says_so(tg):
    found = telegram(tg).look_up(SentPost("tg", "1", None, Post("tg", "telegram", "x", "ru")))
    assert not found.possible and "no way to read a channel" in found.note
