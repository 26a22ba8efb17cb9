"""`outreach check` and a feed's language: a feed read over HTTP is judged by what its last
poll stored (check fetches nothing), a feed whose `language:` is set is not warned about,
and `check --json` reports what is known of each. Through the CLI, the feed served on
127.0.0.1 and polled by `run --once`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from servicekit import FeedServer

from outreach.cli import cli

NO_TOKENS = {"OUTREACH_MASTODON_EN_TOKEN": None, "OUTREACH_TELEGRAM_TOKEN": None}


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def cli_run(campaign_dir: Path, *args: str):
    env = {
        "OUTREACH_CONFIG": str(campaign_dir / "campaign.yaml"),
        "OUTREACH_DB_URL": f"sqlite:///{campaign_dir / 'l.sqlite3'}",
        **NO_TOKENS,
    }
    return CliRunner().invoke(cli, list(args), env=env)


def served(campaign_dir: Path, feeds: FeedServer) -> None:
    """The bundled feed (it declares English) read over HTTP instead of from its file."""
    feeds.put("news.xml", (campaign_dir / "news.xml").read_bytes())
    edit(
        campaign_dir / "campaign.yaml",
        "    path: news.xml\n",
        f"    url: {feeds.url('news.xml')}\n",
    )


def warnings(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("warning:")]


def test_a_url_feed_never_polled_is_said_to_be_unknown(campaign_dir: Path, feeds: FeedServer):
    served(campaign_dir, feeds)
    result = cli_run(campaign_dir, "check")
    assert result.exit_code == 0, result.output
    assert warnings(result.output) == []
    line = (campaign_dir / "campaign.yaml").read_text(encoding="utf-8").splitlines()
    at = line.index(f"    url: {feeds.url('news.xml')}") + 1
    assert (
        f"note:          {campaign_dir / 'campaign.yaml'}:{at}: feeds[0].url: the language of feed 'news' is "
        "not known yet: check reads no feed over the network"
    ) in result.output
    assert feeds.requests == []  # check fetched nothing
    assert not (campaign_dir / "l.sqlite3").exists()  # nor made a store


def test_after_a_poll_the_language_it_read_is_warned_about(campaign_dir: Path, feeds: FeedServer):
    served(campaign_dir, feeds)
    assert cli_run(campaign_dir, "run", "--once").exit_code == 0
    polls = len(feeds.requests)
    result = cli_run(campaign_dir, "check")
    assert result.exit_code == 0, result.output
    [warning] = warnings(result.output)
    assert (
        "feed 'news' is in English (en) (as its last poll read it) but goes to "
        "telegram-ru (Russian), telegram-be (Belarusian)"
    ) in warning
    assert "give the feed `language:`" in warning
    assert "not known yet" not in result.output
    assert len(feeds.requests) == polls
    report = json.loads(cli_run(campaign_dir, "check", "--json").output)
    assert report["feed_languages"] == [
        {"feed": "news", "language": None, "declared": None, "last_poll": "en", "read_from": "url"}
    ]


def test_a_set_language_is_not_warned_about_and_both_are_reported(
    campaign_dir: Path, feeds: FeedServer
):
    served(campaign_dir, feeds)
    assert cli_run(campaign_dir, "run", "--once").exit_code == 0
    edit(campaign_dir / "campaign.yaml", "    backlog: 1\n", "    backlog: 1\n    language: ru\n")
    result = cli_run(campaign_dir, "check")
    assert result.exit_code == 0, result.output
    assert warnings(result.output) == []
    report = json.loads(cli_run(campaign_dir, "check", "--json").output)
    assert report["warnings"] == [] and report["problems"] == []
    assert report["feed_languages"] == [
        {"feed": "news", "language": "ru", "declared": None, "last_poll": "en", "read_from": "url"}
    ]


def test_a_file_feed_with_its_language_set_reports_the_declared_one_too(campaign_dir: Path):
    edit(
        campaign_dir / "campaign.yaml",
        "    path: news.xml\n",
        "    path: news.xml\n    language: ru\n",
    )
    result = cli_run(campaign_dir, "check")
    assert result.exit_code == 0, result.output
    assert warnings(result.output) == []  # English declared, Russian set: the organisers decided
    report = json.loads(cli_run(campaign_dir, "check", "--json").output)
    assert report["warnings"] == []
    assert report["feed_languages"] == [
        {"feed": "news", "language": "ru", "declared": "en", "last_poll": None, "read_from": "file"}
    ]
