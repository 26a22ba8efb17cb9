"""An entry without a title (valid RSS 2.0: a Mastodon account's feed, a microblog) is
announced under its text's first words, and the organiser told once; it was skipped,
and the news lost. Over a real SQLite ledger, through the watcher as run --once uses it."""

from __future__ import annotations

from pathlib import Path

from test_feeds_odd import Rig, rss

STATUS = (
    "<link>https://m.example.org/@viasna/1</link><guid>https://m.example.org/@viasna/1</guid>"
    "<pubDate>Mon, 02 Mar 2026 09:00:00 GMT</pubDate><description>{}</description>"
)


def test_an_entry_of_only_text_is_announced_under_its_first_words_and_said_once(
    tmp_path: Path,
):
    rig = Rig(tmp_path, backlog=5)
    text = "&lt;p&gt;Ales Bialiatski is free.&lt;/p&gt;&lt;p&gt;He was released today.&lt;/p&gt;"
    nothing = STATUS.format("").replace("/1<", "/0<")  # neither title nor text: skipped
    rig.serve(rss(STATUS.format(text), nothing))
    first = rig.poll()
    assert [i.title_in("en") for i in first.announced] == ["Ales Bialiatski is free."]
    assert [i.summary_in("en") for i in first.announced] == ["He was released today."]
    said = [p for p in first.problems if "first words of its text" in p]
    assert len(said) == 1 and "no title" in said[0], first.problems
    assert (
        "feed 'news': entry 'https://m.example.org/@viasna/0' skipped: the entry has no title"
        in first.problems
    )
    [post] = rig.posts()
    assert post.count("Ales Bialiatski is free.") == 1 and "He was released today." in post
    rig.serve(rss(STATUS.format(text)) + " ")
    again = rig.poll()
    assert again.announced == [] and again.problems == []


def test_a_long_first_line_is_cut_at_a_word_and_the_text_kept_whole(tmp_path: Path):
    rig = Rig(tmp_path, backlog=5)
    words = "The court in Minsk heard the appeal of the Viasna defenders " * 4
    rig.serve(rss(STATUS.format(words)))
    [item] = rig.poll().announced
    title = item.title_in("en")
    assert len(title) <= 100 and title.endswith("…") and words.startswith(title[:-1].rstrip())
    assert item.summary_in("en") == words.strip()
