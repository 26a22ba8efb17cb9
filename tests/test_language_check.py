"""`outreach check` warns when a feed goes to channels of another language, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from outreach.cli import cli


def check(campaign_dir: Path, *args: str):
    path = campaign_dir / "campaign.yaml"
    return CliRunner().invoke(cli, ["--config", str(path), "check", *args])


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_english_feed_to_russian_and_belarusian_channels_is_a_warning(campaign_dir: Path):
    result = check(campaign_dir)
    assert result.exit_code == 0, result.output  # a warning, not an error
    [warning] = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert f"{campaign_dir / 'campaign.yaml'}:" in warning and "feeds[0].channels" in warning
    assert "feed 'news' is in English (en) but goes to telegram-ru (Russian), " in warning
    assert "telegram-be (Belarusian)" in warning and "mastodon-en (" not in warning
    assert "give the feed `channels: [mastodon-en]`" in warning  # how to choose
    assert "nothing to change" in warning and "item.language_name" in warning
    assert result.output.rstrip().endswith("OK")


def test_the_warning_is_in_the_json_report(campaign_dir: Path):
    report = json.loads(check(campaign_dir, "--json").output)
    assert report["problems"] == []
    assert ["feed 'news' is in English" in w for w in report["warnings"]] == [True]


def test_a_feed_listing_its_channels_is_not_warned_about(campaign_dir: Path):
    edit(
        campaign_dir / "campaign.yaml",
        "    path: news.xml\n",
        "    path: news.xml\n    channels: [mastodon-en]\n",
    )
    result = check(campaign_dir)
    assert result.exit_code == 0, result.output
    assert "warning:" not in result.output


def test_a_feed_declaring_no_language_is_not_warned_about(campaign_dir: Path):
    edit(campaign_dir / "news.xml", "<language>en</language>", "")
    result = check(campaign_dir)
    assert result.exit_code == 0, result.output
    assert "warning:" not in result.output


def test_a_russian_feed_names_the_english_channel(campaign_dir: Path):
    edit(campaign_dir / "news.xml", "<language>en</language>", "<language>ru-RU</language>")
    result = check(campaign_dir)
    assert "feed 'news' is in Russian (ru) but goes to mastodon-en (English), " in result.output
    assert "telegram-be (Belarusian)" in result.output
    assert "`channels: [telegram-ru]`" in result.output
