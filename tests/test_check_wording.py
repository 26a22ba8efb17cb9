"""One phrase for a channel that has posted nothing (only dry runs, or nothing at all): the web
console said "nothing sent yet" where `outreach status` and the admin bot said "nothing posted
yet", and a dry run is "sent" in the ledger's sense only. The honest phrase, in every language
the console speaks, and the same words as the dry run's "not posted" beside it."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from test_walk2_dryrun_status import out
from test_web_status import text_of
from webkit import Site

from outreach.cli import cli
from outreach.ledger import open_ledger

NOW = dt.datetime(2026, 8, 4, 9, 59, tzinfo=dt.timezone(dt.timedelta(hours=3)))


@pytest.fixture
def site(tmp_path):
    s = Site(tmp_path)
    yield s
    s.close()


@pytest.mark.parametrize(
    ("lang", "phrase", "not_posted"),
    [
        ("en", "nothing posted yet", "not posted"),
        ("be", "яшчэ нічога не апублікавана", "не апублікавана"),
        ("ru", "ещё ничего не опубликовано", "не опубликовано"),
        ("fr", "rien de publié pour l'instant", "pas publié"),
    ],
)
def test_console_says_nothing_posted_yet_in_every_language(site, lang, phrase, not_posted):
    out(site.ledger, "telegram-be", dry_run=True)
    page = text_of(site.signed_in("vera").get(f"/status?lang={lang}").text)
    assert f"telegram-be: {phrase}; " in page, page  # then the dry run, printed, not posted
    assert not_posted in page
    assert f"mastodon-en: {phrase}" in page  # nothing at all: the same words


def test_cli_status_says_nothing_posted_yet_with_or_without_dry_runs(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    ledger = open_ledger(url, lambda: NOW)
    out(ledger, "telegram-be", dry_run=True)
    ledger.close()
    env = {"OUTREACH_DB_URL": url, "OUTREACH_CONFIG": None, "OUTREACH_FAKE_NOW": NOW.isoformat()}
    words = CliRunner(env=env).invoke(cli, ["status"]).output
    assert "telegram-be: nothing posted yet; last dry run" in words, words
    assert "mastodon-en: nothing posted yet\n" in words, words
    assert "sent yet" not in words
