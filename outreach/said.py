"""What outreach tells an organiser about a channel or a post: a key and its values, and the
English sentence they make.

A `Said` is a str (the English sentence, as the CLI, the admin bot, the logs
and the ledger's text columns have always had it) that also carries its key
and values, so the web console can word it in the reader's language
(outreach/web/strings.yaml, `said.<key>`; outreach/web/reasons.py). It goes
where a sentence went before: a Check's facts and problems (`doctor`), a
publisher's exception (its message, `said_of(exc)`), a delivery's reason and
an action's detail (the ledger keeps `to_json()` beside the text: table
delivery_said, column post_actions.detail_said; `ledger.worded(rows)` and
every Action give the Said back while it still makes the stored text). The
same way as corrections/reasons.py, for sentences that are stored. A feed's
last error and an audit entry's detail are stored as text only: the console
reads them back into their Said by their words here (outreach/said_read.py).

Values are plain: ints, strs that are names or addresses (a channel id, a
chat, a URL, an environment variable's name: never a secret), datetimes in
UTC, another Said (a part of the sentence with words of its own), or a Quoted
str: words that are not ours (a platform's answer, an exception's text),
shown as they are, marked as English. Redact a Quoted before it is made.

tests/test_web_said.py checks every key has words in every language with the
same values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

ENGLISH: Mapping[str, str] = {
    # -- doctor: what a channel's check found ---------------------------------------------
    "dryrun.printed": "dry-run: posts are printed, not sent; to go live, {hint}",
    "dryrun.set_token": "set {name}",
    "mastodon.logged_in": "logged in as @{acct} on {instance}",
    "mastodon.max_characters": "posts may have up to {n} characters",
    "mastodon.own_limit_too_high": (
        "channels.{channel}.max_characters is {own}, but {instance} allows {n}: "
        "lower it or remove it"
    ),
    "telegram.bot_ok": "bot @{username} (id {id}) accepts its token",
    "telegram.chat_is": "chat {chat} is {kind} {title}",
    "telegram.admin_may_post": "the bot is an administrator allowed to post messages",
    "telegram.member_may_post": "the bot is {status} of the {kind} and may post",
    "telegram.not_admin": "the bot is {status} of {chat}, not an administrator: {fix}",
    "telegram.admin_cannot_post": (
        "the bot is an administrator of {chat} without 'Post messages': {fix}"
    ),
    "telegram.fix_admin": (
        "in {chat}, open Administrators, add @{username} and allow 'Post messages'"
    ),
    "telegram.cannot_post": (
        "the bot is {status} in {chat} and cannot post: add it back and let it send messages"
    ),
    # Telegram's chat types and member statuses, as its Bot API names them
    "telegram.kind.channel": "channel",
    "telegram.kind.supergroup": "supergroup",
    "telegram.kind.group": "group",
    "telegram.kind.private": "private",
    "telegram.status.creator": "creator",
    "telegram.status.administrator": "administrator",
    "telegram.status.member": "member",
    "telegram.status.restricted": "restricted",
    "telegram.status.left": "left",
    "telegram.status.kicked": "kicked",
    # -- a publisher's answer: what the platform did, what to do ---------------------------
    "answer": ": {text}",
    "publisher.cannot_edit": "{network} posts cannot be edited by outreach",
    "publisher.cannot_delete": "{network} posts cannot be deleted by outreach",
    "done.edited": "edited",
    "done.removed": "removed",
    "done.already_read_so": "edited (it already read so)",
    "mastodon.doing.uploading": "uploading the image",
    "mastodon.doing.posting": "posting",
    "mastodon.doing.reading_to_correct": "reading the post to correct",
    "mastodon.doing.correcting": "correcting the post",
    "mastodon.doing.removing": "removing the post",
    "mastodon.doing.looking_up": "looking the post up",
    "mastodon.doing.checking": "checking the account",
    "mastodon.doing.limits": "reading the instance's limits",
    "mastodon.rate_limited": "{instance} is rate-limiting this account",
    "mastodon.rate_limited_wait": (
        "{instance} is rate-limiting this account; it asks us to wait {seconds} s"
    ),
    "mastodon.bad_address": (
        "the Mastodon address {instance!r} cannot be used ({error}); nothing was sent: "
        "fix channels.{channel}.instance"
    ),
    "mastodon.timed_out": "{instance} did not answer in time while {doing}",
    "mastodon.unreachable": "{instance} could not be reached while {doing}",
    "mastodon.server_error": "{instance} answered HTTP {status} while {doing}",
    "mastodon.gone": "{link} is not on {instance} any more (HTTP 404 while {doing})",
    "mastodon.gone_status": "{link} is not on {instance} any more (HTTP {status} while {doing})",
    "mastodon.cannot_edit_here": (
        "{instance} cannot edit posts (HTTP {status} to the edit; Mastodon edits posts "
        "since version 3.5), so {link} still has its old text: correct it by hand, or "
        "take it down and post the correction anew"
    ),
    "mastodon.post_forbidden": (
        "{instance} refused {doing} {link} (HTTP 403{answer}): the token of channel "
        "{channel!r} needs the write:statuses scope and must belong to the account that "
        "posted it; or do it by hand at that address"
    ),
    "mastodon.fix_token": (
        "create a new access token (Preferences > Development > New application, "
        "scopes write:statuses and write:media) and put it in {name}"
    ),
    "mastodon.token_rejected": (
        "{instance} rejected the access token of channel {channel!r} (HTTP 401{answer}): {fix}"
    ),
    "mastodon.forbidden": (
        "{instance} refused channel {channel!r} while {doing} (HTTP 403{answer}): the token "
        "may lack the write:statuses or write:media scope, or the account is suspended or "
        "not yet approved; {fix}"
    ),
    "mastodon.invalid": (
        "{instance} refused the post for channel {channel!r} (HTTP 422: {answer}); fix the "
        "template or the channel's settings (e.g. max_characters, visibility, language), "
        "then `outreach retry`"
    ),
    "mastodon.action_invalid": (
        "{instance} refused {doing} {link} for channel {channel!r} (HTTP 422: {answer}); "
        "the post is as it was: fix what the answer names and ask again, or do it by hand "
        "at that address"
    ),
    "mastodon.validation_failed": "validation failed",
    "mastodon.no_api": (
        "{instance} has no Mastodon API at this address (HTTP 404 while {doing}): "
        "check channels.{channel}.instance"
    ),
    "mastodon.refused": "{instance} refused the request while {doing} (HTTP {status}{answer})",
    "mastodon.cannot_send": "the post for channel {channel!r} cannot be sent: {error}",
    "mastodon.other": "{instance}: {error} while {doing}",
    "mastodon.still_processing": ("{instance} was still processing the image after {seconds} s"),
    "image.unreadable": "the image {path} cannot be read: {error}",
    "image.busy": "the image {url} answered HTTP {status}",
    "image.refused": "the image {url} answered HTTP {status}: fix the image URL",
    "image.not_image": "{url} is not an image (it is {mime}): fix the image URL",
    "image.untyped": "untyped",
    "image.not_downloaded": "the image {url} could not be downloaded ({error})",
    "image.too_big": "the image {url} is over {mb} MB: use a smaller one",
    "telegram.doing.sending": "sending",
    "telegram.doing.correcting": "correcting a post",
    "telegram.doing.removing": "removing a post",
    "telegram.doing.checking": "checking",
    "telegram.verb.correct": "correct",
    "telegram.verb.remove": "remove",
    "telegram.gone": "{link} is not in {chat} any more (Telegram: {answer})",
    "telegram.may_not": (
        "the bot may not {verb} {link} ({answer}): make it an administrator of {chat} "
        "allowed to edit and delete messages, or do it by hand"
    ),
    "telegram.too_old": (
        "Telegram refused to remove {link} ({answer}): a bot can delete a message only "
        "within {hours} hours of sending it; remove it by hand in {chat}"
    ),
    "telegram.no_right_to_delete": (
        "Telegram refused to remove {link} ({answer}) although it was sent less than "
        "{hours} hours ago, so the bot lacks the right to delete it: make it an "
        "administrator of {chat} allowed to delete messages, or remove it by hand"
    ),
    "telegram.refused_action": "Telegram refused to {verb} {link} ({answer}); do it by hand",
    "telegram.flood": "Telegram flood control: wait {seconds} s before posting to {chat}",
    "telegram.bad_token": (
        "Telegram rejected the bot token in {name} (channel {channel!r}; Telegram: {answer}): "
        "copy the token again from @BotFather (/mybots > API Token)"
    ),
    "telegram.migrated": (
        "{chat} became a supergroup with id {new}: set channels.{channel}.chat to {new}"
    ),
    "telegram.no_chat": (
        "Telegram does not know the chat {chat}, or the bot is not in it: check "
        "channels.{channel}.chat, then add the bot to the channel as an administrator"
    ),
    "telegram.may_not_post": (
        "the bot may not post in {chat} ({answer}): make it an administrator of the channel "
        "with the 'Post messages' right"
    ),
    "telegram.refused_message": (
        "Telegram refused the message for {chat} ({answer}): fix the template or the "
        "channel's settings, then `outreach retry`"
    ),
    "telegram.http": "Telegram answered HTTP {status} ({answer}) while {doing}",
    "telegram.gateway": (
        "Telegram's gateway answered HTTP {status} while sending to {chat}, so the post may "
        "or may not be there"
    ),
    "telegram.server_error": (
        "Telegram answered HTTP {status} ({answer}) while sending to {chat}; it may have "
        "posted before the error, so look in {chat}: the post may or may not be there"
    ),
    "telegram.unreachable": (
        "Telegram could not be reached ({error}) while {doing}; nothing was sent"
    ),
    "telegram.timed_out": (
        "Telegram did not answer in time while sending to {chat}, so the post may or may "
        "not be there"
    ),
    "telegram.dropped": (
        "Telegram dropped the connection ({error}) while sending to {chat}, so the post "
        "may or may not be there"
    ),
    "telegram.bad_address": (
        "the Telegram API address {address!r} cannot be used ({error}: {detail}); nothing "
        "was sent: fix channels.{channel}.api_base_url"
    ),
    # -- the delivery loop: what became of a post ------------------------------------------
    "delivery.missed": (
        "was due at {due:%Y-%m-%d %H:%M} UTC, more than {minutes} minutes ago (the service "
        "was not running); `outreach retry {id}` sends it anyway"
    ),
    "delivery.key_forgotten": (
        "an attempt at {since:%H:%M} UTC may have posted, and the platform forgets its "
        "idempotency key: after {minutes} minutes, sending again could double it. {act}"
    ),
    "delivery.act_on": (
        "Look at the channel: if the post is there, run `outreach resolve {id} sent`; "
        "if not, `outreach retry {id}`."
    ),
    "delivery.never_rendered": "nothing to send: the post was never rendered",
    "delivery.unexpected": "unexpected error: {error}",
    "delivery.unexpected_unknown": "an unexpected error happened while sending ({error})",
    "delivery.unknown": "{why}. {act}",
    "delivery.gave_up": "gave up after {attempts} attempts; the last: {cause}",
    "delivery.retrying": ("attempt {attempt} of {of}: {cause}; next try at {at:%H:%M:%S} UTC"),
    # -- a correction or takedown: what the platform's answer means ------------------------
    "action.no_remote_post": "delivery {id} has no remote post to act on",
    "action.already_removed": "already removed ({why})",
    "action.nothing_to_correct": "{why}; nothing to correct",
    "action.gave_up": (
        "gave up after {attempts} attempts, so it may still be there ({link}); the last: {cause}"
    ),
    "action.retrying": "attempt {attempt} of {of}: {cause}",
    # -- the ledger's own moves ------------------------------------------------------------
    "ledger.resending": (
        "the service stopped while sending; sending again with the same idempotency key, "
        "so it cannot be posted twice"
    ),
    "ledger.stopped_key_forgotten": (
        "The service stopped while sending this post to the {network} channel {channel!r} at "
        "{since:%Y-%m-%d %H:%M} UTC and came back more than {minutes} minutes later, when the "
        "platform no longer remembers the idempotency key. {act}"
    ),
    "ledger.stopped_unknown": (
        "The service stopped while sending this post to the {network} channel {channel!r}, "
        "so it may or may not have been posted, and the platform cannot tell us which. {act}"
    ),
    "ledger.action_crashed": (
        "the service stopped while doing this; doing it again (edits and deletions are "
        "safe to repeat: the platform confirms each)"
    ),
    "ledger.cancelled_why": "cancelled: {why}",
    "ledger.cancelled_by_takedown": "cancelled by a takedown",
    "ledger.paused": "held: paused by an organiser",
    "ledger.cancelled_by_organiser": "cancelled by an organiser",
    "ledger.held_by_organiser": "held (paused) by an organiser",
    "ledger.marked": "marked {state} by an organiser{note}",
    "ledger.note": ": {text}",
    "ledger.cancelled_in_web": "cancelled by {name} in the web console",
    "ledger.cancelled_in_telegram": "cancelled by an organiser in Telegram",
    "ledger.announcement_cancelled": "the announcement was cancelled",
    # -- a feed that cannot be read (feeds.py, content.py; feed_state.last_error) ----------
    # Stored as text only: outreach/said_read.py reads them back by these very words.
    "feed.error": "feed {feed!r}: {error}",
    "feed.http": "HTTP {status} {phrase}",
    "feed.too_large": "larger than {mb} MB",
    "feed.timed_out": "no answer within {seconds} s",
    "feed.cannot_connect": "cannot connect ({error})",
    "feed.unreadable": "{path} cannot be read: {error}",
    "feed.file_too_large": "{path} is larger than {mb} MB",
    "feed.empty": "the document is empty",
    "feed.cut_off": "the document is cut off ({error}); read again next poll",
    "feed.not_a_feed": "not an RSS or Atom feed: the document is <{root}>",
    "feed.not_rss": "cannot be read as RSS or Atom: {error}",
    "feed.too_many": "more than {n} entries; serve a feed of the recent ones",
    "feed.bad_url": "the url must start with http:// or https://",
    # -- the audit trail's details (ledger/audit.py's detail; read back the same way) -------
    "audit.now": "now {state}",
    "audit.paused": "until {until}",
    "audit.paused_why": "until {until}; {why}",
    "audit.paused_open": "until resumed",
    "audit.paused_open_why": "until resumed; {why}",
    "audit.already_paused": "already paused; {detail}",
    "audit.released": "{n} held post(s) released",
    "audit.embargo_ended": "the pause by {by} ended at {until}; {n} held post(s) released",
    "audit.embargo_end": "the embargo's end",
    "audit.scheduled_text": "one-off text, {at}",
    "audit.scheduled_text_cron": "one-off text, cron {cron}",
    "audit.scheduled": "{template}, {at}",
    "audit.scheduled_cron": "{template}, cron {cron}",
    "audit.moved_to": "{at}",
    "audit.role": "{role}",
    "audit.signin_password": "by password",
    "audit.signin_link": "by a link from the admin bot (Telegram id {id})",
    "audit.link_sent": "a web sign-in link was sent",
    "audit.confirmed": "{done} of {n} confirmed",
    "audit.confirmed_some_not": "{done} of {n} confirmed; some not",
}


_FIXED_KEYS = (
    "ledger.paused",  # ledger/pause.py's HOLD_REASON, set by a pause's own statements
    "ledger.announcement_cancelled",  # ledger.cancel_queued: one statement for many rows
    "ledger.cancelled_by_organiser",
    "ledger.held_by_organiser",
    "ledger.cancelled_by_takedown",
    "ledger.cancelled_in_telegram",
    "ledger.action_crashed",
    "ledger.resending",
)


class Quoted(str):
    """Words that are not ours (a platform's answer, an exception's text): never translated."""

    __slots__ = ()


class Said(str):
    """`Said("mastodon.logged_in", acct="a@b", instance="https://b")`: the English sentence,
    with its key and values kept for front ends that word it themselves."""

    key: str
    values: Mapping[str, Any]

    def __new__(cls, key: str, **values: Any) -> Said:
        words = ENGLISH.get(key)
        if words is None:
            raise KeyError(f"no words for {key!r}: add it to outreach/said.py's ENGLISH")
        self = super().__new__(cls, words.format(**values))
        self.key = key
        self.values = values
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # copy, deepcopy (dataclasses.asdict), pickle
        return (_remade, (self.key, dict(self.values)))

    def to_json(self) -> dict[str, Any]:
        """For the ledger: the key and the values, each tagged with its kind."""
        return {"key": self.key, "values": {k: _encode(v) for k, v in self.values.items()}}

    @classmethod
    def from_json(cls, data: Any) -> Said | None:
        """What to_json() gave; None when it cannot be read (a key this version has no words for)."""
        try:
            values = {k: _decode(v) for k, v in data["values"].items()}
            return cls(data["key"], **values)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            return None


def _remade(key: str, values: dict[str, Any]) -> Said:
    return Said(key, **values)


def kind_word(prefix: str, value: str) -> str:
    """A platform's own name for something (a chat type), as a Said when we have its words."""
    key = f"{prefix}.{value}"
    return Said(key) if key in ENGLISH else value


def said_of(exc: BaseException) -> str:
    """An exception's message: its Said when it was raised with one, else its text as Quoted
    (words without a key: a front end shows them as they are)."""
    first = exc.args[0] if exc.args else None
    return first if isinstance(first, Said) else Quoted(str(exc))


def stored(text: str | None, data: Any) -> str | None:
    """A ledger text and the Said kept beside it: the Said when it still makes that text.

    A row's text may be changed by a statement that does not know of the Said (a pause,
    an organiser's note); then the text is what is true, and it is shown as it is, unless
    it is one of the fixed sentences below (written by a statement that keeps no Said, or
    by a version from before): those are their Said.
    """
    if text is None:
        return text
    said = Said.from_json(data) if data is not None else None
    if said is not None and said == text:
        return said
    return _FIXED.get(text, text)


def _encode(value: Any) -> Any:
    if isinstance(value, Said):
        return {"said": value.to_json()}
    if isinstance(value, Quoted):
        return {"quoted": str(value)}
    if isinstance(value, dt.datetime):
        return {"utc": value.isoformat()}
    if isinstance(value, str):
        return str(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "said" in value:
            said = Said.from_json(value["said"])
            if said is None:
                raise ValueError("a part of the sentence cannot be read")
            return said
        if "quoted" in value:
            return Quoted(value["quoted"])
        if "utc" in value:
            return dt.datetime.fromisoformat(value["utc"])
        raise ValueError(f"unknown value {value!r}")
    return value


FIGURES = frozenset(
    {"n", "own", "done", "seconds", "mb", "hours", "minutes", "attempt", "attempts", "of"}
)
"""Values that are counts, sizes and durations: the console writes them as its reader
writes numbers ('5 000' in Russian, '5,000' in English: web/reasons.py). Every other
number is a name and stays as it is: a delivery's or a Telegram chat's id, an HTTP status."""

_FIXED: Mapping[str, Said] = {ENGLISH[k]: Said(k) for k in _FIXED_KEYS}
"""Sentences without values, by their English: a row that has one is worded without a Said."""
