"""Figures told to organisers are written as they read numbers in their language (the
campaign's default language, Babel's digit grouping): "4,096", "4 096", not "4096".

Through `outreach check`, which renders every post: a template of the organisers' own that
cannot fit Telegram's 4096 UTF-16 units.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from outreach import fit_words
from outreach.cli import cli


def too_long_check(campaign_dir: Path, default_language: str) -> str:
    own = campaign_dir / "mine" / "news"
    own.mkdir(parents=True)
    (own / "telegram.ru.j2").write_text("x" * 5000, "utf-8")
    cfg = campaign_dir / "campaign.yaml"
    text = cfg.read_text(encoding="utf-8")
    assert "  default_language: en\n" in text
    text = text.replace("  default_language: en\n", f"  default_language: {default_language}\n")
    cfg.write_text(text + "\nmessages_dir: mine\n", "utf-8")
    result = CliRunner().invoke(cli, ["--config", str(cfg), "check"])
    assert result.exit_code == 1, result.output
    return result.output


@pytest.mark.parametrize(
    ("default_language", "limit", "length"),
    [("en", "4,096", "5,000"), ("ru", "4\u00a0096", "5\u00a0000")],
)
def test_a_template_over_telegrams_limit_says_it_in_the_organisers_digits(
    campaign_dir: Path, default_language: str, limit: str, length: str
):
    out = too_long_check(campaign_dir, default_language)
    said = f"the message is {length} UTF-16 units long even with no title or summary"
    assert said in out, out
    assert f"over the limit of {limit}: shorten the template" in out
    assert "4096" not in out and "5000 " not in out


def test_the_figures_an_instance_reported_too():
    reported = fit_words.Reported("mastodon", "https://m.example", {"max_characters": 10000})
    said = fit_words.limit_of(10000, False, reported, locale="fr")
    assert said == "the limit of 10\u202f000 (https://m.example allows 10\u202f000 in a post)"
    assert fit_words.number(10000, "xx-unknown") == "10,000"  # no data: as English writes it
