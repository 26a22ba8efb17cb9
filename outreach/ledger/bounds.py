"""Values that may outgrow their column, made to fit where the ledger writes them.

PostgreSQL refuses a value longer than its VARCHAR (StringDataRightTruncation) and the
whole transaction goes with it; SQLite keeps it whole, so only a PostgreSQL store ever
fails. What comes from outside (a server's answer, a feed, a header) is fitted here by
what it is for:

- `cut`: text shown to people (a post's URL, an error): the start of it and "…".
- `whole_or_none`: a value only useful whole (a status id to edit or delete, an ETag
  to send back): kept when it fits, else None, which every reader already handles as
  "the platform gave none".

Keys compared for equality (feed items' dedupe keys) are made stable where they are
built (feed_order.stored_key), so that reads ask for the same form.
"""

from __future__ import annotations

import logging
import unicodedata
from typing import Any, overload

from .schema import DELIVERIES, SENT_PLACES

MARK = "…"
"""Ends a text that was cut, so nobody takes it for the whole."""

REASON_CHARS = 1000
"""A delivery's reason (a Text column) is cut to this: a server's error page quoted whole
made every history line and alert about it unreadable (and over Telegram's 4,096 for an
alert), and it is stored again at every retry."""

log = logging.getLogger(__name__)

_JOINERS = {"\u200d", "\u034f"}  # zero width joiner, combining grapheme joiner


def _clings(ch: str) -> bool:
    """Whether `ch` belongs to the character before it (a cut must not fall before it)."""
    return (
        unicodedata.combining(ch) != 0
        or unicodedata.category(ch) in ("Mn", "Me")
        or ch in _JOINERS
        or "\ufe00" <= ch <= "\ufe0f"  # variation selectors (emoji or text style)
        or "\U0001f3fb" <= ch <= "\U0001f3ff"  # skin tone modifiers
    )


@overload
def cut(text: str, limit: int) -> str: ...
@overload
def cut(text: str | None, limit: int) -> str | None: ...
def cut(text: str | None, limit: int) -> str | None:
    """`text` when it has at most `limit` characters, else its start and MARK in `limit`,
    cut between characters as a reader sees them (not inside é written e + U+0301, nor
    inside an emoji sequence)."""
    if text is None or len(text) <= limit:
        return text
    end = limit - len(MARK)
    while end > 0 and (_clings(text[end]) or text[end - 1] in _JOINERS):
        end -= 1
    return text[:end] + MARK


def whole_or_none(value: str | None, limit: int) -> str | None:
    """`value` when it fits in `limit` characters, else None (a cut one would mislead)."""
    return value if value is None or len(value) <= limit else None


def limit_of(column: object) -> int:
    """A String column's length (the tables' own figure, never a copy of it)."""
    length = getattr(getattr(column, "type", None), "length", None)
    assert isinstance(length, int), f"{column} has no length"
    return length


# Read once: a finish is written for every post.
ID_CHARS = limit_of(DELIVERIES.c.remote_id)
URL_CHARS = limit_of(DELIVERIES.c.remote_url)
PLACE_CHARS = limit_of(SENT_PLACES.c.place)


def fit_finish(values: dict[str, Any], delivery_id: int) -> dict[str, Any]:
    """A finish's column values (loop.py) fitted to the deliveries table.

    The finish of a post that went out must be written whatever the server answered:
    failing it would leave the row in `sending`, told to nobody as sent and maybe
    posted again by recovery.
    """
    remote_id, url, reason = values.get("remote_id"), values.get("remote_url"), values.get("reason")
    if (
        (remote_id is None or len(remote_id) <= ID_CHARS)
        and (url is None or len(url) <= URL_CHARS)
        and (reason is None or len(reason) <= REASON_CHARS)
    ):
        return values  # nearly always: nothing to fit, nothing copied
    out = dict(values)
    if remote_id is not None and len(remote_id) > ID_CHARS:
        out["remote_id"] = None
        log.warning(
            "delivery %s: the platform's id for the post is %d characters, over the "
            "ledger's %d: recorded as sent without it (correct or remove it by hand)",
            delivery_id, len(remote_id), ID_CHARS,
        )  # fmt: skip
    if url is not None:
        out["remote_url"] = cut(url, URL_CHARS)
    if reason is not None:
        out["reason"] = fit_reason(reason, REASON_CHARS)
    return out


def fit_reason(reason: str, limit: int) -> str:
    """`reason` in `limit` characters: the words quoted from elsewhere (a server's answer,
    an exception's text) are cut, so our own sentence, with what to do, stays whole and
    stays a Said (the console words it in the reader's language); a reason of our own
    words only that is still too long is cut at its end."""
    from ..said import Quoted, Said

    if len(reason) <= limit:
        return reason
    if isinstance(reason, Said):
        over = len(reason) - limit
        shorter = _quotes_cut(reason, over, Said, Quoted)
        if len(shorter) <= limit:
            return shorter
    return cut(str(reason), limit)


def kept_reason(reason: str) -> str:
    """`reason` as the ledger keeps a delivery's (fit_reason to REASON_CHARS): for what
    shows it outside the ledger too (the log, a run's report), so they say the same."""
    return fit_reason(reason, REASON_CHARS)


def _quotes_cut(said: Any, over: int, Said: Any, Quoted: Any) -> Any:
    """`said` with its longest quoted value (nested Saids too) `over` characters shorter."""
    quotes: list[tuple[int, tuple[str, ...]]] = []

    def find(s: Any, path: tuple[str, ...]) -> None:
        for name, value in s.values.items():
            if isinstance(value, Said):
                find(value, (*path, name))
            elif isinstance(value, Quoted):
                quotes.append((len(value), (*path, name)))

    def remade(s: Any, path: tuple[str, ...], value: str) -> Any:
        head, rest = path[0], path[1:]
        new = remade(s.values[head], rest, value) if rest else value
        return Said(s.key, **{**s.values, head: new})

    find(said, ())
    if not quotes:
        return said
    length, path = max(quotes)
    value: Any = said
    for name in path:
        value = value.values[name]
    keep = max(len(MARK), length - over)
    return remade(said, path, Quoted(cut(str(value), keep)))
