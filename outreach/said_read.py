"""Sentences the store keeps as English text only, read back into their Said for the console.

A feed's last error (feed_state.last_error: feeds.py, content.py) and an audit
entry's detail (audit.detail: the ledger's pauses and organisers' moves, the
console, the admin bot) are text columns, written by code that writes text.
Keeping their key beside them would take a column in each table and a change in
every writer, and rows from before would stay English all the same. These
sentences, though, are few and made from fixed words, which said.ENGLISH holds
(`feed.*`, `audit.*`, and the ledger's reasons a move records): the console
reads each back by the words that made it, its values in their places, and
words it (web/reasons.py). A text no sentence makes is shown as it is, marked
as English. tests/test_web_said_read.py drives the writers themselves, so a
writer whose words change without said.py fails there.

Values: a time (`at`, `until`) is read as the instant it names and shown in the
campaign's zone; an error a library or a server worded (an HTTP reason phrase,
an exception's class, the parser's complaint) is Quoted; an organiser's own
words (a pause's why, a note) are shown as they are.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import string
from collections.abc import Mapping

from .said import ENGLISH, FIGURES, Quoted, Said

_TIME = r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)?"
_NUMBER = r"\d[\d,.]*"
_TIMES = frozenset({"at", "until"})
_NUMBERS = frozenset({"n", "done", "status", "mb", "seconds", "id"})
_NOT_OURS = frozenset({"phrase", "error"})
"""Values worded by a library or a server, never translated."""

FEED_ERRORS = (
    "feed.http", "feed.too_large", "feed.timed_out", "feed.cannot_connect",
    "feed.file_too_large", "feed.unreadable", "feed.empty", "feed.cut_off",
    "feed.not_a_feed", "feed.not_rss", "feed.too_many", "feed.bad_url",
)  # fmt: skip
_PAUSES = ("audit.paused_why", "audit.paused", "audit.paused_open_why", "audit.paused_open")
_MOVES = (
    *(k for k in ENGLISH if k.startswith("ledger.") and k != "ledger.note"),
    "audit.now",
)
_DETAILS: Mapping[str, tuple[str, ...]] = {
    "pause": (*_PAUSES, "audit.already_paused"),
    "resume": ("audit.released", "audit.embargo_ended"),
    # the one-off text's before a template's: "{template}" would read it too
    "schedule": (
        "audit.scheduled_text_cron",
        "audit.scheduled_text",
        "audit.scheduled_cron",
        "audit.scheduled",
    ),
    "reschedule": ("audit.moved_to",),
    "user-add": ("audit.role",),
    "user-role": ("audit.role",),
    "signin": ("audit.signin_password", "audit.signin_link"),
    "link": ("audit.link_sent",),
    "takedown": ("audit.confirmed_some_not", "audit.confirmed"),
    "correction": ("audit.confirmed_some_not", "audit.confirmed"),
}
"""An audit entry's action -> the sentences its detail can be; any other action is a
delivery's move (ledger/deliveries.py), whose detail is the reason it recorded."""
_INSIDE: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("feed.error", "error"): FEED_ERRORS,
    ("audit.already_paused", "detail"): _PAUSES,
    ("ledger.marked", "note"): ("ledger.note",),
}
"""A value that is a sentence of its own, and the sentences it can be."""
_BY: Mapping[str, str] = {ENGLISH["audit.embargo_end"]: "audit.embargo_end"}
"""Who did it, when that was not a person: the audit entry's `by`."""


def feed_error(text: str | None) -> str | None:
    """A feed's last error as a Said when outreach's words made it, else as it is."""
    if not text:
        return text
    return _read(text, ("feed.error", *FEED_ERRORS)) or text


def audit_detail(action: str, detail: str | None) -> str | None:
    """An audit entry's detail as a Said when outreach's words made it, else as it is."""
    if not detail:
        return detail
    return _read(detail, _DETAILS.get(action, _MOVES)) or detail


def audit_by(by: str) -> str:
    """An audit entry's `by`: a person and their door ('web:anna') as it is; a Said when
    it was outreach itself (an embargo that ended)."""
    key = _BY.get(by)
    return Said(key) if key else by


def _read(text: str, keys: tuple[str, ...]) -> Said | None:
    for key in keys:
        m = _pattern(key).fullmatch(text)
        if m is not None:
            return Said(key, **{k: _value(key, k, v) for k, v in m.groupdict().items()})
    return None


def _value(key: str, name: str, text: str) -> object:
    inside = _INSIDE.get((key, name))
    if inside is not None:
        if not text:
            return text  # an optional part that is not there (a note)
        return _read(text, inside) or Quoted(text)
    if name in _TIMES:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    if name in _NOT_OURS:
        return Quoted(text)
    if name in FIGURES and text.isascii() and text.isdigit():
        return int(text)  # a count, worded as the reader writes numbers (web/reasons.py)
    return text


@functools.cache
def _pattern(key: str) -> re.Pattern[str]:
    """The English words of `key` as a pattern: its fixed words as they are, each value a
    named group (a time or a number where the name says so)."""
    parts, seen = [], set()
    for literal, name, _spec, conversion in string.Formatter().parse(ENGLISH[key]):
        parts.append(re.escape(literal))
        if name is None:
            continue
        if name in seen:
            parts.append(f"(?P={name})")
            continue
        seen.add(name)
        body = _TIME if name in _TIMES else _NUMBER if name in _NUMBERS else ".*?"
        group = f"(?P<{name}>{body})"
        parts.append(f"'{group}'" if conversion == "r" else group)
    return re.compile("".join(parts), re.S)
