"""`outreach pause` / `resume` with a mistyped --channel name the nearest channel, through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from outreach.cli import cli
from outreach.config import BUNDLED_CONFIG


def invoke(tmp_path: Path, *args: str):
    env = {
        "OUTREACH_CONFIG": str(BUNDLED_CONFIG),
        "OUTREACH_DB_URL": f"sqlite:///{tmp_path / 'l.db'}",
    }
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.mark.parametrize("command", ["pause", "resume"])
def test_a_mistyped_channel_says_which_was_meant(tmp_path: Path, command: str):
    result = invoke(tmp_path, command, "--channel", "telegram-bee")
    assert result.exit_code == 1
    assert "--channel: there is no channel 'telegram-bee'; did you mean 'telegram-be'?" in (
        result.output
    )
    assert "Paused" not in result.output and "Resumed" not in result.output


def test_a_channel_like_none_lists_the_channels(tmp_path: Path):
    result = invoke(tmp_path, "pause", "--channel", "bluesky")
    assert result.exit_code == 1
    assert (
        "there is no channel 'bluesky'; channels: mastodon-en, telegram-ru, telegram-be"
        in result.output
    )


def test_nothing_is_paused_after_a_typo(tmp_path: Path):
    invoke(tmp_path, "pause", "--channel", "mastodon-em")
    assert "Not paused; nothing was changed." in invoke(tmp_path, "resume").output
