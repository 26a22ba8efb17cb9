"""A wrong name an organiser types gets the nearest right one ("did you mean 'reminder'?"), through
what they run: `outreach schedule add` (click's CliRunner) and the web composer over HTTP.

Before, an unknown channel or page listed every known one, a misspelt kind listed the kinds, a
misspelt time zone said "use a name like 'Europe/Minsk'" and a misspelt counting rule listed the
rules: the organiser had to find their slip in the list themselves.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli_schedule import Cli
from test_web_composer import form, slot
from webkit import Site

from outreach.textlimits import count

AT = ("--at", "2026-04-01 10:00")
NOW = "2026-03-01T12:00:00+03:00"


@pytest.fixture
def run_cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--template", "remindr"], "--template: no mastodon template for 'remindr'"),
        (["--template", "reminder", "--channel", "mastodn-en"], "--channel: unknown channel"),
        (["--template", "reminder", "--page", "ale"], "--page: unknown page 'ale'"),
        (["--template", "reminder", "--timezone", "Europe/Minks"], "--timezone: unknown timezone"),
    ],
)
def test_schedule_add_suggests_the_name_meant(run_cli: Cli, args: list[str], said: str):
    out = run_cli("schedule", "add", "verdict", *args, *AT, now=NOW, code=1).output
    assert said in out, out
    meant = {"remindr": "reminder", "mastodn-en": "mastodon-en", "ale": "ales"}
    wanted = meant.get(args[-1], "Europe/Minsk")
    assert f"did you mean {wanted!r}?" in out, out
    assert "added" not in out
    listed = run_cli.json("schedule", "list", now=NOW)
    assert [a["id"] for a in listed] == ["weekly"]  # the campaign file's; nothing stored


def test_schedule_add_lists_the_known_ones_when_none_is_near(run_cli: Cli):
    out = run_cli("schedule", "add", "x", "--template", "reminder", "--channel", "zz", *AT,
                  now=NOW, code=1).output  # fmt: skip
    assert "unknown channel 'zz'; known: mastodon-en, telegram-be, telegram-ru" in out
    out = run_cli("schedule", "add", "x", "--template", "reminder", "--timezone", "Mars/Base",
                  *AT, now=NOW, code=1).output  # fmt: skip
    assert "unknown timezone 'Mars/Base'; use a name like 'Europe/Minsk'" in out  # not ~600 zones


@pytest.fixture
def site(tmp_path):
    s = Site(tmp_path)
    yield s
    s.close()


@pytest.mark.parametrize(
    ("over", "field", "meant"),
    [
        ({"source": "template", "template": "remindr"}, "template", "reminder"),
        ({"ch:mastodon-en": None, "ch:telegram-bee": "1"}, "channels", "telegram-be"),
        ({"page": "ale"}, "page", "ales"),
    ],
)
def test_the_composer_suggests_the_name_meant_next_to_its_field(site, over, field, meant):
    olga = site.signed_in("olga")
    olga.get("/compose")
    r = olga.post("/compose", form(**over))
    assert r.status_code == 422
    assert f"did you mean {meant!r}?" in slot(r.text, field), slot(r.text, field)
    assert site.ledger.announcements() == []


def test_a_mistyped_counting_rule_is_told_the_one_meant():
    with pytest.raises(
        ValueError, match=r"unknown counting rule 'mastdon'; did you mean 'mastodon'\?"
    ):
        count("x", "mastdon")
    with pytest.raises(ValueError, match="'x-weighted'; did you mean 'x_weighted'"):
        count("x", "x-weighted")
