"""A feed's `language:` in the campaign file wins over the `<language>` the feed declares.

Through the CLI on the bundled campaign, whose feed declares English: `run --once` prints
what each channel would get (the dry-run publisher), `check` names a bad code's line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from test_language_posts import own_news_template, posts

from outreach.cli import cli
from outreach.config import FeedConfig
from outreach.content import parse_feed


def set_language(campaign_dir: Path, language: str) -> None:
    path = campaign_dir / "campaign.yaml"
    text = path.read_text(encoding="utf-8")
    assert "    path: news.xml\n" in text
    path.write_text(
        text.replace("    path: news.xml\n", f"    path: news.xml\n    language: {language}\n"),
        encoding="utf-8",
    )


def test_a_feed_declared_english_but_set_russian_tells_english_readers(campaign_dir: Path):
    set_language(campaign_dir, "ru")
    sent = posts(campaign_dir)
    assert "(in Russian)" in sent["mastodon-en"]
    assert "язык:" not in sent["telegram-ru"]  # Russian readers are told nothing
    assert "(мова: руская)" in sent["telegram-be"]


def test_a_regional_tag_is_its_language(campaign_dir: Path):
    set_language(campaign_dir, "ru-RU")
    sent = posts(campaign_dir)
    assert "(in Russian)" in sent["mastodon-en"]
    assert "язык:" not in sent["telegram-ru"]


def test_an_organisers_template_sees_the_set_language(campaign_dir: Path):
    set_language(campaign_dir, "be")
    own_news_template(campaign_dir)
    assert "behind bars [be: белорусский]" in posts(campaign_dir)["telegram-ru"]


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("Russian", "'Russian' is not a language code Babel knows; did you mean 'ru' (Russian)?"),
        ("ruu", "'ruu' is not a language code Babel knows; did you mean 'ru' (Russian)?"),
        ("xx", "'xx' is not a language code Babel knows; give an ISO 639 code such as 'en'"),
    ],
)
def test_a_code_babel_does_not_know_names_the_file_line_and_field(
    campaign_dir: Path, typed: str, said: str
):
    set_language(campaign_dir, typed)
    path = campaign_dir / "campaign.yaml"
    result = CliRunner().invoke(cli, ["--config", str(path), "check"])
    assert result.exit_code == 1
    line = path.read_text(encoding="utf-8").splitlines().index(f"    language: {typed}") + 1
    assert f"{path}:{line}: feeds[0].language: {said}" in result.output


def test_a_pasted_secret_is_not_quoted_back(campaign_dir: Path):
    secret = "123456:AAE" + "x" * 30
    set_language(campaign_dir, f'"{secret}"')
    path = campaign_dir / "campaign.yaml"
    result = CliRunner().invoke(cli, ["--config", str(path), "check"])
    assert result.exit_code == 1
    assert "feeds[0].language:" in result.output and secret not in result.output


FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>%s
<item><title>One</title><link>https://example.org/1</link></item></channel></rss>"""


@pytest.mark.parametrize("declared", [b"<language>en-us</language>", b""])
def test_items_carry_the_set_language_whatever_the_feed_declares(declared: bytes):
    feed = FeedConfig(id="n", path="n.xml", language="ru")
    [item], _ = parse_feed(FEED % declared, feed, "en")
    assert dict(item.title) == {"ru": "One"} and dict(item.summary) == {"ru": ""}


def test_unset_the_feed_declaration_still_decides():
    [item], _ = parse_feed(FEED % b"<language>be</language>", FeedConfig(id="n", path="x"), "en")
    assert set(item.title) == {"be"}


@pytest.mark.parametrize("code", ["cnr", "sr", "ru", "rus", "heb", "sr-ME"])
def test_a_set_code_is_read_as_a_feed_declaring_it_is(code: str):
    """'cnr' (Montenegrin) set in the campaign file stays 'cnr', as a feed declaring
    `<language>cnr</language>` is read and as Mastodon labels posts; CLDR would read it as
    Serbian of Montenegro ('sr'). An ISO 639-2 code is its two-letter one either way."""
    set_to = FeedConfig(id="n", path="x", language=code).language
    [item], _ = parse_feed(
        FEED % f"<language>{code}</language>".encode(), FeedConfig(id="n", path="x"), "en"
    )
    assert set(item.title) == {set_to}
    assert set_to == {"rus": "ru", "heb": "he", "sr-ME": "sr"}.get(code, code)


def test_a_feed_declaring_a_three_letter_code_is_read_as_its_language(campaign_dir: Path):
    news = campaign_dir / "news.xml"
    text = news.read_text(encoding="utf-8")
    assert "<language>en</language>" in text
    news.write_text(text.replace("<language>en</language>", "<language>rus</language>"))
    sent = posts(campaign_dir)
    assert "(in Russian)" in sent["mastodon-en"]
    assert "язык:" not in sent["telegram-ru"]  # Russian readers are told nothing
