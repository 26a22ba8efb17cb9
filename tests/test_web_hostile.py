"""Hostile input on every page of the console: titles, posts, reasons, feed errors, pause
reasons and credential answers carrying markup, script, bidi overrides, NUL and control
characters and very long words are shown as text, never as markup and never a 500; a page
number, filter or date that is not one is said in place; an over-long address is refused
with a page that says so (over real HTTP, tests/webkit.py; and in Chromium at phone width)."""

from __future__ import annotations

import re

import pytest
from webkit import Site

from outreach.ledger import FeedState
from outreach.post import Post
from outreach.publishers.base import Check

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'
RLO = "\u202eelif.exe"  # an override: "exe.file" read backwards after it
CONTROL = "bell\x07esc\x1b[31mnul\x00del\x7fc1\x85"
LONG = "Свабода" * 60  # one 420-letter word
HOSTILE = f"{SCRIPT} {IMG} {RLO} {CONTROL} {LONG}"
PAGES = ["/queue", "/history", "/calendar", "/status", "/pause"]


@pytest.fixture
def site(tmp_path):
    s = Site(tmp_path)
    yield s
    s.close()


def hostile(site: Site) -> None:
    """The same hostile words everywhere an organiser may read what others wrote."""
    led = site.ledger
    for n, (channel, state) in enumerate(
        [("telegram-be", "pending"), ("mastodon-en", "sent"), ("telegram-ru", "unknown")]
    ):
        post = Post(channel, "telegram", f"{HOSTILE} {n}", "be", about=f"news:{HOSTILE}{n}")  # type: ignore[arg-type]
        ident = led.enqueue(post, dedupe_key=f"k{n}").id
        if state != "pending":
            claim = led.claim(ident, __import__("datetime").timedelta(seconds=30))
            if state == "sent":
                led.finish_sent(claim, "42", "javascript:alert(3)")
            else:
                led.finish_unknown(claim, f"the connection broke: {HOSTILE}")
    failed = site.queue(9, "mastodon-en", state="failed")
    assert site.get(failed).state == "failed"
    led.save_feed_state(
        FeedState("news", last_poll=site.clock.now(), failures=1, last_error=HOSTILE)
    )
    led.pause("web:anna", channel_id="telegram-be", why=HOSTILE)
    led.audit.record(by="web:anna", action="pause", target=HOSTILE, detail=HOSTILE)
    site.app.check_channels = lambda: [  # type: ignore[method-assign]  # the network's answers
        Check("mastodon-en", "mastodon", False, problems=(HOSTILE,), facts=(HOSTILE,))
    ]


def assert_shown_as_text(page: str, where: str) -> None:
    assert SCRIPT not in page and "<img" not in page, where
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, where
    for raw in ("\x00", "\x07", "\x1b", "\x7f", "\x85", "\u202e"):
        assert raw not in page, (where, raw)
    assert "\ufffdelif.exe" in page and "bell\ufffdesc\ufffd[31mnul\ufffd" in page, where
    assert 'href="javascript:' not in page, where


def test_hostile_words_are_shown_as_text_on_every_page(site):
    hostile(site)
    anna = site.signed_in("anna")
    anna.get("/status")
    assert anna.post("/status/check").status_code == 303
    for path in PAGES:
        r = anna.get(path)
        assert r.status_code == 200, path
        assert_shown_as_text(r.text, path)
    # and in the other languages too (the messages carry the words)
    for lang in ("be", "ru", "fr"):
        assert_shown_as_text(anna.get(f"/history?lang={lang}").text, lang)


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/queue?page=abc", "There is no page “abc”: showing page 1."),
        ("/queue?page=-3", "There is no page “-3”: showing page 1."),
        ("/queue?page=0", "There is no page “0”: showing page 1."),
        ("/queue?page=99999999999", "There is no page “99999999999”: showing page 1."),
        ("/history?page=%00", "There is no page “\ufffd”: showing page 1."),
        ("/history?actions=1e9", "There is no page “1e9”: showing page 1."),
        ("/history?state=%3Cb%3Ebold", "“&lt;b&gt;bold” is not one of the choices: showing all."),
        ("/queue?channel=" + "x" * 300, "“" + "x" * 39 + "…” is not one of the choices"),
        ("/calendar?date=2026-02-30", "“2026-02-30” is not a date the calendar shows"),
        ("/calendar?date=9999-12-31", "“9999-12-31” is not a date the calendar shows"),
        ("/calendar?view=week&date=0001-01-01", "“0001-01-01” is not a date the calendar shows"),
        ("/calendar?date=%E2%80%AE2026-03-01", "“\ufffd2026-03-01” is not a date the calendar"),
    ],
)
def test_a_page_number_filter_or_date_that_is_not_one_is_said_in_place(site, path, says):
    r = site.signed_in("vera").get(path)
    assert r.status_code == 200
    assert re.search(r'<div class="error" role="alert">\s*<p>', r.text), path
    assert says in r.text


def test_good_pages_and_dates_say_nothing_of_the_sort(site):
    v = site.signed_in("vera")
    for path in ("/queue?page=1", "/history?state=failed&actions=1", "/calendar?date=2026-03-01"):
        r = v.get(path)
        assert r.status_code == 200 and 'class="error"' not in r.text, path


@pytest.mark.parametrize("signed_in", [True, False])
def test_an_over_long_address_is_refused_with_a_page_that_says_so(site, signed_in):
    v = site.signed_in("vera") if signed_in else site.visitor()
    for path in ("/queue", "/history", "/calendar", "/status"):
        r = v.get(f"{path}?state=" + "a" * 5000)
        assert r.status_code == 414, path
        assert "That address is too long: its query has more than 2048 characters." in r.text
    # and a sign-in page's return address that long is not kept
    r = site.visitor().get("/signin?next=/queue%3F" + "a" * 3000)
    assert r.status_code == 200 and "a" * 3000 not in r.text
