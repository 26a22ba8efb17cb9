"""The ledger's tables and their indexes: every table of the store is defined here.

The type of their times is utc.py's (UtcDateTime); the engine that opens a store,
SQLite by default or PostgreSQL (psycopg 3) by URL, is engine.py's.

Tables (created by `open_ledger` when missing; outreach/ledger/__init__.py is the face):

- deliveries: one row per (post, channel); unique (channel_id, dedupe_key); indexed for
  the delivery loop's questions and the history's order (DELIVERIES says which).
- announcements: scheduled posts from the YAML ('yaml') or added by organisers ('cli');
  one scheduled in the admin bot names its creator (created_by_*), who alone may
  cancel it from the bot.
- announcement_texts: the one-off text (a Jinja2 template typed by an organiser in the
  web console's composer) an announcement renders instead of a template file.
- seen_items: every dedupe key of a feed item already announced.
- feed_state: health per feed, and its conditional-GET validators with a digest of the
  URL they came from (only that URL is asked with them).
- channel_limits: what a platform said about a channel (Mastodon's max_characters).
- pauses: one row per pause in force, of everything ('*') or of one channel, maybe
  until a given time (an embargo); pause.py. (`pause`, the single flag of stores
  made before, is carried over into it when a store is opened, then left empty.)
- audit: what organisers did, who and when (audit.py).
- web_users, web_sessions, web_links: the web console's accounts (accounts.py).
- web_failures: failed sign-ins of the last minutes, by the hash of a name or an
  address, so every console process throttles the same count (accounts.py).
- alerts: problems the organisers were told about, once each (alerts.py).
- post_actions: corrections (edits) and takedowns (deletions) of sent posts, each a
  delivery of its own (actions.py); unique (delivery_id, kind, request).
- sent_places: where a sent post went when its remote id alone does not say
  (Telegram: the chat's numeric id), for editing or deleting it later.
- heartbeats: each running `outreach run`'s latest sign of life (health.py); for an
  instance sharing a PostgreSQL store also its membership (owner, renewed_at, until,
  on the database's clock), which its leases' beats renew (leases.py).
- leases: what each running instance holds, on PostgreSQL (leases.py): its
  channels ('channel:<id>') and the turn's queueing ('queueing'); times are the
  database's own.
- next_fires: when each announcement fires next, as the planner last worked it out, with
  a fingerprint of what decided it (outreach/next_fires.py): a restart over thousands
  of announcements need not compute every trigger again.

Every change here is a revision in migrations/versions/ (tests/test_migrations.py
fails until it is).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)

from .utc import UtcDateTime

METADATA = MetaData()
"""Every table of the store (Core tables: the ORM is never used, and importing it
cost `run --once` 6 MiB and 0.1 s of start-up; issue 15)."""


LIVE_STATES = ("pending", "sending")
"""The states the delivery loop looks for a channel's next row in."""
HISTORY_STATES = ("sent", "failed", "unknown", "missed", "cancelled")
"""The states a history lists: what went out or ended (the CLI's, the console's, the bot's)."""


DELIVERIES = Table(
    "deliveries",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel_id", String(64), nullable=False),
    Column("network", String(16), nullable=False),
    # What the post is about: '<feed id>:<slug>' (a news item's id), 'page:<id>', 'announcement:<id>'.
    Column("about", String(300), default="", index=True, nullable=False),
    # `about`, or one occurrence of it (schedule.occurrence_key).
    Column("dedupe_key", String(400), nullable=False),
    # Post.to_dict(); None only for a missed occurrence that was never rendered.
    Column("post", JSON, nullable=True),
    Column("state", String(16), index=True, nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("occurrence", UtcDateTime, nullable=True),
    Column("attempts", Integer, default=0, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=True),
    Column("idempotency_key", String(64), nullable=False),
    Column("claim_token", String(32), nullable=True),
    Column("claimed_at", UtcDateTime, nullable=True),
    Column("lease_until", UtcDateTime, nullable=True),
    # First attempt that may have posted (timeout, crash): bounds trust in the idempotency key.
    Column("ambiguous_since", UtcDateTime, nullable=True),
    Column("remote_id", String(200), nullable=True),
    Column("remote_url", String(1000), nullable=True),
    Column("reason", Text, nullable=True),
    # Sent by the dry-run publisher only: enqueueing the same post again re-arms it.
    Column("dry_run", Boolean, default=False, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
    UniqueConstraint("channel_id", "dedupe_key", name="uq_deliveries_dedupe"),
    # The delivery loop's questions are all "this channel's rows in this state, in
    # due order" (head, the claim's busy/earlier tests, recovery): one index answers
    # each with a short range scan, whatever the planner knows of the table (a large
    # backfill before any ANALYZE used to cost each post 33 ms of scans; issue 15).
    # On PostgreSQL over the live rows only (pending, sending): small, and no other
    # index on a channel's rows in a state can be mistaken for it (below).
    Index(
        "ix_deliveries_queue",
        "channel_id",
        "state",
        "due_at",
        "id",
    ),
    # What went out on a channel lately: the claim's pacing count (pace.py), the
    # pacer's seed at start-up (sent_times); a range of sent_at, not the whole history.
    # On PostgreSQL over rows with a sent_at only: a planner knowing nothing of the
    # table sees every index on (channel_id, state) as equally good, and took the
    # queue's to read a channel's whole history; partial, each serves only its own
    # questions (a time after X implies one; the state stays a bound of the range).
    Index(
        "ix_deliveries_sent",
        "channel_id",
        "state",
        "sent_at",
    ),
    # The history (deliveries.py, order="history"), newest first: read backwards. Only
    # the rows a history lists, so a page of it is the index's first entries whatever
    # the planner guesses of how many rows match. PostgreSQL only: SQLite's planner,
    # without statistics, prefers ix_deliveries_state and sorts, whatever is here.
    Index(
        "ix_deliveries_history",
        func.coalesce(text("sent_at"), text("updated_at")),
        "id",
    ).ddl_if(dialect="postgresql"),
)

POSTGRESQL_WHERE = {
    "ix_deliveries_queue": f"state IN {LIVE_STATES!r}",
    "ix_deliveries_sent": "sent_at IS NOT NULL",
    "ix_deliveries_history": f"state IN {HISTORY_STATES!r}",
}
"""The partial indexes' WHERE on PostgreSQL (the comments above say why each)."""


def postgresql_partial_indexes() -> None:
    """Give the indexes of POSTGRESQL_WHERE their WHERE, for PostgreSQL's DDL.

    Not in the Index(...) calls: SQLAlchemy checks a `postgresql_where` argument by
    importing the PostgreSQL dialect with all its drivers (2.3 MiB, 0.05 s), which a
    SQLite store never uses (issue 15). make_engine calls this for every PostgreSQL
    URL, before any DDL; calling it again changes nothing.
    """
    for index in DELIVERIES.indexes:
        where = POSTGRESQL_WHERE.get(str(index.name))
        if where is not None:
            index.dialect_options["postgresql"]["where"] = text(where)


ANNOUNCEMENTS = Table(
    "announcements",
    METADATA,
    Column("id", String(64), primary_key=True),
    Column("template", String(200), nullable=False),
    Column("page", String(64), nullable=True),
    Column("channels", JSON, nullable=False),
    Column("at", UtcDateTime, nullable=True),
    Column("cron", String(100), nullable=True),
    Column("timezone", String(64), nullable=False),
    # 'yaml' (from the campaign file) or 'cli' (added by an organiser).
    Column("source", String(8), nullable=False),
    # 'active' or 'cancelled'.
    Column("state", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # Who scheduled it in the admin bot; NULL for the campaign's own (the YAML, the CLI).
    # Added before the revisions began; migrations/baseline.py (ADDED_LATE) adds them to an older store.
    # The Telegram user id (64-bit: Telegram's ids outgrow 32 bits).
    Column("created_by_id", BigInteger, nullable=True),
    # Their name as Telegram showed it then, for messages only (never for decisions).
    Column("created_by_name", String(200), nullable=True),
)


SEEN_ITEMS = Table(
    "seen_items",
    METADATA,
    Column("dedupe_key", String(400), primary_key=True),
    Column("feed_id", String(64), index=True, nullable=False),
    Column("item_id", String(200), nullable=False),
    Column("first_seen", UtcDateTime, nullable=False),
)


FEED_STATE = Table(
    "feed_state",
    METADATA,
    Column("feed_id", String(64), primary_key=True),
    Column("etag", String(400), nullable=True),
    Column("last_modified", String(100), nullable=True),
    # Whose etag and last_modified these are: a digest of the URL (or file) that gave them.
    Column("validators_for", String(64), nullable=True),
    Column("last_poll", UtcDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("failures", Integer, default=0, nullable=False),
)


CHANNEL_LIMITS = Table(
    "channel_limits",
    METADATA,
    Column("channel_id", String(64), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("value", Integer, nullable=False),
    Column("source", String(1000), nullable=False),
    Column("learned_at", UtcDateTime, nullable=False),
)

LEGACY_PAUSE = Table(
    "pause",
    METADATA,
    Column("id", Integer, primary_key=True),  # always 1: one flag per store
    Column("since", UtcDateTime, nullable=False),
    Column("by", String(200), nullable=False),
)
"""Stores made before per-channel pauses: its row, if any, moves into PAUSES on open."""

# New tables, not new columns: there are no migrations yet, and create_all adds a
# missing table to an older store (it never alters an existing one).
PAUSES = Table(
    "pauses",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scope", String(64), nullable=False, unique=True),
    # '*' (everything) or a channel id: one pause per scope; pausing again extends it
    Column("since", UtcDateTime, nullable=False),
    Column("until", UtcDateTime, nullable=True),  # None: until someone resumes
    Column("by", String(200), nullable=False),
    Column("why", Text, nullable=True),
)

AUDIT = Table(
    "audit",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False, index=True),
    Column("by", String(200), nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", String(300), nullable=False, default=""),
    Column("detail", Text, nullable=True),
)

WEB_USERS = Table(
    "web_users",
    METADATA,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(200), nullable=True),  # argon2id; None: link sign-in only
    Column("telegram_id", BigInteger, nullable=True, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
)

WEB_SESSIONS = Table(
    "web_sessions",
    METADATA,
    Column("id_hash", String(64), primary_key=True),  # sha256 of the cookie's value
    Column("user", String(64), nullable=False, index=True),
    Column("role", String(16), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

WEB_LINKS = Table(
    "web_links",
    METADATA,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the link's token
    Column("telegram_id", BigInteger, nullable=False),
    Column("name", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
)

WEB_FAILURES = Table(
    "web_failures",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # sha256 of what failed ("name\0anna", "address\0192.0.2.7"): a name typed by mistake
    # (a password, say) is not kept readable
    Column("key_hash", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_web_failures_key_at", "key_hash", "at"),
)

ALERTS = Table(
    "alerts",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(300), nullable=False, unique=True),
    Column("subject", String(200), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("claimed_until", UtcDateTime, nullable=True),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("resolved_at", UtcDateTime, nullable=True),
)

HEARTBEATS = Table(
    "heartbeats",
    METADATA,
    Column("process", String(200), primary_key=True),  # "run@host:pid"
    Column("kind", String(16), nullable=False),  # "run" or "run --once"
    Column("host", String(200), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("version", String(32), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("beat_at", UtcDateTime, nullable=False, index=True),
    # An instance sharing a PostgreSQL store (leases.py): its id, and its membership
    # renewed every few seconds, on the database's clock; NULL for any other process.
    Column("owner", String(64), nullable=True, index=True),
    Column("renewed_at", DateTime(timezone=True), nullable=True),
    Column("until", DateTime(timezone=True), nullable=True),
)

LEASES = Table(
    "leases",
    METADATA,
    Column("name", String(200), primary_key=True),
    Column("owner", String(64), nullable=False, index=True),
    Column("host", String(200), nullable=False),
    Column("pid", Integer, nullable=False),
    # The database's clock, not a machine's: instances on two machines compare
    # their leases on one clock, however far apart their own are.
    Column("acquired_at", DateTime(timezone=True), nullable=False),
    Column("renewed_at", DateTime(timezone=True), nullable=False),
    Column("until", DateTime(timezone=True), nullable=False),
)


POST_ACTIONS = Table(
    "post_actions",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request", String(64), nullable=False, index=True),
    Column("delivery_id", Integer, nullable=False, index=True),
    Column("channel_id", String(64), nullable=False),
    Column("network", String(16), nullable=False),
    Column("about", String(300), nullable=False, index=True),
    Column("kind", String(8), nullable=False),  # edit | delete
    Column("state", String(16), nullable=False, index=True),
    Column("text", Text, nullable=True),  # the new text of an edit
    Column("old_text", Text, nullable=True),  # what it read before
    Column("requested_by", String(200), nullable=False),
    Column("why", Text, nullable=False),
    Column("detail", Text, nullable=True),
    Column("detail_said", JSON, nullable=True),  # its key and values (outreach/said.py)
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime, nullable=True),
    Column("claim_token", String(32), nullable=True),
    Column("claimed_at", UtcDateTime, nullable=True),
    Column("lease_until", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("done_at", UtcDateTime, nullable=True),
    UniqueConstraint("delivery_id", "kind", "request", name="uq_post_actions_once"),
    Index("ix_post_actions_queue", "channel_id", "state"),  # the loop's action_head, per step
)

SENT_PLACES = Table(
    "sent_places",
    METADATA,
    Column("delivery_id", Integer, primary_key=True),
    Column("place", String(200), nullable=False),
)

# A delivery's reason as a key and values (outreach/said.py), beside deliveries.reason, for
# the web console's languages: a table of its own so the loop's reads of deliveries stay as
# they are; written with a failure's reason, read for the rows a page shows (ledger/said.py).
DELIVERY_SAID = Table(
    "delivery_said",
    METADATA,
    Column("delivery_id", Integer, primary_key=True),
    Column("said", JSON, nullable=False),
)

ANNOUNCEMENT_TEXTS = Table(
    "announcement_texts",
    METADATA,
    # one row per announcement that has its own text (the others render a template file)
    Column("announcement_id", String(64), primary_key=True),
    Column("text", Text, nullable=False),
)

# The planner's memory of when each announcement fires next (outreach/next_fires.py): only a
# shortcut, used while its fingerprint and settled_until still match; any row may go.
NEXT_FIRES = Table(
    "next_fires",
    METADATA,
    Column("announcement_id", String(64), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("settled_until", UtcDateTime, nullable=False),
    Column("next_at", UtcDateTime, nullable=True),  # NULL: it fires no more
)
