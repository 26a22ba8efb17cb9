"""Open Graph tags: what a network's card shows for a shared page, and how buttons gives them."""

from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser

from click.testing import CliRunner

from outreach.cli import cli
from outreach.config import BUNDLED_CONFIG
from outreach.content import Image, Item, all_items, find_item
from outreach.share import meta_tags


class Metas(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, str]] = []
        self.other: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag != "meta":
            self.other.append(tag)
            return
        self.tags.append((a.get("property") or a.get("name") or "", a.get("content") or ""))


def parsed(html: str) -> list[tuple[str, str]]:
    m = Metas()
    m.feed(html)
    assert m.other == []
    return m.tags


def test_a_page_has_its_card_in_the_language_asked(bundled_config):
    ales = find_item(all_items(bundled_config), "ales")
    tags = dict(parsed(meta_tags(bundled_config, ales, "be")))
    assert tags["og:type"] == "website"
    assert tags["og:title"] == ales.title_in("be")
    assert tags["og:url"] == ales.url
    assert tags["og:locale"] == "be_BY"
    assert tags["og:site_name"] == bundled_config.campaign.name["be"]


def test_hostile_text_stays_text_and_long_summaries_are_cut_at_a_word(bundled_config):
    item = Item(
        kind="news",
        id="x",
        url="https://freeales.fidh.net/news/1?utm_source=rss&id=7",
        title={"en": '"><script>alert(1)</script>'},
        summary={"en": "word " * 200},
        image=Image("javascript:alert(1)"),
        published=dt.datetime(2026, 8, 4, 10, 0, tzinfo=dt.UTC),
    )
    html = meta_tags(bundled_config, item, "en")
    assert "<script>" not in html
    tags = parsed(html)
    d = dict(tags)
    assert d["og:title"] == '"><script>alert(1)</script>'
    assert d["og:type"] == "article" and d["article:published_time"].startswith("2026-08-04T10:00")
    assert d["og:url"] == "https://freeales.fidh.net/news/1?id=7"  # no tracking tags
    assert len(d["og:description"]) <= 300 and d["og:description"].endswith("word…")
    assert "og:image" not in d  # not an http(s) image
    assert sorted(v for k, v in tags if k == "og:locale:alternate") == ["be_BY", "fr_FR", "ru_RU"]


def test_buttons_prints_or_writes_the_tags(tmp_path):
    def invoke(args: list[str]):
        return CliRunner().invoke(cli, ["--config", str(BUNDLED_CONFIG), *args])

    printed = invoke(["buttons", "--meta", "ales", "--lang", "fr"])
    assert printed.exit_code == 0, printed.output
    assert '<meta property="og:locale" content="fr_FR">' in printed.output
    as_json = invoke(["buttons", "--meta", "ales", "--json"])
    assert set(json.loads(as_json.output)) == {"en", "be", "ru", "fr"}
    unknown = invoke(["buttons", "--meta", "nope"])
    assert unknown.exit_code != 0 and "no page or news item with id 'nope'" in unknown.output
    neither = invoke(["buttons"])
    assert neither.exit_code == 2 and "--out" in neither.output
    out = tmp_path / "bars"
    assert invoke(["buttons", "--out", str(out)]).exit_code == 0
    written = (out / "meta" / "ales.be.html").read_text(encoding="utf-8")
    assert dict(parsed(written))["og:title"] == "Пра Алеся Бяляцкага"
    manifest = json.loads((out / "bars" / "ales.be.json").read_text(encoding="utf-8"))
    assert manifest["meta"] == "meta/ales.be.html"
