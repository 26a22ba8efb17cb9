"""How each network counts the length of a text.

Each rule is the platform's own definition, through the platform's own
library where one exists:
- mastodon: grapheme clusters, every URL as 23 (or the instance's
  characters_reserved_per_url), `@user@domain` as `@user`, the content
  warning counted too (Mastodon.py's `get_status_length`);
- telegram: UTF-16 code units of the text after entity parsing (HTML tags
  gone, entities decoded, surrounding white space trimmed);
- x_weighted: twitter-text v3 weights: most scripts other than Latin count
  2, emoji sequences 2, every URL 23 (twitter-text-parser, vendored in
  outreach/_vendor: the release needs pkg_resources; _vendor/README.md says why);
- graphemes: user-perceived characters (Bluesky);
- chars: Unicode code points, for networks that document no rule.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from typing import Literal

import grapheme

CountRule = Literal["mastodon", "telegram", "x_weighted", "graphemes", "chars"]

URL_WEIGHT = 23

_TAG = re.compile(r"<[^>]*>")


def graphemes(text: str) -> int:
    return grapheme.length(text)


def mastodon_length(text: str, spoiler_text: str = "", url_weight: int = URL_WEIGHT) -> int:
    """`url_weight`: what the instance counts a link as (its characters_reserved_per_url)."""
    from mastodon import Mastodon  # heavy import: only when a Mastodon text is counted

    length = Mastodon.get_status_length(text, spoiler_text)
    if url_weight != URL_WEIGHT:
        # Mastodon.py counts each link it finds as 23; the same links, at the instance's weight.
        from mastodon.utility import url_regex

        length += (url_weight - URL_WEIGHT) * sum(1 for _ in url_regex.finditer(text))
    return length


def telegram_plain(html_text: str) -> str:
    """The text Telegram shows for an HTML-mode message: tags out, entities decoded."""
    return html.unescape(_TAG.sub("", html_text)).strip()


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def telegram_length(html_text: str) -> int:
    return utf16_length(telegram_plain(html_text))


def x_weighted_length(text: str) -> int:
    from ._vendor.twitter_text import parse_tweet  # builds its emoji regex on first import

    return parse_tweet(text).weightedLength


def chars(text: str) -> int:
    return len(text)


COUNTERS: dict[str, Callable[[str], int]] = {
    "mastodon": mastodon_length,
    "telegram": telegram_length,
    "x_weighted": x_weighted_length,
    "graphemes": graphemes,
    "chars": chars,
}


# What twitter-text v3 weighs 2: outside its config's weight-1 ranges, plus (C) and (R),
# which weigh 2 as emoji.
_X_HEAVY = re.compile("[^\x00-\xa8\xaa-\xad\xaf-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")


def _mastodon_bound(text: str) -> int:
    # Only http(s):// URLs count as 23, and each holds at least 8 code points.
    return len(text) + 23 * text.count("://")


def _x_bound(text: str) -> int:
    normal = unicodedata.normalize("NFC", text)
    heavy = len(_X_HEAVY.findall(normal))  # at most 2 each, emoji sequences included
    # Every URL twitter-text finds has a '.' in its domain (it skips texts without one).
    return len(normal) + heavy + 23 * normal.count(".")


# A grapheme cluster holds at least one code point: len() bounds graphemes and chars.
_BOUNDS: dict[str, Callable[[str], int]] = {
    "graphemes": len,
    "chars": len,
    "mastodon": _mastodon_bound,
    "x_weighted": _x_bound,
}


def upper_bound(text: str, rule: str) -> int:
    """A cheap count never below `count(text, rule)`: within a limit, the text is too.

    The exact mastodon, x_weighted and graphemes rules walk the text in pure
    Python (grapheme clusters, URL and emoji regexes); most texts are far inside
    their limits and this spares them the walk. Rules without a cheap bound are
    counted exactly.
    """
    bound = _BOUNDS.get(rule)
    return bound(text) if bound is not None else count(text, rule)


def count(text: str, rule: str) -> int:
    try:
        counter = COUNTERS[rule]
    except KeyError:
        from .validation_words import unknown  # difflib: only for a mistyped rule

        raise ValueError(unknown("counting rule", rule, sorted(COUNTERS))) from None
    return counter(text)
