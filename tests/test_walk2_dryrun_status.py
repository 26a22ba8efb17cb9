"""What an organiser reads about "the last post" after a dry run: the bundled campaign's channels
have no token, so `outreach run` prints their posts and posts nothing. `outreach status`, the
console's status page and the admin bot's /status said "last post sent" / "Last post out" for
those prints, so someone trying outreach out believed their channels had been posted to. They
now show the last real post and the last dry run apart (the history page already tells them
apart, tests/test_walk_web_dryrun.py)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from adminkit import ANNA, ORGANISERS_GROUP, Harness
from click.testing import CliRunner
from fakes.telegram_server import Chat, FakeTelegram
from test_web_status import text_of
from webkit import Site

from outreach.cli import cli
from outreach.ledger import Ledger, open_ledger
from outreach.post import Post

NOW = dt.datetime(2026, 8, 4, 9, 59, tzinfo=dt.timezone(dt.timedelta(hours=3)))
LEASE = dt.timedelta(seconds=30)


def out(ledger: Ledger, channel: str, *, dry_run: bool, n: int = 1) -> None:
    """A post that went out as the delivery loop records it: printed (dry run) or posted."""
    network = "mastodon" if channel.startswith("mastodon") else "telegram"
    post = Post(channel, network, f"post {n}", "en", about=f"news:item-{n}")  # type: ignore[arg-type]
    ident = ledger.enqueue(post, dedupe_key=f"item-{n}").id
    claim = ledger.claim(ident, LEASE)
    assert claim is not None
    ledger.finish_sent(claim, "dry-run" if dry_run else "42", None, dry_run=dry_run)


def status(tmp_path, *args: str):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    env = {"OUTREACH_DB_URL": url, "OUTREACH_CONFIG": None, "OUTREACH_FAKE_NOW": NOW.isoformat()}
    return CliRunner(env=env).invoke(cli, ["status", *args])


def test_cli_status_says_a_dry_run_was_printed_not_posted(tmp_path):
    ledger = open_ledger(f"sqlite:///{tmp_path / 'store.sqlite3'}", lambda: NOW)
    out(ledger, "telegram-be", dry_run=True, n=1)
    out(ledger, "mastodon-en", dry_run=False, n=2)
    ledger.close()

    words = status(tmp_path).output
    lines = {line.split(":")[0].strip(): line for line in words.splitlines() if ": " in line}
    assert "last post sent" not in lines["telegram-be"], words
    assert "nothing posted yet" in lines["telegram-be"]
    assert "last dry run Tue 4 Aug 2026" in lines["telegram-be"]
    assert "printed, not posted" in lines["telegram-be"]
    assert "last post sent Tue 4 Aug 2026" in lines["mastodon-en"]
    assert "dry run" not in lines["mastodon-en"]
    assert "telegram-ru: nothing posted yet" in words

    seen = json.loads(status(tmp_path, "--json").stdout)
    channels = {c["id"]: c for c in seen["channels"]}
    assert channels["telegram-be"]["last_sent"] is None
    assert channels["telegram-be"]["last_dry_run"] is not None
    assert channels["mastodon-en"]["last_sent"] is not None
    assert channels["mastodon-en"]["last_dry_run"] is None


@pytest.fixture
def site(tmp_path):
    s = Site(tmp_path)
    yield s
    s.close()


def test_console_status_page_says_a_dry_run_was_printed_not_posted(site):
    done = site.app.deliver("ales", wait=5)
    assert done.rows and all(d.state == "sent" and d.dry_run for d in done.rows)
    page = text_of(site.signed_in("vera").get("/status?lang=en").text)
    assert "Last post out: never" in page, page
    n = len(done.rows)
    assert f"sent: {n} ({n} of them dry runs: printed, not posted)" in page
    assert "Last dry run: Sun 1 Mar 2026, 12:00 (printed, not posted)" in page
    for channel in {d.channel_id for d in done.rows}:
        assert (
            f"{channel}: nothing posted yet; last dry run Sun 1 Mar 2026, 12:00 (0 s ago): "
            "printed, not posted" in page
        ), page


def test_console_status_page_a_real_post_is_still_out(site):
    site.queue(1, channel="mastodon-en", state="sent")
    page = text_of(site.signed_in("vera").get("/status?lang=en").text)
    assert "Last post out: Sun 1 Mar 2026, 12:00" in page
    assert "sent: 1 " in page and "dry run" not in page.lower()


@pytest.mark.parametrize(
    ("lang", "words"),
    [("be", "не апублікавана"), ("ru", "не опубликовано"), ("fr", "pas publié")],
)
def test_console_status_page_says_it_in_the_readers_language(site, lang, words):
    site.app.deliver("ales", wait=5)
    page = text_of(site.signed_in("vera").get(f"/status?lang={lang}").text)
    assert page.count(words) >= 2, page  # the service's line and the channel's


@pytest.fixture
def bot(tmp_path):
    with FakeTelegram() as tg:
        tg.add_chat(Chat(ORGANISERS_GROUP, None, "Organisers", type="supergroup"))
        h = Harness(tmp_path, tg)
        yield h
        h.close()


def test_admin_bot_status_says_a_dry_run_was_printed_not_posted(bot):
    out(bot.ledger, "telegram-ru", dry_run=True)
    text = bot.texts(ANNA, "/status")
    assert "last post sent" not in text, text
    assert "nothing posted yet; last dry run Sun 1 Mar 2026 12:00" in text
    assert "1 sent in all (1 of them dry runs: printed, not posted)." in text
    assert "printed, not posted" in text
    out(bot.ledger, "mastodon-en", dry_run=False, n=2)
    text = bot.texts(ANNA, "/status")
    assert "last post sent Sun 1 Mar 2026 12:00" in text
    assert "2 sent in all (1 of them dry runs: printed, not posted)." in text
