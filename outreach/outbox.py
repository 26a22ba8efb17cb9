"""Queueing: something to say (a news item, an announcement occurrence) becomes one
pending delivery per channel in the ledger.

Shared by the feed watcher and the service. Each channel is rendered on its
own, so a template that fails for one channel is recorded against that channel
(visible in `outreach history`) and the others still go out. The ledger refuses
a second row with the same (channel, dedupe key), which is what makes a
restart, a re-read feed or a second `run --once` harmless. While the campaign
is paused the ledger queues new posts `held` (in the same transaction), so
nothing can send them.

`queue` writes one subject's rows in one transaction. Many subjects (a feed
poll, the occurrences due in a turn) go through `queue_batches`, the one
queueing loop: BATCH_SIZE subjects at a time, each chunk rendered first (with
the limits learned by then), then written in one `ledger.batch()`. Rendering
stays outside the transaction, so SQLite's single writer lock is held only
for the writes, and no post is sendable before its whole batch commits.

Posts are rendered by outreach.channel_posts, as every preview and check
renders them, fitted to the limit each platform reported (learned by
`outreach doctor` and at the start of `run`, kept in the ledger).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

from .channel_posts import learned_limits, render_for_channels
from .schedule import Quiet, release_time

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from .config import Config
    from .ledger import Batch, Ledger
    from .post import Post

log = logging.getLogger("outreach.outbox")
BATCH_SIZE = 100
"""Subjects queued per transaction: one commit instead of a hundred, a short write lock."""
LEAD = 10
"""Subjects in a feed poll's first transaction (then 20, 40, ... up to BATCH_SIZE): its
first posts may go while the rest of the feed is rendered (issue 15: the first of 1,000
waited for a hundred to be rendered)."""
W = TypeVar("W")
P = TypeVar("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Draft:
    """One channel's rendered post for a subject, not yet written (Outbox.prepare)."""

    channel_id: str
    network: str
    about: str
    dedupe_key: str
    due_at: dt.datetime
    occurrence: dt.datetime | None = None
    post: Post | None = None
    error: str | None = None
    """Why there is no post: written as a `missed` row."""


@dataclass(frozen=True)
class Queued:
    channel_id: str
    due_at: dt.datetime
    delivery_id: int | None = None
    created: bool = False
    """False when the ledger already had this (channel, dedupe key): nothing new."""
    error: str | None = None
    """The post could not be made for this channel; recorded, not queued."""


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
        (the schedule's plan does). Every channel's row is written in one
        transaction; many subjects go through queue_batches.
        """

        def render(s: Any, limits: Mapping[str, int]) -> list[Draft]:
            return self.prepare(
                s, dedupe_key=dedupe_key, due=due, occurrence=occurrence, due_at=due_at,
                limits=limits,
            )  # fmt: skip

        [[(_, queued)]] = self.queue_batches([subject], render, lambda b, _, d: self.write(b, d))
        return queued

    def queue_batches(
        self,
        work: Sequence[W],
        render: Callable[[W, Mapping[str, int]], P],
        write: Callable[[Batch, W, P], R],
        *,
        size: int = BATCH_SIZE,
        first: Callable[[Batch], None] | None = None,
        lead: int | None = None,
    ) -> Iterator[list[tuple[W, R]]]:
        """Queue `work`, `size` at a time; yields each chunk's results once it is committed.

        `render(w, limits)` runs before the chunk's transaction opens (usually
        `prepare`), `write(batch, w, rendered)` inside it (usually `write`,
        plus what must commit with it: an item's seen keys). `first` writes
        in the first transaction, which happens even when `work` is empty.
        `lead`: the first chunk's size when smaller than `size`, each next
        chunk twice the one before up to `size`: the first rows are committed
        (and may be sent) before the rest is rendered, and each chunk is
        ready about when the posts before it have gone.
        """
        start, end = 0, max(len(work), 1 if first else 0)
        step = min(size, lead) if lead else size
        while start < end:
            chunk = work[start : start + step]
            start, step = start + step, min(size, 2 * step)
            limits = self.limits()  # as learned by now: `doctor` may run meanwhile
            with self.messages.pinned():
                rendered = [render(w, limits) for w in chunk]
            with self.ledger.batch() as batch:
                if first is not None:
                    first(batch)
                    first = None
                done = [(w, write(batch, w, r)) for w, r in zip(chunk, rendered, strict=True)]
            yield done

    def limits(self) -> dict[str, int]:
        return learned_limits(self.config, self.ledger)

    def prepare(
        self,
        subject: Any,
        *,
        dedupe_key: str,
        due: dt.datetime,
        occurrence: dt.datetime | None = None,
        due_at: Mapping[str, dt.datetime] | None = None,
        limits: Mapping[str, int] | None = None,
        report: bool = True,
    ) -> list[Draft]:
        """Render `subject` for each of its channels; nothing is written yet (see write).

        `report`: log a post that cannot be made (not when rendering ahead: the
        turn that queues it renders it again, and says so then)."""
        limits = self.limits() if limits is None else limits

        def when(channel: Any) -> dt.datetime:
            if due_at is not None and channel.id in due_at:
                return due_at[channel.id]
            return release_time(self.quiet, channel.id, self.tz, due)

        out: list[Draft] = []
        # rendered for the moment each goes out: a day count must match that day
        for cp in render_for_channels(self.messages, subject, at=when, limits=limits):
            ch = cp.channel
            draft = Draft(ch.id, ch.kind, subject.about, dedupe_key, cp.at, occurrence, cp.post)
            if cp.error is not None:
                reason = f"the post could not be made, so it was not sent: {cp.error}"
                if report:
                    log.error("%s -> %s: %s", subject.about, ch.id, reason)
                draft = replace(draft, error=reason)
            out.append(draft)
        return out

    def write(self, batch: Batch, drafts: Iterable[Draft]) -> list[Queued]:
        """Queue prepared posts in `batch` (a post that could not be made: a `missed` row)."""
        out: list[Queued] = []
        for d in drafts:
            if d.post is None:
                batch.record_missed(
                    d.channel_id,
                    d.network,
                    about=d.about,
                    dedupe_key=d.dedupe_key,
                    occurrence=d.occurrence or d.due_at,
                    reason=d.error or "the post could not be made",
                )
                out.append(Queued(d.channel_id, d.due_at, error=d.error))
                continue
            done = batch.enqueue(
                d.post,
                due_at=d.due_at,
                dedupe_key=d.dedupe_key,
                occurrence=d.occurrence,
            )
            out.append(Queued(d.channel_id, d.due_at, done.id, done.created))
        return out
