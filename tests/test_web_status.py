"""The status page as an organiser reads it: the service's heartbeat, the live instances and
what each holds, feeds' last good read and problems, each channel's last post (over real
HTTP, tests/webkit.py; the same report as `outreach status` and the bot's /status)."""

from __future__ import annotations

import html
import os
import re

import pytest
from fakes import postgres_schema_url
from webkit import Site

from outreach.instances import SqliteLock
from outreach.ledger import CHANNEL, FeedState, Holder


@pytest.fixture
def site(tmp_path):
    s = Site(tmp_path)
    yield s
    s.close()


def text_of(page: str) -> str:
    """The page's words, tags out and spaces folded, as a reader sees them."""
    blocks = re.sub(
        r"</?(li|p|td|th|tr|h\d|ul|div|section|dt|dd|title|nav|main)\b[^>]*>", " ", page
    )
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", blocks)).split())


def beat(site: Site, kind: str = "run", host: str = "box-1", pid: int = 4242) -> None:
    site.ledger.health.beat(kind, host=host, pid=pid, version="1.4.0", started_at=site.clock.now())


def test_a_live_service_is_named_with_its_host_pid_and_last_sign_of_life(site):
    beat(site)
    site.clock.advance(30)
    page = text_of(site.signed_in("vera").get("/status").text)
    assert (
        "Running: outreach run on box-1 (pid 4242, version 1.4.0); last sign of life 30 s ago; "
        "running since Sun 1 Mar 2026, 12:00." in page
    )
    assert "NOT RUNNING" not in page


def test_a_silent_service_is_said_to_be_down_with_when_it_was_last_seen(site):
    beat(site)
    site.clock.advance(10 * 60)
    page = text_of(site.signed_in("vera").get("/status").text)
    assert (
        "NOT RUNNING: the last sign of life of outreach run was Sun 1 Mar 2026, 12:00 "
        "(10 min ago; it gives one every 60 s), on box-1." in page
    )


def test_a_store_no_service_ever_ran_on_says_so_and_names_a_run_once(site):
    beat(site, kind="run --once", pid=77)
    site.clock.advance(3 * 3600)
    page = text_of(site.signed_in("vera").get("/status").text)
    assert "NOT RUNNING: outreach run has never run against this store." in page
    assert "Last outreach run --once: Sun 1 Mar 2026, 12:00 (3 h ago)." in page


def test_the_heartbeat_in_belarusian(site):
    beat(site)
    site.clock.advance(2 * 60)
    page = text_of(site.signed_in("vera").get("/status?lang=be").text)
    assert "Працуе: outreach run на box-1" in page and "апошні знак жыцця 2 хв таму" in page


def test_on_sqlite_the_page_says_whether_a_run_holds_the_store(site, tmp_path):
    v = site.signed_in("vera")
    assert "No outreach run holds this SQLite store" in text_of(v.get("/status").text)
    lock = SqliteLock(str(tmp_path / "ledger.sqlite3"))
    lock.acquire()  # as `outreach run` does on start (this process's pid)
    try:
        page = text_of(v.get("/status").text)
        assert f"One outreach run (pid {os.getpid()}) holds this SQLite store" in page
    finally:
        lock.release()


def test_feeds_show_their_last_read_their_problem_and_when_they_are_late(site):
    beat(site)
    read = site.clock.now()
    site.ledger.save_feed_state(
        FeedState("news", last_poll=read, failures=3, last_error="HTTP 503 from the feed's server")
    )
    v = site.signed_in("vera")
    page = text_of(v.get("/status").text)
    assert "news: Last read: Sun 1 Mar 2026, 12:00; failing 3 time(s) in a row: HTTP 503" in page
    assert "late" not in page
    site.clock.advance(50 * 60)  # the service beats on, the feed (every 15 min) is not read
    beat(site)
    page = text_of(v.get("/status").text)
    assert "late: last read 50 min ago" in page


def test_each_channel_says_when_its_last_post_went_out(site):
    site.queue(1, "mastodon-en", state="sent")
    site.clock.advance(2 * 3600)
    page = text_of(site.signed_in("vera").get("/status").text)
    assert "mastodon-en: Sun 1 Mar 2026, 12:00 (2 h ago)" in page
    assert "telegram-be: nothing posted yet" in page


@pytest.fixture
def pg_site(tmp_path):
    for url in postgres_schema_url():
        s = Site(tmp_path, store={"url": url})
        try:
            yield s
        finally:
            s.close()


@pytest.mark.postgres
def test_on_postgresql_each_live_instance_is_listed_with_the_channels_it_holds(pg_site):
    leases = pg_site.ledger.leases
    one, two = Holder("inst-a", "box-1", 101), Holder("inst-b", "box-2", 202)
    for who, channels in ((one, ["telegram-be", "mastodon-en"]), (two, ["telegram-ru"])):
        leases.beat(who, [], ttl=30, alive_within=30)
        for c in channels:
            assert leases.acquire(who, CHANNEL + c, ttl=30)
    v = pg_site.signed_in("vera")
    page = v.get("/status").text
    rows = {
        text_of(r).split(")")[0] + ")": text_of(r)
        for r in re.findall(r"<tr><td>.*?</tr>", page, flags=re.S)
    }
    assert set(rows) == {"inst-a on box-1 (pid 101)", "inst-b on box-2 (pid 202)"}
    held = rows["inst-a on box-1 (pid 101)"]
    assert "mastodon-en" in held and "telegram-be" in held and "telegram-ru" not in held
    assert "telegram-ru" in rows["inst-b on box-2 (pid 202)"]
    assert re.search(r"\d+\.\d s ago", rows["inst-b on box-2 (pid 202)"])
    for who in (one, two):
        leases.leave(who)  # a clean stop
    assert "No live instance: is outreach run running?" in text_of(v.get("/status").text)
