"""The campaign file's share.bar settings, as the exported HTML shows them."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_sharebar import parse

from outreach.config import load_config
from outreach.content import all_items
from outreach.share import BUNDLED_TARGETS, load_targets, render_export

TARGETS = load_targets(BUNDLED_TARGETS)


def bar_html(tmp_path: Path, bar_yaml: str, lang: str = "en") -> str:
    p = tmp_path / "outreach.yaml"
    p.write_text(
        "campaign:\n  name: x\n  base_url: https://e.org/\n  hashtags: [Free]\n"
        f"share:\n  bar:\n{bar_yaml}"
        "pages:\n  - id: home\n    url: https://e.org/\n    title: Home\n",
        encoding="utf-8",
    )
    cfg = load_config(p, {})
    return render_export(cfg, TARGETS, all_items(cfg), languages=[lang])[f"bars/home.{lang}.html"]


def shares(html: str, inside_more: bool) -> list[str]:
    before, _, after = html.partition("<details")
    return [
        a["data-share"] or ""
        for tag, a in parse(after if inside_more else before).tags
        if a.get("data-share")
    ]


def test_first_networks_then_more(tmp_path):
    html = bar_html(tmp_path, "    first:\n      '*': [telegram, copy]\n")
    assert shares(html, inside_more=False) == ["telegram", "copy"]
    rest = shares(html, inside_more=True)
    assert rest[:3] == ["native", "threema", "whatsapp"]  # private and encrypted first
    assert "telegram" not in rest and "copy" not in rest
    assert 'class="sharebar sb-labelled sb-horizontal"' in html


def test_default_first_is_the_compact_size(tmp_path):
    html = bar_html(tmp_path, "    compact_size: 3\n")
    assert shares(html, inside_more=False) == ["native", "copy", "threema"]


def test_not_compact_shows_everything_without_more(tmp_path):
    html = bar_html(tmp_path, "    compact: false\n")
    assert "<details" not in html
    assert len(shares(html, inside_more=False)) == len(TARGETS.networks) - 6  # retired, RU


@pytest.mark.parametrize(("new_tab", "targets"), [("true", 1), ("false", 0)])
def test_new_tab_is_the_campaigns_choice(tmp_path, new_tab, targets):
    html = bar_html(tmp_path, f"    new_tab: {new_tab}\n")
    tags = [a for tag, a in parse(html).tags if tag == "a"]
    web = [
        a
        for a in tags
        if (a.get("href") or "").startswith("https://") and a["data-share"] != "copy"
    ]
    assert web and all((a.get("target") == "_blank") == bool(targets) for a in web)
    assert all(a.get("rel") == "noopener noreferrer" for a in tags)
    # mailto: and app schemes never get a tab of their own.
    assert all(
        a.get("target") is None
        for a in tags
        if (a.get("href") or "").startswith(("mailto:", "threema:", "viber:"))
    )


def test_icons_and_vertical(tmp_path):
    html = bar_html(tmp_path, "    style: icons\n    direction: vertical\n")
    assert 'class="sharebar sb-icons sb-vertical"' in html
    titles = {a["data-share"]: a.get("title") for tag, a in parse(html).tags if a.get("data-share")}
    assert titles["telegram"] == "Telegram"  # the label, on hover, where only the icon shows
    assert titles["whatsapp"] == "WhatsApp (end-to-end encrypted)"


def test_screen_reader_text_is_true(tmp_path):
    html = bar_html(tmp_path, "    new_tab: true\n")
    native = html[
        html.index('data-share="native"') : html.index("</li>", html.index('data-share="native"'))
    ]
    copy = html[
        html.index('data-share="copy"') : html.index("</li>", html.index('data-share="copy"'))
    ]
    assert "encrypted" not in native and "encrypted" not in copy
    wa = html[
        html.index('data-share="whatsapp"') : html.index(
            "</li>", html.index('data-share="whatsapp"')
        )
    ]
    assert "(end-to-end encrypted)" in wa and 'class="sb-lock"' in wa
