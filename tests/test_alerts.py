"""Alerts reach the organisers' chat once per problem, not once per retry or per call."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from fakes import ManualClock
from fakes.telegram_server import Chat, FakeTelegram
from servicekit import campaign

from outreach.admin.alerts import TelegramAlertSender, send_pending_alerts
from outreach.errors import PublishError
from outreach.ledger import FeedState, Ledger
from outreach.post import Post
from outreach.publishers.base import Check

LEASE = dt.timedelta(seconds=30)
TOKEN = "654321:ALERT-BOT-SECRET"
ORGANISERS = -1009000000001


class Inbox:
    """A sender that keeps what it was asked to send; can be told to fail."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.failing = False

    def __call__(self, text: str) -> None:
        if self.failing:
            raise PublishError("the organisers' chat cannot be reached")
        self.sent.append(text)


@pytest.fixture
def config(tmp_path):
    return campaign(tmp_path)


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


def post(n: int = 1, channel: str = "telegram-ru") -> Post:
    return Post(channel, "telegram", f"<b>post {n}</b>", "ru", about=f"news:item-{n}")


def queue(ledger: Ledger, n: int = 1, channel: str = "telegram-ru") -> int:
    return ledger.enqueue(post(n, channel)).id


def attempt(ledger: Ledger, clock: ManualClock, ident: int):
    claim = ledger.claim(ident, LEASE)
    assert claim is not None
    return claim


def alerts(config, ledger, inbox, **kw):
    return send_pending_alerts(config, ledger, inbox, **kw)


def test_a_delivery_retried_twice_then_failed_is_one_alert(config, ledger, clock, inbox):
    ident = queue(ledger)
    for _ in range(2):
        c = attempt(ledger, clock, ident)
        ledger.finish_retry(c, "Telegram answered HTTP 503", clock() + dt.timedelta(seconds=5))
        assert alerts(config, ledger, inbox).recorded == []  # a retry is not a problem yet
        clock.advance(10)
    c = attempt(ledger, clock, ident)
    ledger.finish_failed(c, "the bot may not post in @freeales_ru (Forbidden)")
    report = alerts(config, ledger, inbox)
    assert report.sent == 1 and len(inbox.sent) == 1
    text = inbox.sent[0]
    assert f"Delivery {ident} to telegram-ru" in text and "FAILED" in text
    assert "the bot may not post in @freeales_ru" in text and f"/retry {ident}" in text
    assert "Europe/Minsk" in text  # times restated with the zone
    for _ in range(3):
        clock.advance(60)
        again = alerts(config, ledger, inbox)
        assert again.recorded == [] and again.sent == 0
    assert len(inbox.sent) == 1


def test_unknown_is_alerted_once_and_resolving_it_failed_is_not_a_new_problem(
    config, ledger, clock, inbox
):
    ident = queue(ledger)
    ledger.finish_unknown(attempt(ledger, clock, ident), "Telegram did not answer in time")
    alerts(config, ledger, inbox)
    assert len(inbox.sent) == 1
    assert "UNKNOWN" in inbox.sent[0] and f"/resolve {ident} sent" in inbox.sent[0]
    ledger.resolve(ident, "failed", "not in the channel")
    alerts(config, ledger, inbox)
    assert len(inbox.sent) == 1


def test_an_organisers_retry_that_fails_again_is_a_new_problem(config, ledger, clock, inbox):
    ident = queue(ledger)
    ledger.finish_failed(attempt(ledger, clock, ident), "refused")
    alerts(config, ledger, inbox)
    ledger.retry(ident)
    alerts(config, ledger, inbox)
    assert len(inbox.sent) == 1  # pending again: nothing to say
    ledger.finish_failed(attempt(ledger, clock, ident), "refused again")
    alerts(config, ledger, inbox)
    assert len(inbox.sent) == 2 and "refused again" in inbox.sent[1]


def test_a_missed_delivery_is_alerted(config, ledger, clock, inbox):
    ledger.record_missed(
        "telegram-ru", "telegram", about="announcement:weekly", dedupe_key="weekly@1",
        occurrence=clock(), reason="the service was not running at 10:00",
    )  # fmt: skip
    alerts(config, ledger, inbox)
    assert "MISSED" in inbox.sent[0] and "the service was not running" in inbox.sent[0]


def test_sent_and_cancelled_deliveries_are_not_problems(config, ledger, clock, inbox):
    a, b = queue(ledger, 1), queue(ledger, 2, "mastodon-en")
    ledger.finish_sent(attempt(ledger, clock, a), "42", "https://t.me/freeales_ru/42")
    ledger.cancel(b)
    report = alerts(config, ledger, inbox)
    assert report.recorded == [] and inbox.sent == []


def test_a_feed_is_reported_after_n_failures_in_a_row_once_until_it_recovers(
    config, ledger, clock, inbox
):
    def poll(failures: int) -> None:
        clock.advance(900)
        ledger.save_feed_state(
            FeedState("news", last_poll=clock(), failures=failures,
                      last_error="HTTP 503" if failures else None)
        )  # fmt: skip
        alerts(config, ledger, inbox, feed_failures=3)

    for n in (1, 2):
        poll(n)
    assert inbox.sent == []
    poll(3)
    assert len(inbox.sent) == 1
    assert "Feed 'news'" in inbox.sent[0] and "failed 3 polls in a row" in inbox.sent[0]
    assert "HTTP 503" in inbox.sent[0]
    for n in (4, 5, 6):
        poll(n)
    assert len(inbox.sent) == 1
    poll(0)  # a good poll: the problem is over
    for n in (1, 2, 3):
        poll(n)
    assert len(inbox.sent) == 2  # failing again is a new problem


def test_a_credential_that_stops_working_is_reported_once(config, ledger, inbox):
    bad = Check("telegram-ru", "telegram", False, problems=("Telegram rejected the bot token",))
    good = Check("telegram-ru", "telegram", True)
    for _ in range(3):
        alerts(config, ledger, inbox, checks=[bad])
    assert len(inbox.sent) == 1
    assert "telegram-ru" in inbox.sent[0] and "rejected the bot token" in inbox.sent[0]
    alerts(config, ledger, inbox, checks=[good])
    alerts(config, ledger, inbox, checks=[bad])
    assert len(inbox.sent) == 2


def test_alerts_that_could_not_be_sent_are_sent_later_once(config, ledger, clock, inbox, caplog):
    ident = queue(ledger)
    ledger.finish_failed(attempt(ledger, clock, ident), "refused")
    inbox.failing = True
    with caplog.at_level(logging.WARNING, "outreach.alerts"):
        report = alerts(config, ledger, inbox)
    assert report.sent == 0 and report.pending == 1 and report.errors
    assert "ALERT delivery:" in caplog.text  # logged the moment it was seen
    assert "could not be sent" in caplog.text
    inbox.failing = False
    assert alerts(config, ledger, inbox).sent == 1
    assert alerts(config, ledger, inbox).sent == 0
    assert len(inbox.sent) == 1


def test_a_row_claimed_by_another_process_is_not_sent_twice(config, ledger, clock, inbox):
    ident = queue(ledger)
    ledger.finish_failed(attempt(ledger, clock, ident), "refused")
    with pytest.raises(KeyboardInterrupt):  # killed while sending: its claim stays behind
        send_pending_alerts(config, ledger, _Stalled())
    other = Inbox()
    send_pending_alerts(config, ledger, other)
    assert other.sent == []  # still leased to the first caller
    clock.advance(600)  # the first caller died: the lease runs out
    send_pending_alerts(config, ledger, other)
    assert len(other.sent) == 1


class _Stalled:
    """A sender that dies mid-send, leaving its claim behind (as a killed process would)."""

    def __call__(self, text: str) -> None:
        raise KeyboardInterrupt


def test_without_an_alert_chat_problems_are_only_logged(config, ledger, clock, caplog):
    ident = queue(ledger)
    ledger.finish_failed(attempt(ledger, clock, ident), "refused")
    with caplog.at_level(logging.WARNING, "outreach.alerts"):
        report = send_pending_alerts(config, ledger, None)
        again = send_pending_alerts(config, ledger, None)
    assert len(report.recorded) == 1 and again.recorded == []
    assert caplog.text.count("ALERT delivery:") == 1


def test_many_problems_go_out_in_few_messages_under_telegrams_limit(config, ledger, clock, inbox):
    for n in range(60):
        ident = queue(ledger, n)
        ledger.finish_failed(attempt(ledger, clock, ident), "Telegram rejected the token " * 3)
    report = alerts(config, ledger, inbox, limit=100)
    assert report.sent == 60 and report.pending == 0
    assert 1 < len(inbox.sent) <= 10
    assert all(len(m) <= 4096 for m in inbox.sent)
    assert sum(m.count("• Delivery") for m in inbox.sent) == 60


def test_the_store_keeps_one_open_row_per_condition(config, ledger, inbox):
    bad = Check("mastodon-en", "mastodon", False, problems=("401",))
    for _ in range(2):
        alerts(config, ledger, inbox, checks=[bad])
    rows = ledger.alerts.rows()
    assert [r.key for r in rows] == ["credential:mastodon-en:open"]


# -- the real client against the fake Bot API ------------------------------------------


@pytest.fixture
def tg():
    with FakeTelegram() as fake:
        fake.add_chat(Chat(ORGANISERS, None, "Campaign organisers", type="supergroup"))
        yield fake


def test_alerts_reach_the_organisers_chat_through_the_bot_api(config, ledger, clock, tg):
    ident = queue(ledger)
    ledger.finish_unknown(attempt(ledger, clock, ident), "Telegram did not answer in time")
    sender = TelegramAlertSender(TOKEN, str(ORGANISERS), tg.url, timeout=2)
    assert send_pending_alerts(config, ledger, sender).sent == 1
    assert send_pending_alerts(config, ledger, sender).sent == 0
    [text] = tg.texts(str(ORGANISERS))
    assert "UNKNOWN" in text and f"/resolve {ident}" in text
    [m] = tg.messages
    assert m["parse_mode"] is None  # plain text: reasons are not markup


def test_a_refused_alert_names_the_chat_and_never_the_token(tg):
    tg.fail_next(1, "reply", reply=tg.error(401))
    sender = TelegramAlertSender(TOKEN, "@nowhere", tg.url, timeout=2)
    with pytest.raises(PublishError) as err:
        sender("test")
    assert "@nowhere" in str(err.value)
    assert TOKEN not in str(err.value) and "ALERT-BOT-SECRET" not in str(err.value)
