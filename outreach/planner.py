"""The announcements' side of a turn: what is due, missed or coming, and rendering ahead.

The service (service.py) turns; each turn asks the planner to:

  1. read the announcements from the ledger, ask outreach.schedule what is due,
     missed or coalesced, and queue or record that (`plan`);
  2. between turns, while the loop would idle, render the posts of the
     occurrences due within AHEAD (`render_ahead`, outreach.prerender), so that a
     thousand due at once are queued at their moment without rendering each then;
     a post rendered ahead is used only if a render at the moment would give the
     same post.

What it learns is kept between turns and is only ever a shortcut: an
announcement's schedule view (and trigger) while its row is the same, when each
one that fired nothing fires next, the posts rendered ahead. Everything it
decides is written to the ledger before the next step, so a restart loses nothing.
When each announcement fires next is also kept in the ledger (`remember`, between
turns; outreach/next_fires.py says when a row may be used), so a restart over
thousands of announcements reads it instead of computing every trigger again.

At start-up the service has just read every announcement to bring the campaign
file's into the ledger (announcement_sync.sync); the first plan takes that reading
(`take_start_reading`) instead of reading ten thousand rows again. A change that
another process makes in the moment between is seen at the next turn, as one made
during any turn is.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import announcements, next_fires, schedule
from .errors import OutreachError, ScheduleError
from .prerender import Prerendered

if TYPE_CHECKING:
    from .clock import Clock
    from .config import Config
    from .ledger import Batch, Ledger, NextFire, StoredAnnouncement
    from .outbox import Draft, Outbox, Queued

log = logging.getLogger("outreach.service")
HEARTBEAT = dt.timedelta(seconds=60)
"""However quiet the schedule, the loop looks at the ledger this often (clock time)."""
AHEAD = 2 * HEARTBEAT
"""Occurrences due within this of a turn have their posts rendered after it (prerender.py):
the loop turns at least every HEARTBEAT, so each is rendered ahead at least once."""

Job = tuple[Any, schedule.Due]
"""A stored announcement and the occurrence of it to queue."""


class Planner:
    """Plans the announcements for the service's turns; see the module docstring."""

    def __init__(self, config: Config, ledger: Ledger, outbox: Outbox, clock: Clock) -> None:
        self.config = config
        self.ledger = ledger
        self.outbox = outbox
        self.clock = clock
        self.grace = dt.timedelta(minutes=config.delivery.misfire_grace_minutes)
        self.next_fire: dt.datetime | None = None
        """The earliest next occurrence the last plan found: when to look again."""
        self._next_at: dict[str, dt.datetime | None] = {}
        """Each announcement's next occurrence as the last plan found it (schedule.Plan)."""
        self._start_reading: list[StoredAnnouncement] | None = None
        # What plan() learnt of each announcement, kept between turns (plan's docstring)
        self._schedulable_of: dict[Any, schedule.Announcement | None] = {}
        self._idle_until: dict[
            str, tuple[schedule.Announcement, dt.datetime | None, dt.datetime]
        ] = {}
        # When each announcement fires next as the ledger remembers it (read at the first plan)
        self._remembered: dict[str, NextFire] | None = None
        self._kept_idle: dict[str, tuple[schedule.Announcement, dt.datetime | None, dt.datetime]]
        self._kept_idle = {}  # the _idle_until entries `remember` last wrote or found kept
        # The occurrences due within AHEAD of the last plan, and their posts rendered ahead
        self._soon: list[tuple[Any, schedule.Announcement, dt.datetime]] = []
        self._ahead = Prerendered(
            lambda job, limits: self._prepare_due(job, limits, report=False),
            getattr(self.outbox.messages, "dirs", ()),
            config.campaign.tz,
        )

    def take_start_reading(self, stored: Sequence[StoredAnnouncement] | None) -> None:
        """Every announcement as start-up just read and wrote them (announcement_sync.sync):
        the next plan uses this instead of reading them again; None forgets it."""
        self._start_reading = list(stored) if stored is not None else None

    def plan(self, turn: Any, committed: Callable[[], None] | None = None) -> Any:
        """Queue the announcement occurrences that are due; record the missed ones (in `turn`).

        Occurrences go through Outbox.queue_batches: rendered, then written 100 to a
        transaction: all the channels of an occurrence commit together (the
        schedule counts an occurrence done once any row of it exists), and a
        thousand due at once cost a few commits, not three thousand.
        `committed()` runs after each transaction that queued a new post, before
        the next batch is rendered: the service wakes the delivery loop with it,
        so the first hundred go out while the rest is queued.

        Each turn looks again only at what can have changed: an announcement's schedule
        view is kept while its row is the same, and one that fired nothing is not
        looked at again before its next occurrence while its row and what was done
        of it stay the same (schedule.plan's idle_until), so ten thousand
        announcements cost a turn little more than the ones due.
        """
        now = self.clock.now()
        stored, self._start_reading = self._start_reading, None
        if stored is None:
            stored = self.ledger.announcements()
        remembered = self._remembered_fires()
        anns = [a for a in self._all_schedulable(stored, remembered) if a is not None]
        done = {
            about.split(":", 1)[1]: moment
            for about, moment in self.ledger.last_occurrences("announcement:").items()
        }
        idle: dict[str, dt.datetime] = {}
        for a in anns:
            hint = self._idle_until.get(a.id)
            if hint is not None and hint[:2] == (a, done.get(a.id)):
                idle[a.id] = hint[2]
            elif (kept := next_fires.remembered_next(a, done.get(a.id), remembered)) is not None:
                idle[a.id] = kept
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
        for chunk in self.outbox.queue_batches(work, self._due_posts, self._write_due):
            if committed is not None and any(q.created for _, qs in chunk for q in qs or ()):
                committed()  # after the commit: the delivery loop may claim these rows now
            for (stored_ann, due), qs in chunk:
                if qs is not None:
                    self._log_queued(stored_ann, due, qs)
                    turn.queued += qs
        # Only now, all of it written: what fired this turn is looked at again next turn.
        fired = {d.announcement_id for d in result.due} | {m.announcement_id for m in result.missed}
        self.next_fire = min((t for t in result.next_at.values() if t is not None), default=None)
        self._next_at = result.next_at
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

    def upcoming(self, now: dt.datetime) -> list[tuple[str, dt.datetime]]:
        """(announcement id, its next occurrence after `now`), soonest first, as the last plan
        found them: one whose time that plan saw has come since is computed again. Those
        that plan could not schedule (no channel left, a bad schedule) have none."""
        out = []
        for ann in self._schedulable_of.values():
            if ann is None or ann.cancelled:
                continue
            nxt = self._next_at.get(ann.id)
            if nxt is not None and nxt <= now:
                nxt = schedule.next_occurrence(ann, now)
            if nxt is not None:
                out.append((ann.id, nxt))
        return sorted(out, key=lambda u: (u[1], u[0]))

    def remember(self) -> int:
        """Keep in the ledger when each announcement the last plan found nothing to do for
        fires next (next_fires.py), writing only what changed; returns how many rows were
        written or dropped. The service calls it between turns: it is only a shortcut for
        the next start, so a failure is logged and forgotten."""
        remembered = self._remembered_fires()
        idle = self._idle_until
        # only what a plan changed since the last time: a turn over ten thousand unchanged
        # announcements makes no row
        fresh = {k: v for k, v in idle.items() if self._kept_idle.get(k) != v}
        rows = {ann_id: next_fires.row(*hint) for ann_id, hint in fresh.items()}
        changed = [r for ann_id, r in rows.items() if remembered.get(ann_id) != r]
        drop = [ann_id for ann_id in remembered if ann_id not in idle]
        if not changed and not drop:
            self._kept_idle = dict(idle)
            return 0
        try:
            self.ledger.next_fires.write(changed, drop)
        except Exception:
            log.exception(
                "could not keep the announcements' next times; the next start computes them"
            )
            return 0
        for ann_id in drop:
            del remembered[ann_id]
        remembered.update((r.announcement_id, r) for r in changed)
        self._kept_idle = dict(idle)
        return len(changed) + len(drop)

    def render_ahead(self, interrupted: Callable[[], bool]) -> int:
        """Render the posts of the occurrences the last plan found due within AHEAD, each as
        the turn at its moment would (prerender.py), until that moment comes or
        `interrupted()`; returns how many were rendered."""
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
            nxt = self.next_fire
            return interrupted() or (nxt is not None and self.clock.now() >= nxt)

        return self._ahead.render(jobs, self.outbox.limits(), stop)

    # -- the steps of a plan ------------------------------------------------------

    def _due_posts(self, job: Job, limits: Mapping[str, int]) -> list[Draft] | str:
        """The occurrence's posts: rendered ahead if they stand for a render now, else now."""
        ahead = self._ahead.take(job[0], job[1], limits)
        return ahead if ahead is not None else self._prepare_due(job, limits)

    def _remembered_fires(self) -> dict[str, NextFire]:
        """The ledger's next_fires, read once per process (a row another process writes
        later is as true, only not used: next_fires.py)."""
        if self._remembered is None:
            try:
                self._remembered = self.ledger.next_fires.read()
            except Exception:
                log.exception("could not read the announcements' next times; computing them")
                self._remembered = {}
        return self._remembered

    def _all_schedulable(
        self, stored: list[Any], remembered: Mapping[str, NextFire]
    ) -> list[schedule.Announcement | None]:
        """Each stored announcement's schedule view (None: it cannot be scheduled), made
        once per row as stored: a changed row is a new key."""
        known = self._schedulable_of
        self._schedulable_of = {
            s: known[s] if s in known else self._schedulable(s, remembered) for s in stored
        }
        return list(self._schedulable_of.values())

    def _write_due(
        self, batch: Batch, job: Job, prepared: list[Draft] | str
    ) -> list[Queued] | None:
        stored, due = job
        if isinstance(prepared, str):
            # e.g. its page left the campaign file: say so on every channel, once
            self._record_missed(batch, stored, due.occurrence, prepared)
            return None
        return self.outbox.write(batch, prepared)

    def _schedulable(
        self, stored: Any, remembered: Mapping[str, NextFire]
    ) -> schedule.Announcement | None:
        ann = announcements.for_schedule(stored, self.config)
        if not ann.channels and not ann.cancelled:
            # none of its channels exist any more: it has nowhere to go
            log.warning("announcement %r has no configured channel; skipped", ann.id)
            return None
        kept = remembered.get(ann.id)
        if kept is not None and kept.fingerprint == next_fires.fingerprint(ann):
            return ann  # its trigger was made for this very schedule when the row was written
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
        self, job: Job, limits: Mapping[str, int], report: bool = True
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
