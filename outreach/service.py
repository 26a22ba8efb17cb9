"""`outreach run` and `outreach run --once`: the scheduler, the feed watcher and delivery.

One loop in the main thread does all the work. It wakes for the earliest next
occurrence its last plan found (or within a minute, whatever comes first);
APScheduler's thread wakes it for the feeds' polls (see scheduler.py). Each
turn of the loop:

  1. plans the announcements (outreach.planner): what is due, missed or
     coalesced, queued or recorded;
  2. polls the feeds whose poll time came (all of them on start);
  3. delivers what is due, one post at a time, checking for a stop between two.

Delivery runs on its own threads (outreach.delivery), reading the ledger: each
transaction of steps 1 and 2 that queued a new post wakes them as it commits
(`_committed`), so the first of a thousand occurrences due at once, or of a long
feed, goes out while the rest is still being rendered, not after the whole turn.

Between turns, while it would idle, the planner renders the posts of the
occurrences due within AHEAD (outreach.prerender), so that a thousand due at
once are queued at their moment without rendering each then; a post rendered
ahead is used only if a render at the moment would give the same post.

While the campaign is paused (ledger.pause), the ledger queues everything
`held`, in the transaction that queues it, and its claim hands out nothing.

Every step reads its state from the ledger and writes it back before the
next, so a restart (or kill -9) resumes where the last run stopped: an
occurrence is queued at most once per channel (its dedupe key), a feed item is
announced once (seen_items), and the delivery loop recovers a post left in
`sending`.

SIGTERM or SIGINT: the post being sent is finished (its request has a
timeout), nothing new is started, and the process exits 0. A second signal
exits at once; the post in flight is then recovered by the next start.

`run --once` does turns until nothing more is due now, then exits: for cron
or a systemd timer.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import announcement_sync, schedule
from .feeds import FeedWatcher, Fetcher, PollResult
from .ledger import QUEUEING
from .outbox import Outbox, Queued
from .planner import AHEAD, HEARTBEAT, Planner
from .startup import release_collector

if TYPE_CHECKING:
    from .clock import Clock
    from .config import Config, FeedConfig
    from .delivery import DeliveryLoop, Report
    from .instances import Membership
    from .ledger import Ledger
    from .scheduler import Scheduler

log = logging.getLogger("outreach.service")
ALIVE_WITHIN = 3 * HEARTBEAT
"""A service whose last beat is older than this is taken for dead (a long turn included)."""
__all__ = ["AHEAD", "ALIVE_WITHIN", "HEARTBEAT", "Service", "Turn"]


def _version() -> str:
    """This process's outreach version, for the heartbeat: the package's own, imported,
    not looked up in the installed distributions' files (importlib.metadata: ~3 ms at
    the first beat of every run, issue 15; tests/test_version.py keeps the two equal)."""
    from . import __version__

    return __version__


@dataclass
class Turn:
    """What one turn of the loop did."""

    queued: list[Queued] = field(default_factory=list)
    missed: list[tuple[schedule.Missed, list[str]]] = field(default_factory=list)
    polls: list[PollResult] = field(default_factory=list)
    delivered: Report | None = None
    recovered: list[Any] = field(default_factory=list)
    """Deliveries a crash had left in `sending`, and what became of them."""


class Service:
    def __init__(
        self,
        config: Config,
        ledger: Ledger,
        delivery: DeliveryLoop,
        *,
        clock: Clock,
        fetcher: Fetcher | None = None,
        messages: Any | None = None,
        on_turn: Callable[[Turn], None] | None = None,
        membership: Membership | None = None,
    ) -> None:
        """`on_turn` runs after every turn (e.g. sending organisers' alerts); its errors are logged.

        `membership`: this instance's share when several run on one store
        (outreach.instances); `run` plans, polls and sends alerts only while it
        holds the `queueing` lease, and sends on the channels it holds.
        """
        self.config = config
        self.membership: Membership = membership or delivery.membership
        self.on_turn = on_turn
        self.ledger = ledger
        self.delivery = delivery
        self.clock = clock
        self.outbox = Outbox(config, ledger, messages)
        self.watcher = FeedWatcher(config, ledger, self.outbox, clock.now, fetcher)
        self.grace = dt.timedelta(minutes=config.delivery.misfire_grace_minutes)
        self.stop = threading.Event()
        self.wake = threading.Event()
        self._due_feeds: set[str] = set()
        self._lock = threading.Lock()
        self._scheduler: Scheduler | None = None
        self._started_at = clock.now()
        self.planner = Planner(config, ledger, self.outbox, clock)

    # -- the steps ---------------------------------------------------------------

    def prepare(self) -> list[str]:
        """Bring the campaign file's announcements into the ledger; returns what changed."""
        return announcement_sync.sync(self.config, self.ledger).changes

    def _start_up(self) -> None:
        """prepare(), its reading of every announcement handed to the first plan (planner.py)."""
        synced = announcement_sync.sync(self.config, self.ledger)
        self.planner.take_start_reading(synced.stored)

    def plan(self, turn: Turn | None = None, committed: Callable[[], None] | None = None) -> Turn:
        """Queue the announcement occurrences that are due; record the missed ones (planner.py).

        `committed()` after each transaction that queued a new post (`_committed`)."""
        result: Turn = self.planner.plan(turn or Turn(), committed)
        return result

    def render_ahead(self) -> int:
        """Render the posts of the occurrences the last plan found due within AHEAD, each as
        the turn at its moment would (prerender.py), until that moment comes or the loop
        is woken; returns how many were rendered. The loop calls it while it would idle."""
        return self.planner.render_ahead(lambda: self.stop.is_set() or self.wake.is_set())

    def poll(self, feeds: Iterable[FeedConfig] | None = None, progress=None) -> list[PollResult]:
        return self.watcher.poll_all(list(feeds) if feeds is not None else None, progress)

    # -- run --once ----------------------------------------------------------------

    def run_once(
        self,
        *,
        max_wait: float = 30.0,
        progress: Callable[[str, int, int], None] | None = None,
        on_queued: Callable[[Turn], None] | None = None,
        stream: bool = False,
    ) -> Turn:
        """Everything due now: announcements, every feed, then the deliveries.

        `max_wait` (clock seconds) bounds the wait for pacing and quick retries;
        what is due later (quiet hours, backoff) stays queued for the next run.
        `stream`: deliver while queueing, from the first committed batch on (a
        long feed's first posts need not wait for its last to be rendered);
        `on_queued` then sees what was queued while the first posts go out.
        """
        self._start_up()
        self.beat("run --once")
        turn = Turn(recovered=self.delivery.start())
        if not stream:
            self._plan_ending_start_up(turn)
            turn.polls = self.poll(progress=progress)
            if on_queued:
                on_queued(turn)
            if not self.stop.is_set():
                turn.delivered = self.delivery.run_once(max_wait=max_wait)
            self._after(turn)
            self.planner.remember()  # for the next start (next_fires.py)
            return turn
        queueing, reports = threading.Event(), []
        sender = threading.Thread(
            target=lambda: reports.append(self.delivery.run_once(max_wait, queueing=queueing)),
            name="delivery",
        )

        def committed(feed_id: str, n: int, total: int) -> None:
            self._committed()  # an item's rows are committed: they may go now
            if progress:
                progress(feed_id, n, total)

        sender.start()
        try:
            self._plan_ending_start_up(turn, self._committed)
            turn.polls = self.poll(progress=committed)
        finally:
            queueing.set()  # max_wait counts from here; what is committed still goes
            self.delivery.nudge()
        if on_queued:
            on_queued(turn)
        sender.join()
        turn.delivered = reports[0] if reports else None
        self._after(turn)
        self.planner.remember()
        return turn

    def _committed(self) -> None:
        """New posts are committed (a batch of the planner's or of a feed's): the delivery
        loop may send them now. `run` and `run --once --stream` call it from the queueing
        thread after each such transaction, never before its commit: the delivery threads
        read the ledger, so they see a batch whole or not at all.

        The first time, the delivery loop's clients are made ready here, on this thread,
        before it is nudged (issue 15: time to the first post). Left to the delivery
        thread once it saw the first committed batch, the import of Mastodon.py and
        requests (~0.1-0.15 s of CPU) ran while this thread rendered the next batch: two
        threads on one interpreter lock, so the first post waited for both
        (bench/README.md, "Time to the first post"). Done here, the first post follows at
        once and the next batches are rendered while the posts are in flight. Only once
        something was committed: a run with nothing new loads no client.
        """
        self.delivery.warm_clients()  # once, under the loop's lock; then a flag read
        self.delivery.nudge()

    def _item_committed(self, feed_id: str, n: int, total: int) -> None:
        """The feed watcher's progress callback: item `n` of `total` is committed."""
        self._committed()

    def _after(self, turn: Turn) -> None:
        if self.on_turn is None:
            return
        try:
            self.on_turn(turn)
        except Exception:
            log.exception("the after-turn hook failed")

    # -- run -----------------------------------------------------------------------

    def on_fire(self, kind: str, ident: str) -> None:
        """Called from APScheduler's thread: note what fired and wake the loop."""
        if kind == "feed":
            with self._lock:
                self._due_feeds.add(ident)
        self.wake.set()

    def run(self, scheduler: Scheduler | None = None) -> None:
        """Until `stop` is set: plan and poll as the scheduler wakes us; deliver meanwhile."""
        self.membership.start()  # SQLite: refused while another `run` holds the store
        try:
            self._run(scheduler)
        finally:
            self.membership.stop()

    def _run(self, scheduler: Scheduler | None) -> None:
        from .scheduler import Scheduler

        self._start_up()
        self.delivery.start()
        self._scheduler = scheduler or Scheduler(
            self.on_fire, clock=self.clock, misfire_grace=self.grace
        )
        # Jobs for the feeds only: the loop wakes itself for the announcements (`_idle`),
        # so ten thousand of them are not ten thousand jobs to make at start-up and, due
        # at once, a thousand jobs to run at the moment they are to be queued.
        self._scheduler.sync([], self.config.feeds)
        self._scheduler.start()
        self._due_feeds = {f.id for f in self.config.feeds}
        sender = threading.Thread(target=self.delivery.run, args=(self.stop,), name="delivery")
        sender.start()
        log.info(
            "outreach is running: %d feed(s); SIGTERM or Ctrl-C stops it", len(self._due_feeds)
        )
        try:
            while not self.stop.is_set():
                self.wake.clear()  # before the turn: a job firing during it wakes the next
                self.beat("run")
                self.planner.next_fire = None  # this turn's plan says, if this instance plans
                try:
                    # several instances: one plans, polls and alerts per turn, the others send
                    if self.membership.holds(QUEUEING):
                        turn = self.turn()  # the delivery loop is woken batch by batch
                        self._after(turn)
                        self._render_ahead_quietly()
                        self.planner.remember()  # for the next start (next_fires.py)
                except Exception:
                    # the ledger is the truth, so the next turn simply tries again
                    log.exception("this turn failed; trying again within a minute")
                # start-up's reading is for a plan at start-up only: one that waited for
                # the queueing lease reads the announcements as they are then
                self.planner.take_start_reading(None)
                release_collector()  # start-up is over, whether this instance planned or not
                if not self.stop.is_set():
                    self.clock.wait(self.wake, self._idle())
        finally:
            self.stop.set()
            self._scheduler.shutdown()
            sender.join()
            log.info("outreach stopped")

    def _render_ahead_quietly(self) -> None:
        try:
            self.render_ahead()
        except Exception:
            # only time was to be saved: the turn at the moment renders what is missing
            log.exception("rendering the next posts ahead failed; they are rendered when due")

    def beat(self, kind: str) -> None:
        """Tell the store this process is alive (`outreach status`); never stops the service."""
        import socket

        try:
            self.ledger.health.beat(
                kind,
                host=socket.gethostname(),
                pid=os.getpid(),
                version=_version(),
                started_at=self._started_at,
                process=getattr(self.membership, "process", None),
            )
        except Exception:
            log.exception("could not write the heartbeat; the service goes on")

    def took_queueing(self) -> None:
        """This instance now plans and polls (the last one stopped): every feed is due."""
        with self._lock:
            self._due_feeds = {f.id for f in self.config.feeds}
        self.wake.set()

    def _idle(self) -> float:
        """Clock seconds until the next turn: the earliest next occurrence, at most a beat.

        An announcement added meanwhile (the command line, the bot) is planned at the
        next turn, within a beat, and sent then if its time has come.
        """
        wait = HEARTBEAT.total_seconds()
        nxt = self.planner.next_fire
        if nxt is not None:
            wait = min(wait, (nxt - self.clock.now()).total_seconds())
        return max(0.0, wait)

    def _plan_ending_start_up(
        self, turn: Turn | None = None, committed: Callable[[], None] | None = None
    ) -> Turn:
        """plan(), after which the collector held since start-up runs again (outreach.startup;
        a no-op after the first): start-up is the clients made ready and the first plan,
        with its reading of every announcement."""
        try:
            return self.plan(turn, committed)
        finally:
            release_collector()

    def turn(self) -> Turn:
        """One turn of `run`: plan, then poll the feeds whose time came. Each transaction
        that queues a new post wakes the delivery loop as it commits (`_committed`), so
        nothing waits for the last feed or the last of a thousand occurrences."""
        turn = self._plan_ending_start_up(committed=self._committed)
        with self._lock:
            ids, self._due_feeds = self._due_feeds, set()
        if ids and not self.stop.is_set():
            feeds = [f for f in self.config.feeds if f.id in ids]
            turn.polls = self.poll(feeds, progress=self._item_committed)
        return turn

    # -- signals -------------------------------------------------------------------

    def install_signal_handlers(self) -> None:
        """SIGTERM/SIGINT: finish the post in flight and stop; a second one: exit now."""

        def handler(signum: int, _frame: Any) -> None:
            if self.stop.is_set():
                # the post in flight stays `sending`; the next start recovers it
                log.warning("second %s: stopping now", signal.Signals(signum).name)
                os._exit(128 + signum)
            log.warning(
                "%s: finishing the post in flight, then stopping", signal.Signals(signum).name
            )
            self.stop.set()
            self.wake.set()
            self.delivery.stop()  # channel threads finish their post and start no other

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)
