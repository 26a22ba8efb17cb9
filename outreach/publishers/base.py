"""What every publisher is: publish a Post once, or raise one of our typed errors.

    publish(post, delivery_key) -> Receipt     # errors: outreach.errors.PublishError tree
    check() -> Check                           # for `outreach doctor`: real calls, no posting
    edit(sent, text) -> Done                   # a sent post's text replaced in place
    delete(sent) -> Done                       # a sent post removed; Gone if it was not there
    look_up(sent) -> LookUp                    # is a post of unknown outcome there?

Edits and deletions are idempotent on the platforms (the same edit again
changes nothing; deleting a deleted post answers "not found", raised as Gone),
so the delivery loop repeats them safely after a timeout or a crash.

TransientError (and RateLimited) -> the delivery loop retries; PermanentError ->
the delivery fails at once with the message, which tells an organiser what to
fix; UnknownOutcome -> the delivery becomes `unknown` and is never retried
blindly. Messages never contain the token: publishers pass every text that
comes from a library through `self.redact`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

from ..errors import PermanentError
from ..post import Post
from ..redact import Redactor
from ..said import Said


@dataclass(frozen=True)
class Receipt:
    remote_id: str
    url: str | None = None
    place: str | None = None
    """Where it went, when the id alone does not say (Telegram: the chat's numeric id)."""


@dataclass(frozen=True)
class SentPost:
    """What is needed to act on a post after it went out (from the ledger)."""

    channel_id: str
    remote_id: str
    url: str | None
    post: Post
    """As it stands now: the text of the latest correction, else as sent."""
    place: str | None = None
    sent_at: dt.datetime | None = None

    @property
    def link(self) -> str:
        """The post's address for an organiser, or its id when it has none."""
        return self.url or f"id {self.remote_id}"


@dataclass(frozen=True)
class Done:
    """An edit or deletion the platform confirmed, in words ("removed", "already removed")."""

    detail: str


@dataclass(frozen=True)
class LookUp:
    """What a platform could tell about a post whose outcome is unknown."""

    possible: bool
    """False: the platform offers no way to look (`note` says why)."""
    found: Receipt | None = None
    note: str = ""


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

    def close(self) -> None:
        """Let go of connections and threads kept between posts (none by default)."""
        return None

    def warm(self) -> None:
        """Make the client ready before the first post (its library imported, set up), so
        that the first posts of a fan-out do not queue for that; nothing by default."""
        return None

    @property
    @abstractmethod
    def account(self) -> str:
        """Who posts, for per-account pacing: channels sharing it share its limits."""

    def edit(self, sent: SentPost, text: str) -> Done:
        """Replace the text of a sent post in place, keeping everything else it has."""
        raise PermanentError(Said("publisher.cannot_edit", network=self.network))

    def delete(self, sent: SentPost) -> Done:
        """Remove a sent post; raise Gone when it is not there."""
        raise PermanentError(Said("publisher.cannot_delete", network=self.network))

    def look_up(self, sent: SentPost) -> LookUp:
        """Whether a post whose outcome is unknown is on the platform."""
        return LookUp(False, note=f"{self.network} offers no way to look a post up")


def fingerprint(secret: str) -> str:
    """A short, one-way name for a credential (never the credential itself)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:12]
