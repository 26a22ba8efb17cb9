"""The real Mastodon.py client against a fake Mastodon on 127.0.0.1: posts and every failure."""

from __future__ import annotations

import datetime as dt

import pytest
from fakes.mastodon_server import PNG, FakeMastodon

from outreach.clock import ScaledClock
from outreach.errors import PermanentError, RateLimited, TransientError
from outreach.networks.mastodon import MastodonChannel
from outreach.post import Post
from outreach.publishers.mastodon import MastodonPublisher

TOKEN = "mastodon-SECRET-token-4242"


@pytest.fixture
def mastodon_fake():
    with FakeMastodon() as fake:
        yield fake


TIMEOUT = 20.0
"""The client's timeout in tests: far beyond what a request to the fake takes at any load."""
SHORT = 3.0
"""Where a test needs the client to give up: the fake holds its answer (far) longer."""


def publisher(fake: FakeMastodon, timeout: float = TIMEOUT, **kw) -> MastodonPublisher:
    channel = MastodonChannel(
        id="masto", kind="mastodon", instance=fake.url, token_env="MASTO_TOKEN",
        **kw.pop("channel", {}),
    )  # fmt: skip
    return MastodonPublisher(
        channel, TOKEN, token_name="$MASTO_TOKEN", timeout=timeout, sleep=lambda s: None, **kw
    )


def post(text: str = "Free Ales Bialiatski https://e.org/", **kw) -> Post:
    return Post("masto", "mastodon", text, "be", **kw)


def test_a_status_carries_text_language_visibility_warning_and_key(mastodon_fake):
    pub = publisher(mastodon_fake)
    receipt = pub.publish(post(visibility="unlisted", spoiler_text="prison"), "key-1")
    [status] = mastodon_fake.statuses
    assert status["status"] == "Free Ales Bialiatski https://e.org/"
    assert (status["language"], status["visibility"], status["spoiler_text"]) == (
        "be",
        "unlisted",
        "prison",
    )
    assert status["idempotency_key"] == "outreach-key-1"
    assert status["token"] == TOKEN
    assert receipt.remote_id == status["id"]
    assert receipt.url == f"{mastodon_fake.url}/@campaign/{status['id']}"


def test_an_image_is_uploaded_with_alt_text_and_posted_once_processed(mastodon_fake):
    mastodon_fake.processing_polls = 2
    pub = publisher(mastodon_fake)
    pub.publish(post(image_url=f"{mastodon_fake.url}/static/ales.png", image_alt="Portrait"), "k")
    [status] = mastodon_fake.statuses
    [media_id] = status["media_ids"]
    media = mastodon_fake.media[media_id]
    assert media["description"] == "Portrait" and media["bytes"] == PNG
    assert media["file_name"] == "ales.png"
    # Polled until processed, and only then posted.
    log = [p for _, p in mastodon_fake.log]
    assert log.count(f"/api/v1/media/{media_id}") == 3
    assert log.index("/api/v1/statuses") > max(
        i for i, p in enumerate(log) if p == f"/api/v1/media/{media_id}"
    )


def test_the_same_key_returns_the_first_status(mastodon_fake):
    pub = publisher(mastodon_fake)
    first = pub.publish(post(), "key-1")
    again = pub.publish(post(), "key-1")
    other = pub.publish(post(), "key-2")
    assert first == again and other != first
    assert len(mastodon_fake.statuses) == 2


def test_rate_limit_gives_the_wait_from_x_ratelimit_reset(mastodon_fake):
    mastodon_fake.fail_next(1, reply=mastodon_fake.rate_limited(reset_in=30), path="/statuses")
    with pytest.raises(RateLimited) as exc:
        publisher(mastodon_fake).publish(post(), "k")
    assert 25 <= exc.value.retry_after <= 31
    assert "rate-limiting" in str(exc.value)
    assert mastodon_fake.statuses == []


def test_rate_limit_after_posts_gives_the_refusals_own_wait():
    """Successful answers carry X-RateLimit-Reset too (the end of their window, hours
    ahead); Mastodon.py is not shown theirs, and the refusal's own reset is the wait."""
    with FakeMastodon(realistic=True) as fake:
        pub = publisher(fake)
        pub.publish(post(), "k1")
        pub.publish(post(), "k2")
        fake.fail_next(1, reply=fake.rate_limited(reset_in=30), path="/statuses")
        with pytest.raises(RateLimited) as exc:
            pub.publish(post(), "k3")
        assert 25 <= exc.value.retry_after <= 31
        assert len(fake.statuses) == 2
        pub.publish(post(), "k3")  # once the refusal is past, the post goes
        assert len(fake.statuses) == 3


def test_rate_limit_prefers_retry_after(mastodon_fake):
    reply = mastodon_fake.rate_limited(reset_in=300, retry_after=7)
    mastodon_fake.fail_next(1, reply=reply, path="/statuses")
    with pytest.raises(RateLimited) as exc:
        publisher(mastodon_fake).publish(post(), "k")
    assert exc.value.retry_after == 7


def test_rate_limit_waits_are_read_on_the_publishers_clock(mastodon_fake):
    # A clock 60 times faster: the server's 30 s (or Retry-After 7 s) are 30 (7) of its minutes.
    clock = ScaledClock(dt.datetime(2031, 5, 6, 12, 0, tzinfo=dt.UTC), speed=60)
    mastodon_fake.fail_next(1, reply=mastodon_fake.rate_limited(reset_in=30), path="/statuses")
    with pytest.raises(RateLimited) as exc:
        publisher(mastodon_fake, clock=clock).publish(post(), "k")
    assert 25 * 60 <= exc.value.retry_after <= 31 * 60
    reply = mastodon_fake.rate_limited(reset_in=300, retry_after=7)
    mastodon_fake.fail_next(1, reply=reply, path="/statuses")
    with pytest.raises(RateLimited) as exc:
        publisher(mastodon_fake, clock=clock).publish(post(), "k")
    assert 7 * 60 - 1 <= exc.value.retry_after <= 7 * 60 + 1


def test_the_image_processing_wait_is_timed_on_the_publishers_clock(mastodon_fake):
    # Never processed; a wait of 60 s on a clock 600 times faster ends within a second.
    mastodon_fake.processing_polls = 10**6
    clock = ScaledClock(dt.datetime(2031, 5, 6, 12, 0, tzinfo=dt.UTC), speed=600)
    pub = MastodonPublisher(
        MastodonChannel(id="masto", kind="mastodon", instance=mastodon_fake.url),
        TOKEN, timeout=TIMEOUT, media_wait=60, clock=clock,
    )  # fmt: skip
    with pytest.raises(TransientError) as exc:
        pub.publish(post(image_url=f"{mastodon_fake.url}/static/ales.png"), "k")
    assert "still processing the image after 60 s" in str(exc.value)
    assert mastodon_fake.statuses == []


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_transient(mastodon_fake, status):
    mastodon_fake.fail_next(1, reply=mastodon_fake.error(status), path="/statuses")
    with pytest.raises(TransientError, match=f"HTTP {status}") as exc:
        publisher(mastodon_fake).publish(post(), "k")
    assert not isinstance(exc.value, RateLimited)


@pytest.mark.parametrize("kind", ["slow", "drop_after"])
def test_an_answer_lost_after_posting_is_retried_without_doubling(mastodon_fake, kind):
    mastodon_fake.fail_next(1, kind, delay=60, path="/statuses")
    pub = publisher(mastodon_fake, timeout=SHORT)
    with pytest.raises(TransientError, match=r"did not answer in time|could not be reached"):
        pub.publish(post(), "key-1")
    assert len(mastodon_fake.statuses) == 1, "the server did post"
    receipt = pub.publish(post(), "key-1")
    assert len(mastodon_fake.statuses) == 1
    assert receipt.remote_id == mastodon_fake.statuses[0]["id"]


def test_a_dropped_connection_is_transient(mastodon_fake):
    mastodon_fake.fail_next(1, "drop", path="/statuses")
    with pytest.raises(TransientError, match="could not be reached"):
        publisher(mastodon_fake).publish(post(), "k")


def test_an_unreachable_instance_is_transient():
    channel = MastodonChannel(id="masto", kind="mastodon", instance="http://127.0.0.1:9")
    with pytest.raises(TransientError, match="could not be reached"):
        MastodonPublisher(channel, TOKEN, timeout=TIMEOUT).publish(post(), "k")


def test_a_bad_token_is_permanent_and_says_where_to_put_a_new_one():
    with FakeMastodon(tokens={"another-token"}) as fake, pytest.raises(PermanentError) as exc:
        publisher(fake).publish(post(), "k")
    msg = str(exc.value)
    assert "HTTP 401" in msg and "$MASTO_TOKEN" in msg and "write:statuses" in msg
    assert TOKEN not in msg


def test_forbidden_is_permanent(mastodon_fake):
    mastodon_fake.fail_next(1, reply=mastodon_fake.error(403), path="/statuses")
    with pytest.raises(PermanentError, match=r"HTTP 403.*scope"):
        publisher(mastodon_fake).publish(post(), "k")


def test_a_refused_post_is_permanent_with_the_servers_reason(mastodon_fake):
    with pytest.raises(PermanentError) as exc:
        publisher(mastodon_fake).publish(post("x" * 501), "k")
    assert "HTTP 422" in str(exc.value) and "character limit of 500" in str(exc.value)
    assert "outreach retry" in str(exc.value)


def test_a_missing_image_is_permanent(mastodon_fake):
    with pytest.raises(PermanentError, match="HTTP 404: fix the image URL"):
        publisher(mastodon_fake).publish(post(image_url=f"{mastodon_fake.url}/nope.png"), "k")
    assert mastodon_fake.statuses == []


def test_check_reads_the_account_and_the_instance_limits(mastodon_fake):
    check = publisher(mastodon_fake).check()
    assert check.ok and check.limits["max_characters"] == 500
    assert any("@campaign" in f for f in check.facts)
    assert mastodon_fake.statuses == [], "doctor never posts"


def test_check_flags_a_limit_above_the_instances(mastodon_fake):
    check = publisher(mastodon_fake, channel={"max_characters": 1000}).check()
    assert not check.ok
    assert "max_characters is 1000" in check.problems[0] and "allows 500" in check.problems[0]


def test_check_reports_a_rejected_token():
    with FakeMastodon(tokens=set()) as fake:
        check = publisher(fake).check()
    assert not check.ok and "HTTP 401" in check.problems[0]
