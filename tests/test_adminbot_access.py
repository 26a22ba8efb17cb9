"""Who may use the admin bot: organisers in a private chat; everyone else is turned away."""

from __future__ import annotations

import logging

import pytest
from adminkit import ANNA, BORIS, ORGANISERS_GROUP, STRANGER, TOKEN, Harness, buttons
from fakes.telegram_server import Chat, FakeTelegram

from outreach.admin.bot import GROUP_REFUSAL, REFUSAL, chunks
from outreach.post import Post


@pytest.fixture
def tg():
    with FakeTelegram() as fake:
        fake.add_chat(Chat(ORGANISERS_GROUP, None, "Organisers", type="supergroup"))
        yield fake


@pytest.fixture
def bot(tmp_path, tg):
    h = Harness(tmp_path, tg)
    yield h
    h.close()


def rows(bot: Harness) -> list[tuple]:
    d = [(x.id, x.state, x.reason) for x in bot.ledger.deliveries()]
    a = [(x.id, x.state) for x in bot.ledger.announcements()]
    return d + a


def queue_one(bot: Harness) -> int:
    post = Post("telegram-ru", "telegram", "<b>hi</b>", "ru", about="news:x")
    return bot.ledger.enqueue(post).id


def test_a_stranger_gets_one_polite_refusal_and_nothing_else(bot, caplog):
    ident = queue_one(bot)
    before = rows(bot)
    with caplog.at_level(logging.INFO):
        for text in (
            "/queue",
            f"/cancel {ident}",
            "/pause",
            "/status",
            "hello, my name is Secret Sam",
        ):
            replies = bot.say(STRANGER, text)
            assert [m["text"] for m in replies] == [REFUSAL]
            assert replies[0]["chat"] == str(STRANGER) and replies[0]["reply_markup"] is None
    assert rows(bot) == before
    assert "refused a message from user 999 (@u999) in a private chat" in caplog.text
    assert "Secret Sam" not in caplog.text and f"cancel {ident}" not in caplog.text
    assert TOKEN not in caplog.text


def test_a_stranger_pressing_an_organisers_button_changes_nothing(bot, tg):
    [question] = bot.say(ANNA, "/schedule tomorrow 10:00 reminder ales")
    confirm = buttons(question)[0]["callback_data"]
    bot.press(STRANGER, question, confirm)
    assert tg.callback_answers[-1]["text"] == REFUSAL
    assert bot.ledger.announcements() == [] and tg.edits == []
    bot.press(ANNA, question, confirm)  # the organiser's request is still there
    assert len(bot.ledger.announcements()) == 1


def test_organisers_in_a_group_are_asked_to_write_privately(bot, tg):
    ident = queue_one(bot)
    replies = bot.say_in_group(ANNA, f"/cancel {ident}")
    assert [m["text"] for m in replies] == [GROUP_REFUSAL]
    assert replies[0]["chat"] == str(ORGANISERS_GROUP)
    assert bot.ledger.get(ident).state == "pending"
    assert bot.say_in_group(STRANGER, "/status") and bot.say_in_group(STRANGER, "nice bot") == []
    assert bot.say_in_group(ANNA, "just chatting") == []


def test_an_edited_command_is_not_run_again(bot):
    ident = queue_one(bot)
    assert bot.say(ANNA, f"/cancel {ident}", edited=True) == []
    assert bot.ledger.get(ident).state == "pending"


def test_help_start_unknown_commands_and_chatter(bot):
    help_text = bot.texts(ANNA, "/help")
    assert "/schedule <when> <template> [page]" in help_text and "Europe/Minsk" in help_text
    assert bot.texts(BORIS, "/start") == help_text
    assert (
        bot.texts(ANNA, "/frobnicate now")
        == "I do not know /frobnicate. /help lists what I can do."
    )
    assert bot.texts(ANNA, "what is queued?") == "I only understand commands. /help lists them."


def test_a_command_that_breaks_is_answered_and_logged(bot, caplog):
    def boom(args):
        raise RuntimeError("the disk is on fire")

    bot.console.queue = boom  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR):
        text = bot.texts(ANNA, "/queue")
    assert "Something went wrong" in text and "disk" not in text
    assert "a command failed" in caplog.text and "the disk is on fire" in caplog.text


def test_long_answers_are_split_at_line_ends():
    text = "\n".join(f"line {i} " + "x" * 90 for i in range(200))
    pieces = chunks(text)
    assert len(pieces) > 1 and all(len(p) <= 4000 for p in pieces)
    assert "\n".join(pieces) == text
    assert chunks("y" * 9000) == ["y" * 4000, "y" * 4000, "y" * 1000]
    assert chunks("") == [""]
