"""A long feed's first posts are committed (sendable) before the rest is rendered (issue 15:
the first of 1,000 items waited for the first hundred to be rendered and written)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from test_feeds import CHANNELS, Rig

from outreach.outbox import LEAD


def long_feed(path: Path, items: int) -> None:
    entries = [
        f"<item><title>Update {i} on the trial</title>"
        f"<link>https://news.example.org/{i}/</link><guid>news-{i}</guid>"
        f"<pubDate>{(dt.datetime(2026, 3, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=i)):%a, %d %b %Y %H:%M:%S +0000}</pubDate>"
        f"<description>Day {i} &amp; counting.</description></item>"
        for i in reversed(range(items))  # newest first, as feeds are
    ]
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title>'
        "<link>https://news.example.org/</link><description>d</description>"
        + "".join(entries)
        + "</channel></rss>",
        encoding="utf-8",
    )


def test_the_first_items_of_a_long_feed_are_committed_before_the_rest_is_rendered(
    tmp_path: Path,
):
    rig = Rig(tmp_path, backlog=100)
    long_feed(tmp_path / "feed.xml", LEAD + 15)
    rows_when_told: list[tuple[int, int]] = []
    rendered_when_told: list[int] = []
    rendered = 0
    prepare = rig.watcher.outbox.prepare

    def counting(*args, **kwargs):
        nonlocal rendered
        rendered += 1
        return prepare(*args, **kwargs)

    rig.watcher.outbox.prepare = counting  # type: ignore[method-assign]

    def progress(_feed: str, n: int, _total: int) -> None:
        rows_when_told.append((n, len(rig.ledger.deliveries())))
        rendered_when_told.append(rendered)

    [result] = rig.watcher.poll_all(rig.config.feeds[:1], progress)
    assert result.ok and len(result.announced) == LEAD + 15
    # told of the first item once the first LEAD items' rows were committed, and before
    # any later item was rendered
    assert rows_when_told[0] == (1, LEAD * len(CHANNELS))
    assert rendered_when_told[0] == LEAD
    assert rows_when_told[-1] == (LEAD + 15, (LEAD + 15) * len(CHANNELS))
    assert [i.title_in("en") for i in result.announced] == [
        f"Update {i} on the trial" for i in range(LEAD + 15)
    ]  # oldest first, each once
    assert len(rig.announced()) == LEAD + 15


def test_a_feed_shorter_than_the_lead_is_one_batch(tmp_path: Path):
    rig = Rig(tmp_path, backlog=100)
    long_feed(tmp_path / "feed.xml", LEAD - 1)
    rows_when_told: list[int] = []
    progress = lambda _f, _n, _t: rows_when_told.append(len(rig.ledger.deliveries()))  # noqa: E731
    rig.watcher.poll_all(rig.config.feeds[:1], progress)
    assert rows_when_told == [(LEAD - 1) * len(CHANNELS)] * (LEAD - 1)


def test_each_batch_after_the_lead_is_twice_the_one_before_up_to_the_batch_size(
    tmp_path: Path,
):
    rig = Rig(tmp_path)
    chunks = rig.watcher.outbox.queue_batches(
        list(range(260)), lambda w, _limits: w, lambda _batch, w, r: r, size=100, lead=10
    )
    assert [len(chunk) for chunk in chunks] == [10, 20, 40, 80, 100, 10]
    assert rig.ledger.deliveries() == []  # nothing written by these writers
