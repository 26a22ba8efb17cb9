"""Fitting a very long text (a feed that puts a whole article in its summary or title)."""

from __future__ import annotations

import tracemalloc

from outreach.fitting import ELLIPSIS, cut_points, fit


def test_fitting_a_long_text_does_not_hold_every_shortened_form_in_memory():
    # 8,000 words: all their prefixes at once would be ~160 MB; a 1 MB feed title, 100 GB.
    part = "word " * 8_000
    tracemalloc.start()
    try:
        out = fit(lambda s: f"{s} https://e.org/", part, len, 100)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert out.endswith(f"{ELLIPSIS} https://e.org/") and len(out) <= 100
    assert peak < 10 * 1024 * 1024, peak


def test_the_longest_fitting_form_is_chosen_at_a_word_boundary():
    part = "alpha, beta gamma. delta"
    assert fit(lambda s: s, part, len, 18) == "alpha, beta gamma" + ELLIPSIS
    assert fit(lambda s: s, part, len, 12) == "alpha, beta" + ELLIPSIS
    assert fit(lambda s: s, part, len, 7) == "alpha" + ELLIPSIS
    assert fit(lambda s: s, part, len, 3) == ""
    assert fit(lambda s: s, "🇧🇾🇧🇾🇧🇾", len, 4) == "🇧🇾" + ELLIPSIS


def test_cut_points_lists_every_form_longest_first():
    assert cut_points("a, b c") == ["a, b c", "a, b" + ELLIPSIS, "a" + ELLIPSIS, ""]
    assert cut_points(" - x") == ["- x", ""]
    assert cut_points("") == [""]
    assert cut_points("añ") == ["añ", "a" + ELLIPSIS, ""]
