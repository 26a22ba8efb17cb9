"""upper_bound: the cheap count that lets fitting skip exact counting must never undercount."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.textlimits import COUNTERS, count, upper_bound

# Pieces that each rule treats specially: URLs with and without a scheme, short
# ones (counted 23, longer than themselves), emoji sequences, (C)/(R) (2 as emoji
# on X, 1 as characters), CJK, combining marks, mentions, entities and tags.
PIECES = [
    "https://a.co",
    "http://x.io/p?q=1",
    "HTTPS://B.CO",
    "x.com",
    "a.b.c.org",
    "t.co/abc",
    "@user@example.org",
    "©",
    "®",
    "™",
    "‼",
    "1\ufe0f\u20e3",
    "👨\u200d👩\u200d👧\u200d👦",
    "🇧🇾",
    "😀",
    "e\u0301",
    "\u0958",  # NFC decomposes it into two code points
    "中文",
    "𠀀",
    "Волю",
    "&amp;",
    "<b>x</b>",
    "\r\n",
    " ",
    ".",
    ":",
    "//",
]

texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=12).map("".join)


@pytest.mark.parametrize("rule", sorted(COUNTERS))
@pytest.mark.parametrize("text", [*PIECES, " ".join(PIECES), "".join(PIECES)])
def test_bound_is_never_below_the_count_on_hard_pieces(rule, text):
    assert upper_bound(text, rule) >= count(text, rule)


@settings(max_examples=150, deadline=None)
@given(text=texts, rule=st.sampled_from(sorted(COUNTERS)))
def test_bound_is_never_below_the_count(text, rule):
    assert upper_bound(text, rule) >= count(text, rule)


def test_bound_is_exact_for_plain_text():
    # Plain text with no URL: the bound is the count itself, so nothing is refused early.
    for rule in COUNTERS:
        assert upper_bound("Free Ales Bialiatski", rule) == count("Free Ales Bialiatski", rule)


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="unknown counting rule"):
        upper_bound("x", "nope")


@settings(max_examples=100, deadline=None)
@given(text=texts, warning=st.one_of(st.none(), texts))
def test_each_channels_bound_is_never_below_its_length(text, warning):
    # What messages fit with: a post within the limit by the bound is not counted exactly.
    from outreach.networks import network

    for channel in _bundled_channels():
        if "content_warning" in type(channel).model_fields:
            channel = channel.model_copy(update={"content_warning": warning})
        net = network(channel.kind)
        assert net.length_bound(channel, text) >= net.length(channel, text)


@functools.cache
def _bundled_channels() -> tuple[Any, ...]:
    from outreach.config import load_config

    return tuple(load_config(None, {}).channels)
