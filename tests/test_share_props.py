"""Property tests of share links: any title or text gives a valid URL carrying exactly what was meant."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.content import Item
from outreach.share import BUNDLED_TARGETS, ShareOptions, build_link, load_targets
from outreach.textlimits import count

PAGE = "https://freeales.fidh.net/news/2011/11/sentence/?lang=be&x=1#top"
TARGETS = load_targets(BUNDLED_TARGETS)
LINKS = [n for n in TARGETS.networks if n.offerable and n.kind in ("link", "picker")]
OPTS = ShareOptions(lang="be", hashtags=("FreeAles", "Belarus"))

SPECIALS = [
    "&",
    "#",
    "?",
    "=",
    "%",
    "+",
    ";",
    '"',
    "'",
    "<b>",
    "\n",
    "\r\n",
    "\r",
    " ",
    "  ",
    "\t",
    "👩🏽‍⚖️",
    "🇧🇾",
    "❤️",
    "שלום",
    "مرحبا بالعالم",
    "\u200f",
    "\u202e",
    "Беларусь",
    "Вясна",
    "{title}",
    "}{",
    "%20",
    "%%",
    "https://x.com/a?b=c&d=e",
    "@ales@mastodon.social",
    "\x00",
    "e\u0301",
    "漢字かな交じり文",
]
piece = st.one_of(st.sampled_from(SPECIALS), st.text(max_size=12))
short = st.lists(piece, max_size=40).map("".join)
# Up to about 10 kB: a random chunk repeated.
long = st.builds(
    lambda chunk, n: (chunk * n)[:10_000],
    st.lists(piece, min_size=1, max_size=6).map("".join),
    st.integers(min_value=50, max_value=2_000),
)
texts = st.one_of(short, long)


def decode(href: str) -> dict[str, str]:
    parts = urlsplit(href)
    raw = parts.fragment if href.startswith("/") else parts.query
    assert "#" not in raw and " " not in href and "\n" not in href
    parsed = parse_qs(raw, keep_blank_values=True, strict_parsing=True)
    assert all(len(v) == 1 for v in parsed.values())
    return {k: v[0] for k, v in parsed.items()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=texts, summary=texts)
@pytest.mark.parametrize("net", LINKS, ids=lambda n: n.id)
def test_any_text_gives_a_valid_url_with_the_fitted_text(net, title, summary):
    item = Item(kind="news", id="n", url=PAGE, title={"be": title}, summary={"be": summary})
    link = build_link(net, item, OPTS)
    # Every character is encoded: the URL is plain ASCII and splits where it should.
    assert link.href.isascii()
    assert decode(link.href) == link.params
    # The page URL survives whole.
    assert any(PAGE in v for v in link.params.values())
    for name, p in net.params.items():
        if p.fit is None:
            continue
        value = link.params[name]
        measured = count(p.fit.counted.format_map({**link.params, "value": value}), p.fit.count)
        assert measured <= p.fit.limit
        if p.fit.shorten == "title":
            full = p.value.format_map(
                {"url": PAGE, "title": title, "summary": summary, "hashtags": "#FreeAles #Belarus"}
            )
            if count(full.strip(), p.fit.count) < p.fit.limit // 2 and len(title) < 100:
                # Short enough: nothing was cut (mailto only swaps line breaks for CRLF).
                expected = full.strip()
                if p.encode == "mailto":
                    expected = expected.replace("\r\n", "\n").replace("\n", "\r\n").strip()
                assert value == expected


@given(st.text())
def test_a_value_is_percent_encoded_as_quote_encodes_it(value):
    from urllib.parse import quote

    from outreach.share.links import _encoded

    try:
        expected = quote(value, safe="")
    except UnicodeEncodeError:  # a lone surrogate: no URL can carry it
        with pytest.raises(UnicodeEncodeError):
            _encoded(value)
        return
    assert _encoded(value) == expected
