"""A feed that gives its items a new GUID at every read (a CMS that puts the request's
time in it) is said, once: its items were recognised by their link silently, and an
organiser could not know why an edited item went out twice. Through the watcher
`outreach run` keeps, a feed file, a real SQLite ledger."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from test_feeds_odd import Rig, rss

L = "https://n.example.org/"
SAID = (
    "feed 'news' gives its items a new id (<guid>) at every read; they are recognised by "
    "their link, so none is posted twice, but one whose link changes too (an edit) would "
    "be posted again: ask the site to keep each item's <guid>"
)


def entry(title: str, link: str, guid: str) -> str:
    return f"<title>{title}</title><link>{link}</link><guid>{guid}</guid>"


def test_guids_new_at_every_read_are_said_once(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.WARNING, "outreach.feeds")
    rig = Rig(tmp_path, backlog=5)
    reads = []
    for t in range(1, 4):
        rig.serve(rss(entry("Verdict", f"{L}v", f"{L}v?t={t}"), entry("Appeal", f"{L}a", f"a{t}")))
        reads.append(rig.poll())
    assert [r.problems for r in reads] == [[], [SAID], [SAID]]
    assert [r.getMessage() for r in caplog.records].count(SAID) == 1
    assert len(rig.posts()) == 2  # each item once
    assert rig.ledger.feed_state("news").last_error == SAID  # `feeds status` shows it


def test_one_item_given_a_new_guid_among_others_is_not_said(tmp_path: Path):
    rig = Rig(tmp_path, backlog=5)
    rig.serve(rss(entry("Verdict", f"{L}v", "urn:1"), entry("Appeal", f"{L}a", "urn:2")))
    rig.poll()
    rig.serve(rss(entry("Verdict", f"{L}v", "urn:1b"), entry("Appeal", f"{L}a", "urn:2")))
    assert rig.poll().problems == []
