"""The static export: what the HTML may and may not contain, manifests, and safe writing."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from outreach.config import load_config
from outreach.content import all_items
from outreach.errors import ConfigError, FitError, ShareError
from outreach.share import BUNDLED_TARGETS, MARKER, export, load_targets, picker_href, render_export

TARGETS = load_targets(BUNDLED_TARGETS)


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline_scripts: list[str] = []
        self._in_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "script":
            self._in_script = a

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        script = self._in_script
        if script is not None and script.get("type") != "application/json" and data.strip():
            self.inline_scripts.append(data)


def parse(html: str) -> Tags:
    t = Tags()
    t.feed(html)
    return t


@pytest.fixture(scope="module")
def files(bundled_config) -> dict[str, str]:
    return render_export(bundled_config, TARGETS, all_items(bundled_config))


def test_export_has_a_bar_and_manifest_per_item_and_language(files, bundled_config):
    items = all_items(bundled_config)
    for item in items:
        for lang in bundled_config.campaign.languages:
            name = item.id.replace(":", "--")
            assert f"bars/{name}.{lang}.html" in files
            manifest = json.loads(files[f"bars/{name}.{lang}.json"])
            assert manifest["url"] == item.url and manifest["lang"] == lang
    assert {
        "index.html",
        "manifest.json",
        "assets/sharebar.css",
        "assets/sharebar.js",
        "assets/fediverse.js",
        "share/fediverse.html",
        "share/fediverse.be.html",
    } <= set(files)


@pytest.mark.parametrize("kind", ["bars/ales.be.html", "index.html", "share/fediverse.ru.html"])
def test_html_loads_nothing_from_elsewhere(files, kind, bundled_config):
    t = parse(files[kind])
    # The picker's plain form may post, on the reader's press, to the share page of a
    # server the campaign suggests, and nowhere else (as a link's href would).
    suggested = {s.host for s in bundled_config.share.fediverse_servers}
    for tag, a in t.tags:
        for attr in ("src", "srcset", "data", "poster", "action", "formaction"):
            value = a.get(attr)
            if attr in ("action", "formaction") and kind.startswith("share/fediverse") and value:
                u = urlsplit(value)
                assert (u.scheme, u.path) == ("https", "/share") and u.hostname in suggested
                continue
            assert value is None or not urlsplit(value).netloc, (tag, attr, value)
        if tag == "link":
            assert not urlsplit(a.get("href") or "").netloc, a
        assert tag not in ("img", "iframe", "object", "embed", "style", "base"), tag
        assert not any(k.startswith("on") for k in a), (tag, a)  # no inline handlers
        assert "style" not in a, (tag, a)  # CSP allows first-party CSS files only
    assert t.inline_scripts == []


def test_every_link_has_noopener_noreferrer(files):
    for name, html in files.items():
        if not name.endswith(".html"):
            continue
        for tag, a in parse(html).tags:
            if tag == "a":
                assert a.get("rel") == "noopener noreferrer", (name, a)


def test_pages_carry_a_strict_csp_and_no_referrer(files):
    for name in ("index.html", "share/fediverse.html"):
        metas = {
            a.get("http-equiv") or a.get("name"): a.get("content")
            for tag, a in parse(files[name]).tags
            if tag == "meta"
        }
        assert "default-src 'none'" in metas["Content-Security-Policy"]
        assert metas["referrer"] == "no-referrer"


def test_bar_contents_and_language(files):
    html = files["bars/ales.ru.html"]
    tags = parse(html).tags
    nav = next(a for tag, a in tags if tag == "nav")
    assert (
        nav["lang"] == "ru" and nav["aria-label"] == "Поделиться этой страницей: Об Алесе Беляцком"
    )
    shares = [a["data-share"] for tag, a in tags if "data-share" in a]
    assert shares[:5] == ["native", "copy", "threema", "whatsapp", "viber"]
    assert {"google_plus", "mailru_myworld", "yandex"}.isdisjoint(shares)
    assert "под юрисдикцией России" in html
    assert "Прежде чем поделиться" in html  # the campaign's note, in Russian
    native = next(a for tag, a in tags if tag == "li" and "hidden" in a)
    assert native is not None  # the native share button waits for JavaScript
    fr = files["bars/ales.fr.html"]
    assert "Partager cette page" in fr and "Прежде" not in fr and "Перш" not in fr


def test_titles_are_escaped(bundled_config, tmp_path):
    from outreach.content import Item

    evil = Item(
        kind="page",
        id="x",
        url="https://freeales.fidh.net/x",
        title={"en": '"><script>alert(1)</script>'},
    )
    files = render_export(bundled_config, TARGETS, [evil], languages=["en"])
    html = files["bars/x.en.html"]
    assert "<script>" not in html
    assert parse(html).inline_scripts == []


def test_picker_links_per_language():
    assert picker_href("/share/fediverse.html", "en", "en") == "/share/fediverse.html"
    assert picker_href("/share/fediverse.html", "be", "en") == "/share/fediverse.be.html"
    assert picker_href("/share/fediverse", "be", "en") == "/share/fediverse.be"


def test_picker_endpoints_are_data(files):
    t = parse(files["share/fediverse.html"])
    assert any(tag == "script" and a.get("type") == "application/json" for tag, a in t.tags)
    html = files["share/fediverse.html"]
    data = json.loads(html.split('id="fedi-data">', 1)[1].split("</script>", 1)[0])
    endpoints = {s["id"]: s["endpoint"] for s in data["software"]}
    assert endpoints["mastodon"] == "/share?text={text}"
    assert endpoints["lemmy"] == "/create_post?url={url}&title={title}"
    assert endpoints["gotosocial"] is None and endpoints["pleroma"] is None


def test_manifest_lists_retired_networks(files):
    manifest = json.loads(files["manifest.json"])
    assert set(manifest["retired"]) == {"google_plus", "mailru_myworld", "yandex"}
    assert "telegram" in manifest["networks"] and "google_plus" not in manifest["networks"]


# --- writing ----------------------------------------------------------------------------


def test_export_writes_and_replaces_its_own_folder(bundled_config, tmp_path):
    out = tmp_path / "share-bars"
    items = all_items(bundled_config)
    first = export(bundled_config, TARGETS, items, out)
    assert (out / MARKER).exists() and (out / "index.html").exists()
    assert first.bars == len(items) * len(bundled_config.campaign.languages)
    (out / "stale.html").write_text("old", encoding="utf-8")
    export(bundled_config, TARGETS, items[:1], out, languages=["en"])
    assert not (out / "stale.html").exists()
    assert sorted(p.name for p in (out / "bars").iterdir()) == ["home.en.html", "home.en.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["share-bars"]  # no temp folders left


def test_export_refuses_a_folder_that_is_not_its_own(bundled_config, tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ShareError, match="not empty and was not written by"):
        export(bundled_config, TARGETS, all_items(bundled_config), tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_failure_leaves_the_previous_export_untouched(bundled_config, tmp_path):
    from outreach.content import Item

    out = tmp_path / "share-bars"
    export(bundled_config, TARGETS, all_items(bundled_config), out)
    before = sorted(str(p.relative_to(out)) for p in out.rglob("*"))
    too_long = Item(
        kind="page", id="long", url="https://freeales.fidh.net/" + "a" * 400, title={"en": "x"}
    )
    with pytest.raises(FitError, match="bluesky"):
        export(bundled_config, TARGETS, [*all_items(bundled_config), too_long], out)
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["share-bars"]


def test_unknown_network_in_config_stops_the_export(campaign_dir: Path, tmp_path):
    cfg_path = campaign_dir / "campaign.yaml"
    text = cfg_path.read_text(encoding="utf-8")
    cfg_path.write_text(
        text.replace("share:\n", "share:\n  networks: [telegram, orkut]\n", 1), encoding="utf-8"
    )
    cfg = load_config(cfg_path, {})
    out = tmp_path / "out"
    with pytest.raises(
        ConfigError,
        match=r"campaign.yaml:\d+: share.networks\[1\]: unknown "
        r"network 'orkut'",
    ):
        export(cfg, TARGETS, all_items(cfg), out)
    assert not out.exists()
