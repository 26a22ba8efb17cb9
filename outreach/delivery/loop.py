"""DeliveryLoop: the service's face of the delivery loop, and its start-up and recovery.

It builds the parts (the pacer and windows behind a Gate, the step of a channel,
the channel threads, the run's progress) and keeps what the service calls:
start (recover crashed rows, seed pacing, learn platform limits), warm_clients,
taken_over, run, run_once, nudge and stop. How the loop works: __init__.py.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
from collections.abc import Callable, Mapping
from typing import Any

from ..clock import Clock, SystemClock
from ..config import DeliverySettings
from ..instances import Membership, Solo
from ..ledger import UNKNOWN_AFTER_CRASH, Delivery, Ledger, Recovery
from ..networks import Network, network
from ..outcomes import Outcome, Report, learn_limits, resend_window
from ..pacing import Pacer, Windows
from ..posting import Posting
from ..publishers.base import Publisher
from .gate import Gate
from .progress import Progress
from .step import ChannelStep
from .threads import ChannelThreads

log = logging.getLogger("outreach.delivery")  # the loop's log, as before the split
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
        self.publishers = dict(publishers)
        self.settings = settings
        self.clock = clock or SystemClock()
        # The pacer reads the loop's clock: times seeded from the ledger must compare.
        self.pacer = Pacer(lambda: self.clock.now().timestamp(), scale=pacing_scale)
        # what the store counts against each window, across every instance (pacing.Windows)
        self.windows = Windows(
            (ch, _network(pub), pub.account) for ch, pub in self.publishers.items()
            if not pub.dry_run
        )  # fmt: skip
        self.rng = rng or random.Random()
        self._progress = Progress(on_outcome)
        self.posting = Posting(
            ledger, settings, self.clock, self.pacer, self.rng, self._progress.outcome
        )
        # Longer than the slowest send (image download, upload, processing, status).
        self.lease = lease or dt.timedelta(seconds=3 * settings.timeout_seconds + MEDIA_WAIT + 30)
        self.only_actions = only_actions
        self._warm_lock = threading.Lock()
        self._warmed = False
        self._warming: threading.Thread | None = None  # started at a takeover (taken_over)
        self._warming_lock = threading.Lock()  # its start, against the end of a run
        stopping = self._stopping = threading.Event()
        self._step = ChannelStep(
            ledger,
            self.publishers,
            settings,
            Gate(self.pacer, self.windows, self.clock, self.posting),
            self.posting,
            self._progress,
            lease=self.lease,
            only_actions=only_actions,
            membership=membership or Solo(),
            stopping=stopping,
            warm=self.warm_clients,
            recovery=self.recovery,
        )
        self._threads = ChannelThreads(
            self.publishers, self._step.step, self.clock, stopping, self._progress
        )

    @property
    def membership(self) -> Membership:
        """Which channels this instance may send on now (the service sets its own)."""
        return self._step.membership

    @membership.setter
    def membership(self, membership: Membership) -> None:
        self._step.membership = membership

    @property
    def on_outcome(self) -> Callable[[Outcome], None] | None:
        """Told each post's outcome as it comes (`outreach run --json` prints it)."""
        return self._progress.on_outcome

    @on_outcome.setter
    def on_outcome(self, on_outcome: Callable[[Outcome], None] | None) -> None:
        self._progress.on_outcome = on_outcome

    # -- start-up and recovery -------------------------------------------------

    def start(self) -> list[Delivery]:
        """Recover rows a crash left in `sending`; count recent sends against pacing;
        store the limits each platform reports, for the message layer (learn_limits).
        The clients are made ready later, when something is first ready to go (warm_clients)."""
        recovered = self.ledger.recover(self.recovery, channel_ids=list(self.publishers))
        for d in recovered:
            log.warning("delivery %s (%s) after a crash: %s", d.id, d.channel_id, d.state)
        for a in self.ledger.recover_actions(list(self.publishers)):
            log.warning(
                "%s of delivery %s (%s) after a crash: again", a.kind, a.delivery_id, a.channel_id
            )
        now = self.clock.now()
        for ch, pub in self.publishers.items():
            times = self._recent_sends(ch, now)
            if times and not pub.dry_run:
                self.pacer.seed(_network(pub).slots(ch, pub.account), times)
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
        left in `sending` is recovered at once, and its recent sends count against pacing.

        When the channel has something ready to go, the clients are made ready now, on a
        thread of their own (warm_soon): left to the first claim, the first post after a
        hand-over waited for the Telegram client's start or Mastodon.py's import (0.5-4 s
        on a busy machine) although pacing had let it go seconds before. Nothing ready
        (a cron `run --once` beside the instances, a standby taking a quiet channel):
        nothing is loaded, as at start (warm_clients)."""
        recovered = self.ledger.recover(self.recovery, channel_ids=[channel_id], orphaned=True)
        for d in recovered:
            log.warning("delivery %s (%s) taken over: %s", d.id, d.channel_id, d.state)
        pub = self.publishers.get(channel_id)
        if pub is not None and not pub.dry_run:
            times = self._recent_sends(channel_id, self.clock.now())
            slots = _network(pub).slots(channel_id, pub.account)
            self.pacer.seed(slots, times, newer=True)
            if not self._warmed and self._ready_to_go(channel_id):
                self.warm_soon()
        self.nudge(channel_id)
        return recovered

    def _ready_to_go(self, channel_id: str) -> bool:
        """Whether the channel has a post (or a correction, a takedown) to send now, pacing
        aside; a failed look says no (the first claim still makes the clients ready)."""
        try:
            act, head = self.ledger.heads(channel_id)
        except Exception:
            log.debug("looking at %s after its takeover failed", channel_id, exc_info=True)
            return False
        if act.ready is not None or act.stuck:
            return True
        return not self.only_actions and (head.ready is not None or head.stuck)

    def warm_soon(self) -> None:
        """warm_clients on a thread of its own (the keeper's beat, which takes channels
        over, must not wait for it), unless the loop is stopping: the publishers may be
        closed next (a run's end waits for a warm in progress: _settle_warming)."""
        with self._warming_lock:
            if self._warmed or self._stopping.is_set():
                return
            if self._warming is not None and self._warming.is_alive():
                return
            self._warming = threading.Thread(
                target=self.warm_clients, name="warm-clients", daemon=True
            )
            self._warming.start()

    def _settle_warming(self) -> None:
        """At a run's end: a warm begun at a takeover is finished before the caller closes
        the publishers it uses. None begins after: `run` ends once stopping, and `run_once`
        has stopped its membership, whose beats take channels over, before this."""
        with self._warming_lock:
            warming, self._warming = self._warming, None
        if warming is not None:
            warming.join()

    def _recent_sends(self, channel_id: str, now: dt.datetime) -> list[float]:
        """The channel's sends of the last three hours, as the pacer counts them."""
        sent = self.ledger.sent_times([channel_id], now - dt.timedelta(hours=3))
        # another machine's clock may run ahead of ours: its sends count as now at the latest
        return [min(t, now).timestamp() for t in sent]

    def recovery(self, channel_id: str) -> Recovery:
        """What the channel's network declares for a row a crash left in `sending`."""
        pub = self.publishers.get(channel_id)
        window = resend_window(pub.network) if pub is not None else None
        return Recovery(resend_within=window) if window else UNKNOWN_AFTER_CRASH

    def learn_limits(self) -> None:
        """Ask each platform that can tell (Mastodon, with a token) for its limits, at once."""
        learn_limits(self.ledger, self.publishers)

    # -- running ---------------------------------------------------------------

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
                return self._threads.run(deadline)
            return self._threads.run_queueing(queueing, max_wait)
        finally:
            self.membership.stop()
            self._settle_warming()

    @property
    def report(self) -> Report | None:
        """What the run in progress has done so far."""
        return self._progress.report

    def run(self, stop: threading.Event) -> Report:
        """Deliver until `stop` is set."""
        self._threads.watch(stop)
        try:
            return self._threads.run(None)
        finally:
            self._settle_warming()

    def nudge(self, channel_id: str | None = None) -> None:
        """Something was enqueued: look now instead of at the next poll."""
        self._threads.nudge(channel_id)

    def stop(self) -> None:
        self._threads.stop()

    def backoff(self, attempt: int, hint: float | None = None) -> float:
        """Seconds before the next attempt (posting.Posting.backoff): the platform's hint,
        else exponential with jitter."""
        return self.posting.backoff(attempt, hint)


def _network(pub: Publisher) -> Network[Any]:
    return network(pub.network)
