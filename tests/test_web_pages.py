"""What the console's pages show and do, over real HTTP (tests/webkit.py): paging and
filters, a retry while paused, the status page and its credential checks."""

from __future__ import annotations

import re

import pytest
from webkit import Site

from outreach.publishers.base import Check


@pytest.fixture
def site(tmp_path):
    s = Site(tmp_path)
    yield s
    s.close()


def ids_on(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article class="delivery[^"]*" id="d(\d+)"', page)]


def test_the_queue_is_paged_newest_first_and_keeps_its_filters(site):
    made = [site.queue(n, "telegram-be") for n in range(30)]
    site.queue(99, "telegram-ru")
    v = site.signed_in("vera")
    first = v.get("/queue?channel=telegram-be").text
    assert ids_on(first) == made[::-1][:25]
    older = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "channel=telegram-be" in older and "page=2" in older
    second = v.get(older).text
    assert ids_on(second) == made[::-1][25:]
    assert 'rel="next"' not in second and 'rel="prev"' in second


def test_history_shows_what_went_out_with_its_link_and_what_failed_with_its_reason(site):
    sent = site.queue(1, "mastodon-en", state="sent")
    site.clock.advance(60)
    failed = site.queue(2, "telegram-ru", state="failed")  # the latest to end: first
    site.queue(3, "telegram-be")  # pending: queue, not history
    page = site.signed_in("vera").get("/history").text
    assert ids_on(page) == [failed, sent]
    assert 'href="https://mastodon.example.org/@ales/42"' in page
    assert "403 Forbidden: the token lacks write:statuses" in page
    only_failed = site.signed_in("vera").get("/history?state=failed").text
    assert ids_on(only_failed) == [failed]


def test_a_retry_while_the_channel_is_paused_says_it_is_held(site):
    failed = site.queue(1, "telegram-ru", state="failed")
    site.ledger.pause("web:anna", channel_id="telegram-ru")
    olga = site.signed_in("olga")
    olga.get("/history")
    r = olga.post(f"/deliveries/{failed}/retry", {"back": "/history"})
    assert r.status_code == 303
    assert site.get(failed).state == "held"
    page = olga.get("/history").text
    assert f"Delivery {failed} is queued again, but held: its channel is paused." in page


def test_the_status_page_says_what_the_store_knows(site):
    site.queue(1, "telegram-be")
    site.clock.advance(3600)  # an hour late: nothing is delivering
    page = site.signed_in("vera").get("/status").text
    assert "1 post(s) are overdue, the oldest due Sun 1 Mar 2026, 12:00" in page
    assert "Last post out: never" in page
    assert re.search(r"news</strong>:\s*not read yet", page)
    assert "Not checked since the console started." in page


def test_credential_checks_run_on_request_at_most_once_a_minute(site):
    calls: list[int] = []

    def checks() -> list[Check]:
        calls.append(1)
        return [
            Check("telegram-be", "telegram", True, facts=("posting as @freeales_bot",)),
            Check(
                "mastodon-en",
                "mastodon",
                False,
                problems=("the token was revoked: make a new one",),
            ),
        ]

    site.app.check_channels = checks  # type: ignore[method-assign]  # the network's answers
    v = site.signed_in("vera")
    v.get("/status")
    assert v.post("/status/check").status_code == 303
    page = v.get("/status").text
    assert "posting as @freeales_bot" in page and "the token was revoked: make a new one" in page
    v.post("/status/check")
    assert len(calls) == 1
    site.clock.advance(60)
    v.post("/status/check")
    assert len(calls) == 2
