"""The calendar: a month or week of what is planned and done, and moving a one-off announcement.

Over the real console (uvicorn on 127.0.0.1, tests/webkit.py), the real App and ledger;
the clock is Sunday 1 March 2026, 12:00 in Minsk.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from webkit import Site

from outreach import announcements


@pytest.fixture
def site(tmp_path):
    channels = None
    import yaml

    from outreach.config import BUNDLED_CONFIG

    channels = yaml.safe_load(BUNDLED_CONFIG.read_text(encoding="utf-8"))["channels"]
    for c in channels:
        if c["id"] == "telegram-be":
            c["quiet_hours"] = {"start": "22:00", "end": "08:00"}
    s = Site(tmp_path, channels=channels)
    yield s
    s.close()


def add(site: Site, ident: str, **when: str) -> None:
    announcements.add(
        site.config, site.ledger, ident=ident, template="reminder", page="ales",
        now=site.clock.now(), **when,
    )  # fmt: skip


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def entry(html: str, *words: str) -> str:
    """The words of the first calendar entry that has all of `words`."""
    for raw in re.findall(r'<li class="entry[^"]*">(.*?)</li>', html, re.S):
        shown = text(raw)
        if all(w in shown for w in words):
            return shown
    raise AssertionError(f"no entry with {words}")


def test_a_month_shows_recurring_occurrences_projected_forward_and_what_was_done(site):
    add(site, "weekly", cron="0 10 * * mon")
    sent = site.queue(1, "mastodon-en", state="sent")
    failed = site.queue(2, "telegram-ru", state="failed")
    v = site.signed_in("vera")
    r = v.get("/calendar")
    assert r.status_code == 200
    page = text(r.text)
    assert "March 2026" in page
    # every Monday of March at 10:00 Minsk, once per channel
    mondays = re.findall(r'datetime="(2026-03-\d\dT10:00:00\+03:00)"', r.text)
    assert sorted(set(mondays)) == [f"2026-03-{d:02d}T10:00:00+03:00" for d in (2, 9, 16, 23, 30)]
    assert len(mondays) == 5 * 3
    # done: the sent one with its link, the failed one
    assert 'href="https://mastodon.example.org/@ales/42"' in r.text
    assert "news:item-1" in page and "news:item-2" in page and "failed" in page
    assert site.get(sent).state == "sent" and site.get(failed).state == "failed"
    # next month: April's Mondays, reached by a plain link
    nxt = re.search(r'href="([^"]+)" rel="next"', r.text).group(1).replace("&amp;", "&")
    april = v.get(nxt)
    assert "April 2026" in text(april.text)
    assert "2026-04-06T10:00:00+03:00" in april.text


def test_a_week_in_belarusian_shows_quiet_hours_and_the_pause(site):
    add(site, "late", at="2026-03-03 23:00")
    site.ledger.pause("web:anna", channel_id="telegram-ru", why="embargo")
    v = site.signed_in("vera")
    r = v.get("/calendar?view=week&date=2026-03-03&lang=be")
    assert r.status_code == 200
    page = text(r.text)
    assert "Каляндар" in page and "Ціхія гадзіны" in page and "telegram-be 22:00–08:00" in page
    be = entry(r.text, "telegram-be", "announcement:late")
    assert "23:00" in be and "ціхія гадзіны: выйдзе а 08:00" in be and "паўза" not in be
    ru = entry(r.text, "telegram-ru", "announcement:late")
    assert "затрымана: паўза" in ru and "ціхія" not in ru
    # only this week: Monday 2 to Sunday 8 March
    days = re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)">', r.text)
    assert days == [f"2026-03-{d:02d}" for d in range(2, 9)]


def test_an_organiser_moves_a_one_off_announcement_and_the_trail_names_her(site):
    add(site, "vigil", at="2026-03-10 18:00")
    v = site.signed_in("olga")
    r = v.get("/calendar?date=2026-03-10")
    assert 'action="/calendar/vigil/move"' in r.text
    r = v.post(
        "/calendar/vigil/move", {"at": "2026-03-12T19:30", "back": "/calendar?date=2026-03-10"}
    )
    assert r.status_code == 303, r.text[:300]
    assert site.ledger.announcement("vigil").at == dt.datetime(2026, 3, 12, 16, 30, tzinfo=dt.UTC)
    entry = site.ledger.audit.entries(limit=1)[0]
    assert (entry.by, entry.action, entry.target) == (
        "web:olga",
        "reschedule",
        "announcement:vigil",
    )
    after = v.get(r.headers["location"])
    assert "vigil moved to 2026-03-12 19:30" in text(after.text)
    assert "2026-03-12T19:30:00+03:00" in after.text


def test_a_time_in_the_past_is_refused_and_nothing_moves(site):
    add(site, "vigil", at="2026-03-10 18:00")
    v = site.signed_in("olga")
    v.get("/calendar")
    r = v.post("/calendar/vigil/move", {"at": "2026-02-20T10:00"})
    assert r.status_code == 409
    assert "Nothing was changed" in text(r.text)
    assert site.ledger.announcement("vigil").at == dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)


def test_a_recurring_or_campaign_file_announcement_is_not_moved(site):
    add(site, "weekly", cron="0 10 * * mon")
    v = site.signed_in("olga")
    v.get("/calendar")
    r = v.post("/calendar/weekly/move", {"at": "2026-03-12T19:30"})
    assert r.status_code == 409 and "recurring" in r.text
    assert site.ledger.announcement("weekly").cron == "0 10 * * mon"


def test_a_viewer_sees_no_move_form_and_the_server_refuses_her(site):
    add(site, "vigil", at="2026-03-10 18:00")
    v = site.signed_in("vera")
    r = v.get("/calendar")
    assert "announcement:vigil" in r.text and "/move" not in r.text
    r = v.post("/calendar/vigil/move", {"at": "2026-03-12T19:30"})
    assert r.status_code == 403
    assert site.ledger.announcement("vigil").at == dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)
    assert [e.action for e in site.ledger.audit.entries(limit=10)] == ["signin"]


def test_moving_without_the_token_is_refused(site):
    add(site, "vigil", at="2026-03-10 18:00")
    v = site.signed_in("olga")
    v.get("/calendar")
    r = v.post("/calendar/vigil/move", {"at": "2026-03-12T19:30"}, csrf=False)
    assert r.status_code == 403
    assert site.ledger.announcement("vigil").at == dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)
