"""Odd feeds from the wild: dates in the future, a charset only the server names, a
repaired document, a link whose written form changed. What subscribers get and what
organisers are told, over a real SQLite ledger (and real HTTP on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
from fakes import ManualClock
from servicekit import FeedServer, campaign

from outreach.content import Item
from outreach.feed_text import declare_charset
from outreach.feeds import FeedWatcher, Fetcher
from outreach.ledger import open_ledger
from outreach.outbox import Outbox

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def rss(*items: str, declaration: str = '<?xml version="1.0" encoding="utf-8"?>') -> str:
    return (
        f'{declaration}<rss version="2.0"><channel><title>t</title>'
        + "".join(f"<item>{i}</item>" for i in items)
        + "</channel></rss>"
    )


def item(title: str, link: str, date: str | None = None, guid: bool = True) -> str:
    return (
        f"<title>{title}</title><link>{link}</link>"
        + (f"<guid>{link}</guid>" if guid else "")
        + (f"<pubDate>{date}</pubDate>" if date else "")
    )


class Rig:
    def __init__(
        self, folder: Path, backlog: int = 1, url: str | None = None, db: str | None = None
    ) -> None:
        self.folder = folder
        self.clock = ManualClock(NOW)
        feed = {"id": "news", "backlog": backlog} | ({"url": url} if url else {"path": "f.xml"})
        self.config = campaign(folder, feeds=[feed], announcements=[])
        self.ledger = open_ledger(db or f"sqlite:///{folder / 'l.sqlite3'}", self.clock)
        self.watcher = FeedWatcher(
            self.config,
            self.ledger,
            Outbox(self.config, self.ledger),
            self.clock,
            Fetcher(timeout=5),
        )

    def serve(self, text: str) -> None:
        (self.folder / "f.xml").write_text(text, encoding="utf-8")
        self.clock.advance(60)

    def poll(self):
        return self.watcher.poll(self.config.feeds[0])

    def posts(self) -> list[str]:
        return [d.post.text for d in self.ledger.deliveries(channel_id="mastodon-en") if d.post]


# -- 1. dates in the future ------------------------------------------------------------


@pytest.mark.parametrize(
    "future", ["Fri, 31 Dec 9999 23:59:59 GMT", "Tue, 03 Mar 2026 12:00:00 GMT"]
)
def test_a_future_date_does_not_take_the_first_reads_place_of_the_newest_item(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, future: str
):
    rig = Rig(tmp_path, backlog=1)
    rig.serve(
        rss(
            item("Pinned: about us", "https://n.example.org/about", future),
            item("Verdict today", "https://n.example.org/2", "Mon, 02 Mar 2026 09:00:00 GMT"),
            item("Hearing set", "https://n.example.org/1", "Sun, 01 Mar 2026 09:00:00 GMT"),
        )
    )
    with caplog.at_level(logging.WARNING, "outreach.feeds"):
        first = rig.poll()
    assert [i.title_in("en") for i in first.announced] == ["Verdict today"]
    assert first.skipped_backlog == 2
    said = [p for p in first.problems if "Pinned: about us" in p]
    assert len(said) == 1 and "later than the watcher's clock" in said[0], first.problems
    assert "Pinned: about us" in caplog.text
    assert "Pinned: about us" in rig.ledger.feed_state("news").last_error
    # the item is kept, not dropped: a backfill reaches it
    again = rig.watcher.backfill(rig.config.feeds[0], newest=3)
    assert sorted(i.title_in("en") for i in again.announced) == [
        "Hearing set",
        "Pinned: about us",
    ]
    assert [i.title_in("en") for i in again.already] == ["Verdict today"]  # posted by the poll


def test_a_future_dated_item_found_later_is_announced_and_said_once(tmp_path: Path):
    rig = Rig(tmp_path, backlog=5)
    old = item("Hearing set", "https://n.example.org/1", "Sun, 01 Mar 2026 09:00:00 GMT")
    rig.serve(rss(old))
    assert len(rig.poll().announced) == 1
    odd = item("Event tomorrow", "https://n.example.org/e", "Tue, 03 Mar 2026 18:00:00 GMT")
    new = item("Verdict today", "https://n.example.org/2", "Mon, 02 Mar 2026 11:00:00 GMT")
    rig.serve(rss(odd, new, old))
    second = rig.poll()
    assert sorted(i.title_in("en") for i in second.announced) == ["Event tomorrow", "Verdict today"]
    assert sum("Event tomorrow" in p for p in second.problems) == 1
    rig.serve(rss(odd, new, old) + " ")
    third = rig.poll()
    assert third.announced == [] and third.problems == []


def test_hours_ahead_is_a_zone_written_wrong_and_still_the_newest(tmp_path: Path):
    # Minsk's 15:05 written as GMT: three hours ahead of the clock, and the newest news.
    rig = Rig(tmp_path, backlog=1)
    rig.serve(
        rss(
            item("Just now", "https://n.example.org/2", "Mon, 02 Mar 2026 15:05:00 GMT"),
            item("Earlier", "https://n.example.org/1", "Mon, 02 Mar 2026 09:00:00 GMT"),
        )
    )
    first = rig.poll()
    assert [i.title_in("en") for i in first.announced] == ["Just now"]
    assert first.problems == []


# -- 2. the charset in the server's Content-Type ---------------------------------------

CYRILLIC = "Суд над праваабаронцамі"


@pytest.mark.parametrize("declaration", ["", '<?xml version="1.0"?>'])
def test_a_charset_only_the_server_names_is_how_the_feed_is_read(tmp_path: Path, declaration: str):
    body = rss(item(CYRILLIC, "https://n.example.org/1"), declaration=declaration)
    with FeedServer() as server:
        server.put(
            "/f.xml", body.encode("windows-1251"), content_type="text/xml; charset=windows-1251"
        )
        rig = Rig(tmp_path, url=server.url("/f.xml"))
        result = rig.poll()
    assert [i.title_in("en") for i in result.announced] == [CYRILLIC]
    assert result.problems == []
    assert any(CYRILLIC in text for text in rig.posts())


def test_the_documents_own_declaration_wins_over_a_servers_default_charset(tmp_path: Path):
    # Many servers add a default charset to every file; the document knows better.
    body = rss(
        item(CYRILLIC, "https://n.example.org/1"),
        declaration='<?xml version="1.0" encoding="windows-1251"?>',
    )
    with FeedServer() as server:
        server.put("/f.xml", body.encode("windows-1251"), content_type="text/xml; charset=utf-8")
        rig = Rig(tmp_path, url=server.url("/f.xml"))
        result = rig.poll()
    assert [i.title_in("en") for i in result.announced] == [CYRILLIC]


def test_a_utf8_feed_a_server_calls_latin1_is_read_as_utf8_and_the_server_named(tmp_path: Path):
    body = rss(item(CYRILLIC, "https://n.example.org/1"), declaration="")
    with FeedServer() as server:
        server.put("/f.xml", body.encode(), content_type="application/xml; charset=ISO-8859-1")
        rig = Rig(tmp_path, url=server.url("/f.xml"))
        result = rig.poll()
    assert [i.title_in("en") for i in result.announced] == [CYRILLIC]
    assert result.problems == [
        "feed 'news': the server says (Content-Type) it is iso-8859-1 but it is UTF-8; "
        "read as UTF-8"
    ]


def test_an_unknown_charset_from_the_server_is_said_and_the_feed_read_as_utf8(tmp_path: Path):
    body = rss(item(CYRILLIC, "https://n.example.org/1"), declaration="")
    with FeedServer() as server:
        server.put("/f.xml", body.encode(), content_type='text/xml; charset="x-no-such"')
        rig = Rig(tmp_path, url=server.url("/f.xml"))
        result = rig.poll()
    assert [i.title_in("en") for i in result.announced] == [CYRILLIC]
    assert result.problems == [
        "feed 'news': the server names a character set no one knows ('x-no-such'); "
        "read as the document itself says, else as UTF-8"
    ]


@pytest.mark.parametrize(
    ("served", "charset", "read"),
    [
        (b"<?xml version='1.0' standalone='yes'?><rss/>", "koi8-r",
         b"<?xml version='1.0' encoding=\"koi8-r\" standalone='yes'?><rss/>"),
        (b"\n <rss/>", "cp1251", b'<?xml version="1.0" encoding="cp1251"?>\n <rss/>'),
        (b"\xef\xbb\xbf<rss/>", "cp1251", b"\xef\xbb\xbf<rss/>"),  # the byte order mark wins
        (b"<rss/>", "utf-16", b"<rss/>"),  # not ASCII-based: not written in
        (b"<rss/>", 'x"?><rss', b"<rss/>"),  # no name of a charset: said, not written in
    ],
)  # fmt: skip
def test_the_servers_charset_is_written_only_where_it_can_be(served, charset, read):
    assert declare_charset(served, charset)[0] == read


# -- 3. a repaired document is said once -----------------------------------------------


def test_a_repaired_document_is_said_once_for_what_was_repaired(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    rig = Rig(tmp_path, backlog=5)
    rig.serve(rss(item("Free &#xD800;Ales", "https://n.example.org/1")))
    with caplog.at_level(logging.WARNING, "outreach.feeds"):
        result = rig.poll()
    assert [i.title_in("en") for i in result.announced] == ["Free Ales"]
    assert len(result.problems) == 1 and "reference(s) to no character" in result.problems[0]
    assert "not well-formed" not in caplog.text
    assert caplog.text.count("reference(s) to no character") == 1


def test_a_repaired_document_with_another_fault_still_names_that_fault(tmp_path: Path):
    rig = Rig(tmp_path, backlog=5)
    rig.serve(rss(item("Free &#xD800;Ales&nbsp;now", "https://n.example.org/1")))
    result = rig.poll()
    assert len(result.problems) == 2, result.problems
    assert "undefined entity" in result.problems[0] or "undefined entity" in result.problems[1]


def test_a_cut_off_document_behind_a_stray_byte_is_told_as_cut_off(tmp_path: Path):
    # The strict check stopped at the stray byte and never saw the end: the half entry
    # was read leniently.
    rig = Rig(tmp_path, backlog=5)
    whole = rss(item("Verdict", "https://n.example.org/1"), item("Half", "https://n.example.org/2"))
    (tmp_path / "f.xml").write_bytes(whole.encode().replace(b"Verdict", b"Verdict\xff")[:-40])
    result = rig.poll()
    assert result.error is not None and "cut off" in result.error
    assert result.announced == []


# -- 4. a link key that does not move when the link's writing did ----------------------


def test_an_item_seen_under_its_raw_link_is_not_announced_again_after_an_edit(tmp_path: Path):
    raw = 'https://n.example.org/a"b<c>{d}'
    rig = Rig(tmp_path, backlog=5)
    rig.serve(rss(item("Hearing set", "https://n.example.org/1", guid=False)))
    assert len(rig.poll().announced) == 1
    # What the watcher stored before links were percent-encoded: keys of the raw link.
    before = Item(kind="news", id="news:a", url=raw, title={"en": "Verdict"}, feed_id="news")
    rig.ledger.mark_seen(before.dedupe_keys, feed_id="news", item_id=before.id)
    # The item is edited (its text key changes); only its link says it was announced.
    edited = item("Verdict: six years", raw.replace("<", "&lt;").replace(">", "&gt;"), guid=False)
    rig.serve(rss(edited, item("Hearing set", "https://n.example.org/1", guid=False)))
    assert rig.poll().announced == []
    # And a new item with such a link is announced once, and known afterwards.
    fresh = "https://n.example.org/x{1}"
    rig.serve(rss(item("Appeal", fresh, guid=False), edited))
    assert [i.url for i in rig.poll().announced] == ["https://n.example.org/x%7B1%7D"]
    rig.serve(rss(item("Appeal lodged", fresh, guid=False), edited))
    assert rig.poll().announced == []


# -- 5. keys longer than the store keeps -----------------------------------------------

LONG_LINK = "https://n.example.org/" + 'a"' * 200  # 800 characters once encoded
LONG_GUID = "tag:n.example.org,2026:" + "x" * 420


def test_an_item_whose_keys_are_longer_than_the_store_keeps_is_announced_once(
    tmp_path: Path, store_url: str
):
    # PostgreSQL refused the 400+ character key (VARCHAR(400)), and the poll failed whole.
    rig = Rig(tmp_path, backlog=5, db=store_url)
    guided = f"<title>Appeal</title><link>https://n.example.org/g</link><guid>{LONG_GUID}</guid>"
    rig.serve(
        rss(item("Long", LONG_LINK, guid=False), guided, item("Short", "https://n.example.org/1"))
    )
    first = rig.poll()
    assert first.ok, first.error
    assert sorted(i.title_in("en") for i in first.announced) == ["Appeal", "Long", "Short"]
    assert sum("Long" in text for text in rig.posts()) == 1
    edited = guided.replace("Appeal", "Appeal lodged")
    rig.serve(
        rss(
            item("Long, edited", LONG_LINK, guid=False),
            edited,
            item("Short", "https://n.example.org/1"),
        )
    )
    assert rig.poll().announced == []


def test_an_item_sqlite_kept_under_its_whole_long_key_is_not_announced_again(tmp_path: Path):
    rig = Rig(tmp_path, backlog=5)
    rig.serve(rss(item("Short", "https://n.example.org/1")))
    assert len(rig.poll().announced) == 1
    # What the last version kept on SQLite, which holds no column to its length.
    url = LONG_LINK.replace('"', "%22")
    before = Item(kind="news", id="news:long", url=url, title={"en": "Long"}, feed_id="news")
    rig.ledger.mark_seen(before.dedupe_keys, feed_id="news", item_id=before.id)
    rig.serve(
        rss(item("Long, edited", LONG_LINK, guid=False), item("Short", "https://n.example.org/1"))
    )
    assert rig.poll().announced == []
