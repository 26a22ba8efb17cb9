"""Building share links: fitting, mirror, UTM tags, ad-hoc URLs."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from outreach.config import Utm
from outreach.content import Item
from outreach.errors import FitError, ShareError
from outreach.fitting import ELLIPSIS
from outreach.share import (
    BUNDLED_TARGETS,
    ShareOptions,
    build_link,
    item_for_url,
    load_targets,
    select,
    shared_url,
    targets_path,
)
from outreach.textlimits import count

TARGETS = load_targets(BUNDLED_TARGETS)
PAGE = "https://freeales.fidh.net/about-ales-bialiatski/"


def item(title: str, summary: str = "", url: str = PAGE) -> Item:
    return Item(kind="page", id="p", url=url, title={"en": title}, summary={"en": summary})


def net(network_id: str):
    n = TARGETS.get(network_id)
    assert n is not None
    return n


def test_bundled_config_uses_the_top_level_targets(bundled_config):
    assert targets_path(bundled_config) == BUNDLED_TARGETS
    assert BUNDLED_TARGETS.name == "share_targets.yaml"
    assert BUNDLED_TARGETS.parent.joinpath("pyproject.toml").exists()


def test_bluesky_puts_the_url_inside_300_graphemes():
    title = " ".join(["Свабоду палітвязням 🇧🇾"] * 40)
    link = build_link(net("bluesky"), item(title), ShareOptions(lang="en"))
    text = link.params["text"]
    assert text.endswith(" " + PAGE)
    assert count(text, "graphemes") <= 300
    head = text[: -len(PAGE) - 1]
    assert head.endswith(ELLIPSIS) and title.startswith(head[: -len(ELLIPSIS)])
    assert "Свабоду палітвязням" in head  # cut at a word boundary, not to nothing


def test_x_counts_the_appended_url_as_23_and_emoji_as_2():
    title = "🇧🇾" * 200
    link = build_link(net("x"), item(title), ShareOptions(lang="en", hashtags=("FreeAles",)))
    text = link.params["text"]
    assert text.endswith(" #FreeAles")
    assert count(f"{text} {PAGE}", "x_weighted") <= 280
    # 280 - 23 (url) - 1 - 10 (" #FreeAles") - 1 (ellipsis) leaves room for 122 flags
    assert text.count("🇧🇾") == 122


def test_a_ten_kilobyte_title_is_fitted_everywhere():
    title = ('Ales Bialiatski & "Viasna" #free 🇧🇾\n') * 300
    assert len(title.encode()) > 10_000
    it = item(title, summary=title)
    for n in select_all():
        link = build_link(n, it, ShareOptions(lang="en"))
        assert len(link.href) < 16_000, n.id
        assert any(PAGE in v for v in link.params.values()), n.id


def select_all():
    return [n for n in TARGETS.networks if n.offerable]


def test_a_url_too_long_for_the_limit_is_a_clear_error():
    long_url = "https://freeales.fidh.net/" + "a" * 400
    with pytest.raises(FitError, match=r"^bluesky: .*over the limit of 300"):
        build_link(net("bluesky"), item("Free Ales", url=long_url), ShareOptions(lang="en"))


def test_mirror_replaces_the_main_domain():
    opts = ShareOptions(
        lang="en",
        base_url="https://freeales.fidh.net/",
        mirror_url="https://mirror.example.net/fa/",
    )
    link = build_link(net("telegram"), item("T"), opts)
    assert link.page_url == "https://mirror.example.net/fa/about-ales-bialiatski/"
    assert parse_qs(urlsplit(link.href).query)["url"] == [link.page_url]


def test_no_utm_by_default(bundled_config):
    opts = ShareOptions.from_config(bundled_config, "ru")
    assert opts.utm is None
    for n in select(bundled_config, TARGETS).offered:
        assert "utm_" not in build_link(n, item("T"), opts).href


def test_utm_when_the_campaign_turns_it_on():
    opts = ShareOptions(lang="en", utm=Utm(enabled=True, campaign="free-ales"))
    url = shared_url(PAGE + "?a=1#x", "telegram", opts)
    parts = urlsplit(url)
    assert parse_qs(parts.query) == {
        "a": ["1"],
        "utm_source": ["share"],
        "utm_medium": ["social"],
        "utm_campaign": ["free-ales"],
        "utm_content": ["telegram"],
    }
    assert parts.fragment == "x"


def test_labels_in_the_readers_language():
    opts = ShareOptions(lang="be")
    assert build_link(net("copy"), item("T"), opts).label == "Скапіяваць спасылку"
    assert build_link(net("telegram"), item("T"), opts).label == "Telegram"


def test_picker_address_and_fragment():
    link = build_link(
        net("fediverse"),
        item("Free Ales"),
        ShareOptions(lang="en", picker_url="https://e.org/share/fediverse.be.html"),
    )
    assert link.href.startswith("https://e.org/share/fediverse.be.html#text=Free%20Ales%20https")
    assert "?" not in link.href.split("#")[0]  # nothing for the server's log


def test_item_for_url():
    it = item_for_url("https://e.org/x", text="Read this")
    assert (it.title_in("en"), it.summary_in("en")) == ("Read this", "Read this")
    with pytest.raises(ShareError, match="not an http"):
        item_for_url("javascript:alert(1)")
