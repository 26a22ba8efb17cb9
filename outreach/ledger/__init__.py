"""The ledger: every (post, channel) delivery, announcement and seen feed item, stored.

SQLAlchemy 2 over SQLite (a file, the default) or PostgreSQL (by URL, psycopg 3).
This package is the only code that knows there is a database: every table is
defined in schema.py and every statement is in one of its modules; the rest of
outreach imports what this file exports and nothing else. The rooms:

    schema.py      tables and their indexes      values.py    what it hands out
    core.py        Ledger, open_ledger           queueing.py  Batch: many writes, one transaction
    deliveries.py  pages, counts, organisers'    loop.py      the loop's step: claim, finish
                   moves                         records.py   announcements, feeds, channel limits
    pause.py       pauses and embargoes, applied alerts.py    what the organisers were told
    audit.py       who did what (the trail)      accounts.py  the web console's users, sessions, links
                   where rows are written
    pace.py        platform limits counted from the store, inside the claim, for every instance
    health.py      heartbeats; last post per channel (ledger.health)
    migrations/    schema revisions (Alembic), the lock for creating and upgrading a store
    actions.py     corrections and takedowns of sent posts (edits, deletions)
    loop_sql.py    the loop's statements, built once (lean.py runs them on SQLite's driver)
    recovery.py    rows a crash left in `sending`: pending again, or unknown
    engine.py      a store's URL to its engine (PostgreSQL; SQLite's is sqlite.py)
    utc.py         UtcDateTime: how every time is stored (naive UTC), read (aware)

The Ledger is composed of these rooms (core.py binds their methods); none of
them knows the Ledger or core.py, so the imports run one way, with no circle.

Nothing lives in memory only: a crash at any moment leaves rows that say what
happened. Every state change is a conditional UPDATE (`WHERE state = ...`, and
for a claimed row `AND claim_token = ...`), so two workers, or a worker and its
restarted self, can never both send one row.

A delivery's life::

    pending ──> sending ──> sent (remote id, URL)
       │           │──────> failed (reason)      permanent error, or retry budget spent
       │           │──────> pending (again)      transient error: next_attempt_at is set
       │           └──────> unknown              may have posted: an organiser decides
       └──> cancelled / missed / held            held = paused; release() makes it pending

API for the scheduler, the feed watcher and the service. Times are aware UTC;
"now" is the clock given to `open_ledger`::

    ledger = open_ledger(cfg.store.url, clock)        # a new store at head; older: `db upgrade`
    ledger.enqueue(post, due_at=t, dedupe_key=k, occurrence=o) -> Enqueued(id, created)
        # once per (post.channel_id, dedupe_key): again -> the first row, created=False.
        # dedupe_key defaults to post.about; for announcements use
        # schedule.occurrence_key(id, occurrence) and pass occurrence=.
    ledger.record_missed(channel_id, network, about=, dedupe_key=, occurrence=, reason=)
    with ledger.batch() as batch:                     # one transaction: all or nothing
        batch.enqueue(...); batch.record_missed(...); batch.mark_seen(...)
    ledger.last_occurrences("announcement:")          -> {about: latest occurrence, any state}
    ledger.between(start, end) -> rows sent, or due, in [start, end): a calendar's
    ledger.get(id), ledger.counts(), ledger.overdue(cutoff), ledger.last_sent_at()
    ledger.deliveries(states=, channel_id=, about=, order="queue" | "newest" | "updated"
                      | "history", limit=, offset=, before_id=)   # one page, from the store
    ledger.worded(rows) -> the rows, each reason as its Said where one was kept (outreach/said.py)
    ledger.cancel(id) / hold(id) / release(id)        # pending <-> held, -> cancelled
    ledger.cancel_queued(about, reason) -> how many   # an announcement's queued posts
    ledger.retry(id) / ledger.resolve(id, "sent" | "failed", note)   # organisers
        # cancel, retry and resolve take by="web:anna" (who asks): recorded in ledger.audit

    ledger.save_announcement(StoredAnnouncement(...)) # upsert by id
    ledger.next_fires.read() / .write(rows, drop=ids)  # the planner's memory (next_fires.py)
    ledger.announcement(id), ledger.announcements(state="active"), cancel_announcement(id)

    ledger.seen(item.dedupe_keys) -> bool             # any key seen before
    ledger.seen_among(keys) -> set of those seen      # a whole feed's keys in one query
    ledger.seen_as(keys) -> {key: item id it was seen under}
    ledger.mark_seen(item.dedupe_keys, feed_id=, item_id=) -> how many keys were new
    ledger.feed_state(feed_id) -> FeedState | None; ledger.save_feed_state(FeedState(...))

    ledger.pause(by, channel_id=None, until=None, why=None) -> PauseResult   # recorded
    ledger.resume(by=, channel_id=None) -> Resumed; ledger.paused(channel_id=None) -> Paused | None
    ledger.pauses() -> every pause in force (an embargo past its time is lifted by head())
    ledger.alerts.record(...), .claim(limit), .waiting()   # outreach/admin/alerts.py decides
    ledger.audit.record(by=, action=, target=, detail=), .entries(limit=, offset=)
    ledger.accounts: web users, sessions (by hash), one-time sign-in links (by hash)
    ledger.leases.beat / acquire / release / held() / members()   # PostgreSQL: who holds which channel
        # (outreach/instances.py decides); claim(id, lease, fence=(name, owner)) and
        # recover(rule, channel_ids=, orphaned=True) honour them; claim(..., pacing=[PaceWindow])
        # counts the platform limits from the store (pace.py) and answers Paced(wait) when full

    ledger.request_actions([ActionRequest(delivery, "delete", by, why)], cancel=ids, why=)
        -> (request id, cancelled ids)        # outreach/corrections.py decides what
    ledger.actions(request=, delivery_ids=, about=, states=), ledger.place(delivery_id)

Only the delivery loop (outreach/delivery/) uses head, claim, finish_*, give_up,
recover(rule), where rule(channel_id) -> Recovery is what the channel's network allows,
and for actions action_head, claim_action, finish_action and recover_actions;
heads(channel_id) -> (action_head, head) reads both on one connection, before each step.
take(channel_id, lease, fence=, pacing=, finish=Sent(...)) -> Step: the loop's step in one
transaction (the previous post's finish_sent, the look heads gives, the ready post's claim).
"""

from .bounds import kept_reason
from .core import Ledger, open_ledger
from .engine import normalize_url
from .leases import CHANNEL, QUEUEING, Held, Holder, Member
from .loop import Sent, Step
from .next_fires import NextFire
from .queueing import Batch
from .values import (
    ACTION_STATES,
    STATES,
    UNKNOWN_AFTER_CRASH,
    Action,
    ActionClaim,
    ActionHead,
    ActionKind,
    ActionRequest,
    ActionState,
    Alert,
    AuditEntry,
    ChannelLimit,
    Claim,
    Delivery,
    Enqueued,
    FeedState,
    Head,
    Paced,
    PaceWindow,
    Paused,
    PauseResult,
    Recovery,
    Resumed,
    SignInLink,
    State,
    StoredAnnouncement,
    WebSession,
    WebUser,
)

__all__ = [
    "ACTION_STATES",
    "CHANNEL",
    "QUEUEING",
    "STATES",
    "UNKNOWN_AFTER_CRASH",
    "Action",
    "ActionClaim",
    "ActionHead",
    "ActionKind",
    "ActionRequest",
    "ActionState",
    "Alert",
    "AuditEntry",
    "Batch",
    "ChannelLimit",
    "Claim",
    "Delivery",
    "Enqueued",
    "FeedState",
    "Head",
    "Held",
    "Holder",
    "Ledger",
    "Member",
    "NextFire",
    "PaceWindow",
    "Paced",
    "PauseResult",
    "Paused",
    "Recovery",
    "Resumed",
    "Sent",
    "SignInLink",
    "State",
    "Step",
    "StoredAnnouncement",
    "WebSession",
    "WebUser",
    "kept_reason",
    "normalize_url",
    "open_ledger",
]
