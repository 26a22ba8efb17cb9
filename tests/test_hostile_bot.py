"""Hostile and mistaken /schedule commands to the admin bot (issue 12): each is answered
within a bound, naming what was typed and what was understood, and nothing is stored."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from adminkit import ANNA

BOUND = 30.0


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/schedule tomorrow 25:00 reminder ales", "I read 'tomorrow' as the day, but '25:00'"),
        ("/schedule tomorrow 10:99 reminder ales", "the minute 99 is not 0-59"),
        ("/schedule tomorrow 13pm reminder ales", "the hour 13 is not 1-12 before pm"),
        ("/schedule 2026-12-10 24:00 reminder ales", "the hour 24 is not 0-23"),
        ("/schedule tomorrow 10:00:75 reminder ales", "the second 75 is not 0-59"),
        ("/schedule " + "tomorrow " * 500 + "10:00 reminder ales", "too long for a date"),
    ],
)
def test_a_time_out_of_range_is_refused_and_nothing_is_stored(bot, command, answer):
    done: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: done.setdefault("replies", bot.say(ANNA, command)))
    worker.start()
    worker.join(BOUND)
    assert not worker.is_alive()
    [reply] = done["replies"]
    assert answer in reply["text"]
    assert "--at" not in reply["text"]  # the bot's words, not the CLI's option
    assert reply["reply_markup"] is None
    assert bot.ledger.announcements() == []
    assert bot.ledger.deliveries() == []
