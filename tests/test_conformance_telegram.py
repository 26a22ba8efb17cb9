"""Telegram where the Bot API's documentation and our fake used to part ways.

Through python-telegram-bot over HTTP to tests/fakes/telegram_server.py, corrected
to the documentation (docs/platform_conformance.md has the table):

- a bot need not be an administrator of a group or supergroup to post there, and
  deletes its own messages there without the right to delete others' (deleteMessage:
  "Bots can delete outgoing messages in private chats, groups, and supergroups");
- "message is not modified" is about what readers see (the text and its entities),
  not about how the HTML was written;
- an error page from a proxy in front of the Bot API is HTML, not the API's JSON.
"""

from __future__ import annotations

import logging

import pytest
from fakes._server import Reply
from fakes.telegram_server import Chat, FakeTelegram

from outreach.errors import PermanentError, TransientError, UnknownOutcome
from outreach.networks.telegram import TelegramChannel
from outreach.post import Post
from outreach.publishers.base import SentPost
from outreach.publishers.telegram import TelegramPublisher

TOKEN = "123456:SECRET-TOKEN-xyz"


@pytest.fixture
def tg():
    with FakeTelegram() as fake:
        yield fake


def publisher(fake: FakeTelegram, chat: str | int = "@freeales_ru") -> TelegramPublisher:
    channel = TelegramChannel(id="tg", kind="telegram", chat=chat, api_base_url=fake.url)
    return TelegramPublisher(channel, TOKEN, token_name="$TG_TOKEN", timeout=20.0)


def post(text: str = "<b>Day 5000</b>") -> Post:
    return Post("tg", "telegram", text, "ru")


# -- groups: a member posts, and deletes its own ----------------------------------------


@pytest.mark.parametrize("kind", ["group", "supergroup"])
def test_a_bot_that_is_a_plain_member_of_a_group_posts_there(tg, kind):
    tg.add_chat(Chat(-5001, None, "Ales group", type=kind, bot_status="member"))
    pub = publisher(tg, chat=-5001)
    check = pub.check()
    assert check.ok, check.problems
    receipt = pub.publish(post(), "k")
    assert [m["shown"] for m in tg.live("-5001")] == ["Day 5000"]
    assert receipt.place == "-5001"


@pytest.mark.parametrize("status", ["member", "administrator"])
def test_a_bot_deletes_its_own_post_in_a_supergroup_without_the_right_to_delete(tg, status):
    tg.add_chat(
        Chat(
            -5002, "ales_chat", "Ales chat", type="supergroup", bot_status=status, can_delete=False
        )
    )
    pub = publisher(tg, chat="@ales_chat")
    receipt = pub.publish(post(), "k")
    sent = SentPost("tg", receipt.remote_id, receipt.url, post(), receipt.place)
    assert pub.delete(sent).detail == "removed"
    assert tg.live("@ales_chat") == []


def test_a_bot_thrown_out_of_a_group_is_told_in_telegrams_words(tg):
    tg.add_chat(Chat(-5003, None, "Ales group", type="supergroup", bot_status="kicked"))
    with pytest.raises(Exception, match="bot was kicked from the supergroup chat"):
        publisher(tg, chat=-5003).publish(post(), "k")
    assert tg.messages == []


# -- "message is not modified" is about what readers see ---------------------------------


@pytest.mark.parametrize(
    "again",
    [
        '<em>Ales</em> said "free"',  # the quotes written as they are
        "<i>Ales</i> said &#34;free&#34;",  # numeric entities, <i> for <em>
        '  <em>Ales</em> said "free"\n',  # white space Telegram trims
    ],
)
def test_a_correction_readers_would_not_see_is_already_so_and_changes_nothing(tg, again):
    pub = publisher(tg)
    first = post("<em>Ales</em> said &quot;free&quot;")
    receipt = pub.publish(first, "k")
    sent = SentPost("tg", receipt.remote_id, receipt.url, first, receipt.place)
    assert pub.edit(sent, again).detail == "edited (it already read so)"
    assert tg.edits == []


def test_a_correction_of_formatting_alone_is_an_edit(tg):
    pub = publisher(tg)
    first = post('Ales said "free"')
    receipt = pub.publish(first, "k")
    sent = SentPost("tg", receipt.remote_id, receipt.url, first, receipt.place)
    assert pub.edit(sent, 'Ales said <b>"free"</b>').detail == "edited"
    assert [e["text"] for e in tg.edits] == ['Ales said <b>"free"</b>']


# -- a proxy's page instead of the Bot API's JSON ---------------------------------------


@pytest.mark.parametrize("status", [502, 503, 504])
@pytest.mark.parametrize("kind", ["reply", "reply_after"], ids=["before", "after-posting"])
def test_a_proxys_html_error_page_on_a_send_is_unknown_and_not_quoted(tg, caplog, status, kind):
    tg.fail_next(1, kind, reply=tg.proxy_error(status))
    with caplog.at_level(logging.DEBUG), pytest.raises(UnknownOutcome) as exc:
        publisher(tg).publish(post(), "k")
    said = str(exc.value)
    assert f"HTTP {status}" in said and "may or may not be there" in said
    assert "<html" not in said and "nginx" not in said
    assert not [r for r in caplog.records if "nginx" in r.getMessage()], "the page was logged"
    assert len(tg.messages) == (1 if kind == "reply_after" else 0)


def test_a_proxys_html_429_is_nothing_sent_and_asked_again(tg):
    tg.fail_next(1, reply=tg.proxy_error(429))
    with pytest.raises(TransientError) as exc:
        publisher(tg).publish(post(), "k")
    assert "<html" not in str(exc.value)
    assert tg.messages == []


def test_an_answer_that_is_not_the_bot_apis_after_a_send_may_have_posted(tg):
    # A 200 whose body is no Bot API answer (a proxy's page, a body cut short): the
    # request reached something that said OK, so the post may be out; asked again, it
    # could go out twice.
    page = Reply(200, None, {"Content-Type": "text/html"}, raw=b"<html>OK</html>")
    tg.fail_next(1, "reply_after", reply=page)
    with pytest.raises(UnknownOutcome, match="may or may not be there"):
        publisher(tg).publish(post(), "k")
    assert len(tg.messages) == 1


# -- a post sent to a group before it became a supergroup -------------------------------


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_a_post_sent_before_the_group_became_a_supergroup_is_for_a_person_to_fix(tg, action):
    # ResponseParameters.migrate_to_chat_id: the old group refuses every call; the
    # supergroup holds its history under other message ids, so setting the new id in
    # the config (the advice after a refused send) would not let the bot reach the post.
    tg.add_chat(Chat(-4001, None, "Ales group", type="group"))
    pub = publisher(tg, chat=-4001)
    receipt = pub.publish(post(), "k")
    sent = SentPost("tg", receipt.remote_id, receipt.url, post(), receipt.place)
    tg.migrate(-4001, Chat(-1004001, None, "Ales group", type="supergroup"))
    with pytest.raises(PermanentError) as refused:
        pub.edit(sent, "<b>Day 5001</b>") if action == "edit" else pub.delete(sent)
    said = str(refused.value)
    assert "by hand" in said and "-1004001" in said
    assert "set channels" not in said
    assert [m["shown"] for m in tg.live("-4001")] == ["Day 5000"]
