"""A feed read from a file has no address; its relative links ('/news/43': RSS 2.0 does
not allow them, CMSs write them) are read against the site its channel names (RSS's
<channel><link>, Atom's <link rel="alternate">), which feedparser does not do. They were
skipped as 'the entry has no http(s) link' and the news lost. Without such a site the
entry is still skipped, and the organiser told why and what to do. Through the CLI, a
feed file next to the campaign, a real SQLite ledger."""

from __future__ import annotations

from pathlib import Path

from test_feed_backfill_once import Feed

SITE = "https://campaign.example.org/blog/"


def rss(channel_link: str | None, *items: str) -> str:
    link = f"<link>{channel_link}</link>" if channel_link else ""
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
        '<channel><title>t</title><atom:link rel="self" href="https://feeds.example.org/f"/>'
        f"{link}{''.join(f'<item>{i}</item>' for i in items)}</channel></rss>"
    )


def test_relative_links_of_a_file_feed_are_read_against_its_channels_site(tmp_path: Path):
    feed = Feed(tmp_path)
    feed.serve(
        rss(
            SITE,
            "<title>Verdict</title><link>/news/43</link><guid>123</guid>",
            "<title>Appeal</title><link>appeal-44</link>",
            "<title>Kept</title><link>https://n.example.org/k</link>",
        )
    )
    report = feed("poll", "news")
    assert report["problems"] == [] and len(report["announced"]) == 3
    posts = "\n".join(feed.posts_whole())
    assert "https://campaign.example.org/news/43" in posts
    assert "https://campaign.example.org/blog/appeal-44" in posts
    assert "https://n.example.org/k" in posts
    # a GUID is not a link: '123' keeps its key, so the item is not new at the next read
    feed.serve(rss(SITE, "<title>Verdict</title><link>/news/43</link><guid>123</guid>"))
    assert feed("poll", "news")["announced"] == []


def test_an_atom_file_is_read_against_its_alternate_link_not_its_self_link(tmp_path: Path):
    feed = Feed(tmp_path)
    feed.serve(
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        '<id>urn:f</id><link rel="self" href="https://feeds.example.org/atom.xml"/>'
        f'<link rel="alternate" href="{SITE}"/>'
        '<entry><title>Verdict</title><id>urn:1</id><link href="/news/43"/></entry></feed>'
    )
    assert feed("poll", "news")["problems"] == []
    assert "https://campaign.example.org/news/43" in "\n".join(feed.posts_whole())


def test_without_a_site_a_relative_link_is_skipped_and_the_organiser_told_why(
    tmp_path: Path,
):
    feed = Feed(tmp_path)
    feed.serve(rss("/blog/", "<title>Verdict</title><link>/news/43</link>"))  # relative too
    report = feed("poll", "news")
    assert report["announced"] == []
    assert report["problems"] == [
        "feed 'news': entry 'Verdict' skipped: the entry's link '/news/43' is relative, and "
        "the feed names no site it is relative to: give its <channel> a <link> with the "
        'site\'s address (Atom: <link rel="alternate" href=...>), or read the feed by its url:'
    ]
