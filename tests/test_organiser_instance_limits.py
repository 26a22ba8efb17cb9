"""A message too long for a Mastodon channel names that instance's own figures, as `outreach
doctor` read them from it (configuration.statuses in /api/v2/instance, or /api/v1/instance):
"over the limit of 1,000 (http://127.0.0.1:... counts a link as 40 characters and allows 1,000 in a
post)". Before, it said only "over the limit of 1000" and that Mastodon counts a link as 23 "or as
many as the instance reserves", leaving the organiser to find out how many that was.

The instance is the fake Mastodon on 127.0.0.1, reporting non-default figures; the organiser
learns them with `outreach doctor` (click's CliRunner) and writes in the web composer over HTTP.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from fakes.mastodon_server import FakeMastodon
from test_web_composer import card, form, slot
from webkit import Site

from outreach.cli import cli
from outreach.config import BUNDLED_CONFIG

MA_TOKEN = "mastodon-SECRET-abcdef"
TOO_LONG = "Sign: https://e.org/sign\n" + "word " * 250  # over 1000 however a link counts


def site_on(folder: Path, instance: str, **mastodon: Any) -> Site:
    """The bundled campaign with its Mastodon channel on `instance`, its limits learned there
    by `outreach doctor`, as an organiser would have run it."""
    channels = yaml.safe_load(BUNDLED_CONFIG.read_text(encoding="utf-8"))["channels"]
    channels[0] = {**channels[0], "instance": instance, "token_env": "MA_TOKEN", **mastodon}
    site = Site(folder, channels=channels)
    env = {"OUTREACH_CONFIG": str(folder / "outreach.yaml"), "MA_TOKEN": MA_TOKEN}
    result = CliRunner().invoke(cli, ["doctor", "mastodon-en"], env=env)
    assert result.exit_code == 0, (result.output, result.exception)
    assert "ok  mastodon-en (mastodon)" in result.output
    assert MA_TOKEN not in result.output
    return site


def preview(site: Site, text: str) -> str:
    olga = site.signed_in("olga")
    olga.get("/compose")
    return olga.post("/compose", form(text=text, do="preview")).text


@pytest.mark.parametrize("instance_v2", [True, False], ids=["api-v2", "api-v1"])
def test_too_long_names_the_instances_link_weight_and_limit(tmp_path: Path, instance_v2: bool):
    with FakeMastodon(max_characters=1000, url_chars=40, instance_v2=instance_v2) as fake:
        site = site_on(tmp_path, fake.url)
        try:
            page = preview(site, TOO_LONG)
        finally:
            site.close()
    said = card(page, "mastodon-en")
    figures = f"over the limit of 1,000 ({fake.url} counts a link as 40 characters and allows 1,000"
    assert figures in said, said
    assert figures in slot(page, "text")
    assert "shorten your text by at least" in said
    assert site.ledger.announcements() == []


def test_a_channels_own_limit_is_not_said_to_be_the_instances(tmp_path: Path):
    # the campaign file's max_characters wins over the instance's 1000; links still count 40
    with FakeMastodon(max_characters=1000, url_chars=40) as fake:
        site = site_on(tmp_path, fake.url, max_characters=300)
        try:
            page = preview(site, TOO_LONG)
        finally:
            site.close()
    said = card(page, "mastodon-en")
    assert f"over the limit of 300 ({fake.url} counts a link as 40 characters):" in said, said
    assert "allows 1,000" not in said and "allows 1000" not in said


def test_nothing_learned_says_no_instance_figures(tmp_path: Path):
    site = Site(tmp_path)
    try:
        said = card(preview(site, TOO_LONG), "mastodon-en")
    finally:
        site.close()
    assert "over the limit of 500:" in said, said  # Mastodon's default, nothing claimed of it
    assert "counts a link as" not in said
