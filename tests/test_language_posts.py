"""A news item in another language than the channel's says so, in the channel's language.

Through `outreach run --once` on the bundled campaign, whose English feed goes to
every channel: the dry-run publisher prints what each channel would get.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from outreach.cli import cli

NO_TOKENS = {"OUTREACH_MASTODON_EN_TOKEN": None, "OUTREACH_TELEGRAM_TOKEN": None}


def posts(campaign_dir: Path) -> dict[str, str]:
    """What `run --once` would send, by channel id (the dry-run printout, split)."""
    env = {
        "OUTREACH_CONFIG": str(campaign_dir / "campaign.yaml"),
        "OUTREACH_DB_URL": f"sqlite:///{campaign_dir / 'l.sqlite3'}",
        **NO_TOKENS,
    }
    result = CliRunner().invoke(cli, ["run", "--once"], env=env)
    assert result.exit_code == 0, result.output
    out: dict[str, str] = {}
    for block in result.output.split("--- dry-run: ")[1:]:
        head, _, body = block.partition("\n")
        out[head.split()[2]] = body  # "telegram channel telegram-ru (@freeales_ru) ---"
    assert set(out) == {"mastodon-en", "telegram-ru", "telegram-be"}, result.output
    return out


def test_english_news_tells_russian_and_belarusian_readers_it_is_in_english(campaign_dir: Path):
    sent = posts(campaign_dir)
    # on the title's line, which keeps its end: the summary still starts a paragraph
    assert "bars</b> (язык: английский)\n\nReports from" in sent["telegram-ru"]
    assert "bars</b> (мова: англійская)\n\nReports from" in sent["telegram-be"]
    assert "(in " not in sent["mastodon-en"]  # in its readers' language: nothing to say
    assert "Under pressure even behind bars" in sent["mastodon-en"]


def test_a_russian_feed_tells_english_readers_and_not_russian_ones(campaign_dir: Path):
    feed = campaign_dir / "news.xml"
    text = feed.read_text(encoding="utf-8")
    assert "<language>en</language>" in text
    feed.write_text(text.replace("<language>en</language>", "<language>ru</language>"), "utf-8")
    sent = posts(campaign_dir)
    assert "(in Russian)" in sent["mastodon-en"]
    assert "язык:" not in sent["telegram-ru"]
    assert "(мова: руская)" in sent["telegram-be"]


def own_news_template(campaign_dir: Path) -> None:
    """An organiser's own news template for telegram-ru naming the item's language,
    in the campaign's `messages_dir: mine`."""
    own = campaign_dir / "mine" / "news"
    own.mkdir(parents=True)
    (own / "telegram.ru.j2").write_text(
        "{{ item.title }} [{{ item.language }}: {{ item.language_name }}]", "utf-8"
    )
    cfg = campaign_dir / "campaign.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "\nmessages_dir: mine\n", "utf-8")


def test_an_organisers_template_can_name_the_language(campaign_dir: Path):
    own_news_template(campaign_dir)
    sent = posts(campaign_dir)
    assert "Under pressure even behind bars [en: английский]" in sent["telegram-ru"]
