"""Property tests: whatever a feed holds, what reaches subscribers is safe and well formed.

A feed is outside input: its titles, summaries, links and dates are drawn here from
hostile pieces (markup, CDATA, entities Telegram rejects, references to no character,
bidi overrides, controls, emoji sequences, spoofing links) mixed with any text. The
Telegram posts are checked by the fake Telegram's parser, written from the Bot API's
"HTML style" rules apart from outreach's own (tests/fakes/telegram_server.py).
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import grapheme
from fakes.telegram_server import CAPTION_LIMIT, MESSAGE_LIMIT, shown_text, utf16_units
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from outreach.config import FeedConfig
from outreach.content import parse_feed
from outreach.errors import ContentError
from outreach.fitting import ELLIPSIS, cut_points
from outreach.messages import Messages
from outreach.textlimits import mastodon_length

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
FEED = FeedConfig(id="partner", path="partner.xml")
# What no post may carry: C0/C1 controls but tab and newline, bidi embeddings,
# overrides and isolates, and lone surrogates (no UTF-8 or UTF-16 can hold them).
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

PIECES = [
    "&amp;", "&lt;b&gt;", "<![CDATA[<b>x</b> & y]]>", "<![CDATA[</a>&#xD800;]]>",
    "&#x202E;", "&#x2066;", "&#xD800;", "&#56320;", "&#x110000;", "&#99999999999999999999;",
    "&#0;", "&#x7;", "&#x1F600;", "&nbsp;", "&copy;", "&bogus;", "&", "&#", "&#x;", "<b>",
    "</i>", "<p>", "<br/>", "<script>alert(1)</script>", "<a href='javascript:x'>y</a>",
    "<tg-spoiler>", "</tg-spoiler>", "]]>", "<", ">", "\u202e", "\u2067", "\x07", "\x1b",
    "\t", "\n", " ", "👨\u200d👩\u200d👧", "🇧🇾", "e\u0301", "\u0600 ", "中文", "שלום",
    "Воля", "https://e.org/x?utm_source=n", "#FreeAles", "@user@example.org", "\u00a0",
]  # fmt: skip
text_piece = st.one_of(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), st.sampled_from(PIECES)
)
hostile_text = st.lists(text_piece, max_size=40).map("".join)
long_text = st.builds(lambda w, n: (w + " ") * n, hostile_text, st.integers(0, 400))
LINKS = [
    "https://p.example.org/news/1", "HTTPS://P.EXAMPLE.ORG/a?utm_source=x&amp;id=2",
    "http://p.example.org/%E2%80%AE", "javascript:alert(1)", "data:text/html,<script>",
    "/relative/path", "//evil.example/x", "https://campaign.example.org@evil.example/",
    "https://evil.example\\@campaign.example.org/", "https://[p.example.org/",
    "https://p.example.org:99999/", "https://p.example.org/\u202eftp.exe",
    "https://p.example.org/a b", 'https://p.example.org/"&gt;&lt;script&gt;', "https://",
    "https://p.example.org/&#xD800;", "  https://p.example.org/trim  ", "",
]  # fmt: skip
DATES = [
    "Mon, 02 Mar 2026 10:00:00 GMT", "Fri, 01 Jan 9999 00:00:00 GMT", "Mon, 01 Jan 0000 00:00:00 GMT",
    "Sat, 31 Dec 2016 23:59:60 GMT", "2026-13-45T99:99:99Z", "yesterday", "", "1e999",
]  # fmt: skip


def rss_entry(title: str, link: str, summary: str, guid: str | None, date: str) -> str:
    parts = [f"<title>{title}</title>", f"<link>{link}</link>", f"<description>{summary}</description>"]  # fmt: skip
    if guid is not None:
        parts.append(f"<guid>{guid}</guid>")
    if date:
        parts.append(f"<pubDate>{date}</pubDate>")
    return "<item>" + "".join(parts) + "</item>"


entries = st.lists(
    st.builds(
        rss_entry,
        hostile_text,
        st.sampled_from(LINKS) | st.builds(lambda t: f"https://p.example.org/{t}", hostile_text),
        hostile_text | long_text,
        st.none() | st.sampled_from(["g1", "g1", "g2", "&#xD800;", ""]),
        st.sampled_from(DATES),
    ),
    min_size=1,
    max_size=4,
)


def document(items: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        + "".join(items)
        + "</channel></rss>"
    ).encode("utf-8")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=entries)
@example(items=[rss_entry("Free &#xD800;Ales", "https://p.example.org/1", "s", "g", "")])
def test_any_feed_gives_items_and_posts_subscribers_can_read(bundled_config, items):
    try:
        found, _ = parse_feed(document(items), FEED, "en")
    except ContentError:
        return  # the feed's error, named; the poll goes on (test_hostile_feeds.py)
    messages = Messages(bundled_config)
    for item in found:
        for text in (item.title_in("en"), item.summary_in("en")):
            assert not UNSAFE.search(text)
        parts = urlsplit(item.url)
        assert parts.scheme in ("http", "https") and parts.hostname
        assert "@" not in parts.netloc and "\\" not in item.url and not UNSAFE.search(item.url)
        assert "utm_source" not in item.url
        parts.port  # noqa: B018 (raises on a port no one can connect to)
        subject = messages.subject_for_item(item)
        for channel in bundled_config.channels:
            rendered = messages.render_post(channel, subject, now=NOW)
            text = rendered.post.text
            assert not UNSAFE.search(text)
            if channel.kind == "telegram":
                shown = shown_text(text)  # raises where Telegram says "can't parse entities"
                assert utf16_units(shown) == rendered.length <= MESSAGE_LIMIT
                assert not UNSAFE.search(shown)
            else:
                assert mastodon_length(text, channel.content_warning or "") <= rendered.limit


def test_a_telegram_caption_is_counted_as_telegram_counts_it(bundled_config):
    # With an image the limit is the caption's; checked by the fake's own counting.
    from outreach.content import Image, Item

    title = "👨\u200d👩\u200d👧 &amp; <b> " * 40
    summary = "🇧🇾 Воля & <i>x</i> " * 400
    item = Item(
        kind="page",
        id="p",
        url="https://freeales.example.org/p",
        title={"en": title},
        summary={"en": summary},
        image=Image("https://freeales.example.org/i.jpg"),
    )
    messages = Messages(bundled_config)
    for channel in bundled_config.channels:
        if channel.kind != "telegram":
            continue
        r = messages.render_post(channel, messages.subject_for_item(item, "page"), now=NOW)
        assert r.limit == CAPTION_LIMIT and r.shortened
        assert utf16_units(shown_text(r.post.text)) == r.length <= CAPTION_LIMIT


@settings(max_examples=300, deadline=None)
@given(text=st.lists(text_piece, max_size=60).map("".join))
@example(text="\u0600 x y")
@example(text="a\u0600 \u0301b c")
def test_a_shortened_text_never_splits_a_user_perceived_character(text):
    whole = list(grapheme.graphemes(text.strip()))
    for form in cut_points(text):
        kept = form.removesuffix(ELLIPSIS) if form != text.strip() else form
        clusters = list(grapheme.graphemes(kept))
        # The kept part is the text's first clusters, each whole: none cut in two.
        assert clusters == whole[: len(clusters)], (form, whole)


def test_the_prepend_characters_are_the_grapheme_librarys():
    # fitting._PREPEND spares a walk of every word's end; it must be the data the counts use.
    from grapheme.grapheme_property_group import GraphemePropertyGroup, get_group_ord

    from outreach.fitting import _PREPEND

    found = {chr(c) for c in range(0x110000) if get_group_ord(c) == GraphemePropertyGroup.PREPEND}
    assert found == set(_PREPEND)
