"""`feeds backfill` after an item's keys moved: subscribers get one post, not two.

Poll knows an item by any of its seen keys; a backfill queues what poll marked seen
and left out, so it must tell an item that went out under other keys (a GUID made
anew at every request or dropped, a link an older version wrote otherwise) from one
the first read left out. Through the CLI, over a real SQLite ledger.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from servicekit import write_campaign

from outreach.cli import cli
from outreach.ledger import open_ledger

L = "https://n.example.org/"
NOW = "2026-03-02T12:00:00+00:00"


def rss(*entries: str) -> str:
    items = "".join(f"<item>{e}</item>" for e in entries)
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    )


def entry(title: str, link: str, guid: str | None = None) -> str:
    return f"<title>{title}</title><link>{link}</link>" + (f"<guid>{guid}</guid>" if guid else "")


class Feed:
    def __init__(self, folder: Path, backlog: int = 5) -> None:
        self.folder = folder
        self.db = f"sqlite:///{folder / 'ledger.sqlite3'}"
        feeds = [{"id": "news", "path": "f.xml", "backlog": backlog}]
        self.env = {
            "OUTREACH_CONFIG": str(write_campaign(folder, feeds=feeds, announcements=[])),
            "OUTREACH_DB_URL": self.db,
            "OUTREACH_FAKE_NOW": NOW,
            "OUTREACH_MASTODON_EN_TOKEN": None,
            "OUTREACH_TELEGRAM_TOKEN": None,
        }

    def serve(self, text: str) -> None:
        (self.folder / "f.xml").write_text(text, encoding="utf-8")

    def __call__(self, *args: str) -> dict:
        result = CliRunner().invoke(cli, ["feeds", *args, "--json"], env=self.env)
        assert result.exit_code == 0, (result.output, result.exception)
        [report] = json.loads(result.stdout)
        return report

    def posts(self) -> list[str]:
        """The first line (the title) of each post queued for the Mastodon channel."""
        ledger = open_ledger(self.db)
        try:
            rows = ledger.deliveries(channel_id="mastodon-en")
        finally:
            ledger.close()
        return sorted(d.post.text.split("\n")[0] for d in rows if d.post)

    def posts_whole(self) -> list[str]:
        """Each post queued for the Mastodon channel, whole (its link with it)."""
        ledger = open_ledger(self.db)
        try:
            return [d.post.text for d in ledger.deliveries(channel_id="mastodon-en") if d.post]
        finally:
            ledger.close()


@pytest.fixture
def feed(tmp_path: Path) -> Feed:
    return Feed(tmp_path)


def test_an_item_whose_guid_changes_at_every_request_is_not_backfilled_again(feed: Feed):
    for n in (1, 2):  # a CMS that puts the request's time into the GUID
        feed.serve(rss(entry("Verdict", f"{L}v", guid=f"{L}v?t={n}")))
        feed("poll", "news")
    assert feed("backfill", "news")["deliveries"] == 0
    assert feed.posts() == ["📰 Verdict"]


def test_an_item_whose_guid_the_feed_dropped_is_not_backfilled_again(feed: Feed):
    feed.serve(rss(entry("Verdict", f"{L}v", guid="urn:cms:1")))
    feed("poll", "news")
    feed.serve(rss(entry("Verdict: six years", f"{L}v")))  # edited, and the GUIDs are gone
    assert feed("poll", "news")["announced"] == []
    assert feed("backfill", "news")["deliveries"] == 0
    assert feed.posts() == ["📰 Verdict"]


def test_an_item_posted_under_its_raw_link_is_not_backfilled_again(
    feed: Feed, monkeypatch: pytest.MonkeyPatch
):
    link = f'{L}a"b&lt;c&gt;{{d}}'
    feed.serve(rss(entry("Verdict", link)))
    with monkeypatch.context() as before:
        # the version before 53e0755 kept links as written: its deliveries' keys hold them
        before.setattr("outreach.content.web_link", lambda link: link)
        feed("poll", "news")
    assert feed("backfill", "news")["deliveries"] == 0
    assert feed.posts() == ["📰 Verdict"]


def test_backfill_still_queues_what_the_first_read_left_out(tmp_path: Path):
    feed = Feed(tmp_path, backlog=1)
    feed.serve(rss(entry("Appeal", f"{L}2", guid="urn:2"), entry("Verdict", f"{L}1", guid="urn:1")))
    assert feed("poll", "news")["left_out"] == 1
    feed.serve(
        rss(entry("Appeal", f"{L}2", guid="urn:2b"), entry("Verdict", f"{L}1", guid="urn:1b"))
    )
    assert feed("backfill", "news")["deliveries"] == 3  # Verdict, on each of three channels
    assert feed.posts() == ["📰 Appeal", "📰 Verdict"]


def test_an_entry_given_twice_in_one_feed_is_posted_once_and_said(feed: Feed):
    # the same story under two GUIDs (a CMS that lists it in two categories)
    twice = rss(
        entry("Verdict", f"{L}v", guid="urn:cat1:7"),
        entry("Verdict (update)", f"{L}v", guid="urn:cat2:7"),
    )
    feed.serve(twice)
    polled = feed("poll", "news")
    assert len(polled["announced"]) == 1
    assert polled["problems"] == [
        "feed 'news': entry 'Verdict (update)' is in the feed twice (again as 'Verdict', "
        "with the same link); announced once"
    ]
    backfilled = feed("backfill", "news")
    assert backfilled["deliveries"] == 0
    assert feed.posts() == ["📰 Verdict (update)"]
