"""What `feeds backfill` says it did: items queued, and items already posted or queued
before, each counted as what it is. It said "1 item(s) queued as 0 post(s)" of an item
every channel had. Through the CLI, over a real SQLite ledger and a feed file.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from test_feed_backfill_once import Feed, L, entry, rss

from outreach.cli import cli


def said(feed: Feed, *args: str) -> str:
    result = CliRunner().invoke(cli, ["feeds", *args], env=feed.env)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def test_a_backfill_of_items_that_went_out_says_nothing_new(tmp_path: Path):
    feed = Feed(tmp_path)
    feed.serve(rss(entry("Verdict", f"{L}v", guid="urn:1")))
    feed("poll", "news")
    out = said(feed, "backfill", "news")
    assert "news: nothing new; 1 item(s) already posted or queued before (not again)" in out
    assert "queued as 0 post(s)" not in out
    report = feed("backfill", "news")
    assert (report["announced"], len(report["already"]), report["deliveries"]) == ([], 1, 0)


def test_a_backfill_counts_what_it_queued_apart_from_what_went_out(tmp_path: Path):
    feed = Feed(tmp_path, backlog=1)
    feed.serve(rss(entry("Appeal", f"{L}2", guid="urn:2"), entry("Verdict", f"{L}1", guid="urn:1")))
    feed("poll", "news")  # Appeal goes out; Verdict is left out by the backlog rule
    out = said(feed, "backfill", "news")
    assert (
        "news: 1 item(s) queued as 3 post(s); "
        "1 item(s) already posted or queued before (not again)" in out
    )
    assert feed.posts() == ["📰 Appeal", "📰 Verdict"]
