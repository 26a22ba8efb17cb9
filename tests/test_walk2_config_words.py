"""What `outreach check` tells an organiser who mistyped the campaign file: pydantic's words
("Extra inputs are not permitted", "channels[1].chat.str: Input should be a valid string" and
again for .int) named no misspelt key, suggested nothing, and glued a type's name onto the
field. Now: the unknown key, the nearest field that exists there, and one line saying what a
field wants against what was given, each at its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from servicekit import write_campaign

from outreach.cli import cli


def check(tmp_path: Path, old: str, new: str) -> tuple[Path, int, str]:
    """`outreach check` on the bundled campaign with `old` (once in the file) made `new`:
    the file, the line of the change, what check printed (it must refuse the file)."""
    path = write_campaign(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    line = text[: text.index(new)].count("\n") + 1
    env = {"OUTREACH_CONFIG": str(path), "OUTREACH_DB_URL": f"sqlite:///{tmp_path / 'l.sqlite3'}"}
    r = CliRunner().invoke(cli, ["check"], env=env)
    assert r.exit_code != 0, r.output
    assert "Extra inputs" not in r.output and "Input should be a valid" not in r.output, r.output
    return path, line, r.output


def test_a_misspelt_key_is_named_with_the_field_meant(tmp_path):
    path, line, said = check(
        tmp_path, "  timezone: Europe/Minsk\n  dates:", "  timezon: Europe/Minsk\n  dates:"
    )
    assert (
        f"{path}:{line}: campaign.timezon: unknown field 'timezon'; did you mean 'timezone'?"
        in (said)
    ), said


def test_a_channels_misspelt_key_is_matched_against_its_own_networks_fields(tmp_path):
    path, line, said = check(
        tmp_path, "  instance: https://mastodon.example", "  instanse: https://mastodon.example"
    )
    assert (
        f"{path}:{line}: channels[0].instanse: unknown field 'instanse'; did you mean 'instance'?"
        in said
    ), said


def test_a_key_like_no_field_lists_the_fields_there(tmp_path):
    path, line, said = check(
        tmp_path, "  timezone: Europe/Minsk\n", "  colour: red\n  timezone: Europe/Minsk\n"
    )
    assert f"{path}:{line}: campaign.colour: unknown field 'colour'; the fields here are: " in said
    assert "base_url, dates, default_language, hashtags, languages" in said, said


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        ("  chat: '@freeales_ru'", "  chat: [one, two]", "channels[1].chat",
         "should be text or a whole number, not a list"),
        ("  languages:\n  - en\n  - ru\n  - be\n  - fr\n", "  languages: en\n",
         "campaign.languages", "should be a list, not text"),
        ("  russian_jurisdiction: true", "  russian_jurisdiction: maybe",
         "share.russian_jurisdiction", "should be true or false, not text"),
    ],
)  # fmt: skip
def test_a_wrong_type_says_what_the_field_wants_and_what_it_got(tmp_path, old, new, field, words):
    path, line, said = check(tmp_path, old, new)
    assert f"{path}:{line}: {field}: {words}" in said, said
    assert said.count(f"{field}:") == 1, said  # one line, not one per member of a union
