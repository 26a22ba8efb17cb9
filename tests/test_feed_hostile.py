"""Feed entries written to hurt: bad links, huge or spoofing titles, control characters."""

from __future__ import annotations

from outreach.config import FeedConfig
from outreach.content import parse_feed

FEED = FeedConfig(id="news", path="news.xml")


def rss(*entries: str) -> bytes:
    body = "".join(f"<item>{e}</item>" for e in entries)
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"{body}</channel></rss>"
    ).encode()


def entry(title: str, link: str, summary: str = "s", guid: str = "g") -> str:
    return (
        f"<title>{title}</title><link>{link}</link><guid>{guid}</guid>"
        f"<description>{summary}</description>"
    )


def test_links_that_are_not_http_with_a_host_are_reported_not_announced():
    bad = [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "https://",
        "https:// e.org/",
        "ftp://e.org/x",
    ]
    items, problems = parse_feed(
        rss(*(entry(f"T{i}", link, guid=f"g{i}") for i, link in enumerate(bad))), FEED, "en"
    )
    assert items == []
    assert [p.entry for p in problems] == list(range(len(bad)))
    assert all("http(s) link" in p.reason for p in problems)


def test_an_upper_case_scheme_is_still_an_http_link():
    items, problems = parse_feed(rss(entry("T", "HTTPS://e.org/a")), FEED, "en")
    assert problems == [] and len(items) == 1


def test_control_and_bidi_override_characters_are_taken_out_of_titles_and_summaries():
    # U+202E turns the rest of a post around ("moc.elgoog" shown as "google.com").
    title = "Free\u202e moc.live\u202c Ales\x07\x1b &#x202D;x&#x2066;y&#x2069;"
    summary = "a\x00b\u202bc\u2067d\r\nsecond\x0bline"
    items, problems = parse_feed(rss(entry(title, "https://e.org/1", summary)), FEED, "en")
    assert problems == []
    assert items[0].title_in("en") == "Free moc.live Ales xy"
    assert items[0].summary_in("en") == "abcd\nsecondline"


def test_a_title_of_only_hostile_characters_is_no_title():
    hostile = "\u202e\x07\u2066"
    items, problems = parse_feed(rss(entry(hostile, "https://e.org/1", summary="")), FEED, "en")
    assert items == [] and problems[0].reason == "the entry has no title"
    # with a text, its first words are the title, as for any untitled entry
    [item], _ = parse_feed(rss(entry(hostile, "https://e.org/1", summary="Free Ales")), FEED, "en")
    assert item.title_in("en") == "Free Ales" and item.summary_in("en") == ""


def test_a_one_megabyte_title_is_shortened_at_a_word_boundary():
    items, problems = parse_feed(rss(entry("word " * 200_000, "https://e.org/1")), FEED, "en")
    assert problems == []
    title = items[0].title_in("en")
    assert len(title) <= 500 and title.endswith("word…")
    long_summary = "para " * 50_000
    items, _ = parse_feed(rss(entry("T", "https://e.org/1", long_summary)), FEED, "en")
    assert 1_000 < len(items[0].summary_in("en")) <= 20_000


def test_tracking_parameters_a_newsletter_left_never_reach_subscribers():
    link = "https://e.org/news/1?id=7&amp;utm_source=newsletter&amp;fbclid=abc&amp;lang=be"
    [item], _ = parse_feed(rss(entry("T", link)), FEED, "en")
    assert item.url == "https://e.org/news/1?id=7&lang=be"


def test_summaries_keep_every_word_a_browser_would_show():
    # A bare "<" or ">" in prose is text; a comment goes whole, markup inside it too.
    cases = {
        "Scores: 5 &lt; 6 and 7 &gt; 3 today": "Scores: 5 < 6 and 7 > 3 today",
        "<![CDATA[Scores: 5 < 6 and 7 > 3 today]]>": "Scores: 5 < 6 and 7 > 3 today",
        "<![CDATA[x <!-- <b>hidden --> y]]>": "x y",
        "<![CDATA[<p>First <b>bold</b> &amp; more</p><p>Second<br/>line</p>]]>": (
            "First bold & more\nSecond\nline"
        ),
        "<![CDATA[keep<script>alert(1)</script> this<style>p{}</style>]]>": "keep this",
    }
    entries = [entry(f"T{i}", f"https://e.org/{i}", s, f"g{i}") for i, s in enumerate(cases)]
    items, problems = parse_feed(rss(*entries), FEED, "en")
    assert problems == []
    got = {i.title_in("en"): i.summary_in("en") for i in items}
    assert got == {f"T{i}": want for i, want in enumerate(cases.values())}
