"""Pages and news items: what the campaign has to say, as typed values.

Everything downstream (share links, messages, the ledger) works on `Item`;
none of it knows whether an item came from the config or a feed.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

from .config import Config, FeedConfig, pick
from .errors import ContentError
from .feed_text import (
    SUMMARY_MAX,
    TITLE_MAX,
    cleaned,
    link_fault,
    mend_charrefs,
    mend_utf8,
    resolved,
    say_declared_otherwise,
    say_no_character,
    say_not_utf8,
    taken_out,
    untitled,
    utf8_declared_otherwise,
    web_link,
)

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
# Tags a feed, newsletter or ad platform left on a link: they tell a third party
# where a reader came from. No post or share link carries them (UTM is the
# campaign's own choice, added afresh by the share layer when it turns it on).
TRACKING_PARAM = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|igshid)$",
    re.I,
)


@dataclass(frozen=True)
class Image:
    url: str
    alt: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Item:
    """A page or a news update, in every language the campaign has it in."""

    kind: Literal["page", "news"]
    id: str
    url: str
    title: Mapping[str, str]
    summary: Mapping[str, str] = field(default_factory=dict)
    image: Image | None = None
    published: dt.datetime | None = None
    guid: str | None = None
    feed_id: str | None = None
    cleaned: tuple[str, ...] = field(default=(), compare=False)
    """What was taken out of a feed's title or summary (hidden controls), in words: the
    watcher logs it with the item it announces, so organisers know the post differs."""

    def title_in(self, lang: str, fallback: str = "en") -> str:
        return pick(self.title, lang, fallback)

    def summary_in(self, lang: str, fallback: str = "en") -> str:
        return pick(self.summary, lang, fallback)

    def alt_in(self, lang: str, fallback: str = "en") -> str:
        return pick(self.image.alt, lang, fallback) if self.image else ""

    @functools.cached_property
    def dedupe_keys(self) -> tuple[str, ...]:
        """Keys under which this item counts as already announced (worked out once: a poll
        asks six times per item).

        Any one matching is enough: an edited item keeps its GUID, an item
        without a GUID keeps its link, a re-published one keeps its text.
        """
        keys = []
        if self.guid:
            keys.append(f"guid:{self.feed_id}:{self.guid}")
        keys.append(f"link:{self.normal_link}")
        keys.append(f"hash:{content_hash(self.title_in('*'), self.summary_in('*'))}")
        return tuple(keys)

    @functools.cached_property
    def normal_link(self) -> str:
        """normalize_link(url), worked out once: a poll asks for it twice per item."""
        return normalize_link(self.url)


def normalize_link(url: str) -> str:
    """The same link however it was written: host case, tracking parameters, fragment."""
    parts = urlsplit(url.strip())
    scheme = (parts.scheme or "https").lower()
    host = (parts.hostname or "").lower()
    if parts.port and not (
        (scheme == "http" and parts.port == 80) or (scheme == "https" and parts.port == 443)
    ):
        host = f"{host}:{parts.port}"
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not TRACKING_PARAM.match(k)
    )
    # http and https are the same item; the feed only changed its scheme.
    return urlunsplit(("https" if scheme == "http" else scheme, host, path, urlencode(query), ""))


def untracked(url: str) -> str:
    """`url` without tracking parameters; every other parameter keeps its spelling and order."""
    if "?" not in url:  # no query at all, and no urlsplit: share links ask for every page
        return url
    parts = urlsplit(url)
    if not parts.query:
        return url
    pieces = parts.query.split("&")
    kept = [p for p in pieces if not TRACKING_PARAM.match(unquote_plus(p.split("=", 1)[0]))]
    if len(kept) == len(pieces):
        return url
    return urlunsplit(parts._replace(query="&".join(kept)))


def content_hash(title: str, summary: str) -> str:
    text = unicodedata.normalize("NFKC", f"{title}\n{summary}").casefold()
    text = re.sub(r"\s+", " ", text).strip()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def pages(cfg: Config) -> list[Item]:
    return [
        Item(
            kind="page",
            id=p.id,
            url=p.url,
            title=p.title,
            summary=p.summary,
            image=Image(p.image.url, p.image.alt) if p.image else None,
        )
        for p in cfg.pages
    ]


def _item_slug(guid: str | None, link: str) -> str:
    if guid and _SLUG.match(guid.lower()):
        return guid.lower()
    tail = urlsplit(link).path.rstrip("/").rsplit("/", 1)[-1].lower()
    tail = re.sub(r"[^a-z0-9_-]+", "-", tail).strip("-")[:40]
    digest = hashlib.sha1((guid or link).encode("utf-8")).hexdigest()[:6]
    return f"{tail}-{digest}" if tail else digest


@dataclass(frozen=True)
class FeedProblem:
    """An entry that could not become an item, or what was mended to read the feed;
    reported, never fatal."""

    feed_id: str
    entry: int | None
    """The entry's index; None for the document as a whole."""
    reason: str
    skipped: bool = True


def parse_feed(
    data: bytes | str, feed: FeedConfig, language: str, base: str | None = None
) -> tuple[list[Item], list[FeedProblem]]:
    """RSS or Atom bytes into items, newest first, and the entries that were skipped.

    `base`: the feed's URL, which a relative link is relative to (feed_text.resolved)."""
    import feedparser  # slow to import; only the commands that read feeds pay for it

    if len(data) > MAX_FEED_BYTES:
        raise ContentError(f"feed {feed.id!r}: larger than {MAX_FEED_BYTES // 1024 // 1024} MB")
    _count_entries(data, feed.id)
    dropped: list[str] = []
    not_utf8 = 0
    declared: str | None = None
    if isinstance(data, bytes):
        data, declared = utf8_declared_otherwise(data)
        data, not_utf8 = mend_utf8(data)
        data, dropped = mend_charrefs(data)
    try:
        parsed = feedparser.parse(data)
    except Exception as exc:  # a library's crash on outside bytes
        # The class only: its message quotes the feed's own text.
        raise ContentError(
            f"feed {feed.id!r}: cannot be read as RSS or Atom: {type(exc).__name__}"
        ) from None
    if parsed.bozo and not parsed.entries:
        reason = getattr(parsed, "bozo_exception", "not a feed")
        raise ContentError(f"feed {feed.id!r}: cannot be read as RSS or Atom: {reason}")
    items: list[Item] = []
    problems: list[FeedProblem] = []
    if declared:
        problems.append(FeedProblem(feed.id, None, say_declared_otherwise(declared), skipped=False))
    if not_utf8:
        problems.append(FeedProblem(feed.id, None, say_not_utf8(not_utf8), skipped=False))
    if dropped:
        problems.append(FeedProblem(feed.id, None, say_no_character(dropped), skipped=False))
    # The organiser's `language:` wins: a CMS declares its default for every feed it serves.
    lang = feed.language or feed_language(parsed.feed.get("language"), language)
    entries = parsed.entries
    del parsed  # each entry is let go once it is an item: feedparser's are ~3 KB (issue 15)
    for n in range(len(entries)):
        entry, entries[n] = entries[n], None
        link = resolved((entry.get("link") or "").strip(), base)
        fault = link_fault(link)
        if fault:
            problems.append(FeedProblem(feed.id, n, fault))
            continue
        title, out_of_title = cleaned(entry.get("title") or "", TITLE_MAX)
        summary, out_of_summary = cleaned(entry.get("summary") or "", SUMMARY_MAX)
        notes = [taken_out(out_of_title, "title")] if out_of_title else []
        notes += [taken_out(out_of_summary, "summary")] if out_of_summary else []
        if not title:  # feed_text.untitled: an item of only a description is valid RSS
            title, summary, note = untitled(summary)
            if not title:
                problems.append(FeedProblem(feed.id, n, "the entry has no title"))
                continue
            notes.append(note)
        guid = (entry.get("id") or "").strip() or None
        items.append(
            Item(
                kind="news",
                id=f"{feed.id}:{_item_slug(guid, link)}",
                url=untracked(web_link(link)),  # a newsletter's utm_* must not reach subscribers
                title={lang: title},
                summary={lang: summary},
                published=_published(entry),
                guid=guid,
                feed_id=feed.id,
                cleaned=tuple(notes),
            )
        )
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    items.sort(key=lambda i: i.published or oldest, reverse=True)
    return items, problems


def _published(entry: dict[str, Any]) -> dt.datetime | None:
    # dict.get: feedparser's own get warns (DeprecationWarning) for an entry whose
    # published date it could not read and that has no updated date
    stamp = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
    try:
        return dt.datetime(*stamp[:6]).replace(tzinfo=dt.UTC) if stamp else None
    except (TypeError, ValueError):  # a date feedparser read but no calendar has
        return None


_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def feed_language(declared: object, default: str) -> str:
    """The ISO 639 code of a feed's `<language>` ("en-us" -> "en"), or `default` when the
    feed declares none or something else: it labels the feed's posts (Mastodon's status
    language, messages.py `_written_in`), so a feed's text must not reach the API as one."""
    code = str(declared or "").split("-")[0].strip().lower()
    if not _LANGUAGE.match(code):
        return default
    if len(code) == 3:  # rare: most feeds declare a two-letter code, and Babel's data loads
        from babel.core import get_global

        alias = get_global("language_aliases").get(code)
        if alias is not None and "_" not in alias:
            return str(alias)  # 'rus' is 'ru', as a feed's `language:` setting reads it
    return code


def declared_language(data: bytes) -> str | None:
    """The language a feed document declares (RSS `<language>`, Atom `xml:lang`), as
    feed_language reads it; None when it declares none. Only the head before the first
    entry is parsed: `check` asks this of every feed file, however large."""
    import feedparser  # slow to import; only the commands that read feeds pay for it

    first = _ENTRY_TAG.search(data)
    head = data[: first.start()] if first else data
    try:
        declared = feedparser.parse(head).feed.get("language")
    except Exception:  # a library's crash on outside bytes: no language known
        return None
    return feed_language(declared, "") or None


MAX_FEED_BYTES = 10 * 1024 * 1024
"""Bytes read of one feed, over HTTP or from a file."""
MAX_FEED_ENTRIES = 5_000
"""Entries one feed may hold: news sites publish tens; an archive of years, thousands."""


def read_feed_file(path: Path) -> bytes:
    """A feed file's bytes, at most MAX_FEED_BYTES (OSError when it cannot be read)."""
    with open(path, "rb") as f:
        data = f.read(MAX_FEED_BYTES + 1)
    if len(data) > MAX_FEED_BYTES:
        raise ContentError(f"{path} is larger than {MAX_FEED_BYTES // 1024 // 1024} MB")
    return data


_ENTRY_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s/>]")


def _count_entries(data: bytes | str, feed_id: str) -> None:
    """Refuse a feed of more than MAX_FEED_ENTRIES entries before feedparser reads them all.

    expat (C, streaming) counts <item>/<entry> elements in a fraction of feedparser's
    time. A document it cannot parse is counted by its entry tags instead: one
    '&nbsp;' before the entries stopped the count, and 10 MB of tiny entries (170,000)
    went to feedparser whole, at ~3 KB of memory each.
    """
    from xml.parsers import expat

    parser = expat.ParserCreate()
    count = 0
    too_many = ContentError(
        f"feed {feed_id!r}: more than {MAX_FEED_ENTRIES:,} entries; serve a feed of the recent ones"
    )

    def start(name: str, _attrs: object) -> None:
        nonlocal count
        if name.rsplit(":", 1)[-1] in ("item", "entry"):
            count += 1
            if count > MAX_FEED_ENTRIES:
                raise too_many

    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        tags = _ENTRY_TAG.finditer(raw)
        if next(itertools.islice(tags, MAX_FEED_ENTRIES, None), None) is not None:
            raise too_many from None


def local_news(cfg: Config) -> list[Item]:
    """Items of the feeds that are files next to the config (the bundled campaign's)."""
    out: list[Item] = []
    for feed in cfg.feeds:
        if feed.path is None:
            continue
        path = cfg.resolve_path(feed.path)
        try:
            data = read_feed_file(Path(path))
        except OSError as exc:
            raise ContentError(f"feed {feed.id!r}: {path} cannot be read: {exc.strerror}") from None
        items, _ = parse_feed(data, feed, cfg.campaign.default_language)
        out.extend(items)
    return out


def all_items(cfg: Config) -> list[Item]:
    return pages(cfg) + local_news(cfg)


def find_item(items: Iterable[Item], item_id: str) -> Item:
    items = list(items)
    for item in items:
        if item.id == item_id:
            return item
    known = ", ".join(i.id for i in items[:12])
    raise ContentError(f"no page or news item with id {item_id!r}; known ids: {known}")
