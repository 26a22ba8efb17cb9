"""One step of a channel: its next action or post claimed under its lease, and done.

Each step is one transaction (Ledger.take): the channel's look (an action
first? its first post ready?) and the claim of that post; while posts follow
one another, a post's finish (after its answer) and the next claim are one
transaction, unless a stop was asked or the channel's lease is gone. What one
attempt's answer makes of its row is outreach/posting.py's; corrections and
takedowns are outreach/acting.py's. A step decides and does; it never waits:
it says when the channel's thread should look again (threads.py waits).
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any, Final, Literal

from ..config import DeliverySettings
from ..instances import Membership
from ..ledger import (
    CHANNEL,
    Action,
    ActionClaim,
    ActionHead,
    Claim,
    Head,
    Ledger,
    Paced,
    PaceWindow,
    Recovery,
    Sent,
)
from ..outcomes import Outcome
from ..pacing import Slot
from ..posting import Posting
from ..publishers.base import Publisher
from .gate import Ask, Gate
from .progress import Progress

log = logging.getLogger("outreach.delivery")  # the loop's log, as before the split


class _Now(enum.Enum):
    NOW = "now"


NOW: Final = _Now.NOW
Look = dt.datetime | None | Literal[_Now.NOW]
"""When a channel's thread looks again: NOW, at a time, or None (when nudged, else at
the next poll)."""


class ChannelStep:
    """The steps of every channel of one loop (each thread calls `step` with its own)."""

    def __init__(
        self,
        ledger: Ledger,
        publishers: Mapping[str, Publisher],
        settings: DeliverySettings,
        gate: Gate,
        posting: Posting,
        progress: Progress,
        *,
        lease: dt.timedelta,
        only_actions: bool,
        membership: Membership,
        stopping: threading.Event,
        warm: Callable[[], None],
        recovery: Callable[[str], Recovery],
    ) -> None:
        """`lease`: how long a claim holds its row; `membership`: which channels this
        instance may send on now; `stopping`: set when the loop is asked to stop (a
        post's finish is then written alone); `warm`: makes the clients ready before a
        first send (DeliveryLoop.warm_clients); `recovery`: a network's rule for a row
        a crash left in `sending` (DeliveryLoop.recovery)."""
        self.ledger = ledger
        self.publishers = publishers
        self.settings = settings
        self.gate = gate
        self.posting = posting
        self.progress = progress
        self.lease = lease
        self.only_actions = only_actions
        self.membership = membership
        self.stopping = stopping
        self.warm = warm
        self.recovery = recovery

    def step(self, channel_id: str) -> Look:
        """One decision for the channel, and when to look again.

        The look and the claim are one transaction (Ledger.take), and while posts follow
        one another a post's finish and the next claim are one more: per post one
        transaction, where there were three (bench/README.md, the ledger's transactions
        per post). A hand-over of the channel waits for the whole run of posts.
        """
        lease = CHANNEL + channel_id
        if not self.membership.holds(lease):
            return None  # another instance sends here
        pub = self.publishers[channel_id]
        with self.membership.busy(lease):
            if not self.membership.holds(lease):
                return None
            step = self._take(channel_id, lease, Ask(self.gate, pub))
            while isinstance(step.claim, Claim):
                step = self._send(channel_id, lease, pub, step.ask, step.claim)
        if step.again:  # sent, finished alone: look again
            return NOW
        act, head, ask = step.act, step.head, step.ask
        if act.stuck:
            self.ledger.recover_actions([channel_id])
            return NOW
        if act.ready is not None:
            self.warm()
            return self._act(channel_id, act.ready)
        if self.only_actions:
            return act.wake_at
        if head.stuck:
            self.ledger.recover(self.recovery, channel_ids=[channel_id])
            return NOW
        d = head.ready
        if d is None:
            wake = [t for t in (head.wake_at, act.wake_at) if t is not None]
            return min(wake) if wake else None
        if ask.late:
            self.posting.too_late(d, self.gate.clock.now())
            return NOW
        if ask.asked is not None:
            self.gate.cancel(ask.asked.slots, ask.asked.reserved_at)  # reserved, not claimed
        wait = ask.wait or (step.claim.wait if isinstance(step.claim, Paced) else 0.0)
        return self._after(wait)

    def _after(self, wait: float) -> Look:
        """NOW, or `wait` seconds from now."""
        return NOW if wait <= 0 else self.gate.clock.now() + dt.timedelta(seconds=wait)

    def _take(self, channel_id: str, lease: str, ask: Ask, sent: Sent | None = None) -> Taken:
        """Ledger.take under the channel's lease: its heads, and its ready post claimed when
        `ask` says so (not too late, this process's pacer has room)."""
        got = self.ledger.take(
            channel_id,
            self.lease,
            fence=self.membership.fence(lease),
            pacing=None if self.only_actions else ask,
            finish=sent,
        )
        return Taken(ask, got.act, got.head, got.claim, got.finished)

    def _send(self, channel_id: str, lease: str, pub: Publisher, ask: Ask, claim: Claim) -> Taken:
        """Send the claimed post; its finish, if sent, with the channel's next look and claim
        while nothing should stop them (stop, the lease, else a look of its own next)."""
        self.warm()  # after the claim now: the clients made ready while it is held
        assert ask.asked is not None
        slots, reserved_at = ask.asked.slots, ask.asked.reserved_at
        nxt: list[Taken] = []

        def finish_sent(sent: Sent) -> bool:
            if self.stopping.is_set() or not self.membership.holds(lease):
                return self.posting.finish_sent(sent)
            ask = Ask(self.gate, pub)
            try:
                taken = self._take(channel_id, lease, ask, sent)
            except Exception:
                # the finish must hold whatever failed after it: alone, then a look of its own
                log.warning("finishing delivery %s with the next claim failed",
                            sent.claim.delivery.id, exc_info=True)  # fmt: skip
                if ask.asked is not None:  # reserved for a claim rolled back
                    self.gate.cancel(ask.asked.slots, ask.asked.reserved_at)
                return self.posting.finish_sent(sent)
            nxt.append(taken)
            return bool(taken.finished)

        self.progress.outcome(self.posting.send(pub, claim, slots, reserved_at, finish_sent))
        return nxt[0] if nxt else Taken(ask, again=True)

    # -- corrections and takedowns ----------------------------------------------

    def _act(self, channel_id: str, a: Action) -> Look:
        pub = self.publishers[channel_id]
        slots = self.gate.action_slots(pub, a)
        return self._claim_and(
            channel_id,
            slots,
            lambda fence, pacing: self.ledger.claim_action(
                a.id, self.lease, fence=fence, pacing=pacing
            ),
            lambda claim, reserved_at: self._do_action(pub, a, claim, slots, reserved_at),
        )

    def _claim_and(
        self,
        channel_id: str,
        slots: list[Slot],
        claim: Callable[[tuple[str, str] | None, list[PaceWindow]], Any],
        do: Callable[[Any, float], None],
    ) -> Look:
        """Claim under the channel's lease and within the platform limits, then `do` it.

        This process's pacer first (its own sends: it spares the store a claim that
        must wait); then the claim, fenced by the lease and paced by what the store
        says every instance sent (Ledger.claim's `pacing`); a hand-over of the
        channel waits for `do` to finish.
        """
        lease = CHANNEL + channel_id
        wait, reserved_at = self.gate.reserve(slots)
        if wait <= 0:
            with self.membership.busy(lease):
                got = None
                if self.membership.holds(lease):
                    windows = self.gate.windows_of(slots)
                    got = claim(self.membership.fence(lease), windows)
                if got is not None and not isinstance(got, Paced):
                    do(got, reserved_at)
                    return NOW
            self.gate.cancel(slots, reserved_at)
            wait = got.wait if isinstance(got, Paced) else 0.0
        return self._after(wait)

    def _do_action(
        self, pub: Publisher, a: Action, claim: ActionClaim, slots: list[Slot], reserved_at: float
    ) -> None:
        from ..acting import attempt

        try:
            result = attempt(pub, claim, self.settings.retry_budget)
        finally:
            self.gate.answered(slots, reserved_at)
        if result.state == "retry":
            delay = self.posting.backoff(claim.action.attempts, result.retry_after)
            if result.retry_after:
                self.gate.block(slots, result.retry_after)
            at = self.gate.clock.now() + dt.timedelta(seconds=delay)
            self.ledger.finish_action(claim, "pending", result.detail, retry_at=at)
        else:
            self.ledger.finish_action(claim, result.state, result.detail)
        log.info("%s of delivery %s on %s: %s", a.kind, a.delivery_id, a.channel_id, result.detail)
        self.progress.action(Outcome(a.delivery_id, a.channel_id, result.state, result.detail))


class Taken:
    """Ledger.take's Step, with the `Ask` it was asked with; `again`: no look was taken
    (a post finished alone), look again."""

    __slots__ = ("act", "again", "ask", "claim", "finished", "head")

    def __init__(
        self,
        ask: Ask,
        act: ActionHead | None = None,
        head: Head | None = None,
        claim: Claim | Paced | None = None,
        finished: bool | None = None,
        *,
        again: bool = False,
    ) -> None:
        self.act = act or ActionHead()
        self.head = head or Head()
        self.claim = claim
        self.finished = finished
        self.ask = ask
        self.again = again
