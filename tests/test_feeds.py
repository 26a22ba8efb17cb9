"""The feed watcher on real-world feed shapes, with a real ledger (SQLite) and real templates."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from fakes import ManualClock
from servicekit import FEEDS, campaign

from outreach.feeds import FeedWatcher, check_xml
from outreach.ledger import open_ledger
from outreach.outbox import Outbox

CHANNELS = ("mastodon-en", "telegram-be", "telegram-ru")


class Rig:
    """A campaign folder whose feed file the test swaps, and a watcher over a SQLite ledger."""

    def __init__(
        self,
        folder: Path,
        backlog: int = 1,
        template: str = "news",
        db: str | None = None,
        **extra,
    ) -> None:
        self.folder = folder
        self.clock = ManualClock(dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC))
        feeds = [{"id": "viasna", "path": "feed.xml", "backlog": backlog, "template": template}]
        feeds += extra.pop("more_feeds", [])
        self.config = campaign(folder, feeds=feeds, announcements=[], **extra)
        self.db = db or f"sqlite:///{folder / 'ledger.sqlite3'}"
        self.restart()

    def restart(self) -> None:
        """A new process: nothing kept in memory, the same database."""
        self.ledger = open_ledger(self.db, self.clock)
        self.watcher = FeedWatcher(
            self.config, self.ledger, Outbox(self.config, self.ledger), self.clock
        )

    def serve(self, name: str) -> None:
        shutil.copy(FEEDS / name, self.folder / "feed.xml")
        self.clock.advance(60)

    def poll(self):
        [result] = self.watcher.poll_all(self.config.feeds[:1])
        return result

    def announced(self) -> list[str]:
        """Titles of queued posts, oldest first, one per item (checked to be on every channel)."""
        rows = [d for d in self.ledger.deliveries() if d.state != "missed"]
        by_item: dict[str, set[str]] = {}
        for d in rows:
            by_item.setdefault(d.about, set()).add(d.channel_id)
        assert all(chs == set(CHANNELS) for chs in by_item.values()), by_item
        return list(by_item)


@pytest.fixture
def rig(tmp_path: Path) -> Rig:
    return Rig(tmp_path)


def test_first_read_announces_only_the_newest_backlog_items(rig: Rig):
    rig.serve("rss2.xml")
    result = rig.poll()
    assert result.ok and result.first_read
    assert [i.title_in("en") for i in result.announced] == ["Court hearing postponed again"]
    assert result.skipped_backlog == 2
    assert result.deliveries == 3
    assert rig.announced() == ["viasna:120003-a21ddd"]
    post = rig.ledger.deliveries(channel_id="mastodon-en")[0].post
    assert post is not None and "https://spring96.example.org/en/news/120003/" in post.text
    assert "<b>" not in post.text  # the feed's HTML became text


def test_reordered_and_edited_items_are_not_announced_again(rig: Rig):
    rig.serve("rss2.xml")
    rig.poll()
    rig.serve("rss2_next.xml")
    result = rig.poll()
    assert [i.title_in("en") for i in result.announced] == ["Solidarity day in twelve cities"]
    assert len(rig.announced()) == 2
    rig.serve("rss2_next.xml")
    assert rig.poll().announced == []


def test_a_restart_between_polls_keeps_what_was_seen(rig: Rig):
    rig.serve("rss2.xml")
    rig.poll()
    rig.restart()
    rig.serve("rss2_next.xml")
    assert [i.id for i in rig.poll().announced] == ["viasna:120004-eb90cd"]
    rig.restart()
    rig.serve("rss2.xml")  # the feed went back to an older copy
    assert rig.poll().announced == []
    assert len(rig.ledger.deliveries()) == 6


def test_backlog_zero_announces_nothing_old(tmp_path: Path):
    rig = Rig(tmp_path, backlog=0)
    rig.serve("rss2.xml")
    result = rig.poll()
    assert result.announced == [] and result.skipped_backlog == 3
    rig.serve("rss2_next.xml")
    assert [i.title_in("en") for i in rig.poll().announced] == ["Solidarity day in twelve cities"]


def test_atom_entries_are_announced_oldest_first(tmp_path: Path):
    rig = Rig(tmp_path, backlog=5)
    rig.serve("atom.xml")
    result = rig.poll()
    assert [i.title_in("fr") for i in result.announced] == [
        "Mission d'observation",
        "Bélarus : verdict attendu",
    ]
    first = rig.ledger.deliveries(channel_id="telegram-be")
    assert [d.about for d in first] == [
        "viasna:mission-0470c4",
        "viasna:verdict-attendu-c9095b",
    ]


def test_items_without_guid_are_known_by_their_normalised_link(tmp_path: Path):
    rig = Rig(tmp_path, backlog=5)
    rig.serve("no_guid.xml")
    assert len(rig.poll().announced) == 2
    # later: tracking parameters dropped, http -> https, a fragment, an edited title
    rig.serve("no_guid_next.xml")
    assert [i.title_in("en") for i in rig.poll().announced] == ["Day 150"]


def test_duplicate_guids_do_not_hide_other_entries(tmp_path: Path):
    rig = Rig(tmp_path, backlog=5)
    rig.serve("duplicate_guid.xml")
    result = rig.poll()
    assert sorted(i.title_in("en") for i in result.announced) == [
        "Picket on Saturday",
        "Postcard writing evening",
    ]
    assert any("share the GUID" in p for p in result.problems)
    rig.serve("duplicate_guid.xml")
    assert rig.poll().announced == []


def test_an_entry_without_link_is_reported_and_the_rest_goes_out(tmp_path: Path):
    rig = Rig(tmp_path, backlog=5)
    rig.serve("missing_link.xml")
    result = rig.poll()
    assert result.ok
    assert [i.title_in("en") for i in result.announced] == ["Statement on the verdict"]
    assert result.problems == [
        "feed 'viasna': entry 'Draft: do not publish' skipped: the entry has no http(s) link"
    ]
    state = rig.ledger.feed_state("viasna")
    assert state.failures == 0 and "'Draft: do not publish' skipped" in state.last_error


@pytest.mark.parametrize(
    "name, words",
    [
        ("truncated.xml", "cut off (line 21: no element found)"),
        ("html_error.html", "not an RSS or Atom feed: the document is <html>"),
    ],
)
def test_a_broken_document_is_reported_and_nothing_is_marked_seen(tmp_path: Path, name, words):
    rig = Rig(tmp_path, backlog=5)
    rig.serve(name)
    result = rig.poll()
    assert not result.ok and words in result.error
    state = rig.ledger.feed_state("viasna")
    assert state.failures == 1 and words in state.last_error and state.last_poll is None
    rig.serve(name)
    rig.poll()
    assert rig.ledger.feed_state("viasna").failures == 2
    # the site is fixed: this is still the feed's first good read, with its backlog rule
    rig.serve("rss2.xml")
    result = rig.poll()
    assert result.ok and result.first_read and len(result.announced) == 3
    assert rig.ledger.feed_state("viasna").failures == 0


def test_html_entities_are_read_leniently_and_noted(tmp_path: Path):
    rig = Rig(tmp_path, backlog=5)
    rig.serve("entities.xml")
    result = rig.poll()
    assert [i.title_in("en") for i in result.announced] == ["Ales\xa0Bialiatski: 1\xa0000 days"]
    assert any("not well-formed XML (line 9: undefined entity)" in p for p in result.problems)


def test_a_missing_feed_file_does_not_stop_the_other_feeds(tmp_path: Path):
    rig = Rig(tmp_path, backlog=5, more_feeds=[{"id": "gone", "path": "nowhere.xml"}])
    rig.serve("atom.xml")
    broken, good = rig.watcher.poll_all([rig.config.feeds[1], rig.config.feeds[0]])
    assert "nowhere.xml cannot be read" in broken.error
    assert good.ok and len(good.announced) == 2


def test_an_unchanged_file_is_not_parsed_again(rig: Rig):
    rig.serve("rss2.xml")
    rig.poll()
    assert rig.poll().unchanged


def test_a_template_that_fails_is_recorded_per_channel_and_the_item_is_not_retried(tmp_path: Path):
    rig = Rig(tmp_path, backlog=1, template="no-such-kind")
    rig.serve("rss2.xml")
    result = rig.poll()
    assert result.deliveries == 0 and len(result.problems) == 3
    rows = rig.ledger.deliveries()
    assert {d.state for d in rows} == {"missed"} and len(rows) == 3
    assert all("could not be made" in d.reason and "no-such-kind" in d.reason for d in rows)
    rig.serve("rss2.xml")
    rig.clock.advance(3600)
    rig.poll()
    assert len(rig.ledger.deliveries()) == 3


def test_backfill_queues_what_the_first_read_left_out_once(tmp_path: Path):
    rig = Rig(tmp_path, backlog=0)
    rig.serve("rss2.xml")
    rig.poll()
    assert rig.ledger.deliveries() == []
    seen = []
    result = rig.watcher.backfill(
        rig.config.feeds[0], newest=2, progress=lambda f, n, t: seen.append((n, t))
    )
    assert [i.title_in("en") for i in result.announced] == [
        "Letters reach the colony",
        "Court hearing postponed again",
    ]
    assert seen == [(1, 2), (2, 2)]
    assert result.deliveries == 6
    again = rig.watcher.backfill(rig.config.feeds[0], newest=2)
    assert again.deliveries == 0 and len(rig.ledger.deliveries()) == 6


@pytest.mark.parametrize("home", [True, False])
def test_check_xml_tells_truncation_from_small_sins(home: bool):
    # whether or not the pass looks for the feed's own link (a file's) after the root,
    # the whole document is checked
    assert check_xml((FEEDS / "truncated.xml").read_bytes(), home=home).truncated
    sins = check_xml((FEEDS / "entities.xml").read_bytes(), home=home)
    assert sins.error and not sins.truncated and sins.root == "rss"
    atom = check_xml((FEEDS / "atom.xml").read_bytes(), home=home)
    assert (atom.root, atom.error, atom.truncated) == ("feed", None, False)
    atom = check_xml((FEEDS / "atom.xml").read_bytes(), names=True)
    assert atom.entries[1] == (
        "Mission d'observation",
        "https://www.fidh.example.org/fr/belarus/mission",
    )


def test_items_found_while_paused_are_queued_held(rig: Rig):
    rig.ledger.pause(by="@anna")
    rig.serve("rss2.xml")
    rig.poll()
    assert {d.state for d in rig.ledger.deliveries()} == {"held"}


def test_news_found_in_a_channels_quiet_hours_waits_for_their_end(tmp_path: Path):
    from servicekit import write_campaign

    from outreach.config import load_config

    write_campaign(tmp_path)
    channels = load_config(tmp_path / "outreach.yaml", {}).model_dump(mode="json")["channels"]
    for ch in channels:
        if ch["id"] == "telegram-be":
            ch["quiet_hours"] = {"start": "14:00", "end": "16:30"}  # Minsk; the rig polls at 15:01
    rig = Rig(tmp_path, backlog=1, channels=channels)
    rig.serve("rss2.xml")
    rig.poll()
    due = {d.channel_id: d.due_at for d in rig.ledger.deliveries()}
    assert due["telegram-be"] == dt.datetime(2026, 3, 2, 13, 30, tzinfo=dt.UTC)
    assert due["telegram-ru"] == rig.clock.now()
