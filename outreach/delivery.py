"""The delivery loop: due rows from the ledger, through pacing, to the publishers.

One thread per channel, so channels proceed concurrently while each keeps its
posts in order (the ledger will not hand out a channel's next row while one is
sending or backing off). What one attempt's answer makes of its row (sent,
retried after a backoff, failed, unknown) is outreach/posting.py's.

While the campaign is paused (ledger.pause) the ledger hands out no row:
`take` shows nothing ready and its claim, one conditional UPDATE, refuses even
a row seen ready just before the pause; the loop idles until a resume.

Each step is one transaction (Ledger.take): the channel's look (an action
first? its first post ready?) and the claim of that post; while posts follow
one another, a post's finish (after its answer) and the next claim are one
transaction, unless a stop was asked or the channel's lease is gone.

Corrections and takedowns (ledger actions, outreach/acting.py) go through the
same channel threads, before the channel's next post, paced as the network
declares (Network.action_slots); a crash leaves them to be done again (they
are idempotent on the platforms).

After a crash, rows left in `sending` are recovered once their lease expires,
as their network declares (Network.resend_window): sent again with the same
idempotency key inside the network's window (Mastodon), else `unknown`
(Telegram). The loop asks each post's network (outreach.networks) for its
pacing windows and recovery rule; it names none. For the service:

    loop = DeliveryLoop(ledger, publishers_for(cfg), cfg.delivery, clock=clock)
    loop.start()                    # recover crashed rows, seed pacing, learn platform limits
    loop.run(stop_event)            # until stop_event is set; loop.nudge() after enqueueing
    report = loop.run_once(max_wait=60)   # or: deliver what is due now, then return
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
from collections.abc import Callable, Mapping
from typing import Any

from .clock import Clock, SystemClock
from .config import DeliverySettings
from .instances import Membership, Solo
from .ledger import (
    CHANNEL,
    UNKNOWN_AFTER_CRASH,
    Action,
    ActionClaim,
    ActionHead,
    Claim,
    Delivery,
    Head,
    Ledger,
    Paced,
    PaceWindow,
    Recovery,
    Sent,
)
from .networks import Network, network
from .outcomes import LearnsLimits as LearnsLimits
from .outcomes import Outcome, Report, learn_limits, resend_window
from .pacing import Pacer, Slot, Windows
from .posting import Posting
from .publishers.base import Publisher

log = logging.getLogger(__name__)
IDLE_POLL = 5.0
MEDIA_WAIT = 60.0


class DeliveryLoop:
    def __init__(
        self,
        ledger: Ledger,
        publishers: Mapping[str, Publisher],
        settings: DeliverySettings,
        *,
        clock: Clock | None = None,
        pacing_scale: float = 1.0,
        rng: random.Random | None = None,
        lease: dt.timedelta | None = None,
        on_outcome: Callable[[Outcome], None] | None = None,
        only_actions: bool = False,
        membership: Membership | None = None,
    ) -> None:
        """`only_actions`: do corrections and takedowns only, and send no post
        (`outreach takedown` must not post what was due meanwhile). `membership`:
        which channels this instance may send on now (outreach.instances; all of
        them by default, as the one instance)."""
        self.ledger = ledger
        self.membership: Membership = membership or Solo()
        self.publishers = dict(publishers)
        self.settings = settings
        self.clock = clock or SystemClock()
        # The pacer reads the loop's clock: times seeded from the ledger must compare.
        self.pacer = Pacer(lambda: self.clock.now().timestamp(), scale=pacing_scale)
        # what the store counts against each window, across every instance (pacing.Windows)
        self.windows = Windows(
            (ch, self._network(pub), pub.account) for ch, pub in self.publishers.items()
            if not pub.dry_run
        )  # fmt: skip
        self.rng = rng or random.Random()
        self.posting = Posting(ledger, settings, self.clock, self.pacer, self.rng, self._emit)
        # Longer than the slowest send (image download, upload, processing, status).
        self.lease = lease or dt.timedelta(seconds=3 * settings.timeout_seconds + MEDIA_WAIT + 30)
        self.on_outcome = on_outcome
        self.only_actions = only_actions
        self._stopping = threading.Event()
        self._wake = {ch: threading.Event() for ch in self.publishers}
        self._report_lock = threading.Lock()
        self._warm_lock = threading.Lock()
        self._warmed = False
        self._report: Report | None = None
        self._queueing: threading.Event | None = None  # run_once while its caller queues
        self._max_wait = 0.0
        self._until: dt.datetime | None = None

    # -- the service's calls ---------------------------------------------------

    def start(self) -> list[Delivery]:
        """Recover rows a crash left in `sending`; count recent sends against pacing;
        store the limits each platform reports, for the message layer (learn_limits).
        The clients are made ready later, when something is first ready to go (_warm)."""
        recovered = self.ledger.recover(self.recovery, channel_ids=list(self.publishers))
        for d in recovered:
            log.warning("delivery %s (%s) after a crash: %s", d.id, d.channel_id, d.state)
        for a in self.ledger.recover_actions(list(self.publishers)):
            log.warning(
                "%s of delivery %s (%s) after a crash: again", a.kind, a.delivery_id, a.channel_id
            )
        now = self.clock.now()
        for ch, pub in self.publishers.items():
            # another machine's clock may run ahead of ours: its sends count as now at the latest
            sent = self.ledger.sent_times([ch], now - dt.timedelta(hours=3))
            times = [min(t, now).timestamp() for t in sent]
            if times and not pub.dry_run:
                self.pacer.seed(self._network(pub).slots(ch, pub.account), times)
        self.learn_limits()
        return recovered

    def warm_clients(self) -> None:
        """Every publisher's client ready, one after another, by the first channel thread
        with something ready to go (the others wait here): left to each thread's first
        post, the channel threads of a fan-out queued for the import lock
        (bench/fanout.py); done at start, a cron run with nothing to send loaded the
        clients for nothing (Mastodon.py: ~0.15 s of CPU and ~10 MiB; bench/README.md).
        `run --once` calls it from the main thread at its first committed batch (service.py),
        so that the first post need not wait for the import beside the next batch's render."""
        if self._warmed:  # the callers' fast path: no lock once done
            return
        with self._warm_lock:
            if not self._warmed:
                try:
                    self._warm_all()
                finally:
                    self._warmed = True  # after: a thread that sees it may post at once

    def _warm_all(self) -> None:
        for ch, pub in self.publishers.items():
            if pub.dry_run:
                continue
            try:
                pub.warm()
            except Exception:  # its first post will say what is wrong, as a post's error
                log.debug("making the client of %s ready failed", ch, exc_info=True)

    def taken_over(self, channel_id: str) -> list[Delivery]:
        """This instance now holds the channel (outreach.instances): what its last holder
        left in `sending` is recovered at once, and its recent sends count against pacing."""
        recovered = self.ledger.recover(self.recovery, channel_ids=[channel_id], orphaned=True)
        for d in recovered:
            log.warning("delivery %s (%s) taken over: %s", d.id, d.channel_id, d.state)
        pub = self.publishers.get(channel_id)
        if pub is not None and not pub.dry_run:
            now = self.clock.now()
            # another machine's clock may run ahead of ours: its sends count as now at the latest
            sent = self.ledger.sent_times([channel_id], now - dt.timedelta(hours=3))
            times = [min(t, now).timestamp() for t in sent]
            slots = self._network(pub).slots(channel_id, pub.account)
            self.pacer.seed(slots, times, newer=True)
        self.nudge(channel_id)
        return recovered

    def recovery(self, channel_id: str) -> Recovery:
        """What the channel's network declares for a row a crash left in `sending`."""
        pub = self.publishers.get(channel_id)
        window = resend_window(pub.network) if pub is not None else None
        return Recovery(resend_within=window) if window else UNKNOWN_AFTER_CRASH

    def learn_limits(self) -> None:
        """Ask each platform that can tell (Mastodon, with a token) for its limits, at once."""
        learn_limits(self.ledger, self.publishers)

    def run_once(self, max_wait: float = 0.0, *, queueing: threading.Event | None = None) -> Report:
        """Deliver what is due now, waiting at most `max_wait` s for pacing and retries.

        `queueing`: the caller is still queueing and sets this when done. Until
        then the loop sends what is committed and waits for more (nudge() after
        each batch); `max_wait` counts from then.
        """
        deadline = self.clock.now() + dt.timedelta(seconds=max_wait)
        self.membership.start()  # beside running instances: the channels none of them holds
        try:
            if queueing is None:
                return self._run(deadline)
            self._queueing, self._max_wait, self._until = queueing, max_wait, None
            try:
                return self._run(None)
            finally:
                self._queueing = None
        finally:
            self.membership.stop()

    @property
    def report(self) -> Report | None:
        """What the run in progress has done so far."""
        return self._report

    def run(self, stop: threading.Event) -> Report:
        """Deliver until `stop` is set."""
        watcher = threading.Thread(target=self._watch, args=(stop,), daemon=True)
        watcher.start()
        return self._run(None)

    def nudge(self, channel_id: str | None = None) -> None:
        """Something was enqueued: look now instead of at the next poll."""
        for ch, event in self._wake.items():
            if channel_id in (None, ch):
                event.set()

    def stop(self) -> None:
        self._stopping.set()
        self.nudge()

    # -- one thread per channel ------------------------------------------------

    def _watch(self, stop: threading.Event) -> None:
        stop.wait()
        self.stop()

    def _run(self, deadline: dt.datetime | None) -> Report:
        self._report = report = Report()
        threads = [
            threading.Thread(target=self._channel, args=(ch, deadline), name=f"deliver-{ch}")
            for ch in self.publishers
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return report

    def _channel(self, channel_id: str, deadline: dt.datetime | None) -> None:
        try:
            while not self._stopping.is_set() and self._step(channel_id, deadline):
                pass
        except Exception:
            # A bug or a broken store must not pass silently: the row stays in the ledger.
            log.exception("delivery to %s stopped", channel_id)

    def _step(self, channel_id: str, deadline: dt.datetime | None) -> bool:
        """One decision for the channel; False when there is nothing more to do before the deadline.

        The look and the claim are one transaction (Ledger.take), and while posts follow
        one another a post's finish and the next claim are one more: per post one
        transaction, where there were three (bench/README.md, the ledger's transactions
        per post). A hand-over of the channel waits for the whole run of posts.
        """
        lease = CHANNEL + channel_id
        if not self.membership.holds(lease):
            return self._wait(channel_id, None, deadline)  # another instance sends here
        pub = self.publishers[channel_id]
        with self.membership.busy(lease):
            if not self.membership.holds(lease):
                return self._wait(channel_id, None, deadline)
            step = self._take(channel_id, lease, _Ask(self, pub))
            while isinstance(step.claim, Claim):
                step = self._send(channel_id, lease, pub, step.ask, step.claim)
        if step.again:  # sent, finished alone: look again
            return True
        act, head, ask = step.act, step.head, step.ask
        if act.stuck:
            self.ledger.recover_actions([channel_id])
            return True
        if act.ready is not None:
            self.warm_clients()
            return self._act(channel_id, act.ready, deadline)
        if self.only_actions:
            return self._wait(channel_id, act.wake_at, deadline)
        if head.stuck:
            self.ledger.recover(self.recovery, channel_ids=[channel_id])
            return True
        d = head.ready
        if d is None:
            wake = [t for t in (head.wake_at, act.wake_at) if t is not None]
            return self._wait(channel_id, min(wake) if wake else None, deadline)
        if ask.late:
            self.posting.too_late(d, self.clock.now())
            return True
        if ask.asked is not None:
            self.pacer.cancel(ask.asked.slots, ask.asked.reserved_at)  # reserved, not claimed
        wait = ask.wait or (step.claim.wait if isinstance(step.claim, Paced) else 0.0)
        until = self.clock.now() + dt.timedelta(seconds=wait)
        return wait <= 0 or self._wait(channel_id, until, deadline)

    def _take(self, channel_id: str, lease: str, ask: _Ask, sent: Sent | None = None) -> _Taken:
        """Ledger.take under the channel's lease: its heads, and its ready post claimed when
        `ask` says so (not too late, this process's pacer has room)."""
        got = self.ledger.take(
            channel_id,
            self.lease,
            fence=self.membership.fence(lease),
            pacing=None if self.only_actions else ask,
            finish=sent,
        )
        return _Taken(ask, got.act, got.head, got.claim, got.finished)

    def _send(self, channel_id: str, lease: str, pub: Publisher, ask: _Ask, claim: Claim) -> _Taken:
        """Send the claimed post; its finish, if sent, with the channel's next look and claim
        while nothing should stop them (stop, the lease, else a look of its own next)."""
        self.warm_clients()  # after the claim now: the clients made ready while it is held
        assert ask.asked is not None
        slots, reserved_at = ask.asked.slots, ask.asked.reserved_at
        nxt: list[_Taken] = []

        def finish_sent(sent: Sent) -> bool:
            if self._stopping.is_set() or not self.membership.holds(lease):
                return self.posting.finish_sent(sent)
            ask = _Ask(self, pub)
            try:
                taken = self._take(channel_id, lease, ask, sent)
            except Exception:
                # the finish must hold whatever failed after it: alone, then a look of its own
                log.warning("finishing delivery %s with the next claim failed",
                            sent.claim.delivery.id, exc_info=True)  # fmt: skip
                if ask.asked is not None:  # reserved for a claim rolled back
                    self.pacer.cancel(ask.asked.slots, ask.asked.reserved_at)
                return self.posting.finish_sent(sent)
            nxt.append(taken)
            return bool(taken.finished)

        self._emit(self.posting.send(pub, claim, slots, reserved_at, finish_sent))
        return nxt[0] if nxt else _Taken(ask, again=True)

    def _claim_and(
        self,
        channel_id: str,
        slots: list[Slot],
        claim: Callable[[tuple[str, str] | None, list[PaceWindow]], Any],
        do: Callable[[Any, float], None],
        deadline: dt.datetime | None,
    ) -> bool:
        """Claim under the channel's lease and within the platform limits, then `do` it.

        This process's pacer first (its own sends: it spares the store a claim that
        must wait); then the claim, fenced by the lease and paced by what the store
        says every instance sent (Ledger.claim's `pacing`); a hand-over of the
        channel waits for `do` to finish.
        """
        lease = CHANNEL + channel_id
        reserved_at = self.clock.now().timestamp()
        wait = self.pacer.reserve(slots, reserved_at)
        if wait <= 0:
            with self.membership.busy(lease):
                got = None
                if self.membership.holds(lease):
                    windows = self.windows.of(slots, self.pacer.scale)
                    got = claim(self.membership.fence(lease), windows)
                if got is not None and not isinstance(got, Paced):
                    do(got, reserved_at)
                    return True
            self.pacer.cancel(slots, reserved_at)
            wait = got.wait if isinstance(got, Paced) else 0.0
        until = self.clock.now() + dt.timedelta(seconds=wait)
        return wait <= 0 or self._wait(channel_id, until, deadline)

    def _wait(
        self, channel_id: str, until: dt.datetime | None, deadline: dt.datetime | None
    ) -> bool:
        now = self.clock.now()
        deadline = self._deadline(deadline)
        if deadline is not None and (until is None or until > deadline):
            return False
        seconds = IDLE_POLL if until is None else (until - now).total_seconds()
        wake = self._wake[channel_id]
        self.clock.sleep(min(seconds, IDLE_POLL), wake)
        wake.clear()
        return True

    def _deadline(self, deadline: dt.datetime | None) -> dt.datetime | None:
        """run_once's deadline; None (wait for more) while the caller is still queueing."""
        queueing = self._queueing
        if queueing is None:
            return deadline
        if not queueing.is_set():
            return None
        with self._report_lock:
            if self._until is None:
                self._until = self.clock.now() + dt.timedelta(seconds=self._max_wait)
            return self._until

    def _network(self, pub: Publisher) -> Network[Any]:
        return network(pub.network)

    def _slots(self, pub: Publisher, d: Delivery) -> list[Slot]:
        if pub.dry_run:
            return []
        has_image = bool(d.post and d.post.image_url)
        return self._network(pub).slots(d.channel_id, pub.account, has_image=has_image)

    # -- corrections and takedowns ----------------------------------------------

    def _act(self, channel_id: str, a: Action, deadline: dt.datetime | None) -> bool:
        pub = self.publishers[channel_id]
        slots = [] if pub.dry_run else self._action_slots(pub, a)
        return self._claim_and(
            channel_id,
            slots,
            lambda fence, pacing: self.ledger.claim_action(
                a.id, self.lease, fence=fence, pacing=pacing
            ),
            lambda claim, reserved_at: self._do_action(pub, a, claim, slots, reserved_at),
            deadline,
        )

    def _do_action(
        self, pub: Publisher, a: Action, claim: ActionClaim, slots: list[Slot], reserved_at: float
    ) -> None:
        from .acting import attempt

        try:
            result = attempt(pub, claim, self.settings.retry_budget)
        finally:
            self.pacer.answered(slots, reserved_at)
        if result.state == "retry":
            delay = self.backoff(claim.action.attempts, result.retry_after)
            if result.retry_after:
                self.pacer.block([key for key, _ in slots], result.retry_after)
            at = self.clock.now() + dt.timedelta(seconds=delay)
            self.ledger.finish_action(claim, "pending", result.detail, retry_at=at)
        else:
            self.ledger.finish_action(claim, result.state, result.detail)
        log.info("%s of delivery %s on %s: %s", a.kind, a.delivery_id, a.channel_id, result.detail)
        outcome = Outcome(a.delivery_id, a.channel_id, result.state, result.detail)
        with self._report_lock:
            if self._report is not None:
                self._report.actions.append(outcome)

    def _action_slots(self, pub: Publisher, a: Action) -> list[Slot]:
        """The pacing windows the network says an edit or a deletion counts against."""
        return self._network(pub).action_slots(a.kind, a.channel_id, pub.account)

    def backoff(self, attempt: int, hint: float | None = None) -> float:
        """Seconds before the next attempt (posting.Posting.backoff): the platform's hint,
        else exponential with jitter."""
        return self.posting.backoff(attempt, hint)

    def _emit(self, outcome: Outcome) -> None:
        with self._report_lock:
            if self._report is not None:
                self._report.outcomes.append(outcome)
        if self.on_outcome is not None:
            self.on_outcome(outcome)


class _Reserved:
    __slots__ = ("reserved_at", "slots")

    def __init__(self, slots: list[Slot], reserved_at: float) -> None:
        self.slots = slots
        self.reserved_at = reserved_at


class _Ask:
    """Ledger.take's `pacing` for one look: asked of the ready post inside the claim's
    transaction, it says whether to claim it and what windows it counts against, and
    keeps why not (too late; this process's pacer full, and for how long) or what it
    reserved in the pacer (cancelled when the claim does not happen)."""

    __slots__ = ("asked", "late", "loop", "pub", "wait")

    def __init__(self, loop: DeliveryLoop, pub: Publisher) -> None:
        self.loop = loop
        self.pub = pub
        self.late = False
        self.wait = 0.0
        self.asked: _Reserved | None = None

    def __call__(self, d: Delivery) -> list[PaceWindow] | None:
        loop = self.loop
        if loop.posting.late(d, loop.clock.now()) is not None:
            self.late = True  # given up after the transaction (Posting.too_late writes)
            return None
        slots = loop._slots(self.pub, d)
        reserved_at = loop.clock.now().timestamp()
        self.wait = loop.pacer.reserve(slots, reserved_at)
        if self.wait > 0:
            return None
        self.asked = _Reserved(slots, reserved_at)
        return loop.windows.of(slots, loop.pacer.scale)


class _Taken:
    """Ledger.take's Step, with the `_Ask` it was asked with; `again`: no look was taken
    (a post finished alone), look again."""

    __slots__ = ("act", "again", "ask", "claim", "finished", "head")

    def __init__(
        self,
        ask: _Ask,
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
