"""Figures told to organisers are written as they read numbers in their language (the
campaign's default language, Babel's digit grouping): "4,096", "4 096", not "4096".

Through `outreach check`, which renders every post (a template of the organisers' own that
cannot fit Telegram's 4096 UTF-16 units), `outreach preview`'s table, the admin bot's
/preview and the web composer's cards (the bundled page has an image: Telegram's caption
limit is 1024).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from outreach import fit_words
from outreach.cli import cli


def with_default(campaign_dir: Path, default_language: str, more: str = "") -> Path:
    cfg = campaign_dir / "campaign.yaml"
    text = cfg.read_text(encoding="utf-8")
    assert "  default_language: en\n" in text
    text = text.replace("  default_language: en\n", f"  default_language: {default_language}\n")
    cfg.write_text(text + more, "utf-8")
    return cfg


def too_long_check(campaign_dir: Path, default_language: str) -> str:
    own = campaign_dir / "mine" / "news"
    own.mkdir(parents=True)
    (own / "telegram.ru.j2").write_text("x" * 5000, "utf-8")
    cfg = with_default(campaign_dir, default_language, "\nmessages_dir: mine\n")
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


@pytest.mark.parametrize(("default_language", "limit"), [("en", "1,024"), ("ru", "1\u00a0024")])
def test_the_preview_table_says_lengths_and_limits_in_the_organisers_digits(
    campaign_dir: Path, default_language: str, limit: str
):
    cfg = with_default(campaign_dir, default_language)
    runner = CliRunner(env={"COLUMNS": "160", "OUTREACH_CONFIG": None})
    result = runner.invoke(cli, ["--config", str(cfg), "preview", "ales", "--at", "2025-08-04"])
    assert result.exit_code == 0, result.output
    assert f"/ {limit}" in result.output and "1024" not in result.output


def test_the_admin_bots_preview_too(bot):
    from adminkit import ANNA

    replies = bot.say(ANNA, "/preview ales")
    [label] = [m["text"] for m in replies if m["text"].startswith("— telegram-ru")]
    assert "/1,024" in label and "1024" not in label


def test_the_composers_cards_too(tmp_path: Path):
    from test_web_composer import card, form
    from webkit import Site

    site = Site(tmp_path)
    try:
        olga = site.signed_in("olga")
        olga.get("/compose")
        page = olga.post("/compose", form(text="Sign today", do="preview")).text
    finally:
        site.close()
    said = card(page, "telegram-be")
    assert "/ 1,024" in said and "1024" not in said
    assert 'aria-label="' in page and "of 1,024" in page
