"""An entry whose link is relative ('/news/43': RSS 2.0 does not allow it, CMSs write it)
is announced with the link a browser at the feed's address would open; it was skipped as
having no http(s) link, and the news lost. Over real HTTP on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fakes import ManualClock
from servicekit import FeedServer, campaign

from outreach.feed_text import resolved
from outreach.feeds import FeedWatcher, Fetcher
from outreach.ledger import open_ledger
from outreach.outbox import Outbox


def rss(*items: str) -> bytes:
    body = "".join(f"<item>{i}</item>" for i in items)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!-- made by a CMS -->\n'
        f'<rss version="2.0"><channel><title>t</title>{body}</channel></rss>'
    ).encode()


def poll(folder: Path, url: str):
    config = campaign(folder, feeds=[{"id": "news", "url": url, "backlog": 5}], announcements=[])
    clock = ManualClock(dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC))
    ledger = open_ledger(f"sqlite:///{folder / 'l.sqlite3'}", clock)
    watcher = FeedWatcher(config, ledger, Outbox(config, ledger), clock, Fetcher(timeout=5))
    result = watcher.poll(config.feeds[0])
    posts = [d.post.text for d in ledger.deliveries(channel_id="mastodon-en") if d.post]
    ledger.close()
    return result, posts


def test_relative_links_are_read_against_the_feeds_address_and_its_key_stays_out(
    tmp_path: Path,
):
    feed = rss(
        "<title>Verdict</title><link>/news/43</link>",
        "<title>Appeal</title><link>appeal-44</link>",
        "<title>Page two</title><link>?p=2</link>",
        "<title>Kept</title><link>https://n.example.org/k</link><guid>123</guid>",
    )
    with FeedServer() as server:
        server.put("/feeds/rss.xml?key=s3cret", feed)
        result, posts = poll(tmp_path, server.url("/feeds/rss.xml?key=s3cret"))
    assert result.problems == []
    assert sorted(i.url for i in result.announced) == [
        server.url("/feeds/appeal-44"),
        server.url("/feeds/rss.xml?p=2"),
        server.url("/news/43"),
        "https://n.example.org/k",
    ]
    # a GUID is not a link: its key (and every seen item's) does not move
    assert [i.guid for i in result.announced if i.guid] == ["123"]
    assert len(posts) == 4 and not any("s3cret" in p for p in posts)


def test_a_relative_link_is_resolved_only_where_it_is_relative():
    base = "https://u:p@h.example:8443/feeds/rss.xml?key=s3cret#x"
    assert resolved("/news/43", base) == "https://h.example:8443/news/43"
    assert resolved("//other.example/a", base) == "https://other.example/a"
    assert resolved("#top", base) == "https://h.example:8443/feeds/rss.xml#top"
    assert resolved("https://n.example/a/../b", base) == "https://n.example/a/../b"  # as written
    assert resolved("javascript:alert(1)", base) == "javascript:alert(1)"  # still refused
    assert resolved("/news/43", None) == "/news/43"  # a file: no address, refused as before
    # an address of IPv6 form keeps its brackets; user info never reaches a post
    assert resolved("/n/1", "http://u:pw@[::1]:8080/f.xml?key=s") == "http://[::1]:8080/n/1"
