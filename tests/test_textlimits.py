"""Counting rules, checked against each platform's own definition."""

from __future__ import annotations

import pytest
from mastodon import Mastodon
from telegram import MessageEntity

from outreach import textlimits
from outreach.textlimits import count, mastodon_length, telegram_length, utf16_length

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # one grapheme: four emoji joined by three ZWJ
FLAG_BY = "🇧🇾"  # two regional indicators
E_COMBINING = "e\u0301"  # 'e' + combining acute accent: one grapheme, two code points
ASTRAL_CJK = "𠀀"  # CJK Extension B: outside the BMP, two UTF-16 units
LONG_URL = "https://freeales.fidh.net/news/2011/08/" + "a" * 300

# text -> (mastodon, telegram UTF-16, x weighted, graphemes, code points)
CASES = {
    "hello": (5, 5, 5, 5, 5),
    "😀": (1, 2, 2, 1, 1),
    FAMILY: (1, 11, 2, 1, 7),
    FLAG_BY: (1, 4, 2, 1, 2),
    E_COMBINING: (1, 2, 1, 1, 2),
    "中文字": (3, 3, 6, 3, 3),
    ASTRAL_CJK: (1, 2, 2, 1, 1),
    "שלום עולם": (9, 9, 9, 9, 9),  # Hebrew, right to left
    "مرحبا بالعالم": (13, 13, 13, 13, 13),  # Arabic, right to left
    "Волю Алесю": (10, 10, 10, 10, 10),
    LONG_URL: (23, len(LONG_URL), 23, len(LONG_URL), len(LONG_URL)),
    f"read {LONG_URL} now": (
        5 + 23 + 4,
        9 + len(LONG_URL),
        5 + 23 + 4,
        9 + len(LONG_URL),
        9 + len(LONG_URL),
    ),
}


@pytest.mark.parametrize("text", list(CASES), ids=[repr(t)[:30] for t in CASES])
def test_every_rule_on_hard_text(text):
    mastodon, telegram, x, graphemes, chars = CASES[text]
    assert count(text, "mastodon") == mastodon
    assert count(text, "telegram") == telegram
    assert count(text, "x_weighted") == x
    assert count(text, "graphemes") == graphemes
    assert count(text, "chars") == chars


@pytest.mark.parametrize("text", list(CASES), ids=[repr(t)[:30] for t in CASES])
def test_mastodon_matches_mastodon_py(text):
    assert mastodon_length(text) == Mastodon.get_status_length(text)


def test_mastodon_counts_the_content_warning_and_remote_mentions():
    assert mastodon_length("hello", "CW: prison") == 5 + 10
    assert mastodon_length("hello", FAMILY) == 6
    # A remote mention counts only its local part, as Mastodon does.
    assert mastodon_length("hi @ales@mastodon.example.org") == len("hi @ales")
    assert mastodon_length("hi @ales@mastodon.example.org", "cw") == Mastodon.get_status_length(
        "hi @ales@mastodon.example.org", "cw"
    )


@pytest.mark.parametrize("text", list(CASES), ids=[repr(t)[:30] for t in CASES])
def test_telegram_counts_utf16_units_like_the_bot_api(text):
    # python-telegram-bot converts Python offsets to Telegram's UTF-16 ones; an entity
    # spanning the whole text must come out exactly as long as our count.
    entity = MessageEntity(MessageEntity.BOLD, 0, len(text))
    (adjusted,) = MessageEntity.adjust_message_entities_to_utf_16(text, [entity])
    assert adjusted.length == utf16_length(text) == telegram_length(text)


@pytest.mark.parametrize(
    ("html_text", "shown"),
    [
        ("<b>Free</b> <i>Ales</i>", "Free Ales"),
        (f'<a href="{LONG_URL}">read</a>', "read"),  # the link target is not counted
        ("&lt;script&gt;", "<script>"),
        ("&amp;amp;", "&amp;"),  # decoded once, as Telegram does
        ("&#34;Viasna&#34;", '"Viasna"'),
        ("  <b>padded</b>\n\n", "padded"),  # Telegram trims the message
        (f"<b>{FAMILY}</b>", FAMILY),
    ],
)
def test_telegram_counts_after_entity_parsing(html_text, shown):
    assert textlimits.telegram_plain(html_text) == shown
    assert telegram_length(html_text) == utf16_length(shown)


# twitter-text v3's rules, worked by hand: weight 1 for U+0000-10FF, U+2000-200D,
# U+2010-201F, U+2032-2037, 2 for anything else; an emoji sequence 2; any URL 23,
# with or without a scheme; the text NFC-normalised first.
X_RULES = {
    "Hi http://test.co": 3 + 23,
    "english text 日本語 😷 https://example.com": 13 + 6 + 1 + 2 + 1 + 23,
    "test.com": 23,  # no scheme: still a URL
    "Test https://test.com test https://test.com test.com test": 5 + 6 + 1 + 5 + 3 * 23,
    "저찀쯿쿿": 8,  # Hangul: 2 each
    "\U00010000\U0010ffff": 4,  # outside the BMP: 2 each
    "l\u2019appel": 7,  # the right single quote is in the weight-1 ranges
    "Ales…": 4 + 2,  # the ellipsis is not: a shortened text costs 2 more, not 1
    "e\u0301": 1,  # NFC makes it one code point, é
    "Free Ales 🇧🇾 👨\u200d👩\u200d👧\u200d👦": 10 + 2 + 1 + 2,
}


@pytest.mark.parametrize("text", list(X_RULES), ids=[repr(t)[:30] for t in X_RULES])
def test_x_counts_by_twitter_text_v3_rules(text):
    assert count(text, "x_weighted") == X_RULES[text]


def test_telegram_limits_are_the_bot_api_ones():
    from outreach.networks import mastodon, telegram

    assert telegram.MESSAGE_LIMIT == 4096
    assert telegram.CAPTION_LIMIT == 1024
    assert mastodon.DEFAULT_LIMIT == 500


def test_unknown_rule_lists_the_known_ones():
    with pytest.raises(ValueError, match="known: chars, graphemes, mastodon, telegram, x_weighted"):
        count("x", "tiktok")
