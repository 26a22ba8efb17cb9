"""/queue, /history, /preview and /status through the real bot; the bot's alert rounds."""

from __future__ import annotations

import datetime as dt

import pytest
from adminkit import ANNA, ORGANISERS_GROUP, TOKEN, Harness
from fakes.telegram_server import Chat, FakeTelegram

from outreach.admin.alerts import TelegramAlertSender
from outreach.admin.bot import Rounds
from outreach.announcement_sync import sync_yaml
from outreach.ledger import FeedState, Ledger
from outreach.post import Post
from outreach.publishers.base import Check

LEASE = dt.timedelta(seconds=30)
NOON = "Sun 1 Mar 2026 12:00 Europe/Minsk (09:00 UTC)"


@pytest.fixture
def tg():
    with FakeTelegram() as fake:
        fake.add_chat(Chat(ORGANISERS_GROUP, None, "Organisers", type="supergroup"))
        yield fake


@pytest.fixture
def bot(tmp_path, tg):
    checks = [
        Check("mastodon-en", "mastodon", True, facts=("dry-run: posts are printed",)),
        Check("telegram-ru", "telegram", False, problems=("Telegram rejected the bot token",)),
    ]
    h = Harness(tmp_path, tg, checker=lambda: checks)
    yield h
    h.close()


def queue(ledger: Ledger, n: int, channel: str = "telegram-ru", **kw) -> int:
    network = "mastodon" if channel.startswith("mastodon") else "telegram"
    post = Post(channel, network, f"post {n}", "en", about=f"news:item-{n}")  # type: ignore[arg-type]
    return ledger.enqueue(post, **kw).id


def test_queue_lists_each_channel_and_the_next_announcements(bot):
    sync_yaml(bot.config, bot.ledger)
    soon = bot.clock() + dt.timedelta(minutes=30)
    ident = queue(bot.ledger, 1, "telegram-ru", due_at=soon)
    text = bot.texts(ANNA, "/queue")
    assert text.startswith(f"Queue at {NOON}")
    assert "telegram-ru (telegram, ru)" in text and "mastodon-en (mastodon, en)" in text
    assert (
        f"#{ident} pending, due Sun 1 Mar 2026 12:30 Europe/Minsk (09:30 UTC): news:item-1" in text
    )
    assert "nothing queued" in text  # the other channels
    nxt = "next: weekly-day-count (reminder, page ales) at Mon 2 Mar 2026 10:00 Europe/Minsk (07:00 UTC)"
    assert text.count(nxt) == 3  # every channel gets it
    assert "PAUSED" not in text


def test_history_shows_links_reasons_and_what_to_do(bot):
    ids = [queue(bot.ledger, n) for n in range(1, 6)]
    for ident, how in zip(ids, ("sent", "failed", "unknown", "dry", "cancel"), strict=True):
        if how == "cancel":
            bot.ledger.cancel(ident)
            continue
        claim = bot.ledger.claim(ident, LEASE)
        assert claim is not None
        if how == "sent":
            bot.ledger.finish_sent(claim, "42", "https://t.me/freeales_ru/42")
        elif how == "dry":
            bot.ledger.finish_sent(claim, "dry-run:1", None, dry_run=True)
        elif how == "failed":
            bot.ledger.finish_failed(claim, "the bot may not post in @freeales_ru")
        else:
            bot.ledger.finish_unknown(claim, "Telegram did not answer in time")
        bot.clock.advance(60)
    text = bot.texts(ANNA, "/history")
    assert text.startswith("The last 5 deliveries, newest first")
    assert f"#{ids[0]} sent telegram-ru, {NOON}: news:item-1\n  https://t.me/freeales_ru/42" in text
    assert f"#{ids[1]} FAILED telegram-ru" in text
    assert "reason: the bot may not post in @freeales_ru" in text and f"/retry {ids[1]}" in text
    assert (
        f"#{ids[2]} UNKNOWN" in text
        and f"/resolve {ids[2]} sent or /resolve {ids[2]} failed" in text
    )
    assert "dry run: printed by the service, not posted" in text
    assert f"#{ids[4]} cancelled" in text
    # newest first
    assert text.index(f"#{ids[3]} sent") < text.index(f"#{ids[0]} sent")
    two = bot.texts(ANNA, "/history 2")
    assert two.startswith("The last 2 deliveries") and f"#{ids[0]} " not in two
    assert "takes a number from 1 to 50" in bot.texts(ANNA, "/history lots")


def test_history_when_nothing_went_out(bot):
    assert bot.texts(ANNA, "/history") == f"Nothing has gone out yet ({NOON})."


def test_preview_shows_each_channels_post_as_it_would_go_out(bot):
    replies = bot.say(ANNA, "/preview ales")
    assert replies[0]["text"].startswith(
        f"Preview of page:ales (page) as each channel would get it at {NOON}"
    )
    labels = [m["text"] for m in replies if m["text"].startswith("— ")]
    assert [label.split(",")[0] for label in labels] == [
        "— mastodon-en (mastodon", "— telegram-ru (telegram", "— telegram-be (telegram",
    ]  # fmt: skip
    mastodon = next(m for m in replies if m["text"].startswith("— mastodon-en"))
    assert (
        "/500" in mastodon["text"]
        and "https://freeales.fidh.net/about-ales-bialiatski/" in mastodon["text"]
    )
    assert mastodon["parse_mode"] is None
    html = [m for m in replies if m["parse_mode"] == "HTML"]
    assert len(html) == 2  # the two Telegram posts, as HTML, with their channel's buttons
    ru = html[0]
    assert "Беляцк" in ru["text"]
    assert ru["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Подписать обращение", "url": "https://freeales.fidh.net/appeal/"}]
        ]
    }


def test_preview_with_another_template_and_bad_ids(bot):
    assert "reminder" in bot.say(ANNA, "/preview ales reminder")[0]["text"]
    assert "no page or news item with id 'nowhere'" in bot.texts(ANNA, "/preview nowhere")
    assert "There is no template 'birthday'" in bot.texts(ANNA, "/preview ales birthday")
    assert bot.texts(ANNA, "/preview").startswith("Say what to preview")


def test_status_reports_queue_service_feeds_channels_and_alerts(bot):
    bot.ledger.save_feed_state(
        FeedState("news", last_poll=bot.clock(), failures=2, last_error="HTTP 503")
    )
    queue(bot.ledger, 1, due_at=bot.clock() - dt.timedelta(minutes=30))
    text = bot.texts(ANNA, "/status")
    assert text.startswith(f"Status at {NOON}")
    assert "Not paused." in text and "Deliveries: 1 pending; 0 sent in all." in text
    assert "1 post(s) overdue, the oldest due Sun 1 Mar 2026 11:30 Europe/Minsk" in text
    assert "is `outreach run` running?" in text and "nothing posted yet" in text
    assert "NOT RUNNING: outreach run has never run against this store" in text
    assert f"news: last poll {NOON}, FAILING (2 in a row): HTTP 503" in text
    assert "mastodon-en (mastodon): OK" in text
    assert "telegram-ru (telegram): NOT OK — Telegram rejected the bot token" in text
    assert "No alerts waiting." in text
    assert "Instances:\n  no `outreach run` holds this SQLite store" in text


def test_status_says_the_service_is_alive_from_its_heartbeat(bot):
    bot.ledger.health.beat(
        "run", host="box", pid=4242, version="0.1.0", started_at=bot.clock() - dt.timedelta(hours=1)
    )
    text = bot.texts(ANNA, "/status")
    assert "alive: outreach run on box (pid 4242, 0.1.0), last sign of life 0 s ago" in text


def test_the_bots_rounds_send_alerts_to_the_organisers_chat_once(bot, tg):
    ident = queue(bot.ledger, 1)
    claim = bot.ledger.claim(ident, LEASE)
    assert claim is not None
    bot.ledger.finish_unknown(claim, "Telegram did not answer in time")
    sender = TelegramAlertSender(TOKEN, ORGANISERS_GROUP, tg.url, timeout=2)
    rounds = Rounds(bot.config, bot.ledger, sender, checker=bot.console.checker, clock=bot.clock)
    first = rounds.alerts()
    assert first.sent == 2  # the unknown delivery and telegram-ru's broken token
    rounds.alerts()
    [text] = tg.texts(str(ORGANISERS_GROUP))
    assert f"Delivery {ident} to telegram-ru" in text and "UNKNOWN" in text
    assert "Channel telegram-ru (telegram): its credentials or rights stopped working" in text
    assert "No alerts waiting." in bot.texts(ANNA, "/status")


def test_the_rounds_as_the_services_after_turn_hook(bot, tg):
    bot.ledger.pause("@u111")
    ident = queue(bot.ledger, 1)
    inbox: list[str] = []
    rounds = Rounds(bot.config, bot.ledger, inbox.append, clock=bot.clock)
    rounds.after_turn(None)
    assert bot.ledger.get(ident).state == "held"
    bot.ledger.save_feed_state(
        FeedState("news", last_poll=bot.clock(), failures=3, last_error="404")
    )
    rounds.after_turn(None)
    rounds.after_turn(None)
    assert len(inbox) == 1 and "Feed 'news'" in inbox[0]


def test_preview_fits_mastodon_to_the_limit_its_instance_reported(bot):
    masto = bot.config.channel("mastodon-en")
    bot.ledger.save_channel_limits("mastodon-en", {"max_characters": 1000}, source=masto.instance)
    replies = bot.say(ANNA, "/preview ales")
    mastodon = next(m for m in replies if m["text"].startswith("— mastodon-en"))
    assert "/1,000" in mastodon["text"] and "/500" not in mastodon["text"]
