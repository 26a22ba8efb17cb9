"""The real python-telegram-bot client against a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import datetime as dt

import pytest
from fakes.telegram_server import Chat, FakeTelegram

from outreach.clock import Clock, ScaledClock
from outreach.errors import PermanentError, RateLimited, TransientError, UnknownOutcome
from outreach.networks.telegram import TelegramChannel
from outreach.post import LinkButton, Post
from outreach.publishers.base import SentPost
from outreach.publishers.telegram import TelegramPublisher, bot_base_url

TOKEN = "123456:SECRET-TOKEN-xyz"


@pytest.fixture
def tg():
    with FakeTelegram() as fake:
        yield fake


TIMEOUT = 20.0
"""The client's timeout in tests: far beyond what a request to the fake takes at any load."""
SHORT = 3.0
"""Where a test needs the client to give up: the fake holds its answer (far) longer."""


def publisher(
    fake: FakeTelegram,
    chat: str | int = "@freeales_ru",
    clock: Clock | None = None,
    timeout: float = TIMEOUT,
    **kw,
) -> TelegramPublisher:
    channel = TelegramChannel(id="tg", kind="telegram", chat=chat, api_base_url=fake.url, **kw)
    return TelegramPublisher(channel, TOKEN, token_name="$TG_TOKEN", timeout=timeout, clock=clock)


def post(**kw) -> Post:
    kw.setdefault("text", '<b>Day 5000</b> <a href="https://e.org/">read</a>')
    return Post("tg", "telegram", language="ru", **kw)


def test_a_message_is_html_with_preview_options_silence_and_buttons(tg):
    buttons = (
        LinkButton("Подписать", "https://e.org/sign"),
        LinkButton("Share", "https://e.org/s"),
    )
    receipt = publisher(tg).publish(post(silent=True, link_preview=False, buttons=buttons), "k")
    [m] = tg.messages
    assert m["method"] == "sendMessage" and m["chat"] == "@freeales_ru"
    assert m["text"] == '<b>Day 5000</b> <a href="https://e.org/">read</a>'
    assert m["parse_mode"] == "HTML" and m["disable_notification"] is True
    assert m["link_preview_options"] == {"is_disabled": True}
    assert m["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Подписать", "url": "https://e.org/sign"}],
            [{"text": "Share", "url": "https://e.org/s"}],
        ]
    }
    assert m["token"] == TOKEN
    assert receipt.remote_id == str(m["message_id"])
    assert receipt.url == f"https://t.me/freeales_ru/{m['message_id']}"


def test_a_post_with_an_image_is_a_photo_with_caption(tg):
    publisher(tg).publish(post(image_url="https://e.org/ales.jpg", link_preview=True), "k")
    [m] = tg.messages
    assert m["method"] == "sendPhoto" and m["photo"] == "https://e.org/ales.jpg"
    assert m["text"].startswith("<b>Day 5000</b>") and m["parse_mode"] == "HTML"
    assert m["disable_notification"] is False


def test_a_numeric_chat_id_and_a_private_channel_link(tg):
    tg.add_chat(Chat(-1009876543210, None, "Private"))
    receipt = publisher(tg, chat="-1009876543210").publish(post(), "k")
    assert tg.messages[0]["chat"] == "-1009876543210"
    assert receipt.url == "https://t.me/c/9876543210/1"


def test_base_url_of_a_self_hosted_bot_api_server():
    assert bot_base_url(None) == "https://api.telegram.org/bot"
    assert bot_base_url("http://10.0.0.5:8081/") == "http://10.0.0.5:8081/bot"
    assert bot_base_url("http://10.0.0.5:8081/bot") == "http://10.0.0.5:8081/bot"
    assert bot_base_url("http://h/custom/{token}") == "http://h/custom/{token}"


def test_flood_control_is_rate_limited_with_telegrams_wait(tg):
    tg.fail_next(1, reply=tg.flood(retry_after=17))
    with pytest.raises(RateLimited) as exc:
        publisher(tg).publish(post(), "k")
    assert exc.value.retry_after == 17 and tg.messages == []


def test_flood_control_waits_are_given_in_the_publishers_clock_seconds(tg):
    # A clock 60 times faster: Telegram's 17 s are 17 of its minutes, the same moment for Telegram.
    clock = ScaledClock(dt.datetime(2031, 5, 6, 12, 0, tzinfo=dt.UTC), speed=60)
    tg.fail_next(1, reply=tg.flood(retry_after=17))
    with pytest.raises(RateLimited) as exc:
        publisher(tg, clock=clock).publish(post(), "k")
    assert exc.value.retry_after == pytest.approx(17 * 60, abs=0.01)


@pytest.mark.parametrize(
    ("fault", "posted"),
    [({"kind": "slow", "delay": 60}, 1), ({"kind": "drop_after"}, 1), ({"kind": "drop"}, 0)],
    ids=["timeout-after-posting", "dropped-after-posting", "dropped-before"],
)
def test_a_lost_answer_is_an_unknown_outcome_never_a_retry(tg, fault, posted):
    tg.fail_next(1, **fault)
    with pytest.raises(UnknownOutcome, match="may or may not be there"):
        publisher(tg, timeout=SHORT).publish(post(), "k")
    assert len(tg.messages) == posted


@pytest.mark.parametrize("status", [500, 502, 503, 504])
@pytest.mark.parametrize("kind", ["reply", "reply_after"], ids=["before", "after-posting"])
def test_a_5xx_answer_to_a_send_is_unknown_never_a_retry(tg, status, kind):
    # The Bot API documents no 5xx as "nothing was done" and has no idempotency key:
    # a 500 may come after the message went out ("after-posting"), as a 502 may.
    tg.fail_next(1, kind, reply=tg.error(status))
    with pytest.raises(UnknownOutcome, match=f"HTTP {status}.*may or may not be there"):
        publisher(tg).publish(post(), "k")
    assert len(tg.messages) == (1 if kind == "reply_after" else 0)


def test_a_server_error_says_what_telegram_answered_and_where_to_look(tg):
    tg.fail_next(1, "reply_after", reply=tg.error(500, "Internal Server Error: restart"))
    with pytest.raises(UnknownOutcome) as exc:
        publisher(tg).publish(post(), "k")
    said = str(exc.value)
    assert "(Internal Server Error: restart)" in said and "look in @freeales_ru" in said


@pytest.mark.parametrize("status", [500, 503])
def test_edits_and_deletions_are_idempotent_so_a_5xx_is_retried(tg, status):
    sent = publisher(tg).publish(post(), "k")
    done = SentPost("tg", sent.remote_id, sent.url, post(), place=sent.place)
    for path, act in (
        ("editMessageText", lambda pub: pub.edit(done, "<b>Day 5001</b>")),
        ("deleteMessage", lambda pub: pub.delete(done)),
    ):
        tg.fail_next(1, reply=tg.error(status), path=path)
        with pytest.raises(TransientError, match=f"HTTP {status}") as exc:
            act(publisher(tg))
        assert not isinstance(exc.value, (RateLimited, UnknownOutcome))


def test_another_refusal_of_a_send_is_permanent_nothing_was_sent(tg):
    tg.fail_next(1, reply=tg.error(413, "Request Entity Too Large"))
    with pytest.raises(PermanentError, match="Request Entity Too Large"):
        publisher(tg).publish(post(), "k")
    assert tg.messages == []


def test_a_refused_connection_is_transient_nothing_was_sent():
    channel = TelegramChannel(
        id="tg", kind="telegram", chat="@x", api_base_url="http://127.0.0.1:9"
    )
    with pytest.raises(TransientError, match="nothing was sent"):
        TelegramPublisher(channel, TOKEN, timeout=TIMEOUT).publish(post(), "k")


def test_a_rejected_token_is_permanent_without_the_token(tg):
    tg.fail_next(1, reply=tg.error(401))
    with pytest.raises(PermanentError) as exc:
        publisher(tg).publish(post(), "k")
    assert "$TG_TOKEN" in str(exc.value) and "@BotFather" in str(exc.value)
    assert "SECRET-TOKEN" not in str(exc.value)


def test_a_bot_that_is_not_admin_or_lacks_rights_is_permanent(tg):
    tg.add_chat(Chat(-1001, "notadmin", "N", bot_status="left"))
    tg.add_chat(Chat(-1002, "noright", "R", can_post=False))
    tg.add_chat(
        Chat(-1007, "muted", "G", type="supergroup", bot_status="restricted", can_post=False)
    )
    with pytest.raises(PermanentError, match=r"administrator.*Post messages"):
        publisher(tg, chat="@notadmin").publish(post(), "k")
    # Telegram's words: a channel's, then a group's that restricted the bot
    with pytest.raises(PermanentError, match=r"(?i)need administrator rights.*Post messages"):
        publisher(tg, chat="@noright").publish(post(), "k")
    with pytest.raises(PermanentError, match=r"(?i)may not post in @muted.*not enough rights"):
        publisher(tg, chat="@muted").publish(post(), "k")
    with pytest.raises(
        PermanentError, match=r"does not know the chat @nowhere.*channels\.tg\.chat"
    ):
        publisher(tg, chat="@nowhere").publish(post(), "k")
    assert tg.messages == []


def test_a_malformed_message_is_permanent_with_telegrams_reason(tg):
    tg.fail_next(1, reply=tg.error(400, "Bad Request: can't parse entities: unclosed tag"))
    with pytest.raises(PermanentError, match=r"(?i)can.t parse entities.*fix the template"):
        publisher(tg).publish(post(), "k")


def test_check_passes_for_an_admin_allowed_to_post(tg):
    check = publisher(tg).check()
    assert check.ok, check.problems
    assert any("@outreach_test_bot" in f for f in check.facts)
    assert tg.messages == [], "doctor never posts"


@pytest.mark.parametrize(
    ("chat", "problem"),
    [
        (Chat(-1003, "member", "M", bot_status="member"), "not an administrator"),
        (Chat(-1004, "noright", "R", can_post=False), "without 'Post messages'"),
        (None, "does not know the chat"),
    ],
)
def test_check_says_what_to_fix(tg, chat, problem):
    name = f"@{chat.username}" if chat else "@missing"
    if chat:
        tg.add_chat(chat)
    check = publisher(tg, chat=name).check()
    assert not check.ok and problem in check.problems[0]


def test_one_client_and_one_connection_serve_every_post_of_a_channel(tg):
    pub = publisher(tg)
    try:
        receipts = [pub.publish(post(text=f"post {i}"), f"k{i}") for i in range(20)]
        assert pub.check().ok
        assert tg.texts() == [f"post {i}" for i in range(20)]
        assert len({r.remote_id for r in receipts}) == 20
        assert tg.connections == 1
    finally:
        pub.close()


def test_warming_up_sends_nothing_and_the_posts_after_it_use_its_client(tg):
    """DeliveryLoop.start warms each publisher, so a fan-out's first posts find it ready."""
    pub = publisher(tg)
    try:
        pub.warm()
        assert tg.messages == [] and tg.connections == 0
        pub.publish(post(text="first"), "k1")
        pub.publish(post(text="second"), "k2")
        assert tg.texts() == ["first", "second"] and tg.connections == 1
    finally:
        pub.close()


def test_the_kept_client_recovers_from_each_failure_on_the_next_post(tg):
    # Failures on a kept connection must not poison it: after each, a post still goes out.
    pub = publisher(tg, timeout=SHORT)
    failures = [
        (dict(reply=tg.flood(retry_after=17)), RateLimited),
        (dict(reply=tg.error(503)), UnknownOutcome),
        (dict(reply=tg.error(502)), UnknownOutcome),
        (dict(kind="drop"), UnknownOutcome),
        (dict(kind="drop_after"), UnknownOutcome),
        (dict(kind="slow", delay=60), UnknownOutcome),
    ]
    try:
        for i, (fault, error) in enumerate(failures):
            tg.fail_next(1, **fault)
            with pytest.raises(error):
                pub.publish(post(text=f"lost {i}"), f"x{i}")
            pub.publish(post(text=f"after {i}"), f"k{i}")
            assert tg.texts()[-1] == f"after {i}"
        # Only failures that ended a connection cost a new one.
        assert tg.connections <= 1 + 3
    finally:
        pub.close()


def test_close_ends_the_publishers_thread_and_it_can_be_closed_twice(tg):
    import threading

    before = set(threading.enumerate())
    pub = publisher(tg)
    pub.publish(post(), "k")
    ours = [t for t in threading.enumerate() if t not in before and t.name == "telegram-tg"]
    assert len(ours) == 1
    pub.close()
    pub.close()
    assert not ours[0].is_alive()


def test_posting_searches_the_disk_for_no_module(tg):
    """httpcore imports sniffio at every request; were it missing, each post would search
    sys.path for it under the import lock, which every channel's loop thread shares
    (~0.2 ms of a post's CPU, and once a 10 s stall: bench/README.md). A declared
    dependency makes each of those a dictionary lookup."""
    import sys

    searched: list[str] = []

    class Watch:
        def find_spec(self, name, path=None, target=None):
            searched.append(name)
            return None

    pub = publisher(tg)
    pub.publish(post(), "k0")  # the first post may import what it needs once
    sys.meta_path.insert(0, Watch())
    try:
        for n in range(3):
            pub.publish(post(), f"k{n + 1}")
    finally:
        sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, Watch)]
        pub.close()
    assert len(tg.messages) == 4
    assert searched == []
