"""One subject rendered for every channel it goes to: the one place that does it.

Everything that previews (`outreach preview`, the bot's /preview and
/schedule), queues (the outbox, for feeds and announcements; `deliver`) or
checks (`outreach check`, `schedule add`) calls `render_for_channels`, so an
organiser is shown exactly what would be queued: each channel's post, fitted
to the limit its platform reported (`learned_limits`), or why it cannot be
made. One channel's failure never hides another's post.

The message layer (outreach.messages) renders one channel and never reads
the store; the limits come from the ledger through `learned_limits`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from .errors import OutreachError

if TYPE_CHECKING:
    from .config import Config
    from .ledger import ChannelLimit
    from .messages import ChannelConfig, Messages, Rendered, Subject
    from .networks.base import Learned
    from .post import Post

__all__ = ["ChannelPost", "learned_limits", "render_for_channels"]


class LimitStore(Protocol):
    def channel_limits(self, name: str) -> Mapping[str, ChannelLimit]: ...


@dataclass(frozen=True)
class ChannelPost:
    """What one channel would get: a fitted post, or the error that stops it."""

    channel: ChannelConfig
    at: dt.datetime
    """The moment it was rendered for (a day count in the text is that day's)."""
    rendered: Rendered | None = None
    error: OutreachError | None = None

    @property
    def post(self) -> Post | None:
        return self.rendered.post if self.rendered else None


def render_for_channels(
    messages: Messages,
    subject: Subject,
    *,
    at: dt.datetime | Callable[[ChannelConfig], dt.datetime],
    limits: Mapping[str, int] | None = None,
    only: Collection[str] | None = None,
    lang: str | None = None,
) -> list[ChannelPost]:
    """Each channel `subject` goes to (or those of them in `only`), in config order.

    `at`: when the post goes out, or a function giving it per channel (quiet
    hours move one channel's post later). `limits`: what each platform
    reported (learned_limits); without them a channel's configured limit, or
    its network's default, applies. `lang` renders every channel in one
    language instead of its own (a preview).
    """
    out: list[ChannelPost] = []
    for channel in messages.channels(subject):
        if only is not None and channel.id not in only:
            continue
        when = at(channel) if callable(at) else at
        try:
            rendered = messages.render_post(channel, subject, now=when, lang=lang, limits=limits)
        except OutreachError as exc:
            out.append(ChannelPost(channel, when, error=exc))
            continue
        out.append(ChannelPost(channel, when, rendered))
    return out


LEARNED = ("max_characters", "characters_reserved_per_url")
"""The limits a network's counting and fitting read (networks/base.py: Learned)."""


def learned_limits(config: Config, ledger: LimitStore) -> Learned:
    """Each channel's limits as its platform reported them (Mastodon: the instance): as a
    dict, max_characters per channel; `.reported`, every one of LEARNED.

    Only what was read from where the channel is configured to post now: a
    channel moved to another instance is fitted to its default until the new
    one is read.
    """
    from .networks import network
    from .networks.base import Learned

    out: dict[str, dict[str, int]] = {}
    for name in LEARNED:
        known = ledger.channel_limits(name)
        for ch in config.channels:
            source = network(ch.kind).limits_source(ch)
            if source and ch.id in known and known[ch.id].source.rstrip("/") == source.rstrip("/"):
                out.setdefault(ch.id, {})[name] = known[ch.id].value
    return Learned(out)
