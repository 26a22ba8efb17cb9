"""Queueing: something to say (a news item, an announcement occurrence) becomes one
pending delivery per channel in the ledger.

Shared by the feed watcher and the service. Each channel is rendered on its
own, so a template that fails for one channel is recorded against that channel
(visible in `outreach history`) and the others still go out. The ledger refuses
a second row with the same (channel, dedupe key), which is what makes a
restart, a re-read feed or a second `run --once` harmless. While the campaign
is paused (outreach.pause) new posts are queued `held`, so nothing can send them.

Mastodon posts are fitted to the limit each instance reported (learned by
`outreach doctor` and at the start of `run`, kept in the ledger): `learned_limits`
reads them for the message layer, which never reads the store itself.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .errors import OutreachError
from .schedule import Quiet, release_time

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from .config import Config
    from .ledger import Ledger

log = logging.getLogger("outreach.outbox")


@dataclass(frozen=True)
class Queued:
    channel_id: str
    due_at: dt.datetime
    delivery_id: int | None = None
    created: bool = False
    """False when the ledger already had this (channel, dedupe key): nothing new."""
    error: str | None = None
    """The post could not be made for this channel; recorded, not queued."""


def learned_limits(config: Config, ledger: Ledger) -> dict[str, int]:
    """max_characters per Mastodon channel as its instance reported it, for render_post.

    Only what was read from the instance the channel is configured with now.
    """
    from .config import MastodonChannel

    known = ledger.channel_limits("max_characters")
    return {
        ch.id: known[ch.id].value
        for ch in config.channels
        if isinstance(ch, MastodonChannel)
        and ch.id in known
        and known[ch.id].source.rstrip("/") == ch.instance.rstrip("/")
    }


def quiet_hours(config: Config) -> dict[str, Quiet | None]:
    return {
        c.id: Quiet(c.quiet_hours.start, c.quiet_hours.end) if c.quiet_hours else None
        for c in config.channels
    }


class Outbox:
    """Renders a subject for each of its channels and queues the posts."""

    def __init__(self, config: Config, ledger: Ledger, messages: Any | None = None) -> None:
        if messages is None:
            from .messages import Messages

            messages = Messages(config)
        self.config = config
        self.ledger = ledger
        self.messages = messages
        self.quiet: Mapping[str, Quiet | None] = quiet_hours(config)
        self.tz: ZoneInfo = config.campaign.tz

    def queue(
        self,
        subject: Any,
        *,
        dedupe_key: str,
        due: dt.datetime,
        occurrence: dt.datetime | None = None,
        due_at: Mapping[str, dt.datetime] | None = None,
    ) -> list[Queued]:
        """One delivery per channel, due at `due` or at the end of the channel's quiet hours.

        `due_at` gives the time per channel when the caller already decided it
        (the schedule's plan does).
        """
        from . import pause

        # paused (a family or lawyers asked for silence): queue it held, never sendable
        state: Literal["pending", "held"] = (
            "held" if pause.paused(self.ledger) is not None else "pending"
        )
        limits = learned_limits(self.config, self.ledger)
        out: list[Queued] = []
        for channel in self.messages.channels(subject):
            if due_at is not None and channel.id in due_at:
                when = due_at[channel.id]
            else:
                when = release_time(self.quiet, channel.id, self.tz, due)
            try:
                # rendered for the moment it goes out: a day count must match that day
                post = self.messages.render_post(channel, subject, now=when, limits=limits).post
            except OutreachError as exc:
                reason = f"the post could not be made, so it was not sent: {exc}"
                log.error("%s -> %s: %s", subject.about, channel.id, reason)
                self.ledger.record_missed(
                    channel.id,
                    channel.kind,
                    about=subject.about,
                    dedupe_key=dedupe_key,
                    occurrence=occurrence or when,
                    reason=reason,
                )
                out.append(Queued(channel.id, when, error=reason))
                continue
            done = self.ledger.enqueue(
                post, due_at=when, dedupe_key=dedupe_key, occurrence=occurrence, state=state
            )
            out.append(Queued(channel.id, when, done.id, done.created))
        return out
