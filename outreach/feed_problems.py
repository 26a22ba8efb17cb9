"""What a poll tells organisers about a feed's entries, in words they can act on.

Apart from feeds.py (which reads, compares and queues) because these only word what the
watcher found: an entry named by its title or link rather than its place (which moves as
news comes in), the key an item was recognised by, and a feed whose GUIDs change at every
read. The entries' names come from a second pass of the XML check, made only when an entry
was skipped (feed_fetch.check_xml with `names`).
"""

from __future__ import annotations

from collections.abc import Sequence

from .content import FeedProblem, Item
from .feed_fetch import check_xml
from .feed_order import stored_keys
from .feed_text import TITLE_MAX, cleaned


def new_guids(
    feed_id: str, items: Sequence[Item], keys: Sequence[Sequence[str]], known: set[str]
) -> list[str]:
    """What to say of a feed that gives its items a new GUID at every read (a CMS that
    puts the request's time in it): its items are recognised by their link (or text),
    silently before. Said while it lasts (logged once: FeedWatcher.said), not of one
    item whose GUID changed among others that kept theirs."""
    renewed = kept = 0
    for item, ks in zip(items, keys, strict=True):
        if not item.guid:
            continue
        if ks[0] in known:
            kept += 1
        elif not known.isdisjoint(ks[1:]):
            renewed += 1
    if not renewed or kept:
        return []
    return [
        f"feed {feed_id!r} gives its items a new id (<guid>) at every read; they are "
        "recognised by their link, so none is posted twice, but one whose link changes "
        "too (an edit) would be posted again: ask the site to keep each item's <guid>"
    ]


def entry_names(
    checked: bytes, parsed: int, problems: Sequence[FeedProblem]
) -> Sequence[tuple[str, str]]:
    """The entries' titles and links as the XML check reads them, if it reads the entries
    parse_feed did (not where the check stops at a fault feedparser reads past). Read
    only when an entry was skipped, the one time they name anything: a second pass."""
    skipped = {p.entry for p in problems if p.entry is not None and p.skipped}
    if not skipped:
        return ()
    entries = check_xml(checked, home=False, names=True).entries
    return entries if len(entries) == parsed + len(skipped) else ()


def problem_text(p: FeedProblem, named: Sequence[tuple[str, str]] = ()) -> str:
    """The problem as organisers are told it: an entry named by its title (or link), so
    that they can find it, and the same entry said in the same words at every read
    (its place in the feed moves as news comes in)."""
    if p.entry is None:
        return f"feed {p.feed_id!r}: {p.reason}"
    entry = f"entry {p.entry + 1}"
    if p.entry < len(named):
        title, link = named[p.entry]
        name = cleaned(title, TITLE_MAX)[0] or link
        if name:
            entry = f"entry {name if len(name) <= 80 else name[:79] + '…'!r}"
    return f"feed {p.feed_id!r}: {entry}{' skipped' if p.skipped else ''}: {p.reason}"


def matched_by(keys: Sequence[str], twin: Item) -> str:
    shared = set(keys) & set(stored_keys(twin))
    if any(k.startswith("guid") for k in shared):
        return "GUID"
    return "link" if any(k.startswith("link") for k in shared) else "title and text"
