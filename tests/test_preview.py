"""`outreach preview`, run in-process: what the organiser sees before anything is sent."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from outreach.cli import cli
from outreach.config import BUNDLED_CONFIG
from outreach.textlimits import mastodon_length, telegram_length

AT = ["--at", "2025-08-04"]


def run(*args: str, config: Path = BUNDLED_CONFIG):
    runner = CliRunner(env={"COLUMNS": "160", "OUTREACH_CONFIG": None})
    return runner.invoke(cli, ["--config", str(config), "preview", *args], catch_exceptions=False)


def campaign_with(campaign_dir: Path, *, channels: str = "", files: dict[str, str] | None = None):
    """The bundled campaign plus extra channels (YAML list items) and organiser templates."""
    path = campaign_dir / "campaign.yaml"
    text = path.read_text(encoding="utf-8").replace("channels:\n", "channels:\n" + channels, 1)
    if files:
        text += "\nmessages_dir: own\n"
        for name, body in files.items():
            p = campaign_dir / "own" / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(body, encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    return path


def test_table_shows_each_channel_with_length_against_limit():
    result = run("ales", *AT)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "page:ales as page, 2025-08-04 10:00 Europe/Minsk" in out
    for channel in ("mastodon-en", "telegram-ru", "telegram-be"):
        assert channel in out
    assert "page/mastodon.en.j2" in out and "page/telegram.be.j2" in out
    assert "278 / 500" in out  # Mastodon: the URL counts 23
    assert "/ 1,024" in out  # a page with an image is a photo caption on Telegram
    # Telegram's HTML is shown as text, with where the link goes; buttons in the channel language.
    assert "<b>" not in out and "Об Алесе Беляцком" in out
    assert "Читать далее → <https://freeales.fidh.net/about-ales-bialiatski/>" in out
    assert "[ Подписать обращение ↗ ]" in out and "[ Падпісаць зварот ↗ ]" in out
    assert "#FreeAles #Belarus" in out


def test_json_holds_the_posts_and_their_counted_lengths():
    result = run("news:freeales-2011-08-arrest", "--json", *AT)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["about"] == "news:freeales-2011-08-arrest" and data["kind"] == "news"
    assert data["at"] == "2025-08-04T10:00:00+03:00"
    posts = {p["channel"]: p for p in data["posts"]}
    assert set(posts) == {"mastodon-en", "telegram-ru", "telegram-be"}
    m = posts["mastodon-en"]
    assert m["length"] == mastodon_length(m["post"]["text"]) and m["limit"] == 500
    t = posts["telegram-ru"]
    assert t["length"] == telegram_length(t["post"]["text"]) and t["limit"] == 4096
    assert t["post"]["buttons"] == [
        {"text": "Подписать обращение", "url": "https://freeales.fidh.net/appeal/"}
    ]
    assert all(p["ok"] and p["error"] is None and not p["shortened"] for p in posts.values())


def test_lang_renders_every_channel_in_that_language():
    data = json.loads(run("home", "--lang", "fr", "--json", *AT).output)
    assert {p["language"] for p in data["posts"]} == {"fr"}
    assert {p["template"] for p in data["posts"]} == {"page/mastodon.fr.j2", "page/telegram.fr.j2"}
    assert all("Bélarus : les défenseurs" in p["post"]["text"] for p in data["posts"])


def test_kind_and_at_drive_the_campaign_clock():
    out = run("ales", "--kind", "anniversary", *AT).output
    assert "14 years since August 4, 2011 (5,114 days)." in out
    assert "14 лет с 4 августа 2011" in out and "(5\u00a0114 дней)" in out
    later = run("ales", "--kind", "reminder", "--at", "2025-08-15T23:30").output
    assert "5,125 days since August 4, 2011" in later


def test_announcement_id_previews_its_template_and_page():
    result = run("weekly-day-count", *AT)
    assert result.exit_code == 0
    assert "announcement:weekly-day-count as reminder" in result.output
    assert "reminder/telegram.ru.j2" in result.output


def test_a_channel_that_cannot_fit_is_an_error_row_and_exit_1(campaign_dir):
    config = campaign_with(
        campaign_dir,
        channels=(
            "  - id: tiny\n    kind: mastodon\n    instance: https://m.example\n"
            "    max_characters: 40\n    content_warning: Prison conditions\n"
        ),
    )
    result = run("ales", *AT, config=config)
    assert result.exit_code == 1
    assert "Nothing can be sent: see below." in result.stdout
    assert result.stderr.startswith("tiny (") and "over the limit of 40" in result.stderr
    # The other channels are still shown.
    assert "278 / 500" in result.stdout and "telegram-be" in result.stdout


def test_shortened_posts_are_marked(campaign_dir):
    config = campaign_with(
        campaign_dir,
        channels=(
            "  - id: short\n    kind: mastodon\n    instance: https://m.example\n    max_characters: 150\n"
        ),
    )
    data = json.loads(run("ales", "--json", *AT, config=config).output)
    short = next(p for p in data["posts"] if p["channel"] == "short")
    assert short["shortened"] and short["length"] <= 150
    assert "…" in short["post"]["text"]
    assert "shortened" in run("ales", *AT, config=config).output


def test_template_error_names_file_and_line(campaign_dir):
    config = campaign_with(
        campaign_dir, files={"page/telegram.ru.j2": "<b>{{ item.title }}</b>\n{{ item.teaser }}"}
    )
    result = run("ales", "--json", *AT, config=config)
    assert result.exit_code == 1
    posts = {p["channel"]: p for p in json.loads(result.output)["posts"]}
    error = posts["telegram-ru"]["error"]
    assert error.startswith(f"{campaign_dir / 'own' / 'page' / 'telegram.ru.j2'}:2: ")
    assert "teaser" in error
    assert posts["telegram-be"]["ok"] and posts["telegram-be"]["template"] == "page/telegram.be.j2"


def test_organiser_templates_are_labelled_as_theirs(campaign_dir):
    config = campaign_with(campaign_dir, files={"page/mastodon.en.j2": "Ours: {{ item.url }}"})
    posts = json.loads(run("ales", "--json", *AT, config=config).output)["posts"]
    m = next(p for p in posts if p["channel"] == "mastodon-en")
    assert m["template"] == "yours: page/mastodon.en.j2"
    assert m["post"]["text"] == "Ours: https://freeales.fidh.net/about-ales-bialiatski/"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["nope"], 1, "no page or news item with id 'nope'"),
        (["ales", "--lang", "de"], 1, "language 'de' is not one of the campaign's languages"),
        # a three-letter code (ISO 639-2) for one of the campaign's two-letter ones
        (["ales", "--lang", "rus"], 1, "(en, ru, be, fr); did you mean 'ru'? If not, add it"),
        (["ales", "--kind", "vigil"], 1, "known kinds: anniversary, announcement"),
        (["ales", "--at", "04.08.2025"], 2, "is not a date or time like 2025-08-04"),
    ],
)
def test_bad_input_is_explained(args, code, message):
    result = run(*args)
    assert result.exit_code == code
    assert message in " ".join(result.output.split())


def test_preview_is_listed_and_documented():
    runner = CliRunner()
    top = runner.invoke(cli, ["--help"])
    assert "preview" in top.output and "Show what each channel would receive" in top.output
    help_text = runner.invoke(cli, ["preview", "--help"]).output
    assert "Example:" in help_text and "outreach preview ales" in help_text
    for option in ("--kind", "--lang", "--at", "--json", "--html"):
        assert option in help_text


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.texts.append(data)


def test_html_page_shows_each_post(tmp_path, campaign_dir):
    hostile = "<script>alert(1)</script> & </a>"
    config = campaign_with(
        campaign_dir,
        channels=(
            "  - id: cw\n    kind: mastodon\n    instance: https://social.example\n"
            "    content_warning: Prison conditions\n"
        ),
    )
    text = config.read_text(encoding="utf-8").replace(
        "en: About Ales Bialiatski", f"en: {json.dumps(hostile)}", 1
    )
    config.write_text(text, encoding="utf-8")
    page = tmp_path / "preview.html"
    result = run("ales", "--html", str(page), *AT, config=config)
    assert result.exit_code == 0, result.output
    assert f"Preview page: {page}" in result.output
    html = page.read_text(encoding="utf-8")
    parsed = PageParser()
    parsed.feed(html)
    tags = [t for t, _ in parsed.elements]
    texts = "".join(parsed.texts)
    # Nothing on the page may load or run.
    assert "script" not in tags and "img" not in tags and "link" not in tags
    csp = next(a for t, a in parsed.elements if t == "meta" and a.get("http-equiv"))
    assert csp["content"].startswith("default-src 'none'")
    # Every channel, its length and limit, its text.
    for channel in ("mastodon-en", "cw", "telegram-ru", "telegram-be"):
        assert channel in texts
    assert "/ 1,024" in texts and "/ 500" in texts
    # Telegram formatting is drawn (bold title), buttons are links in the channel language.
    assert '<div class="tg-text"><b>Об Алесе Беляцком</b>' in html
    buttons = [a for t, a in parsed.elements if t == "a" and "tg-button" in (a.get("class") or "")]
    assert {b["href"] for b in buttons} == {"https://freeales.fidh.net/appeal/"}
    assert "Подписать обращение" in texts and "Падпісаць зварот" in texts
    # Mastodon: the CW above the text, the hostile title shown as text.
    assert (
        '<details class="cw" open><summary data-less="Show less">Prison conditions</summary>'
        in html
    )
    assert hostile in texts
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;/a&gt;" in html
