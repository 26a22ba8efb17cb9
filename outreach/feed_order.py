"""Which of a feed's items are new, and in what order: the dates, GUIDs and link keys
a feed gives that the watcher does not take at their word.

- believable_order: a date later than the watcher's clock is ordered as no date is.
- untrusted_guids: a GUID one document gives to different links is dropped.
- old_link_key: the link key an item had before its link was percent-encoded.
- stored_keys: an item's keys as the ledger keeps them, none longer than its column.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace

from .content import Item, normalize_link
from .feed_text import written_before


def untrusted_guids(items: list[Item]) -> tuple[list[Item], list[str]]:
    """Drop GUIDs that one document gives to different links (a CMS bug seen in the wild).

    Trusted, such a GUID would make every later entry look already announced.
    """
    links: dict[str, set[str]] = {}
    for item in items:
        if item.guid:
            links.setdefault(item.guid, set()).add(item.normal_link)
    shared = [guid for guid, found in links.items() if len(found) > 1]
    if not shared:
        return items, []
    return [replace(i, guid=None) if i.guid in shared else i for i in items], shared


FUTURE_SKEW = dt.timedelta(hours=14)
"""How far ahead of the watcher's clock a date may be and still be believed. Clocks
disagree by minutes, but a CMS that writes local time with the wrong zone is common:
Minsk's 09:00 written as '09:00 +0000' is three hours ahead, and zones reach +14.
Such a feed's newest item must still be the newest (tests/test_e2e_run.py's feed
is one); a date a day or more ahead is not believed."""


def believable_order(items: list[Item], now: dt.datetime) -> tuple[list[Item], frozenset[str]]:
    """`items` newest first, with a date later than `now` (+ FUTURE_SKEW) ordered as no
    date is, after every dated item; and those items' ids.

    A pinned page dated 9999, or an event dated by its day, sorted first and took the
    first read's backlog place of the real newest item. Such an item is kept, not
    dropped: a later poll announces it as new, a backfill reaches it. Clamping its date
    to `now` would not do: it would still be the newest.
    """
    latest = now + FUTURE_SKEW
    future = frozenset(i.id for i in items if i.published is not None and i.published > latest)
    if not future:
        return items, future
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    # stable: dated items keep parse_feed's order, the rest their order in the feed
    ordered = sorted(
        items, key=lambda i: oldest if i.id in future else i.published or oldest, reverse=True
    )
    return ordered, future


def shown_date(published: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    """`published` as subscribers may read it: none for a date later than `now` allows.

    Such a date is not believed for the order (believable_order), so it is not shown
    either: a post read "9 December 9999" under a pinned page. No date is what an
    undated entry shows; the date the watcher first saw it (as Tiny Tiny RSS clamps)
    would read as the publication date and be a date made up by us.
    """
    if published is None or published > now + FUTURE_SKEW:
        return None
    return published


def with_shown_dates(items: list[Item], now: dt.datetime) -> list[Item]:
    """`items` with each date as shown_date shows it: for what reads `published` without a
    clock of its own (share cards' article:published_time)."""
    return [
        i if i.published is None or shown_date(i.published, now) else replace(i, published=None)
        for i in items
    ]


def entry_title(item: Item) -> str:
    """The item's title as organisers are told of it: enough to find it in the feed."""
    title = next(iter(item.title.values()), "")
    return title if len(title) <= 80 else f"{title[:79]}…"


def future_date(feed_id: str, item: Item, now: dt.datetime) -> str:
    assert item.published is not None
    return (
        f"feed {feed_id!r}: entry {entry_title(item)!r} is dated {item.published:%Y-%m-%d %H:%M} UTC, "
        f"later than the watcher's clock ({now:%Y-%m-%d %H:%M} UTC); it is ordered as an "
        "undated entry, so that it does not take the place of the newest, and its posts "
        "and share cards show no date"
    )


def old_link_key(item: Item) -> str | None:
    """The link key an item had before its link was percent-encoded, if it differs: it
    counts as seen too (feed_text.written_before)."""
    raw = written_before(item.url)
    if raw is None:
        return None
    key = f"link:{normalize_link(raw)}"
    return None if key in item.dedupe_keys else key


KEY_MAX = 400
"""seen_items.dedupe_key and deliveries.dedupe_key are VARCHAR(400) (ledger/schema.py):
PostgreSQL refuses a longer value, and one such item failed the feed's whole poll."""


def stored_key(key: str) -> str:
    """`key` as the ledger keeps it: whole when it fits KEY_MAX, else its kind and a digest.

    A GUID or link of hundreds of characters is rare but real (a search page, a
    redirect that carries the target), and percent-encoding makes a link up to three
    times longer. '#' follows no key's kind, so a digest is no other key.
    """
    if len(key) <= KEY_MAX:
        return key
    kind = key.split(":", 1)[0]
    return f"{kind}#sha256:{hashlib.sha256(key.encode('utf-8')).hexdigest()}"


def stored_keys(item: Item) -> tuple[str, ...]:
    """The item's dedupe keys as the ledger keeps them (stored_key)."""
    keys = item.dedupe_keys
    if all(len(k) <= KEY_MAX for k in keys):
        return keys
    return tuple(stored_key(k) for k in keys)


def earlier_keys(item: Item) -> list[str]:
    """Keys the item may have been seen under by an earlier version, asked for, never
    written: its link before it was percent-encoded, and a key too long for KEY_MAX as
    SQLite (which does not hold a column to its length) kept it whole."""
    found = [k for k in item.dedupe_keys if len(k) > KEY_MAX]
    old = old_link_key(item)
    return [*found, old] if old else found
