"""What the ledger hands out: plain, typed values, never ORM objects or rows."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, Literal

from ..post import Post
from ..said import stored

State = Literal["pending", "sending", "sent", "failed", "unknown", "cancelled", "missed", "held"]
STATES: tuple[State, ...] = (
    "pending", "sending", "sent", "failed", "unknown", "cancelled", "missed", "held",
)  # fmt: skip
Clock = Callable[[], dt.datetime]
"""The time, aware UTC: the clock the ledger was opened with (outreach.clock)."""


@dataclass(frozen=True)
class Delivery:
    id: int
    channel_id: str
    network: str
    about: str
    dedupe_key: str
    state: State
    post: Post | None
    due_at: dt.datetime
    occurrence: dt.datetime | None
    attempts: int
    next_attempt_at: dt.datetime | None
    idempotency_key: str
    remote_id: str | None
    remote_url: str | None
    reason: str | None
    dry_run: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    sent_at: dt.datetime | None
    claimed_at: dt.datetime | None
    lease_until: dt.datetime | None
    ambiguous_since: dt.datetime | None


_FIELDS = tuple(f.name for f in fields(Delivery))


def to_delivery(row: Any) -> Delivery:
    """A Delivery from a row of the deliveries table (a Row, or a mapping of its columns)."""
    m = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
    m["post"] = Post.from_dict(m["post"]) if m["post"] else None
    m["dry_run"] = bool(m["dry_run"])
    return Delivery(**{k: m[k] for k in _FIELDS})


@dataclass(frozen=True)
class Enqueued:
    id: int
    created: bool
    """False when (channel, dedupe key) was queued before: nothing new was added."""


@dataclass(frozen=True)
class Claim:
    """A row this worker holds in `sending`; end it with one of Ledger.finish_*."""

    delivery: Delivery
    token: str


@dataclass(frozen=True)
class Head:
    """What a channel's queue says to do next."""

    ready: Delivery | None = None
    """The row to send now: the channel's first pending row, due and not backing off."""
    wake_at: dt.datetime | None = None
    """When to look again; None when nothing is queued."""
    stuck: bool = False
    """A row sits in `sending` with its lease expired: call recover()."""


def new_key() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class StoredAnnouncement:
    id: str
    template: str
    channels: tuple[str, ...]
    timezone: str
    page: str | None = None
    at: dt.datetime | None = None
    cron: str | None = None
    source: Literal["yaml", "cli"] = "yaml"
    state: Literal["active", "cancelled"] = "active"
    created_at: dt.datetime | None = None
    """Set by the ledger on first save and kept after."""
    created_by_id: int | None = None
    """The Telegram user who scheduled it in the admin bot; None: the campaign's (YAML, CLI)."""
    created_by_name: str | None = None
    """That user's display name when they scheduled it, for messages."""
    text: str | None = None
    """Its own one-off text (a Jinja2 template typed in the web console), rendered instead
    of the `template` kind's files; None for the rest (table announcement_texts)."""

    @property
    def creator(self) -> str | None:
        """'Anna (@anna), Telegram id 111', or None for the campaign's own."""
        if self.created_by_id is None:
            return None
        name = self.created_by_name or "an organiser"
        return f"{name}, Telegram id {self.created_by_id}"


@dataclass(frozen=True)
class FeedState:
    feed_id: str
    etag: str | None = None
    last_modified: str | None = None
    validators_for: str | None = None
    """The URL (or file) etag and last_modified came from, as the feed watcher keys it
    (a digest: a feed's URL may hold a token); they are sent to that URL only."""
    last_poll: dt.datetime | None = None
    last_error: str | None = None
    failures: int = 0
    """Polls that failed in a row; 0 after a good one."""


@dataclass(frozen=True)
class ChannelLimit:
    channel_id: str
    name: str
    value: int
    source: str
    """Where it was read: the Mastodon instance's URL."""
    learned_at: dt.datetime


@dataclass(frozen=True)
class Paused:
    since: dt.datetime
    by: str
    channel_id: str | None = None
    """The channel paused; None: everything."""
    until: dt.datetime | None = None
    """When it lifts itself (an embargo); None: when someone resumes."""
    why: str | None = None


@dataclass(frozen=True)
class Resumed:
    ended: tuple[Paused, ...]
    """The pauses this call ended (none: nothing was paused)."""
    released: int
    """Held deliveries that are pending again."""
    still: Paused | None
    """The pause of everything, when it is still in force (a channel was resumed)."""


@dataclass(frozen=True)
class PauseResult:
    paused: Paused
    already: bool
    """It was paused before this call."""
    held: int
    """Pending deliveries held by this call."""
    sending: int
    """Deliveries being sent right now: they cannot be stopped."""


@dataclass(frozen=True)
class Alert:
    """A problem the organisers are (to be) told about (outreach.alerts)."""

    id: int
    key: str
    subject: str
    kind: str
    text: str
    created_at: dt.datetime
    claimed_until: dt.datetime | None
    sent_at: dt.datetime | None
    resolved_at: dt.datetime | None


@dataclass(frozen=True)
class Recovery:
    """What may be done with a row a crash left in `sending`: the channel's network says.

    The ledger applies it (Ledger.recover) and never asks which network it is.
    """

    resend_within: dt.timedelta | None = None
    """The platform remembers an idempotency key this long: the row is sent again with
    the same key while its first uncertain attempt is this recent, and becomes
    `unknown` after. None: the platform cannot tell, so the row becomes `unknown`."""


UNKNOWN_AFTER_CRASH = Recovery()
"""The rule for a network that cannot tell whether an interrupted post went out."""


@dataclass(frozen=True)
class PaceWindow:
    """One platform limit as the store counts it across instances (pace.py): at most
    `limit` sends in any `per`, counting what the channels sharing `key` sent."""

    key: str
    """The pacing key (a chat, a bot, an account): locked while a claim counts it."""
    limit: int
    per: dt.timedelta
    posts: tuple[str, ...] = ()
    """Channels whose every post counts."""
    image_posts: tuple[str, ...] = ()
    """Channels whose posts count only when they carry an image."""
    actions: tuple[tuple[str, str], ...] = ()
    """(channel, kind) of the edits and deletions that count."""


@dataclass(frozen=True)
class Paced:
    """A claim refused because a window is full: look again in `wait` seconds."""

    wait: float


@dataclass(frozen=True)
class AuditEntry:
    """Something an organiser did (ledger.audit)."""

    id: int
    at: dt.datetime
    by: str
    action: str
    target: str
    detail: str | None


@dataclass(frozen=True)
class WebUser:
    name: str
    role: str
    """'viewer', 'organiser' or 'admin' (outreach.web.auth.ROLES)."""
    password_hash: str | None
    telegram_id: int | None
    created_at: dt.datetime
    disabled: bool


@dataclass(frozen=True)
class WebSession:
    id_hash: str
    user: str
    role: str
    csrf: str
    created_at: dt.datetime
    expires_at: dt.datetime


@dataclass(frozen=True)
class SignInLink:
    telegram_id: int
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime


ActionKind = Literal["edit", "delete"]
ActionState = Literal["pending", "sending", "done", "refused", "failed", "cancelled"]
ACTION_STATES: tuple[ActionState, ...] = (
    "pending", "sending", "done", "refused", "failed", "cancelled",
)  # fmt: skip


@dataclass(frozen=True)
class ActionRequest:
    """One edit or deletion to record (Ledger.request_actions)."""

    delivery: Delivery
    kind: ActionKind
    requested_by: str
    why: str
    text: str | None = None
    """An edit's new text."""
    old_text: str | None = None


@dataclass(frozen=True)
class Action:
    """A correction (edit) or takedown (deletion) of one sent post, and how it went.

    pending -> sending -> done (the platform confirmed: edited, removed, already removed)
                       -> refused (the platform will not: too old, no rights; `detail` says)
                       -> failed (transient errors past the retry budget: it may still be there)
                       -> pending again (transient error, or a crash: both are safe to repeat)
    """

    id: int
    request: str
    delivery_id: int
    channel_id: str
    network: str
    about: str
    kind: ActionKind
    state: ActionState
    text: str | None
    old_text: str | None
    requested_by: str
    why: str
    detail: str | None
    attempts: int
    next_attempt_at: dt.datetime | None
    claimed_at: dt.datetime | None
    lease_until: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    done_at: dt.datetime | None


_ACTION_FIELDS = tuple(f.name for f in fields(Action))


def to_action(row: Any) -> Action:
    m = dict(row._mapping)
    m["detail"] = stored(m["detail"], m.get("detail_said"))  # its Said, where one was kept
    return Action(**{k: m[k] for k in _ACTION_FIELDS})


@dataclass(frozen=True)
class ActionClaim:
    """An action this worker holds in `sending`, with the post it acts on."""

    action: Action
    delivery: Delivery
    place: str | None
    token: str


@dataclass(frozen=True)
class ActionHead:
    ready: Action | None = None
    wake_at: dt.datetime | None = None
    stuck: bool = False
