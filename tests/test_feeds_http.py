"""Feeds over real HTTP on 127.0.0.1: conditional requests, 304, server errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fakes import ManualClock
from servicekit import FeedServer, campaign, feed_bytes

from outreach.feeds import FeedWatcher, Fetcher
from outreach.ledger import open_ledger
from outreach.outbox import Outbox


@pytest.fixture
def server():
    with FeedServer() as s:
        yield s


def make_watcher(
    tmp_path: Path, server: FeedServer, clock: ManualClock, fetcher=None, viasna="/viasna.xml"
):
    feeds = [
        {"id": "viasna", "url": server.url(viasna), "backlog": 1},
        {"id": "fidh", "url": server.url("/fidh.xml"), "backlog": 5},
    ]
    cfg = campaign(tmp_path, feeds=feeds, announcements=[])
    ledger = open_ledger(f"sqlite:///{tmp_path / 'l.sqlite3'}", clock)
    return (
        cfg,
        ledger,
        FeedWatcher(cfg, ledger, Outbox(cfg, ledger), clock, fetcher or Fetcher(timeout=5)),
    )


def test_etag_is_sent_back_and_304_means_nothing_new(tmp_path: Path, server: FeedServer):
    clock = ManualClock()
    server.put("/viasna.xml", feed_bytes("rss2.xml"))
    server.put("/fidh.xml", feed_bytes("atom.xml"))
    cfg, ledger, watcher = make_watcher(tmp_path, server, clock)
    first = watcher.poll(cfg.feeds[0])
    assert first.ok and len(first.announced) == 1
    assert server.requests[-1]["if_none_match"] is None
    etag = ledger.feed_state("viasna").etag
    assert etag and etag.startswith('"')

    clock.advance(900)
    second = watcher.poll(cfg.feeds[0])
    assert second.unchanged and second.announced == []
    assert server.requests[-1]["if_none_match"] == etag
    assert server.requests[-1]["if_modified_since"] == ledger.feed_state("viasna").last_modified
    assert ledger.feed_state("viasna").last_poll == clock.now()

    server.put("/viasna.xml", feed_bytes("rss2_next.xml"))
    clock.advance(900)
    third = watcher.poll(cfg.feeds[0])
    assert [i.title_in("en") for i in third.announced] == ["Solidarity day in twelve cities"]
    assert ledger.feed_state("viasna").etag != etag


def test_http_errors_are_reported_per_feed_and_the_others_still_poll(
    tmp_path: Path, server: FeedServer
):
    clock = ManualClock()
    server.put("/fidh.xml", feed_bytes("atom.xml"))
    server.put("/viasna.xml", feed_bytes("rss2.xml"))
    server.fail("/viasna.xml", 503)
    cfg, ledger, watcher = make_watcher(tmp_path, server, clock)
    broken, good = watcher.poll_all()
    assert broken.error == "feed 'viasna': HTTP 503 Service Unavailable"
    assert good.ok and len(good.announced) == 2
    state = ledger.feed_state("viasna")
    assert (state.failures, state.last_error) == (1, "feed 'viasna': HTTP 503 Service Unavailable")
    server.heal("/viasna.xml")
    clock.advance(900)
    assert watcher.poll(cfg.feeds[0]).ok
    assert ledger.feed_state("viasna").failures == 0


def test_an_unreachable_server_is_a_report_without_the_url(tmp_path: Path, server: FeedServer):
    clock = ManualClock()
    cfg = campaign(
        tmp_path,
        feeds=[{"id": "down", "url": "http://127.0.0.1:9/feed.xml?token=s3cret"}],
        announcements=[],
    )
    ledger = open_ledger(f"sqlite:///{tmp_path / 'l.sqlite3'}", clock)
    watcher = FeedWatcher(cfg, ledger, Outbox(cfg, ledger), clock, Fetcher(timeout=2))
    [result] = watcher.poll_all()
    assert result.error.startswith("feed 'down': cannot connect (")
    assert "s3cret" not in result.error


def test_a_missing_feed_is_a_404_report(tmp_path: Path, server: FeedServer):
    clock = ManualClock()
    server.put("/fidh.xml", feed_bytes("atom.xml"))
    cfg, _, watcher = make_watcher(tmp_path, server, clock)
    result = watcher.poll(cfg.feeds[0])
    assert result.error == "feed 'viasna': HTTP 404 Not Found"


def test_a_restart_keeps_the_etag(tmp_path: Path, server: FeedServer):
    clock = ManualClock(dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC))
    server.put("/viasna.xml", feed_bytes("rss2.xml"))
    server.put("/fidh.xml", feed_bytes("atom.xml"))
    cfg, _, watcher = make_watcher(tmp_path, server, clock)
    watcher.poll(cfg.feeds[0])
    cfg, _, watcher = make_watcher(tmp_path, server, clock)  # a new process, same database
    assert watcher.poll(cfg.feeds[0]).unchanged
    assert server.requests[-1]["if_none_match"] is not None


def test_a_feed_whose_url_changed_is_read_in_full_then_asked_conditionally(
    tmp_path: Path, server: FeedServer
):
    """The validators belong to the URL that gave them (issue 15): a server that numbers
    its feeds' versions gives the new URL's feed the old one's ETag, and would answer 304."""
    clock = ManualClock()
    server.put("/viasna.xml", feed_bytes("rss2.xml"), etag='"v1"')
    server.put("/moved/viasna.xml", feed_bytes("rss2_next.xml"), etag='"v1"')
    server.put("/fidh.xml", feed_bytes("atom.xml"))
    cfg, ledger, watcher = make_watcher(tmp_path, server, clock)
    assert watcher.poll(cfg.feeds[0]).ok
    assert ledger.feed_state("viasna").etag == '"v1"'
    ledger.close()

    clock.advance(900)
    cfg, ledger, watcher = make_watcher(tmp_path, server, clock, viasna="/moved/viasna.xml")
    moved = watcher.poll(cfg.feeds[0])
    assert server.requests[-1] == {
        "path": "/moved/viasna.xml",
        "if_none_match": None,
        "if_modified_since": None,
    }
    assert not moved.unchanged
    assert [i.title_in("en") for i in moved.announced] == ["Solidarity day in twelve cities"]

    clock.advance(900)
    again = watcher.poll(cfg.feeds[0])
    assert again.unchanged and again.announced == []
    assert server.requests[-1]["if_none_match"] == '"v1"'
    ledger.close()


def test_validators_of_a_store_that_did_not_say_whose_are_not_sent(
    tmp_path: Path, server: FeedServer
):
    """After the upgrade (revision 0007) a feed's stored validators name no URL: one full read."""
    from outreach.ledger import FeedState

    clock = ManualClock()
    server.put("/viasna.xml", feed_bytes("rss2.xml"), etag='"v1"')
    cfg, ledger, watcher = make_watcher(tmp_path, server, clock)
    ledger.save_feed_state(
        FeedState("viasna", etag='"v1"', last_modified="Sun, 01 Mar 2026 08:00:00 GMT",
                  last_poll=clock.now())
    )  # fmt: skip
    clock.advance(900)
    read = watcher.poll(cfg.feeds[0])
    assert server.requests[-1]["if_none_match"] is None and not read.unchanged
    assert watcher.poll(cfg.feeds[0]).unchanged
    ledger.close()
