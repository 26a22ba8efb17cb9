"""Share links carry nothing about the reader that the campaign did not ask for."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from outreach.config import Utm
from outreach.content import Image, Item
from outreach.share import (
    BUNDLED_TARGETS,
    ShareOptions,
    build_link,
    item_fields,
    load_targets,
    shared_url,
)

TARGETS = load_targets(BUNDLED_TARGETS)
TAGGED = (
    "https://example.org/news/1?utm_source=rss&utm_medium=feed&id=7&fbclid=abc"
    "&gclid=x&yclid=y&mc_cid=1&mc_eid=2&_ga=3&msclkid=4&igshid=5#part"
)


def test_tracking_parameters_already_in_a_page_url_are_not_shared_when_utm_is_off():
    # Feeds (Feedburner, WordPress plugins, newsletters) hand out links with their own tags.
    assert shared_url(TAGGED, "telegram", ShareOptions(lang="en")) == (
        "https://example.org/news/1?id=7#part"
    )


def test_every_share_link_is_free_of_tracking_parameters_when_utm_is_off():
    item = Item(kind="news", id="n", url=TAGGED, title={"en": "T"})
    for net in TARGETS.networks:
        if net.offerable:
            link = build_link(net, item, ShareOptions(lang="en"))
            for text in (link.href, link.page_url, *link.params.values()):
                for tag in ("utm_", "fbclid", "gclid", "mc_cid", "_ga", "msclkid", "igshid"):
                    assert tag not in text, (net.id, text)


def test_with_utm_on_only_the_campaigns_own_tags_are_shared():
    opts = ShareOptions(lang="en", utm=Utm(enabled=True, campaign="free-ales"))
    query = parse_qs(urlsplit(shared_url(TAGGED, "x", opts)).query)
    assert query == {
        "id": ["7"],
        "utm_source": ["share"],
        "utm_medium": ["social"],
        "utm_campaign": ["free-ales"],
        "utm_content": ["x"],
    }


def test_a_url_without_tracking_parameters_is_shared_exactly_as_written():
    for url in ("https://example.org/a?b=1&c=&d=%20x", "https://example.org/a?", "https://e.org/"):
        assert shared_url(url, "x", ShareOptions(lang="en")) == url


def test_the_mirror_replaces_only_the_campaigns_own_host():
    opts = ShareOptions(
        lang="en", base_url="https://freeales.org", mirror_url="https://mirror.example/"
    )
    assert shared_url("https://freeales.org/about", "x", opts) == "https://mirror.example/about"
    # Another site whose name merely starts like the campaign's is not the campaign.
    other = "https://freeales.org.evil.example/about"
    assert shared_url(other, "x", opts) == other


def test_an_image_that_is_not_http_never_reaches_a_share_parameter():
    fields_net = next(n for n in TARGETS.networks if n.id == "x")
    for bad in ("javascript:alert(1)", "data:image/png;base64,AAAA", "/srv/img.jpg"):
        item = Item(kind="page", id="p", url="https://e.org/", title={"en": "T"}, image=Image(bad))

        assert item_fields(item, item.url, ShareOptions(lang="en"))["image"] == ""
        assert bad not in build_link(fields_net, item, ShareOptions(lang="en")).href
    ok = Item(
        kind="page",
        id="p",
        url="https://e.org/",
        title={"en": "T"},
        image=Image("https://e.org/a.jpg"),
    )
    assert item_fields(ok, ok.url, ShareOptions(lang="en"))["image"] == "https://e.org/a.jpg"
