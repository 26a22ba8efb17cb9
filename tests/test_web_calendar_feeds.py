"""The calendar says when each feed is next read: a feed's new items reach the ledger (and
the calendar) only then, and the console does not fetch feeds itself."""

from __future__ import annotations

import re

import pytest
from webkit import Site

from outreach.ledger import FeedState


@pytest.fixture
def site(tmp_path):
    s = Site(tmp_path)
    yield s
    s.close()


def feed_line(page: str) -> str:
    m = re.search(r'<p class="hint" id="feed-reads">(.*?)</p>', page, re.S)
    assert m is not None
    return " ".join(m.group(1).split())


def test_the_calendar_says_when_each_feed_is_next_read(site):
    v = site.signed_in("vera")
    assert feed_line(v.get("/calendar").text).endswith("news not read yet.")
    poll = site.config.feeds[0].poll_minutes
    site.ledger.save_feed_state(FeedState("news", last_poll=site.clock.now()))
    line = feed_line(v.get("/calendar").text)
    assert line.startswith("A feed&#39;s new items appear here once it is read")
    assert f"news next read Sun 1 Mar 2026, 12:{poll:02d}." in line
    assert "наступнае чытанне" in feed_line(v.get("/calendar?lang=be").text)
