"""The Ledger class and open_ledger: the face's one object (see __init__.py).

A Ledger is made of its rooms, each an object on the same engine and clock:
Deliveries (reading, organisers' moves), Loop (claim, finish), CrashRecovery (recover),
Records (announcements, feeds, channel limits), AlertStore (`ledger.alerts`),
the pause (pause.py) and queueing (Batch). Their methods are the Ledger's own,
bound once here, so callers keep one object and the rooms never know of each
other (no mixins, no circle).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from ..errors import StoreError
from ..post import Post
from . import pause as pausing
from .accounts import AccountStore
from .actions import Actions
from .alerts import AlertStore
from .audit import AuditTrail
from .deliveries import Deliveries
from .engine import make_engine
from .health import Health
from .leases import Leases
from .loop import Loop
from .next_fires import NextFires
from .queueing import Batch
from .records import Records
from .recovery import CrashRecovery
from .said import Worded
from .values import Clock, Enqueued, Paused, PauseResult, Resumed


def _system_clock() -> Clock:
    from ..clock import SystemClock

    return SystemClock().now


def open_ledger(url: str, clock: Clock | None = None) -> Ledger:
    """The ledger at `url` (config.store.url); a new store is created at the schema's head.

    A store made by an older (or newer) outreach is refused, naming `outreach db
    upgrade`: opening never migrates (migrations/__init__.py).
    `clock` gives every timestamp the ledger writes (the application's one clock;
    the machine's time when none is given).
    """
    from .migrations import ensure_current

    engine = None
    try:
        engine = make_engine(url)
        ensure_current(engine)
        pausing.carry_over(engine)  # a no-op at head: revision 0003 carried the flag over
    except StoreError:
        if engine is not None:
            engine.dispose()
        raise
    except Exception as exc:
        if engine is not None:
            engine.dispose()
        # Driver messages repeat the URL, which may hold a password: name the kind only.
        raise StoreError(
            f"the store cannot be opened ({type(exc).__name__}); check store.url "
            "or $OUTREACH_DB_URL"
        ) from None
    return Ledger(engine, clock or _system_clock())


class Ledger:
    """The store. Its methods come from its rooms (bound in __init__) and the few below.

    A subclass overrides only what is defined on this class (batch, enqueue,
    record_missed, pause, resume, paused): the rest are bound per instance.
    """

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.now = clock
        rows = Deliveries(engine, clock)
        loop = Loop(engine, clock, rows.get)
        records = Records(engine, clock)
        actions = Actions(engine, clock, rows.get)
        self.alerts = AlertStore(engine, clock)
        self.leases = Leases(engine, clock)
        """What each running instance holds (PostgreSQL; outreach/instances.py decides)."""
        """What the organisers were told about (outreach.alerts decides what and when)."""
        self.audit = AuditTrail(engine, clock)
        """What organisers did, who and when."""
        self.accounts = AccountStore(engine, clock)
        """The web console's users, sessions and sign-in links."""
        self.health = Health(engine, clock)
        """Heartbeats of `outreach run`, and what its metrics ask of the deliveries."""
        self.next_fires = NextFires(engine)
        """When each announcement fires next, as the planner last worked it out."""
        # reading deliveries, and organisers' moves (deliveries.py)
        self.get = rows.get
        self.deliveries = rows.deliveries
        self.between = rows.between
        self.changed_since = rows.changed_since
        self.overdue = rows.overdue
        self.counts = rows.counts
        self.last_sent_at = rows.last_sent_at
        self.last_occurrences = rows.last_occurrences
        self.sent_times = rows.sent_times
        self.cancel = rows.cancel
        self.cancel_queued = rows.cancel_queued
        self.hold = rows.hold
        self.release = rows.release
        self.retry = rows.retry
        self.resolve = rows.resolve
        self.worded = Worded(engine).worded  # reasons with their key and values (said.py)
        # the delivery loop's moves (loop.py): only outreach/delivery/ calls these
        self.head = loop.head
        self.heads = loop.heads
        self.claim = loop.claim
        self.take = loop.take  # heads, then the claim, in one transaction (and a finish_sent)
        self.give_up = loop.give_up
        self.finish_sent = loop.finish_sent
        self.finish_retry = loop.finish_retry
        self.finish_failed = loop.finish_failed
        self.finish_unknown = loop.finish_unknown
        self.recover = CrashRecovery(engine, clock).recover  # rows a crash left (recovery.py)
        # announcements, feeds, channel limits (records.py)
        self.save_announcement = records.save_announcement
        self.save_announcements = records.save_announcements
        self.announcement = records.announcement
        self.announcements = records.announcements
        self.cancel_announcement = records.cancel_announcement
        self.seen = records.seen
        self.seen_among = records.seen_among
        self.seen_as = records.seen_as
        self.mark_seen = records.mark_seen
        self.feed_state = records.feed_state
        self.save_feed_state = records.save_feed_state
        self.save_channel_limits = records.save_channel_limits
        self.channel_limits = records.channel_limits
        self.limits_learned = records.limits_learned
        # corrections and takedowns (actions.py); the loop's side only for delivery/
        self.request_actions = actions.request_actions
        self.actions = actions.actions
        self.action = actions.action
        self.place = actions.place
        self.action_head = actions.action_head
        self.claim_action = actions.claim_action
        self.finish_action = actions.finish_action
        self.recover_actions = actions.recover_actions

    def close(self) -> None:
        self.engine.dispose()

    # -- queueing and reading ------------------------------------------------

    @contextmanager
    def batch(self) -> Iterator[Batch]:
        """One transaction for many queueing writes: all commit at the end, or none."""
        with self.engine.begin() as conn:
            pausing.lock(conn)  # PostgreSQL: a pause waits for this batch, or this for it
            yield Batch(conn, self.now)

    def enqueue(
        self,
        post: Post,
        *,
        due_at: dt.datetime | None = None,
        dedupe_key: str | None = None,
        occurrence: dt.datetime | None = None,
    ) -> Enqueued:
        """Queue `post` for its channel, once (Batch.enqueue, in a transaction of its own)."""
        with self.batch() as batch:
            return batch.enqueue(post, due_at=due_at, dedupe_key=dedupe_key, occurrence=occurrence)

    def record_missed(
        self,
        channel_id: str,
        network: str,
        *,
        about: str,
        dedupe_key: str,
        occurrence: dt.datetime,
        reason: str,
        post: Post | None = None,
    ) -> Enqueued:
        """A row in `missed` for an occurrence noticed too late; a post is optional."""
        with self.batch() as batch:
            return batch.record_missed(
                channel_id,
                network,
                about=about,
                dedupe_key=dedupe_key,
                occurrence=occurrence,
                reason=reason,
                post=post,
            )

    # -- pause and embargo (pause.py) ---------------------------------------------

    def pause(
        self,
        by: str,
        *,
        channel_id: str | None = None,
        until: dt.datetime | None = None,
        why: str | None = None,
    ) -> PauseResult:
        """Pause everything (or one channel), until resumed or `until`; hold what is queued.

        Pausing what is paused already extends the pause, never shortens it. Recorded
        in the audit trail with `by` and `why`.
        """
        if until is not None and until <= self.now():
            raise StoreError("a pause must end in the future; that time has passed")
        return pausing.pause(
            self.engine, self.now(), by, channel_id=channel_id, until=until, why=why
        )

    def resume(self, *, by: str, channel_id: str | None = None) -> Resumed:
        """End every pause (or one channel's); release what no pause covers now."""
        return pausing.resume(self.engine, self.now(), by, channel_id=channel_id)

    def paused(self, channel_id: str | None = None) -> Paused | None:
        """The pause of everything in force; with a channel, the pause that covers it."""
        return pausing.paused(self.engine, self.now(), channel_id)

    def pauses(self) -> list[Paused]:
        """Every pause in force: everything first, then channels by id."""
        return pausing.pauses(self.engine, self.now())
