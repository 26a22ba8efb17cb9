"""A skipped entry (no link, no title) is said once, not at every poll: `outreach run`
polls every few minutes, and the same warning filled the organiser's log for as long as
the entry stayed in the feed. It stays where organisers look (`feeds status`), named by
its title, and a new one is said when it comes. Over a real SQLite ledger and a feed
file, through the watcher `outreach run` keeps; `feeds status` through the CLI."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_feed_backfill_once import Feed
from test_feeds_odd import Rig, item, rss

from outreach.cli import cli

L = "https://n.example.org/"
NOLINK = "<title>Picket on Saturday</title><guid>urn:picket</guid>"


def warned(caplog: pytest.LogCaptureFixture) -> list[str]:
    said = [r.getMessage() for r in caplog.records if r.name == "outreach.feeds"]
    caplog.clear()
    return [s for s in said if "skipped" in s or "dated" in s]


def test_an_entry_without_a_link_is_said_once_and_a_new_one_when_it_comes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO, "outreach.feeds")
    rig = Rig(tmp_path, backlog=5)
    rig.serve(rss(NOLINK, item("Verdict", f"{L}v")))
    first = rig.poll()
    skipped = "feed 'news': entry 'Picket on Saturday' skipped: the entry has no http(s) link"
    assert warned(caplog) == [skipped] and first.problems == [skipped]
    for n in range(3):  # read again (the file written again), news above it moving it down
        rig.serve(rss(*[item(f"News {k}", f"{L}{k}") for k in range(n)], NOLINK))
        assert warned(caplog) == [] and rig.poll().problems == [skipped]
    rig.serve(rss(NOLINK, "<title>Appeal</title><guid>urn:appeal</guid>"))
    rig.poll()
    assert warned(caplog) == ["feed 'news': entry 'Appeal' skipped: the entry has no http(s) link"]


def test_a_skipped_entry_stays_in_feeds_status_while_the_feed_is_unchanged(tmp_path: Path):
    feed = Feed(tmp_path)
    feed.serve(rss(NOLINK))
    feed("poll", "news")
    feed("poll", "news")  # the file not written since: nothing read, nothing new
    out = CliRunner().invoke(cli, ["feeds", "status", "--json"], env=feed.env)
    [status] = json.loads(out.stdout)
    assert status["last_error"] == (
        "feed 'news': entry 'Picket on Saturday' skipped: the entry has no http(s) link"
    )


def test_a_future_date_is_said_once_by_backfill(tmp_path: Path):
    feed = Feed(tmp_path)
    feed.serve(rss(item("Pinned: about us", f"{L}about", date="Fri, 31 Dec 9999 23:59:59 GMT")))
    first = feed("backfill", "news")
    assert [p for p in first["problems"] if "is dated 9999-12-31" in p]
    assert feed("backfill", "news")["problems"] == []
    assert feed("poll", "news")["problems"] == []
