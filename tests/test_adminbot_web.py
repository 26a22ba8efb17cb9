"""The admin bot's /web (a one-time sign-in link) and /pause of one channel or until a time,
through the real python-telegram-bot Application and the fake Bot API."""

from __future__ import annotations

import logging
import re

from adminkit import ANNA, BORIS, STRANGER
from test_adminbot_actions import queue

from outreach.web.tokens import digest


def test_web_sends_a_link_that_only_its_hash_is_stored_for(bot, caplog):
    caplog.set_level(logging.DEBUG)
    text = bot.texts(ANNA, "/web")
    assert "It works once, within 10 minutes, and only for you" in text
    m = re.search(r"http://127\.0\.0\.1:8080/signin/link\?t=([A-Za-z0-9_-]{43})", text)
    assert m is not None
    token = m.group(1)
    link = bot.ledger.accounts.peek_link(digest(token))
    assert link is not None and link.telegram_id == ANNA and link.name == "U111 (@u111)"
    # the token is in the chat only: not in the store, not in a log line
    with bot.ledger.engine.connect() as conn:
        dump = "\n".join(str(row) for row in conn.exec_driver_sql("SELECT * FROM web_links"))
    assert token not in dump and digest(token) in dump
    assert token not in caplog.text
    assert ("telegram:111", "link") in [(e.by, e.action) for e in bot.ledger.audit.entries()]


def test_web_is_refused_to_a_stranger(bot):
    assert (
        bot.texts(STRANGER, "/web") == "Sorry, this bot only works for the campaign's organisers."
    )
    with bot.ledger.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM web_links").scalar() == 0


def test_pause_one_channel_until_a_time_with_a_reason(bot):
    ru, be = queue(bot.ledger, 1, "telegram-ru"), queue(bot.ledger, 2, "telegram-be")
    text = bot.texts(ANNA, "/pause telegram-ru until tomorrow 10:00, verdict embargo")
    assert text.startswith(
        "Paused telegram-ru only at Sun 1 Mar 2026 12:00 Europe/Minsk (09:00 UTC). Nothing is "
        "posted on telegram-ru until Mon 2 Mar 2026 10:00 Europe/Minsk (07:00 UTC)."
    )
    p = bot.ledger.paused("telegram-ru")
    assert p is not None and p.by == "@u111" and p.why == "verdict embargo"
    assert bot.ledger.get(ru).state == "held" and bot.ledger.get(be).state == "pending"
    assert "PAUSED (telegram-ru only) since Sun 1 Mar 2026 12:00" in bot.texts(BORIS, "/status")
    # the embargo lifts itself: the delivery loop's next look releases what it held
    bot.clock.advance(22 * 3600)
    assert bot.ledger.pauses() == []
    head = bot.ledger.head("telegram-ru")
    assert head.ready is not None and head.ready.id == ru


def test_pause_with_an_unreadable_time_changes_nothing(bot):
    ident = queue(bot.ledger)
    text = bot.texts(ANNA, "/pause until the cows come home, why not")
    assert "I could not read 'the cows come home' as a date and time" in text
    assert "Nothing was changed." in text
    assert bot.ledger.pauses() == [] and bot.ledger.get(ident).state == "pending"


def test_resume_one_channel_while_everything_is_paused_says_so(bot):
    ident = queue(bot.ledger, 1, "telegram-ru")
    bot.texts(ANNA, "/pause")
    bot.texts(ANNA, "/pause telegram-ru")
    text = bot.texts(BORIS, "/resume telegram-ru")
    assert "0 held post(s) released" in text
    assert "Everything is still paused" in text and "telegram-ru's posts stay held" in text
    assert bot.ledger.get(ident).state == "held"
    assert "There is no channel 'nope'" in bot.texts(BORIS, "/resume nope")
    trail = [(e.by, e.action, e.target) for e in bot.ledger.audit.entries()]
    assert ("@u222", "resume", "telegram-ru") in trail
