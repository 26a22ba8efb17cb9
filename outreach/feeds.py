"""The feed watcher: new items of the campaign's RSS/Atom feeds become deliveries.

Each poll reads a feed (a URL, conditionally with ETag / If-Modified-Since, or
a file next to the config; the validators are kept with the URL that gave them
and sent to it only, so a feed whose URL changed is read in full), parses it with content.parse_feed and compares
every item with the ledger's seen_items by all of its dedupe keys: GUID,
normalised link and content hash (and the link as written before links were
percent-encoded: feed_order.old_link_key). Any key already seen means the item was
announced (an edited item keeps its GUID, an item without GUID its link), and
a new item has all its keys recorded, without expiry, so a re-ordered feed, an
edit or a restart never posts twice.

An item's deliveries and its seen keys are written in one transaction (a
batch of up to outbox.BATCH_SIZE items each, by Outbox.queue_batches; the
first batch of a poll holds outbox.LEAD, each next one twice as many, so that
the first posts may go while the rest is rendered): a crash leaves an item queued and seen, or neither,
and the next poll queues it once.

The first successful read of a feed announces only its newest `backlog`
items and marks the rest seen, so adding a feed with ten years of news does
not flood the channels. "Newest" by dates the watcher believes: one later than
its clock is ordered as no date is (feed_order.believable_order), and said.

A broken feed (HTTP error, timeout, not RSS/Atom) is logged and written to
feed_state (last_error, failures in a row) and the poll moves on; an entry
without a link or title is skipped and reported the same way, named by its title
(or link) where it has one. A problem is logged once while it lasts, not at every
poll of `outreach run` (FeedWatcher.said); feed_state keeps it for `feeds status`
while the document that has it is read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from .content import Item, parse_feed
from .errors import ContentError
from .feed_fetch import FEED_ROOTS, FeedError, Fetched, Fetcher, check_xml, read_file
from .feed_order import (
    believable_order,
    earlier_keys,
    entry_title,
    future_date,
    stored_key,
    stored_keys,
    untrusted_guids,
)
from .feed_problems import entry_names, matched_by, new_guids, problem_text
from .feed_text import declare_charset, mended, say_declared_otherwise, say_served_otherwise
from .outbox import BATCH_SIZE, LEAD

if TYPE_CHECKING:
    from .clock import Now
    from .config import Config, FeedConfig
    from .ledger import Batch
    from .outbox import Draft, Outbox, Queued

log = logging.getLogger("outreach.feeds")


class Seen(Protocol):
    """The part of outreach.ledger.Ledger the watcher needs."""

    def seen_among(self, keys: Iterable[str]) -> set[str]: ...
    def seen_as(self, keys: Iterable[str]) -> dict[str, str]: ...
    def deliveries(self, *, about: str | None = None, limit: int = 1000) -> Sequence[Any]: ...
    def batch(self) -> AbstractContextManager[Batch]: ...
    def feed_state(self, feed_id: str) -> Any: ...
    def save_feed_state(self, state: Any) -> None: ...


@dataclass
class PollResult:
    feed_id: str
    announced: list[Item] = field(default_factory=list)
    """New items queued for the channels, oldest first."""
    already: list[Item] = field(default_factory=list)
    """Items that got no new post: every channel had them, posted or queued before (a
    backfill of items that went out; the ledger's dedupe key)."""
    skipped_backlog: int = 0
    """Items of a first read left unannounced (older than the newest `backlog`)."""
    deliveries: int = 0
    problems: list[str] = field(default_factory=list)
    """Entries skipped or posts that could not be made; the feed itself was read."""
    error: str | None = None
    """The feed could not be read at all."""
    unchanged: bool = False
    first_read: bool = False
    future: frozenset[str] = frozenset()
    """Ids of items dated later than the watcher's clock allows (believable_order)."""

    @property
    def ok(self) -> bool:
        return self.error is None


def item_dedupe_key(item: Item) -> str:
    """The deliveries' dedupe key: the item's most stable key (GUID, else link)."""
    return stored_key(f"news:{item.dedupe_keys[0]}")


class FeedWatcher:
    def __init__(
        self,
        config: Config,
        ledger: Seen,
        outbox: Outbox,
        clock: Now,
        fetcher: Fetcher | None = None,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.batch_size = batch_size
        self.config = config
        self.ledger = ledger
        self.outbox = outbox
        self.clock = clock
        self.fetcher = fetcher or Fetcher()
        self.said: dict[str, set[str]] = {}
        """Each feed's problems of its last read, logged then: `outreach run` polls every few
        minutes, and a skipped entry was logged at every poll for as long as it was in
        the feed. A problem gone and back is said again; a new process says it once."""

    def poll_all(
        self,
        feeds: Sequence[FeedConfig] | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> list[PollResult]:
        """Poll every feed; one broken feed never stops the others."""
        feeds = list(self.config.feeds if feeds is None else feeds)
        results = []
        for feed in feeds:
            results.append(self.poll(feed, progress))
        return results

    def poll(
        self, feed: FeedConfig, progress: Callable[[str, int, int], None] | None = None
    ) -> PollResult:
        from .ledger import FeedState

        result = PollResult(feed.id)
        state = self.ledger.feed_state(feed.id) or FeedState(feed_id=feed.id)
        result.first_read = state.last_poll is None
        source = self._source(feed)
        if state.validators_for != source:
            # Another URL's (or an older store's, which did not say whose): this one could
            # answer 304 to them and never be read. Read it in full.
            state = replace(state, etag=None, last_modified=None, validators_for=None)
        try:
            fetched = self._read(feed, state)
            if fetched.body is None:
                result.unchanged = True
                items: list[Item] = []
            else:
                items = self._parse(feed, fetched, result)
            self._announce(feed, items, result, progress)
        except ContentError as exc:
            result.error = str(exc) if str(exc).startswith("feed ") else f"feed {feed.id!r}: {exc}"
            log.warning("%s (failure %d in a row)", result.error, state.failures + 1)
            self.ledger.save_feed_state(
                replace(state, last_error=result.error, failures=state.failures + 1)
            )
            return result
        if not result.unchanged:
            said = self.said.get(feed.id, set())
            for problem in result.problems:
                if problem not in said:
                    log.warning("%s", problem)
            self.said[feed.id] = set(result.problems)
        # An unchanged document has the problems its last read found: they stay for
        # `feeds status` (they were cleared by a 304, or a file not written since).
        last_error = state.last_error if result.unchanged else "; ".join(result.problems)
        self.ledger.save_feed_state(
            replace(
                state,
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                validators_for=source,
                last_poll=self.clock(),
                last_error=last_error or None,
                failures=0,
            )
        )
        if result.announced or result.skipped_backlog:
            log.info(
                "feed %r: %d new item(s), %d delivery(ies) queued%s",
                feed.id,
                len(result.announced),
                result.deliveries,
                f", {result.skipped_backlog} older item(s) of the first read left out"
                if result.skipped_backlog
                else "",
            )
        return result

    def backfill(
        self,
        feed: FeedConfig,
        *,
        newest: int | None = None,
        since: dt.datetime | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> PollResult:
        """Queue items left out before (by the first read's backlog rule, say).

        Reads the feed unconditionally; an item that already has a delivery on
        a channel gets no second one there (the ledger's dedupe key), however its
        keys were written when it went out (_earlier_deliveries).
        """
        from .ledger import FeedState

        result = PollResult(feed.id)
        fetched = self._read(feed, FeedState(feed_id=feed.id))
        items = self._parse(feed, fetched, result)
        result.problems += self._future_unseen(feed.id, items, result.future)
        if since is not None:
            items = [i for i in items if i.published and i.published >= since]
        if newest is not None:
            items = items[:newest]
        items.reverse()
        todo = self._once_each(feed.id, list(enumerate(items, 1)), set(), result)
        keyed = self._earlier_deliveries([item for _, item in todo])
        self._announce_batches(feed.id, todo, len(items), result, progress, keyed=keyed)
        return result

    def _future_unseen(
        self, feed_id: str, items: Sequence[Item], future: frozenset[str]
    ) -> list[str]:
        """The future-date warning of the items no poll has seen: a poll said it of the
        others when they were new (_announce), and a backfill said it every time."""
        later = [i for i in items if i.id in future]
        if not later:
            return []
        seen = self.ledger.seen_among(k for i in later for k in stored_keys(i))
        now = self.clock()
        return [future_date(feed_id, i, now) for i in later if seen.isdisjoint(stored_keys(i))]

    def _earlier_deliveries(self, items: Sequence[Item]) -> dict[str, str]:
        """The dedupe key an item's earlier deliveries have, by item id, where it is not
        the one the item has now: queued under it, a channel that has the item gets no
        second post, and a channel added since gets its first.

        An item's key moves when its GUID does (a CMS that makes a new one at every
        request, or drops them), when its link's writing changed (percent-encoding) or
        when a key was too long to keep whole. Poll knows it by any of its seen keys; a
        backfill, which must queue what poll marked seen and left out, asks which item
        those keys were seen as and whether that item went out.
        """
        keys = {item.id: [*stored_keys(item), *earlier_keys(item)] for item in items}
        seen = self.ledger.seen_as(k for ks in keys.values() for k in ks)
        keyed: dict[str, str] = {}
        for item in items:
            now = item_dedupe_key(item)
            for was in dict.fromkeys(seen[k] for k in keys[item.id] if k in seen):
                rows = self.ledger.deliveries(about=was, limit=1)
                if rows:
                    if rows[0].dedupe_key != now:
                        keyed[item.id] = rows[0].dedupe_key
                    break
        return keyed

    def _once_each(
        self, feed_id: str, todo: list[tuple[int, Item]], known: set[str], result: PollResult
    ) -> list[tuple[int, Item]]:
        """`todo` (oldest first) without items whose keys are `known`, and without an
        entry's second copy inside the feed (its GUID, link or text given again), which
        is said: one story listed in two categories is one post."""
        once: list[tuple[int, Item]] = []
        first: dict[str, Item] = {}
        for n, item in todo:
            keys = stored_keys(item)
            twin = next((first[k] for k in keys if k in first), None)
            if twin is not None:
                again = (
                    "" if entry_title(item) == entry_title(twin) else f" as {entry_title(item)!r}"
                )
                result.problems.append(
                    f"feed {feed_id!r}: entry {entry_title(twin)!r} is in the feed twice (again"
                    f"{again}, with the same {matched_by(keys, twin)}); announced once"
                )
                continue
            if known.isdisjoint(keys):
                once.append((n, item))
            first.update(dict.fromkeys(keys, item))
        return once

    def _parse(self, feed: FeedConfig, fetched: Fetched, result: PollResult) -> list[Item]:
        body = fetched.body or b""
        if not body.strip():
            raise FeedError("the document is empty")
        body, charset_problem = declare_charset(body, fetched.charset)
        if charset_problem:
            result.problems.append(f"feed {feed.id!r}: {charset_problem}")
        # A file has no address: its relative links are read against the site it names.
        want_home = not fetched.url
        checked = body
        xml = check_xml(body, home=want_home)
        if xml.error and not xml.truncated:
            # Checked as parse_feed reads it: a fault it repairs (and says) is not said twice.
            repaired = mended(body)
            if repaired != body:
                checked, xml = repaired, check_xml(repaired, home=want_home)
        if xml.truncated:
            raise FeedError(f"the document is cut off ({xml.error}); read again next poll")
        if xml.root is not None and xml.root not in FEED_ROOTS:
            raise FeedError(f"not an RSS or Atom feed: the document is <{xml.root}>")
        lang = self.config.campaign.default_language
        items, problems = parse_feed(body, feed, lang, base=fetched.url or xml.home)
        named = entry_names(checked, len(items), problems)
        if body is not fetched.body and fetched.charset:
            # the encoding parse_feed found wrong was the server's word, not the document's
            wrong = say_declared_otherwise(fetched.charset)
            served = say_served_otherwise(fetched.charset)
            problems = [replace(p, reason=served) if p.reason == wrong else p for p in problems]
        items, result.future = believable_order(items, self.clock())
        items, shared = untrusted_guids(items)
        for guid in shared:
            result.problems.append(
                f"feed {feed.id!r}: entries with different links share the GUID {guid!r}; "
                "they are told apart by link and text instead"
            )
        if xml.error:
            result.problems.append(
                f"feed {feed.id!r}: not well-formed XML ({xml.error}); read leniently"
            )
        result.problems += [problem_text(p, named) for p in problems]
        return items

    def _source(self, feed: FeedConfig) -> str:
        """Whose validators are whose: a digest of the feed's URL or file (a URL may hold a
        token, and the store keeps no secret)."""
        where = f"file:{self.config.resolve_path(feed.path)}" if feed.path else f"url:{feed.url}"
        return hashlib.sha256(where.encode()).hexdigest()

    def _read(self, feed: FeedConfig, state: Any) -> Fetched:
        if feed.path is not None:
            return read_file(self.config.resolve_path(feed.path), state.last_modified)
        assert feed.url is not None
        if not feed.url.startswith(("http://", "https://")):
            raise FeedError("the url must start with http:// or https://")
        return self.fetcher.fetch(feed.url, state.etag, state.last_modified)

    def _announce(
        self,
        feed: FeedConfig,
        items: list[Item],
        result: PollResult,
        progress: Callable[[str, int, int], None] | None,
    ) -> None:
        keys = [stored_keys(item) for item in items]
        earlier = [earlier_keys(item) for item in items]
        known = self.ledger.seen_among(
            [k for ks in keys for k in ks] + [k for ks in earlier for k in ks]
        )
        fresh = [
            item
            for item, ks, old in zip(items, keys, earlier, strict=True)
            if known.isdisjoint(ks) and known.isdisjoint(old)
        ]
        result.problems += new_guids(feed.id, items, keys, known)
        if result.future:
            # said once: when the item is new, announced or left out by the backlog rule
            now = self.clock()
            result.problems += [
                future_date(feed.id, i, now) for i in fresh if i.id in result.future
            ]
        skipped: list[Item] = []
        if result.first_read:
            # items come newest first; the first read announces only the newest `backlog`
            fresh, skipped = fresh[: feed.backlog], fresh[feed.backlog :]
            known.update(k for item in skipped for k in stored_keys(item))
        fresh.reverse()  # oldest first, so channels tell the news in order
        todo = self._once_each(feed.id, list(enumerate(fresh, 1)), known, result)
        self._announce_batches(feed.id, todo, len(fresh), result, progress, skipped=skipped)

    def _announce_batches(
        self,
        feed_id: str,
        todo: Sequence[tuple[int, Item]],
        total: int,
        result: PollResult,
        progress: Callable[[str, int, int], None] | None,
        *,
        skipped: Sequence[Item] = (),
        keyed: Mapping[str, str] | None = None,
    ) -> None:
        """Queue the items and mark them seen, `batch_size` items per transaction.

        An item's deliveries and its seen keys commit together, so a crash
        leaves it queued and seen, or neither (and the next poll queues it).
        Rendering happens before the transaction opens, so SQLite's single
        writer lock is held only for the writes. `skipped` items (older than a
        first read's backlog) are marked seen in the first transaction. `keyed`: the
        dedupe keys of items (by id) whose earlier deliveries have another.
        """
        outbox = self.outbox
        keyed = keyed or {}

        def render(job: tuple[int, Item], limits: Mapping[str, int]) -> list[Draft]:
            item = job[1]
            subject = outbox.messages.subject_for_item(item)
            key = keyed.get(item.id) or item_dedupe_key(item)
            return outbox.prepare(subject, dedupe_key=key, due=self.clock(), limits=limits)

        def write(batch: Batch, job: tuple[int, Item], drafts: list[Draft]) -> list[Queued]:
            item = job[1]
            queued = outbox.write(batch, drafts)
            batch.mark_seen(stored_keys(item), feed_id=feed_id, item_id=item.id)
            return queued

        def mark_skipped(batch: Batch) -> None:
            for item in skipped:
                batch.mark_seen(stored_keys(item), feed_id=feed_id, item_id=item.id)

        batches = outbox.queue_batches(
            todo, render, write, size=self.batch_size, first=mark_skipped if skipped else None,
            lead=LEAD,
        )  # fmt: skip
        for committed in batches:
            result.skipped_backlog += len(skipped)
            skipped = ()
            for (n, item), qs in committed:
                created = sum(1 for q in qs if q.created)
                result.deliveries += created
                result.problems += [
                    f"{item.id} -> {q.channel_id}: {q.error}" for q in qs if q.error
                ]
                if qs and not created and not any(q.error for q in qs):
                    # not news: said as such, not counted as queued ("1 item(s) queued
                    # as 0 post(s)")
                    result.already.append(item)
                else:
                    # said once, when the item goes out, not at every poll that reads it
                    result.problems += [f"{item.id}: {note}" for note in item.cleaned]
                    result.announced.append(item)
                if progress:
                    progress(feed_id, n, total)
