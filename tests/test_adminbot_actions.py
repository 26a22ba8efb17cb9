"""/cancel, /retry, /resolve, /pause, /resume through the real bot, and what they change."""

from __future__ import annotations

import datetime as dt

import pytest
from adminkit import ANNA, BORIS, Harness, buttons
from fakes import ManualClock

from outreach.announcement_sync import sync_yaml
from outreach.ledger import Ledger, open_ledger
from outreach.post import Post

LEASE = dt.timedelta(seconds=30)
NOTHING = "Nothing was changed."


def queue(ledger: Ledger, n: int = 1, channel: str = "telegram-ru", **kw) -> int:
    post = Post(channel, "telegram", f"<b>post {n}</b>", "ru", about=f"news:item-{n}")
    return ledger.enqueue(post, **kw).id


def finish(ledger: Ledger, ident: int, how: str) -> None:
    claim = ledger.claim(ident, LEASE)
    assert claim is not None
    if how == "sent":
        ledger.finish_sent(claim, "42", "https://t.me/freeales_ru/42")
    elif how == "failed":
        ledger.finish_failed(claim, "the bot may not post in @freeales_ru")
    else:
        ledger.finish_unknown(claim, "Telegram did not answer in time")


def snapshot(bot: Harness) -> list[tuple]:
    d = [(x.id, x.state, x.reason, x.due_at, x.idempotency_key) for x in bot.ledger.deliveries()]
    return d + [(a.id, a.state) for a in bot.ledger.announcements()]


# -- /cancel ---------------------------------------------------------------------------


def test_cancel_a_queued_delivery(bot):
    ident = queue(bot.ledger)
    text = bot.texts(ANNA, f"/cancel {ident}")
    assert text.startswith(f"Cancelled delivery {ident} to telegram-ru (news:item-1)")
    assert "Sun 1 Mar 2026 12:00 Europe/Minsk (09:00 UTC)" in text
    assert bot.ledger.get(ident).state == "cancelled"


def test_cancel_an_announcement_and_its_queued_posts(bot):
    question = bot.say(ANNA, "/schedule tomorrow 10:00 reminder ales")[0]
    bot.press(ANNA, question, buttons(question)[0]["callback_data"])
    [ann] = bot.ledger.announcements()
    text = bot.texts(ANNA, f"/cancel {ann.id}")  # hers: Boris may not (test_adminbot_owner.py)
    assert (
        f"Cancelled announcement {ann.id} (reminder, at Mon 2 Mar 2026 10:00 Europe/Minsk" in text
    )
    assert bot.ledger.announcement(ann.id).state == "cancelled"


def test_cancel_a_campaign_file_announcement_says_it_stays_cancelled(bot):
    sync_yaml(bot.config, bot.ledger)
    text = bot.texts(ANNA, "/cancel weekly-day-count")
    assert "cron '0 10 * * mon' (Europe/Minsk)" in text and "stays cancelled" in text
    assert bot.ledger.announcement("weekly-day-count").state == "cancelled"


@pytest.mark.parametrize(
    ("setup", "answer"),
    [
        ("unknown-id", "There is no delivery 999. /queue and /history list them."),
        ("unknown-name", "There is no announcement 'no-such-thing'."),
        ("sent", "is sent (Sun 1 Mar 2026 12:00 Europe/Minsk (09:00 UTC)): only a queued delivery"),
        ("failed", "is failed: only a queued delivery can be cancelled"),
        ("cancelled-announcement", "was already cancelled"),
        ("sent-announcement", "went out at Sun 1 Mar 2026 14:00 Europe/Minsk (11:00 UTC) (see"),
        ("past-announcement", "which has passed (see /history): there is nothing left to cancel"),
        ("no-argument", "Say what to cancel"),
    ],
)
def test_cancel_refusals_change_nothing(bot, setup, answer):
    target = {"unknown-id": "999", "unknown-name": "no-such-thing", "no-argument": ""}.get(setup)
    if setup in ("sent", "failed"):
        ident = queue(bot.ledger)
        finish(bot.ledger, ident, setup)
        target = str(ident)
    elif setup.endswith("announcement"):
        question = bot.say(ANNA, "/schedule in 2 hours announcement")[0]
        bot.press(ANNA, question, buttons(question)[0]["callback_data"])
        [ann] = bot.ledger.announcements()
        target = ann.id
        if setup == "cancelled-announcement":
            bot.texts(ANNA, f"/cancel {ann.id}")
        else:
            bot.clock.advance(2 * 3600)  # it fires; the service posts it, or was not running
            if setup == "sent-announcement":
                about = f"announcement:{ann.id}"
                post = Post("telegram-ru", "telegram", "<b>hi</b>", "ru", about=about)
                finish(bot.ledger, bot.ledger.enqueue(post).id, "sent")
            bot.clock.advance(3600)
    before = snapshot(bot)
    text = bot.texts(ANNA, f"/cancel {target}".strip())
    assert answer in text
    assert setup == "no-argument" or NOTHING in text
    assert snapshot(bot) == before


# -- /retry and /resolve -----------------------------------------------------------------


def test_retry_a_failed_delivery(bot):
    ident = queue(bot.ledger)
    finish(bot.ledger, ident, "failed")
    old_key = bot.ledger.get(ident).idempotency_key
    text = bot.texts(ANNA, f"/retry {ident}")
    assert text == (
        f"Delivery {ident} to telegram-ru is queued again, due now "
        "(Sun 1 Mar 2026 12:00 Europe/Minsk (09:00 UTC))."
    )
    d = bot.ledger.get(ident)
    assert d.state == "pending" and d.idempotency_key != old_key


@pytest.mark.parametrize(
    ("state", "answer"),
    [
        (
            "sent",
            "was sent Sun 1 Mar 2026 12:00 Europe/Minsk (09:00 UTC) (https://t.me/freeales_ru/42); sending it again would post it twice",
        ),
        ("pending", "is pending already"),
    ],
)
def test_retry_refusals_change_nothing(bot, state, answer):
    ident = queue(bot.ledger)
    if state == "sent":
        finish(bot.ledger, ident, "sent")
    before = snapshot(bot)
    text = bot.texts(ANNA, f"/retry {ident}")
    assert answer in text and NOTHING in text
    assert snapshot(bot) == before


def test_retry_while_paused_queues_it_held_and_says_so(bot):
    ident = queue(bot.ledger)
    finish(bot.ledger, ident, "failed")
    bot.ledger.pause("@u111")
    text = bot.texts(ANNA, f"/retry {ident}")
    assert text == (
        f"Delivery {ident} to telegram-ru is queued again, but held: the campaign is paused, "
        "so it goes out after /resume."
    )
    assert bot.ledger.get(ident).state == "held"
    assert "1 held post(s) released" in bot.texts(ANNA, "/resume")
    assert bot.ledger.get(ident).state == "pending"


def test_retry_needs_a_delivery_number(bot):
    assert "Say which delivery: /retry <delivery id>" in bot.texts(ANNA, "/retry")
    assert "There is no delivery 77" in bot.texts(ANNA, "/retry 77")


def test_resolve_an_unknown_delivery_as_sent_with_its_link(bot):
    ident = queue(bot.ledger)
    finish(bot.ledger, ident, "unknown")
    text = bot.texts(ANNA, f"/resolve {ident} sent https://t.me/freeales_ru/77 found it")
    assert text.startswith(f"Delivery {ident} to telegram-ru is now recorded as sent")
    assert "Europe/Minsk" in text
    d = bot.ledger.get(ident)
    assert d.state == "sent" and d.remote_url == "https://t.me/freeales_ru/77"
    assert d.reason == "marked sent by an organiser: found it"


def test_resolve_an_unknown_delivery_as_failed(bot):
    ident = queue(bot.ledger)
    finish(bot.ledger, ident, "unknown")
    text = bot.texts(ANNA, f"/resolve {ident} failed")
    assert "recorded as failed" in text and f"/retry {ident}" in text
    assert bot.ledger.get(ident).state == "failed"


@pytest.mark.parametrize("state", ["failed", "sent", "pending"])
def test_resolve_only_takes_unknown_deliveries(bot, state):
    ident = queue(bot.ledger)
    if state != "pending":
        finish(bot.ledger, ident, state)
    before = snapshot(bot)
    text = bot.texts(ANNA, f"/resolve {ident} sent")
    assert f"Delivery {ident} is {state}, not unknown" in text and NOTHING in text
    assert snapshot(bot) == before


def test_resolve_usage(bot):
    ident = queue(bot.ledger)
    finish(bot.ledger, ident, "unknown")
    for command in ("/resolve", f"/resolve {ident}", f"/resolve {ident} maybe"):
        assert bot.texts(ANNA, command) == "Use: /resolve <delivery id> sent|failed [link or note]"
    assert bot.ledger.get(ident).state == "unknown"


# -- /pause and /resume -------------------------------------------------------------------


def test_pause_holds_everything_queued_and_what_comes_later(bot):
    a, b = queue(bot.ledger, 1), queue(bot.ledger, 2, "mastodon-en")
    text = bot.texts(ANNA, "/pause")
    assert text.startswith("Paused at Sun 1 Mar 2026 12:00 Europe/Minsk (09:00 UTC).")
    assert "2 queued post(s) held now" in text
    assert {bot.ledger.get(i).state for i in (a, b)} == {"held"}
    assert bot.ledger.paused().by == "@u111"

    late = queue(bot.ledger, 3)  # the service queues a new item while paused: held at once
    assert bot.ledger.get(late).state == "held"
    assert "PAUSED since Sun 1 Mar 2026 12:00 Europe/Minsk" in bot.texts(BORIS, "/queue")
    assert "Already paused since" in bot.texts(BORIS, "/pause")
    assert bot.ledger.paused().by == "@u111"  # the first pause stands

    bot.clock.advance(3600)
    text = bot.texts(BORIS, "/resume")
    assert text.startswith("Resumed at Sun 1 Mar 2026 13:00 Europe/Minsk (10:00 UTC)")
    assert "(paused since Sun 1 Mar 2026 12:00 Europe/Minsk (09:00 UTC) by @u111)" in text
    assert "3 held post(s) released" in text
    assert {bot.ledger.get(i).state for i in (a, b, late)} == {"pending"}
    assert bot.ledger.paused() is None
    assert bot.ledger.get(queue(bot.ledger, 4)).state == "pending"  # queued after: not held


def test_resume_when_not_paused_changes_nothing(bot):
    queue(bot.ledger)
    before = snapshot(bot)
    text = bot.texts(ANNA, "/resume")
    assert text.startswith("Not paused (Sun 1 Mar 2026 12:00 Europe/Minsk") and NOTHING in text
    assert snapshot(bot) == before


def test_pause_cannot_stop_a_post_being_sent_and_says_so(bot):
    ident = queue(bot.ledger)
    assert bot.ledger.claim(ident, LEASE) is not None
    assert "1 post(s) were being sent at that moment" in bot.texts(ANNA, "/pause family asked")
    assert bot.ledger.paused().by == "@u111" and bot.ledger.paused().why == "family asked"
    assert bot.ledger.get(ident).state == "sending"


def test_pause_and_resume_on_each_store(store_url):
    ledger = open_ledger(store_url, ManualClock())
    try:
        a = queue(ledger, 1)
        first = ledger.pause("@anna")
        again = ledger.pause("@boris")
        assert (first.already, first.held, again.already) == (False, 1, True)
        assert ledger.paused().by == "@anna"
        b = queue(ledger, 2)  # queued while paused: held in the same transaction
        assert {ledger.get(i).state for i in (a, b)} == {"held"}
        r = ledger.resume(by="@boris")
        assert [p.by for p in r.ended] == ["@anna"] and r.released == 2
        assert ledger.paused() is None
        assert {ledger.get(i).state for i in (a, b, queue(ledger, 3))} == {"pending"}
    finally:
        ledger.close()
