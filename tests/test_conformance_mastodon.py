"""Mastodon where its documentation and our fake used to part ways.

Through Mastodon.py over HTTP to tests/fakes/mastodon_server.py, corrected to the
documentation and Mastodon's own code (docs/platform_conformance.md has the table):

- a status's length is counted as StatusLengthValidator counts it: grapheme
  clusters, every link as 23, `@user@domain` as `@user`, the content warning too;
  outreach's count (networks/mastodon.py) and the server's must agree at the limit;
- an Idempotency-Key is the account's and is kept for one hour (PostStatusService:
  `idempotency:status:<account>:<key>`, `setex ... 3_600`);
- a proxy in front of Mastodon answers 502/503/504 with an HTML page, not JSON.
"""

from __future__ import annotations

import pytest
from fakes.mastodon_server import FakeMastodon

from outreach.errors import PermanentError, TransientError
from outreach.networks.mastodon import IDEMPOTENCY_WINDOW, Mastodon, MastodonChannel
from outreach.post import Post
from outreach.publishers.mastodon import MastodonPublisher

TOKEN = "mastodon-SECRET-token-4242"
OTHER = "mastodon-SECRET-token-other"


@pytest.fixture
def ma():
    with FakeMastodon() as fake:
        yield fake


def channel(fake: FakeMastodon, **kw) -> MastodonChannel:
    return MastodonChannel(id="ma", kind="mastodon", instance=fake.url, **kw)


def publisher(fake: FakeMastodon, token: str = TOKEN, **kw) -> MastodonPublisher:
    return MastodonPublisher(
        channel(fake, **kw), token, token_name="$MA_TOKEN", timeout=20, sleep=lambda s: None
    )


# -- the length, as the server counts it ---------------------------------------------------

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one grapheme, five code points
FLAG = "\U0001f1e7\U0001f1fe"  # one grapheme (the flag of Belarus), two code points
LINK = "https://spring96.org/en/news/" + "a" * 60


def at(limit: int, ch: MastodonChannel) -> str:
    """A text that counts exactly `limit` by outreach's count: emoji sequences, a long
    link and a remote mention, filled up with letters."""
    head = f"{FAMILY}{FLAG} Free Ales, writes @spring96@mastodon.social: {LINK} "
    text = head + "x" * (limit - Mastodon().length(ch, head))
    assert Mastodon().length(ch, text) == limit
    return text


@pytest.mark.parametrize("warning", [None, "prison \u270a\U0001f3fd"])
def test_a_status_at_the_limit_as_outreach_counts_it_is_taken_and_one_more_is_refused(ma, warning):
    ch = channel(ma, content_warning=warning)
    pub = publisher(ma, content_warning=warning)
    text = at(500, ch)
    assert len(text) + len(warning or "") > 500, "the code points alone would be over"
    receipt = pub.publish(Post("ma", "mastodon", text, "en", spoiler_text=warning or ""), "k1")
    assert ma.find(receipt.remote_id) is not None
    with pytest.raises(PermanentError) as refused:
        pub.publish(Post("ma", "mastodon", text + "x", "en", spoiler_text=warning or ""), "k2")
    assert "Text character limit of 500 exceeded" in str(refused.value)
    assert len(ma.statuses) == 1


def test_a_short_link_counts_23_on_the_server_as_in_outreach(ma):
    ch = channel(ma)
    text = "https://t.co/x " * 20 + "y" * 20  # each link 14 code points, 23 as counted
    assert Mastodon().length(ch, text) == 20 * 24 + 20 == 500
    publisher(ma).publish(Post("ma", "mastodon", text.rstrip(), "en"), "k1")
    with pytest.raises(PermanentError, match="Text character limit of 500 exceeded"):
        publisher(ma).publish(Post("ma", "mastodon", "https://t.co/x " * 21, "en"), "k2")


# -- Idempotency-Key: the account's, for an hour ----------------------------------------


def test_a_resend_within_the_hour_is_the_first_status_and_outreach_stops_trusting_it_before(
    ma,
):
    pub = publisher(ma)
    first = pub.publish(Post("ma", "mastodon", "Day 5000", "en"), "d1")
    ma.age_keys(IDEMPOTENCY_WINDOW.total_seconds())
    assert pub.publish(Post("ma", "mastodon", "Day 5000", "en"), "d1") == first
    assert len(ma.statuses) == 1
    # Past Mastodon's hour the key is forgotten and the same request posts again:
    # outreach's window for resending (55 minutes) ends before it.
    ma.age_keys(3600 - IDEMPOTENCY_WINDOW.total_seconds())
    assert pub.publish(Post("ma", "mastodon", "Day 5000", "en"), "d1") != first
    assert len(ma.statuses) == 2


def test_a_key_is_the_accounts_another_account_posts_its_own(ma):
    mine = publisher(ma).publish(Post("ma", "mastodon", "Day 5000", "en"), "d1")
    theirs = publisher(ma, OTHER).publish(Post("ma", "mastodon", "Day 5000", "en"), "d1")
    assert mine.remote_id != theirs.remote_id
    assert [s["token"] for s in ma.statuses] == [TOKEN, OTHER]


# -- a proxy's page instead of Mastodon's JSON ------------------------------------------


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_proxys_html_error_page_is_transient_and_not_quoted(ma, status):
    ma.fail_next(1, reply=ma.proxy_error(status), path="/statuses")
    with pytest.raises(TransientError) as exc:
        publisher(ma).publish(Post("ma", "mastodon", "Day 5000", "en"), "d1")
    said = str(exc.value)
    assert f"HTTP {status}" in said and "<html" not in said and "nginx" not in said
    assert ma.statuses == []


def test_a_503_page_with_retry_after_says_when_to_come_back(ma):
    ma.fail_next(1, reply=ma.proxy_error(503, retry_after=120), path="/statuses")
    with pytest.raises(TransientError) as exc:
        publisher(ma).publish(Post("ma", "mastodon", "Day 5000", "en"), "d1")
    assert exc.value.retry_after is not None and 100 < exc.value.retry_after <= 120


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_proxys_error_after_the_status_was_stored_is_resent_and_posted_once(ma, status):
    ma.fail_next(1, "reply_after", reply=ma.proxy_error(status), path="/statuses")
    pub = publisher(ma)
    with pytest.raises(TransientError):
        pub.publish(Post("ma", "mastodon", "Day 5000", "en"), "d1")
    assert len(ma.statuses) == 1, "the server did post"
    receipt = pub.publish(Post("ma", "mastodon", "Day 5000", "en"), "d1")
    assert len(ma.statuses) == 1 and ma.replays == 1
    assert receipt.remote_id == ma.statuses[0]["id"]
