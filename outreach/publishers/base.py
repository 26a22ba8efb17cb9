"""What every publisher is: publish a Post once, or raise one of our typed errors.

    publish(post, delivery_key) -> Receipt     # errors: outreach.errors.PublishError tree
    check() -> Check                           # for `outreach doctor`: real calls, no posting

TransientError (and RateLimited) -> the delivery loop retries; PermanentError ->
the delivery fails at once with the message, which tells an organiser what to
fix; UnknownOutcome -> the delivery becomes `unknown` and is never retried
blindly. Messages never contain the token: publishers pass every text that
comes from a library through `self.redact`.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

from ..post import Post
from ..redact import Redactor


@dataclass(frozen=True)
class Receipt:
    remote_id: str
    url: str | None = None


@dataclass(frozen=True)
class Check:
    """What `doctor` learned about one channel, in words for an organiser."""

    channel_id: str
    network: str
    ok: bool
    facts: tuple[str, ...] = ()
    """What was verified, e.g. "logged in as @freeales@mastodon.social"."""
    problems: tuple[str, ...] = ()
    """What to fix, one instruction each."""
    limits: dict[str, int] = field(default_factory=dict)
    """Limits read from the platform, e.g. {"max_characters": 500}."""


class Publisher(ABC):
    network: ClassVar[str]
    dry_run: ClassVar[bool] = False

    def __init__(self, channel_id: str, secret: str | None) -> None:
        self.channel_id = channel_id
        self.redact = Redactor([secret] if secret else [])

    @abstractmethod
    def publish(self, post: Post, delivery_key: str) -> Receipt:
        """Send `post`; `delivery_key` is stable across retries of one delivery."""

    @abstractmethod
    def check(self) -> Check:
        """Verify credentials and rights for real, without posting."""

    @property
    @abstractmethod
    def account(self) -> str:
        """Who posts, for per-account pacing: channels sharing it share its limits."""


def fingerprint(secret: str) -> str:
    """A short, one-way name for a credential (never the credential itself)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:12]
