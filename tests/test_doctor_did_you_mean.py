"""`outreach doctor CHANNEL` with a mistyped channel id names the nearest one, through the CLI."""

from __future__ import annotations

from click.testing import CliRunner
from servicekit import write_campaign

from outreach.cli import cli


def _env(tmp_path):
    channels = [
        {"id": "mastodon-en", "kind": "mastodon", "instance": "http://127.0.0.1:9",
         "token_env": "UNSET_MA", "language": "en"},
        {"id": "telegram-ru", "kind": "telegram", "chat": "@freeales_ru",
         "token_env": "UNSET_TG", "language": "ru"},
    ]  # fmt: skip
    path = write_campaign(tmp_path, channels=channels, announcements=[])
    return {
        "OUTREACH_CONFIG": str(path),
        "OUTREACH_DB_URL": f"sqlite:///{tmp_path / 'l.db'}",
        "UNSET_MA": None,
        "UNSET_TG": None,
    }


def test_doctor_with_a_mistyped_channel_says_which_was_meant(tmp_path):
    result = CliRunner().invoke(cli, ["doctor", "mastodon-em"], env=_env(tmp_path))
    assert result.exit_code == 1
    assert "unknown channel 'mastodon-em'; did you mean 'mastodon-en'?" in result.output
    assert not (tmp_path / "l.db").exists(), "a refused doctor opens no store"


def test_doctor_with_a_channel_like_none_lists_the_channels(tmp_path):
    result = CliRunner().invoke(cli, ["doctor", "bluesky"], env=_env(tmp_path))
    assert result.exit_code == 1
    assert "unknown channel 'bluesky'; channels: mastodon-en, telegram-ru" in result.output


def test_deliver_to_a_mistyped_channel_says_which_was_meant(tmp_path):
    env = _env(tmp_path)
    result = CliRunner().invoke(
        cli, ["deliver", "ales", "--channel", "telegram-rus", "--wait", "1"], env=env
    )
    assert result.exit_code != 0
    assert "did you mean 'telegram-ru'?" in result.output
