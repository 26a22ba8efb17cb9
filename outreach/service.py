"""`outreach run` and `outreach run --once`: the scheduler, the feed watcher and delivery.

One loop in the main thread does all the work. It wakes for the earliest next
occurrence its last plan found (or within a minute, whatever comes first);
APScheduler's thread wakes it for the feeds' polls (see scheduler.py). Each
turn of the loop:

  1. reads the announcements from the ledger and asks outreach.schedule what
     is due, missed or coalesced, and queues or records that;
  2. polls the feeds whose poll time came (all of them on start);
  3. delivers what is due, one post at a time, checking for a stop between two.

Between turns, while it would idle, it renders the posts of the occurrences
due within AHEAD (outreach.prerender), so that a thousand due at once are
queued at their moment without rendering each then; a post rendered ahead is
used only if a render at the moment would give the same post.

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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import announcements, schedule
from .errors import OutreachError, ScheduleError
from .feeds import FeedWatcher, Fetcher, PollResult
from .ledger import QUEUEING
from .outbox import Draft, Outbox, Queued
from .prerender import Prerendered

if TYPE_CHECKING:
    from .clock import Clock
    from .config import Config, FeedConfig
    from .delivery import DeliveryLoop, Report
    from .instances import Membership
    from .ledger import Batch, Ledger
    from .scheduler import Scheduler

log = logging.getLogger("outreach.service")
HEARTBEAT = dt.timedelta(seconds=60)
ALIVE_WITHIN = 3 * HEARTBEAT
"""A service whose last beat is older than this is taken for dead (a long turn included)."""
AHEAD = 2 * HEARTBEAT
"""Occurrences due within this of a turn have their posts rendered after it (prerender.py):
the loop turns at least every HEARTBEAT, so each is rendered ahead at least once."""
"""However quiet the schedule, the loop looks at the ledger this often (clock time)."""


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
        self._next_fire: dt.datetime | None = None
        """The earliest next occurrence the last plan found: when to look again."""
        self._started_at = clock.now()
        # What plan() learnt of each announcement, kept between turns (plan's docstring)
        self._schedulable_of: dict[Any, schedule.Announcement | None] = {}
        self._idle_until: dict[
            str, tuple[schedule.Announcement, dt.datetime | None, dt.datetime]
        ] = {}
        # The occurrences due within AHEAD of the last plan, and their posts rendered ahead
        self._soon: list[tuple[Any, schedule.Announcement, dt.datetime]] = []
        self._ahead = Prerendered(
            lambda job, limits: self._prepare_due(job, limits, report=False),
            getattr(self.outbox.messages, "dirs", ()),
            config.campaign.tz,
        )

    # -- the steps ---------------------------------------------------------------

    def prepare(self) -> list[str]:
        """Bring the campaign file's announcements into the ledger."""
        return announcements.sync_yaml(self.config, self.ledger)

    def plan(self, turn: Turn | None = None) -> Turn:
        """Queue the announcement occurrences that are due; record the missed ones.

        Occurrences go through Outbox.queue_batches: rendered, then written 100 to a
        transaction: all the channels of an occurrence commit together (the
        schedule counts an occurrence done once any row of it exists), and a
        thousand due at once cost a few commits, not three thousand.

        Each turn looks again only at what can have changed: an announcement's schedule
        view is kept while its row is the same, and one that fired nothing is not
        looked at again before its next occurrence while its row and what was done
        of it stay the same (schedule.plan's idle_until), so ten thousand
        announcements cost a turn little more than the ones due.
        """
        turn = turn or Turn()
        now = self.clock.now()
        stored = self.ledger.announcements()
        anns = [a for a in self._all_schedulable(stored) if a is not None]
        done = {
            about.split(":", 1)[1]: moment
            for about, moment in self.ledger.last_occurrences("announcement:").items()
        }
        idle = {
            a.id: hint[2]
            for a in anns
            if (hint := self._idle_until.get(a.id)) is not None and hint[:2] == (a, done.get(a.id))
        }
        result = schedule.plan(
            anns, now, done, self.grace, self.outbox.quiet, self.config.campaign.tz, idle
        )
        by_id = {a.id: a for a in stored}
        if result.missed:
            with self.ledger.batch() as batch:
                for missed in result.missed:
                    stored_ann = by_id[missed.announcement_id]
                    reason = missed.reason(self.grace)
                    chs = self._record_missed(batch, stored_ann, missed.last, reason)
                    turn.missed.append((missed, chs))
        work = [(by_id[d.announcement_id], d) for d in result.due]
        if work:
            self._ahead.check(now, self.grace)
        for committed in self.outbox.queue_batches(work, self._due_posts, self._write_due):
            for (stored_ann, due), qs in committed:
                if qs is not None:
                    self._log_queued(stored_ann, due, qs)
                    turn.queued += qs
        # Only now, all of it written: what fired this turn is looked at again next turn.
        fired = {d.announcement_id for d in result.due} | {m.announcement_id for m in result.missed}
        self._next_fire = min((t for t in result.next_at.values() if t is not None), default=None)
        self._idle_until = {
            a.id: (a, done.get(a.id), schedule.NEVER if nxt is None else nxt)
            for a in anns
            if a.id not in fired and not a.cancelled
            for nxt in (result.next_at.get(a.id),)
        }
        soon = now + AHEAD
        self._soon = sorted(
            (
                (by_id[a.id], a, nxt)
                for a in anns
                if (nxt := result.next_at.get(a.id)) is not None and nxt <= soon
            ),
            key=lambda s: s[2],
        )
        return turn

    def render_ahead(self) -> int:
        """Render the posts of the occurrences the last plan found due within AHEAD, each as
        the turn at its moment would (prerender.py), until that moment comes or the loop
        is woken; returns how many were rendered. The loop calls it while it would idle."""
        soon, self._soon = self._soon, []
        if not soon:
            return 0
        quiet, tz = self.outbox.quiet, self.config.campaign.tz
        jobs = (
            (stored, schedule.Due(ann.id, at, dt.timedelta(0), 0, tuple(
                schedule.Send(ch, schedule.release_time(quiet, ch, tz, at))
                for ch in ann.channels
            )))
            for stored, ann, at in soon
        )  # fmt: skip

        def stop() -> bool:
            nxt = self._next_fire
            return (
                self.stop.is_set()
                or self.wake.is_set()
                or (nxt is not None and self.clock.now() >= nxt)
            )

        return self._ahead.render(jobs, self.outbox.limits(), stop)

    def _due_posts(
        self, job: tuple[Any, schedule.Due], limits: Mapping[str, int]
    ) -> list[Draft] | str:
        """The occurrence's posts: rendered ahead if they stand for a render now, else now."""
        ahead = self._ahead.take(job[0], job[1], limits)
        return ahead if ahead is not None else self._prepare_due(job, limits)

    def _all_schedulable(self, stored: list[Any]) -> list[schedule.Announcement | None]:
        """Each stored announcement's schedule view (None: it cannot be scheduled), made
        once per row as stored: a changed row is a new key."""
        known = self._schedulable_of
        self._schedulable_of = {s: known[s] if s in known else self._schedulable(s) for s in stored}
        return list(self._schedulable_of.values())

    def _write_due(
        self, batch: Batch, job: tuple[Any, schedule.Due], prepared: list[Draft] | str
    ) -> list[Queued] | None:
        stored, due = job
        if isinstance(prepared, str):
            # e.g. its page left the campaign file: say so on every channel, once
            self._record_missed(batch, stored, due.occurrence, prepared)
            return None
        return self.outbox.write(batch, prepared)

    def _schedulable(self, stored: Any) -> schedule.Announcement | None:
        ann = announcements.for_schedule(stored, self.config)
        if not ann.channels and not ann.cancelled:
            # none of its channels exist any more: it has nowhere to go
            log.warning("announcement %r has no configured channel; skipped", ann.id)
            return None
        try:
            schedule.trigger(ann)
        except ScheduleError as exc:
            log.error("announcement %r cannot be scheduled: %s", ann.id, exc)
            return None
        return ann

    def _record_missed(
        self, batch: Batch, stored: Any, occurrence: dt.datetime, reason: str
    ) -> list[str]:
        key = schedule.occurrence_key(stored.id, occurrence)
        channels = self.config.channels_for(list(stored.channels))
        for ch in channels:
            batch.record_missed(
                ch.id, ch.kind, about=f"announcement:{stored.id}", dedupe_key=key,
                occurrence=occurrence, reason=reason,
            )  # fmt: skip
        log.warning("announcement %r: %s", stored.id, reason)
        return [c.id for c in channels]

    def _prepare_due(
        self, job: tuple[Any, schedule.Due], limits: Mapping[str, int], report: bool = True
    ) -> list[Draft] | str:
        """The occurrence's posts, rendered; or why it cannot be made (a str)."""
        stored, due = job
        try:
            subject = self.outbox.messages.subject_for_announcement(announcements.to_config(stored))
        except OutreachError as exc:
            return f"the post could not be made, so it was not sent: {exc}"
        return self.outbox.prepare(
            subject,
            dedupe_key=schedule.occurrence_key(stored.id, due.occurrence),
            due=self.clock.now(),
            occurrence=due.occurrence,
            due_at={s.channel_id: s.not_before for s in due.sends},
            limits=limits,
            report=report,
        )

    def _log_queued(self, stored: Any, due: schedule.Due, queued: list[Queued]) -> None:
        extra = f", {due.coalesced} earlier occurrence(s) folded in" if due.coalesced else ""
        late = due.late > schedule.ON_TIME
        log.info(
            "announcement %r at %s queued for %d channel(s)%s%s",
            stored.id, schedule.iso(due.occurrence), len(queued),
            f", {int(due.late.total_seconds() // 60)} min late" if late else "", extra,
        )  # fmt: skip

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
        self.prepare()
        self.beat("run --once")
        turn = Turn(recovered=self.delivery.start())
        if not stream:
            self.plan(turn)
            turn.polls = self.poll(progress=progress)
            if on_queued:
                on_queued(turn)
            if not self.stop.is_set():
                turn.delivered = self.delivery.run_once(max_wait=max_wait)
            self._after(turn)
            return turn
        queueing, reports = threading.Event(), []
        sender = threading.Thread(
            target=lambda: reports.append(self.delivery.run_once(max_wait, queueing=queueing)),
            name="delivery",
        )

        def committed(feed_id: str, n: int, total: int) -> None:
            self.delivery.nudge()  # an item's rows are committed: they may go now
            if progress:
                progress(feed_id, n, total)

        sender.start()
        try:
            self.plan(turn)
            self.delivery.nudge()
            turn.polls = self.poll(progress=committed)
        finally:
            queueing.set()  # max_wait counts from here; what is committed still goes
            self.delivery.nudge()
        if on_queued:
            on_queued(turn)
        sender.join()
        turn.delivered = reports[0] if reports else None
        self._after(turn)
        return turn

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

        self.prepare()
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
                self._next_fire = None  # this turn's plan says, if this instance plans
                try:
                    # several instances: one plans, polls and alerts per turn, the others send
                    if self.membership.holds(QUEUEING):
                        turn = self.turn()
                        if turn.queued or any(p.deliveries for p in turn.polls):
                            self.delivery.nudge()
                        self._after(turn)
                        self._render_ahead_quietly()
                except Exception:
                    # the ledger is the truth, so the next turn simply tries again
                    log.exception("this turn failed; trying again within a minute")
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
        from importlib.metadata import version

        try:
            self.ledger.health.beat(
                kind,
                host=socket.gethostname(),
                pid=os.getpid(),
                version=version("outreach"),
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
        if self._next_fire is not None:
            wait = min(wait, (self._next_fire - self.clock.now()).total_seconds())
        return max(0.0, wait)

    def turn(self) -> Turn:
        turn = self.plan()
        with self._lock:
            ids, self._due_feeds = self._due_feeds, set()
        if ids and not self.stop.is_set():
            turn.polls = self.poll([f for f in self.config.feeds if f.id in ids])
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
