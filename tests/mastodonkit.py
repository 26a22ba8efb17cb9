"""A Mastodon publisher on the real Mastodon.py client, pointed at a fake Mastodon (tests/fakes)."""

from __future__ import annotations

from fakes.mastodon_server import FakeMastodon

from outreach.networks.mastodon import MastodonChannel
from outreach.publishers.mastodon import MastodonPublisher

TOKEN = "mastodon-SECRET-token-4242"
"""Shaped so that a leak shows: tests look for it in logs, errors and the store."""


def publisher(fake: FakeMastodon, timeout: float = 2.0) -> MastodonPublisher:
    """The channel `masto` on the fake's instance, its token given, no real sleeping."""
    channel = MastodonChannel(id="masto", kind="mastodon", instance=fake.url, token_env="T")
    return MastodonPublisher(channel, TOKEN, timeout=timeout, sleep=lambda s: None)
