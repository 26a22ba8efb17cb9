"""A feed's last error on /status and the organisers' actions under /history, in the reader's
language: the store keeps them as English text only, and the console reads each back by the
words outreach wrote it with (outreach/said_read.py). The writers are the real ones: the feed
watcher reading broken feeds, the ledger's pauses, embargoes and moves, the console's
sign-in and users, announcements scheduled and moved. The CLI and the store keep the English."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import wording
from servicekit import FeedServer
from test_web_said import english_fragments
from webkit import Site

from outreach import announcements
from outreach.feeds import FeedWatcher, Fetcher
from outreach.outbox import Outbox
from outreach.said import Said
from outreach.said_read import audit_detail, feed_error

MINSK = dt.timezone(dt.timedelta(hours=3))


@pytest.fixture
def broken_feeds(tmp_path: Path):
    """Four feeds that cannot be read, each as the watcher reads it: a server answering 503,
    a file that is not there, an empty file, an HTML page."""
    (tmp_path / "empty.xml").write_bytes(b"  \n")
    (tmp_path / "page.xml").write_bytes(b"<html><body>Not a feed</body></html>")
    with FeedServer() as server:
        server.fail("/down.xml", 503)
        feeds = [
            {"id": "down", "url": server.url("/down.xml")},
            {"id": "gone", "path": "gone.xml"},
            {"id": "empty", "path": "empty.xml"},
            {"id": "html", "path": "page.xml"},
        ]
        site = Site(tmp_path, feeds=feeds)
        try:
            watcher = FeedWatcher(
                site.config, site.ledger, Outbox(site.config, site.ledger), site.clock,
                Fetcher(timeout=5),
            )  # fmt: skip
            results = {r.feed_id: r for r in watcher.poll_all()}
            yield site, results
        finally:
            site.close()


FEEDS = {  # a feed never read yet says why it fails; its line names it once
    "be": [
        "down: яшчэ не чыталася; не чытаецца 1 раз(ы) запар: сервер адказаў HTTP 503",
        "empty: яшчэ не чыталася; не чытаецца 1 раз(ы) запар: дакумент пусты",
        "html: яшчэ не чыталася; не чытаецца 1 раз(ы) запар: гэта не стужка RSS ці Atom: "
        "дакумент мае корань <html>",
        "gone: яшчэ не чыталася; не чытаецца 1 раз(ы) запар: не ўдаецца прачытаць",
    ],
    "ru": [
        "down: ещё не читалась; не читается 1 раз(а) подряд: сервер ответил HTTP 503",
        "empty: ещё не читалась; не читается 1 раз(а) подряд: документ пуст",
        "html: ещё не читалась; не читается 1 раз(а) подряд: это не лента RSS или Atom: "
        "корень документа — <html>",
        "gone: ещё не читалась; не читается 1 раз(а) подряд: не удаётся прочитать",
    ],
    "fr": [
        "down: pas encore lu; en échec 1 fois de suite: le serveur a répondu HTTP 503",
        "empty: pas encore lu; en échec 1 fois de suite: le document est vide",
        "html: pas encore lu; en échec 1 fois de suite: ce n'est pas un flux RSS ou Atom : "
        "la racine du document est <html>",
        "gone: pas encore lu; en échec 1 fois de suite: impossible de lire",
    ],
}


@pytest.mark.parametrize("lang", ["be", "ru", "fr"])
def test_a_feed_that_cannot_be_read_is_told_in_the_readers_language(broken_feeds, lang):
    site, results = broken_feeds
    assert all(not r.ok for r in results.values())
    vera = site.signed_in("vera")
    page = vera.get(f"/status?lang={lang}")
    assert page.status_code == 200
    feeds = page.text.split('id="feeds-h"', 1)[1].split("</section>", 1)[0]
    words = wording.text_of(feeds)
    for sentence in FEEDS[lang]:
        assert sentence in words, (sentence, words)
    # the server's and the system's own words stay as they said them, marked as English
    assert '<q lang="en">Service Unavailable</q>' in feeds
    assert '<q lang="en">No such file or directory</q>' in feeds
    assert [f for f in english_fragments() if f in words] == []


def test_the_store_and_the_cli_keep_the_feeds_english(broken_feeds):
    site, results = broken_feeds
    assert results["down"].error == "feed 'down': HTTP 503 Service Unavailable"
    assert site.ledger.feed_state("empty").last_error == "feed 'empty': the document is empty"
    # a text outreach's words did not make is left as it is
    assert feed_error("the moon is in the wrong phase") == "the moon is in the wrong phase"


@pytest.fixture
def acted(tmp_path: Path):
    """Organisers at work: what each door writes in the audit trail."""
    site = Site(tmp_path)
    try:
        anna = site.signed_in("anna")  # signs in with her password
        assert anna.post("/users", {"name": "pavel", "role": "organiser"}).status_code == 303
        now = site.clock.now()
        announcements.add(
            site.config, site.ledger, ident="vigil", template="reminder", page="ales",
            at="2026-03-05 18:00", now=now, by="web:anna",
        )  # fmt: skip
        announcements.add(
            site.config, site.ledger, ident="letters", template="reminder", text="Write to Ales",
            cron="0 10 * * mon", now=now, by="web:olga",
        )  # fmt: skip
        announcements.reschedule(
            site.config, site.ledger, "vigil", "2026-03-06 18:00", now=now, by="web:anna"
        )
        queued = site.queue(n=1, channel="telegram-be")
        site.ledger.cancel(queued, Said("ledger.cancelled_in_web", name="olga"), by="web:olga")
        unknown = site.queue(n=2, channel="telegram-be", state="unknown")
        site.ledger.resolve(unknown, "sent", "saw it in the channel", by="web:olga")
        failed = site.queue(n=3, channel="telegram-be", state="failed")
        site.ledger.retry(failed, by="web:olga")
        until = now + dt.timedelta(hours=2)
        site.ledger.pause("web:anna", until=until, why="the verdict is tomorrow")
        site.ledger.pause("web:anna", until=until)  # again: already paused
        site.ledger.resume(by="web:anna")
        site.ledger.pause("web:olga", channel_id="telegram-be", until=now + dt.timedelta(hours=1))
        site.queue(n=4, channel="telegram-be")  # held by the embargo
        site.clock.advance(2 * 3600)
        site.ledger.head("telegram-be")  # the delivery loop's look lifts the embargo
        yield site
    finally:
        site.close()


ACTIONS = {
    "ru": [
        "web:anna вход с паролем",
        "добавление пользователя user:pavel организатор",
        "announcement:vigil reminder, на чт 5 мар. 2026, 18:00",
        "announcement:letters отдельный текст, по cron 0 10 * * mon",
        "announcement:vigil на пт 6 мар. 2026, 18:00",
        "delivery:1 отменено в веб-консоли (olga)",
        "delivery:2 организатор отметил исход: отправлено: saw it in the channel",
        "delivery:3 теперь: ждёт",
        "пауза * до вс 1 мар. 2026, 14:00; the verdict is tomorrow",
        "пауза * пауза уже стояла; до вс 1 мар. 2026, 14:00",
        "снятие паузы * освобождено задержанных постов: 1",
        "конец эмбарго снятие паузы telegram-be пауза (web:olga) закончилась вс 1 мар. 2026, "
        "13:00; освобождено задержанных постов:",
    ],
}


@pytest.mark.parametrize("lang", ["be", "ru", "fr"])
def test_what_organisers_did_is_in_the_readers_language(acted, lang):
    vera = acted.signed_in("vera")
    page = vera.get(f"/history?lang={lang}")
    assert page.status_code == 200
    table = re.search(r'id="actions-h".*?</table>', page.text, re.S)
    assert table is not None
    words = wording.text_of(table.group(0))
    for sentence in ACTIONS.get(lang, []):
        assert sentence in words, (sentence, words)
    assert "web:anna" in words and "web:olga" in words  # who: as they are
    assert [f for f in english_fragments() if f in words] == []


def test_the_store_keeps_the_actions_english(acted):
    details = {(e.action, e.detail) for e in acted.ledger.audit.entries(limit=100)}
    assert ("signin", "by password") in details
    assert ("schedule", "reminder, 2026-03-05T15:00:00Z") in details
    assert ("schedule", "one-off text, cron 0 10 * * mon") in details
    assert ("reschedule", "2026-03-06T15:00:00Z") in details
    assert ("retry", "now pending") in details
    assert any(a == "resume" and d.startswith("the pause by web:olga ended at") for a, d in details)
    # read back: the words that made each, with its values
    read = audit_detail("schedule", "reminder, 2026-03-05T15:00:00Z")
    assert isinstance(read, Said) and read.key == "audit.scheduled"
    assert read.values["at"] == dt.datetime(2026, 3, 5, 18, 0, tzinfo=MINSK)
    assert audit_detail("pause", "something else entirely") == "something else entirely"
