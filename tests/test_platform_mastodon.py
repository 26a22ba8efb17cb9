"""Mastodon as docs.joinmastodon.org documents it, through Mastodon.py over HTTP to the fake.

Each test names the documented behaviour it holds outreach to: editing (PUT
/api/v1/statuses/:id, Mastodon 3.5) on a server without it, 404 and 410 for a
status that is gone, Retry-After in either of its HTTP forms, a refused or
disabled login, limits from /api/v2/instance or, before Mastodon 4.0, from
/api/v1/instance, and media posted only once processed.
"""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime

import pytest
from fakes.mastodon_server import FakeMastodon

from outreach.errors import Gone, PermanentError, RateLimited, TransientError
from outreach.networks.mastodon import MastodonChannel
from outreach.post import Post
from outreach.publishers.base import SentPost
from outreach.publishers.mastodon import MastodonPublisher

TOKEN = "mastodon-SECRET-token-4242"


@pytest.fixture
def ma():
    with FakeMastodon() as fake:
        yield fake


def publisher(fake: FakeMastodon) -> MastodonPublisher:
    channel = MastodonChannel(id="ma", kind="mastodon", instance=fake.url)
    return MastodonPublisher(
        channel, TOKEN, token_name="$MA_TOKEN", timeout=20, sleep=lambda s: None
    )


def sent(pub: MastodonPublisher, text: str = "Ales day 5000 https://e.org/") -> SentPost:
    post = Post("ma", "mastodon", text, "be")
    r = pub.publish(post, "k")
    return SentPost("ma", r.remote_id, r.url, post, r.place)


# -- edits and takedowns -------------------------------------------------------------------


def test_an_edit_on_a_server_without_editing_is_refused_and_not_called_gone():
    with FakeMastodon(can_edit=False) as fake:
        pub = publisher(fake)
        post = sent(pub)
        with pytest.raises(PermanentError) as refused:
            pub.edit(post, "corrected")
        assert not isinstance(refused.value, Gone)
        said = str(refused.value)
        assert "cannot edit posts (HTTP 404" in said and "3.5" in said
        assert post.link in said and "by hand" in said
        assert fake.texts() == ["Ales day 5000 https://e.org/"] and fake.live()
        # A deletion there works as ever.
        assert pub.delete(post).detail == "removed"


def test_an_edit_of_a_status_deleted_meanwhile_is_gone(ma):
    pub = publisher(ma)
    post = sent(pub)
    ma.find(post.remote_id)["deleted"] = True
    with pytest.raises(Gone, match=r"not on .* any more \(HTTP 404"):
        pub.edit(post, "corrected")


@pytest.mark.parametrize("doing", ["delete", "edit"])
def test_410_gone_is_gone(ma, doing):
    pub = publisher(ma)
    post = sent(pub)
    ma.fail_next(1, reply=ma.error(410, "Gone"), path=f"/api/v1/statuses/{post.remote_id}")
    with pytest.raises(Gone, match=r"not on .* any more \(HTTP 410"):
        pub.delete(post) if doing == "delete" else pub.edit(post, "corrected")


# -- rate limits ---------------------------------------------------------------------------


def test_retry_after_as_an_http_date_is_the_wait(ma):
    reply = ma.rate_limited(reset_in=600)
    at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=40)
    reply.headers["Retry-After"] = format_datetime(at, usegmt=True)
    ma.fail_next(1, reply=reply, path="/statuses")
    with pytest.raises(RateLimited) as limited:
        sent(publisher(ma))
    assert limited.value.retry_after is not None and 35 <= limited.value.retry_after <= 41
    assert ma.statuses == []


# -- the account: revoked, disabled --------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "answer", "words"),
    [
        (401, "The access token was revoked", "$MA_TOKEN"),
        (403, "Your login is currently disabled", "Your login is currently disabled"),
    ],
)
def test_a_revoked_token_or_a_disabled_account_is_permanent_and_says_what_to_fix(
    ma, status, answer, words
):
    ma.fail_next(1, reply=ma.error(status, answer), path="/statuses")
    with pytest.raises(PermanentError) as refused:
        sent(publisher(ma))
    said = str(refused.value)
    assert f"HTTP {status}" in said and words in said and TOKEN not in said
    assert ma.statuses == []


# -- limits --------------------------------------------------------------------------------


def test_limits_come_from_v2_instance_and_from_v1_before_mastodon_4():
    for v2 in (True, False):
        with FakeMastodon(max_characters=11000, instance_v2=v2) as fake:
            limits = publisher(fake).learn_limits()
            paths = [p.rstrip("/") for _, p in fake.log]
        assert limits["max_characters"] == 11000, v2
        assert limits["characters_reserved_per_url"] == 23
        assert limits["max_media_attachments"] == 4
        assert paths == (["/api/v2/instance"] if v2 else ["/api/v2/instance", "/api/v1/instance"])


# -- media ---------------------------------------------------------------------------------


def test_a_status_is_sent_only_once_its_image_is_processed(ma):
    """The fake refuses unprocessed media as Mastodon does (422, "Try again in a moment")."""
    ma.processing_polls = 3
    pub = publisher(ma)
    pub.fetch_image = lambda url: (b"png", "image/png")
    post = Post("ma", "mastodon", "Ales", "be", image_url="https://e.org/a.png", image_alt="A")
    pub.publish(post, "k")
    [status] = ma.statuses
    assert len(status["media_ids"]) == 1
    statuses = [p for m, p in ma.log if m == "POST" and p == "/api/v1/statuses"]
    assert len(statuses) == 1


def test_a_503_with_retry_after_says_when_to_come_back(ma):
    reply = ma.error(503)
    reply.headers["Retry-After"] = "120"
    ma.fail_next(1, reply=reply, path="/statuses")
    with pytest.raises(TransientError) as busy:
        sent(publisher(ma))
    assert not isinstance(busy.value, RateLimited)
    assert busy.value.retry_after == 120 and "HTTP 503" in str(busy.value)
    ma.fail_next(1, reply=ma.error(503), path="/statuses")
    with pytest.raises(TransientError) as busy:
        sent(publisher(ma))
    assert busy.value.retry_after is None  # the delivery loop's own backoff
