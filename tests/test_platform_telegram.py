"""Telegram as the Bot API documents it, through python-telegram-bot over HTTP to the fake.

Each test names the documented behaviour it holds outreach to: a group upgraded to a
supergroup (ResponseParameters.migrate_to_chat_id), the limits counted after entity
parsing (sendMessage 4096, captions 1024), HTML style escaping of outside text,
deleteMessage's two refusals (48 hours, rights) and the refusals of a bot thrown out.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from fakes.telegram_server import Chat, FakeTelegram

from outreach.clock import Clock
from outreach.content import Item
from outreach.errors import Gone, PermanentError
from outreach.messages import Messages
from outreach.networks import network
from outreach.networks.telegram import TelegramChannel
from outreach.post import Post
from outreach.publishers.base import SentPost
from outreach.publishers.telegram import TelegramPublisher
from outreach.textlimits import telegram_plain

TOKEN = "123456:SECRET-TOKEN-xyz"
NOW = dt.datetime(2025, 8, 4, 7, 0, tzinfo=dt.UTC)


@pytest.fixture
def tg():
    with FakeTelegram() as fake:
        yield fake


def publisher(
    fake: FakeTelegram,
    chat: str | int = "@freeales_ru",
    clock: Clock | None = None,
    timeout: float = 20.0,  # far beyond what a request to the fake takes at any load
):
    channel = TelegramChannel(id="tg", kind="telegram", chat=chat, api_base_url=fake.url)
    return TelegramPublisher(channel, TOKEN, token_name="$TG_TOKEN", timeout=timeout, clock=clock)


def post(text: str = "<b>Day 5000</b>", **kw) -> Post:
    return Post("tg", "telegram", text, "ru", **kw)


# -- a group upgraded to a supergroup -----------------------------------------------------


def test_a_post_to_a_group_that_became_a_supergroup_goes_to_the_new_id_and_says_so(tg, caplog):
    tg.add_chat(Chat(-4001, None, "Ales group", type="group"))
    tg.migrate(-4001, Chat(-1004001, None, "Ales group", type="supergroup"))
    pub = publisher(tg, chat=-4001)
    with caplog.at_level(logging.WARNING, "outreach.publishers.telegram"):
        receipt = pub.publish(post(), "k")
    [m] = tg.messages
    assert m["chat"] == "-1004001" and m["shown"] == "Day 5000"
    assert receipt.place == "-1004001" and receipt.url == f"https://t.me/c/4001/{m['message_id']}"
    assert "set channels.tg.chat to -1004001" in caplog.text
    # The next post goes straight there: one refusal in all, not one per post.
    pub.publish(post("<i>next</i>"), "k2")
    assert [x["chat"] for x in tg.messages] == ["-1004001", "-1004001"]
    sends = [path for method, path in tg.log if path.endswith("/sendMessage")]
    assert len(sends) == 3
    # doctor (and so the credential alert) keeps saying so while the config names the old id.
    check = pub.check()
    assert not check.ok and "set channels.tg.chat to -1004001" in check.problems[0]


# -- limits after entity parsing ------------------------------------------------------------


@pytest.mark.parametrize(("image", "limit"), [(None, 4096), ("https://e.org/a.jpg", 1024)])
def test_the_limit_is_what_readers_see_counted_as_outreach_counts_it(tg, image, limit):
    net, channel = network("telegram"), TelegramChannel(id="tg", kind="telegram", chat="@x")
    assert net.limit(channel, has_image=image is not None, learned={}) == limit
    # Markup and entities do not count; a flag (two UTF-16 units) counts two.
    body = '<a href="https://e.org/?a=1&amp;b=2">Ales</a> &lt;&amp;&gt; 🇧🇾'
    at_limit = body + "x" * (limit - net.length(channel, body))
    assert net.length(channel, at_limit) == limit and len(at_limit) > limit
    pub = publisher(tg)
    pub.publish(post(at_limit, image_url=image), "k")
    assert tg.messages[-1]["shown"] == telegram_plain(at_limit)
    what = "message caption is too long" if image else "message is too long"
    with pytest.raises(PermanentError, match=f"(?i){what}.*fix the template"):
        pub.publish(post(at_limit + "x", image_url=image), "k2")
    assert len(tg.messages) == 1


def test_a_correction_too_long_for_telegram_is_refused_with_its_reason(tg):
    pub = publisher(tg)
    r = pub.publish(post(), "k")
    sent = SentPost("tg", r.remote_id, r.url, post(), r.place)
    with pytest.raises(PermanentError, match=r"(?i)message is too long") as refused:
        pub.edit(sent, "<b>" + "x" * 4097 + "</b>")
    assert not isinstance(refused.value, Gone)
    assert tg.live()[0]["text"] == "<b>Day 5000</b>"


# -- HTML style: outside text stays text -------------------------------------------------


HOSTILE = [
    "<script>alert(1)</script>",
    "</a><a href='javascript:alert(1)'>x",
    "&amp;amp; &lt;b&gt; &nbsp; &#x3C;",
    "Quote \" and ' and & alone > <",
    "<b>bold?</b> <tg-spoiler>no</tg-spoiler>",
]


@pytest.mark.parametrize("title", HOSTILE)
def test_a_hostile_title_is_accepted_by_telegram_and_read_as_typed(tg, bundled_config, title):
    channel = TelegramChannel(id="tg", kind="telegram", chat="@freeales_ru", language="en")
    cfg = bundled_config.model_copy(update={"channels": [channel]})
    item = Item(kind="page", id="t", url="https://e.org/?a=1&b=2", title={"en": title})
    messages = Messages(cfg)
    rendered = messages.render_post(channel, messages.subject_for_item(item, "page"), now=NOW)
    publisher(tg).publish(rendered.post, "k")
    [m] = tg.messages
    assert m["parse_mode"] == "HTML" and m["shown"].startswith(title + "\n")


# -- deleteMessage: 48 hours, or no right to ---------------------------------------------


def sent_at(pub: TelegramPublisher, when: dt.datetime | None) -> SentPost:
    r = pub.publish(post(), "k")
    return SentPost("tg", r.remote_id, r.url, post(), r.place, sent_at=when)


def test_a_fresh_post_the_bot_may_not_delete_is_about_rights_not_age(tg):
    # A channel whose owner took the bot's rights to post and to delete after it posted
    # (in a group or supergroup a bot deletes its own messages without any right).
    chat = tg.add_chat(Chat(-1005, "nodelete", "N"))
    pub = publisher(tg, chat="@nodelete")
    sent = sent_at(pub, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))
    chat.can_post = chat.can_delete = False
    with pytest.raises(PermanentError) as refused:
        pub.delete(sent)
    said = str(refused.value)
    assert "can't be deleted" in said and "lacks the right to delete" in said
    assert len(tg.live()) == 1


def test_an_old_post_is_about_the_48_hours(tg):
    pub = publisher(tg)
    sent = sent_at(pub, dt.datetime.now(dt.UTC) - dt.timedelta(hours=49))
    tg.make_old(int(sent.remote_id), hours=49)
    with pytest.raises(PermanentError, match="within 48 hours"):
        pub.delete(sent)


def test_a_channel_bot_that_may_post_deletes_its_own_posts_without_the_delete_right(tg):
    tg.add_chat(Chat(-1006, "postonly", "P", can_delete=False))
    pub = publisher(tg, chat="@postonly")
    assert pub.delete(sent_at(pub, dt.datetime.now(dt.UTC))).detail == "removed"


# -- a bot thrown out ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        "Forbidden: bot was kicked from the channel chat",
        "Forbidden: bot is not a member of the channel chat",
    ],
)
def test_a_bot_thrown_out_is_permanent_with_telegrams_words(tg, answer):
    tg.fail_next(1, reply=tg.error(403, answer), path="sendMessage")
    with pytest.raises(PermanentError) as refused:
        publisher(tg).publish(post(), "k")
    assert answer in str(refused.value) and "administrator" in str(refused.value)
    assert TOKEN not in str(refused.value) and tg.messages == []


# -- what is not proof that a post is gone, or that one may have gone out -----------------


@pytest.mark.parametrize("doing", ["delete", "edit"])
def test_chat_not_found_on_a_takedown_is_not_reported_as_removed(tg, doing):
    pub = publisher(tg)
    post_sent = sent_at(pub, dt.datetime.now(dt.UTC))
    path = "deleteMessage" if doing == "delete" else "editMessageText"
    tg.fail_next(1, reply=tg.error(400, "Bad Request: chat not found"), path=path)
    with pytest.raises(PermanentError) as refused:
        pub.delete(post_sent) if doing == "delete" else pub.edit(post_sent, "<i>new</i>")
    assert not isinstance(refused.value, Gone)
    assert "does not know the chat -1001000000001" in str(refused.value)  # where it went
    assert len(tg.live()) == 1


def test_an_unreadable_local_image_is_permanent_and_nothing_was_sent(tg, tmp_path):
    missing = tmp_path / "ales.jpg"
    with pytest.raises(PermanentError, match=r"the image .*ales\.jpg cannot be read"):
        publisher(tg).publish(post(image_url=str(missing)), "k")
    assert tg.messages == [] and tg.log == []


# -- a 5xx answer to a send ------------------------------------------------------------------


def test_a_500_after_the_post_went_out_leaves_it_unknown_for_an_organiser_never_twice(tmp_path):
    """No idempotency key, and no 5xx the Bot API documents as "nothing was done": a retry
    after a 500 that came once the message was in the channel would post it twice."""
    from fakes.mastodon_server import FakeMastodon
    from test_delivery import World

    with FakeMastodon() as ma, FakeTelegram() as tg:
        world = World(tmp_path, ma, tg)
        try:
            tg.fail_next(1, "reply_after", reply=tg.error(500), path="sendMessage")
            i = world.enqueue("ru", 0)
            world.loop().run_once(max_wait=600)
            d = world.ledger.get(i)
            assert tg.texts("@freeales_ru") == ["<b>post 0</b>"], "posted once"
            assert d.state == "unknown" and d.attempts == 1, d.reason
            assert "Telegram answered HTTP 500" in d.reason
            assert "may or may not be there" in d.reason and "Look at the channel" in d.reason
            assert f"outreach resolve {i} sent" in d.reason
        finally:
            world.close()
