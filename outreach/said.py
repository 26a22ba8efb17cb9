"""What outreach tells an organiser about a channel or a post: a key and its values, and the
English sentence they make.

A `Said` is a str (the English sentence, as the CLI, the admin bot, the logs
and the ledger's text columns have always had it) that also carries its key
and values, so the web console can word it in the reader's language
(outreach/web/strings.yaml, `said.<key>`; outreach/web/reasons.py). It goes
where a sentence went before: a Check's facts and problems (`doctor`), a
publisher's exception (its message), a delivery's reason and an action's
detail (the ledger keeps `to_json()` beside the text: Ledger.said_of).
The same way as corrections/reasons.py, for sentences that are stored.

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
}


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
    """An exception's message: its Said when it was raised with one, else its text."""
    first = exc.args[0] if len(exc.args) == 1 else None
    return first if isinstance(first, Said) else str(exc)


def stored(text: str | None, data: Any) -> str | None:
    """A ledger text and the Said kept beside it: the Said when it still makes that text.

    A row's text may be changed by a statement that does not know of the Said (a pause,
    an organiser's note); then the text is what is true, and it is shown as it is.
    """
    if text is None or data is None:
        return text
    said = Said.from_json(data)
    return said if said is not None and said == text else text


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
