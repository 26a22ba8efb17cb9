"""/schedule through the real bot: a question with two buttons, stored only when confirmed."""

from __future__ import annotations

import datetime as dt

import pytest
from adminkit import ANNA, BORIS, Harness, buttons

WHEN = "Mon 2 Mar 2026 10:00 Europe/Minsk (07:00 UTC)"


def ask(bot: Harness, text: str = "/schedule tomorrow 10:00 reminder ales") -> dict:
    [question] = bot.say(ANNA, text)
    return question


def test_schedule_asks_first_then_stores_on_confirm(bot, tg):
    question = ask(bot)
    text = question["text"]
    assert text.startswith("Schedule this announcement?")
    assert f"when: {WHEN}" in text and "template: reminder" in text and "page: ales" in text
    assert "channels: mastodon-en, telegram-ru, telegram-be" in text
    assert "mastodon-en would read:" in text
    confirm, cancel = buttons(question)
    assert (confirm["text"], cancel["text"]) == ("Confirm", "Cancel")
    # the buttons carry an opaque id only: nothing of the request itself
    assert len(confirm["callback_data"]) <= 16
    assert "reminder" not in confirm["callback_data"] and "ales" not in confirm["callback_data"]
    assert bot.ledger.announcements() == []

    bot.press(ANNA, question, confirm["callback_data"])
    [stored] = bot.ledger.announcements()
    assert stored.id == "bot-20260302-1000-reminder"
    assert (stored.template, stored.page, stored.source, stored.state) == (
        "reminder", "ales", "cli", "active",
    )  # fmt: skip
    assert stored.at == dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)
    assert stored.channels == ("*",) and stored.timezone == "Europe/Minsk"
    [edit] = tg.edits
    assert edit["message_id"] == question["message_id"] and edit["reply_markup"] is None
    assert edit["text"].startswith(f"Scheduled {stored.id}: reminder about ales at {WHEN}")
    assert f"/cancel {stored.id}" in edit["text"]
    assert tg.callback_answers[-1]["text"] is None  # the spinner stops, no popup

    bot.press(ANNA, question, confirm["callback_data"])  # a second tap
    assert len(bot.ledger.announcements()) == 1
    assert "expired or was already answered" in tg.edits[-1]["text"]


def test_the_cancel_button_drops_the_request(bot, tg):
    question = ask(bot)
    bot.press(ANNA, question, buttons(question)[1]["callback_data"])
    assert bot.ledger.announcements() == []
    assert (
        tg.edits[-1]["text"] == f"Not scheduled: the reminder announcement for {WHEN} was dropped."
    )


def test_only_the_organiser_who_asked_can_confirm(bot, tg):
    question = ask(bot)
    confirm = buttons(question)[0]["callback_data"]
    bot.press(BORIS, question, confirm)
    assert bot.ledger.announcements() == [] and tg.edits == []
    assert tg.callback_answers[-1]["show_alert"] is True
    assert "Only the organiser who asked" in tg.callback_answers[-1]["text"]
    bot.press(ANNA, question, confirm)
    assert len(bot.ledger.announcements()) == 1


def test_a_request_expires(bot, tg):
    question = ask(bot)
    bot.clock.advance(16 * 60)
    bot.press(ANNA, question, buttons(question)[0]["callback_data"])
    assert bot.ledger.announcements() == []
    assert "expired" in tg.edits[-1]["text"]


def test_a_time_that_passed_while_waiting_is_not_stored(bot, tg):
    question = ask(bot, "/schedule in 5 minutes announcement")
    bot.clock.advance(6 * 60)
    bot.press(ANNA, question, buttons(question)[0]["callback_data"])
    assert bot.ledger.announcements() == []
    assert "has passed" in tg.edits[-1]["text"] and "Europe/Minsk" in tg.edits[-1]["text"]


def test_without_a_page_it_is_about_the_campaign(bot):
    question = ask(bot, "/schedule 2026-12-10 09:30 announcement")
    assert "when: Thu 10 Dec 2026 09:30 Europe/Minsk (06:30 UTC)" in question["text"]
    assert "page: none (about the campaign)" in question["text"]
    bot.press(ANNA, question, buttons(question)[0]["callback_data"])
    [stored] = bot.ledger.announcements()
    assert stored.page is None and stored.at == dt.datetime(2026, 12, 10, 6, 30, tzinfo=dt.UTC)


def test_the_same_time_and_template_twice_get_two_ids(bot):
    for _ in range(2):
        question = ask(bot)
        bot.press(ANNA, question, buttons(question)[0]["callback_data"])
    assert [a.id for a in bot.ledger.announcements()] == [
        "bot-20260302-1000-reminder",
        "bot-20260302-1000-reminder-2",
    ]


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/schedule", "Use: /schedule <when> <template> [page]"),
        ("/schedule reminder ales", "Say when"),
        ("/schedule whenever you like reminder", "could not read 'whenever you like'"),
        ("/schedule yesterday 10:00 reminder", "not in the future"),
        ("/schedule 2026-02-28 10:00 reminder ales", "not in the future"),
        ("/schedule friday reminder", "no time of day"),
        ("/schedule tomorrow 10:00 birthday", "There is no template 'birthday'"),
        ("/schedule tomorrow 10:00 birthday ales", "There is no template 'birthday'"),
        ("/schedule tomorrow 10:00 reminder nowhere", "There is no page 'nowhere'"),
    ],
)
def test_bad_input_is_answered_and_nothing_is_stored(bot, command, answer):
    [reply] = bot.say(ANNA, command)
    assert answer in reply["text"]
    assert reply["reply_markup"] is None  # no question, so nothing to confirm
    assert bot.ledger.announcements() == []
    assert bot.console._pending == {}


def test_a_template_that_cannot_be_rendered_is_refused_before_asking(tmp_path, tg):
    own = tmp_path / "my-messages" / "broken"
    own.mkdir(parents=True)
    for name in ("mastodon.j2", "telegram.j2"):
        (own / name).write_text("{{ item.no_such_field }}", encoding="utf-8")
    bot = Harness(tmp_path, tg, messages_dir="my-messages")
    try:
        [reply] = bot.say(ANNA, "/schedule tomorrow 10:00 broken ales")
        assert "cannot be made for mastodon-en" in reply["text"]
        assert "Nothing was changed." in reply["text"] and reply["reply_markup"] is None
        assert bot.ledger.announcements() == []
    finally:
        bot.close()


def test_in_30_minutes_in_the_repeated_hour_is_stored_as_confirmed(tmp_path, tg):
    # Paris, 25 Oct 2026: 02:00-03:00 happens twice. At 02:10 the second time (01:10 UTC)
    # "in 30 minutes" is 01:40 UTC, which the wall time "02:40" alone cannot say again.
    import yaml

    from outreach.config import BUNDLED_CONFIG

    cfg = yaml.safe_load(BUNDLED_CONFIG.read_text(encoding="utf-8"))["campaign"]
    bot = Harness(tmp_path, tg, campaign={**cfg, "timezone": "Europe/Paris"})
    try:
        second_pass = dt.datetime(2026, 10, 25, 1, 10, tzinfo=dt.UTC)
        bot.clock.advance((second_pass - bot.clock.now()).total_seconds())
        question = ask(bot, "/schedule in 30 minutes announcement")
        when = "Sun 25 Oct 2026 02:40 Europe/Paris (01:40 UTC)"
        assert f"when: {when}" in question["text"]
        bot.press(ANNA, question, buttons(question)[0]["callback_data"])
        [stored] = bot.ledger.announcements()
        assert stored.at == dt.datetime(2026, 10, 25, 1, 40, tzinfo=dt.UTC)
        assert tg.edits[-1]["text"].startswith(f"Scheduled {stored.id}: announcement at {when}")
    finally:
        bot.close()


def test_a_refusal_at_confirmation_names_no_command_line_option(bot, tg):
    question = ask(bot)
    # meanwhile `outreach doctor` learns that the Mastodon instance takes 60 characters
    bot.ledger.save_channel_limits(
        "mastodon-en", {"max_characters": 60}, source=bot.config.channels[0].instance
    )
    bot.press(ANNA, question, buttons(question)[0]["callback_data"])
    assert bot.ledger.announcements() == []
    answer = tg.edits[-1]["text"]
    assert answer.startswith("Not scheduled: ") and "mastodon-en" in answer
    assert "--" not in answer  # --template, --at...: the bot's organisers have no such flags
