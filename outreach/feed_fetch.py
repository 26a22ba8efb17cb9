"""Reading a feed's bytes: over HTTP(S) (conditionally, with the server's charset) or
from a file next to the config, and the strict XML check that tells a cut-off document
from the small sins feedparser reads well enough. The watcher (feeds.py) decides what
the bytes mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from .content import MAX_FEED_BYTES, read_feed_file
from .errors import ContentError

if TYPE_CHECKING:
    import httpx

USER_AGENT = "outreach feed watcher (+https://github.com/)"


class FeedError(ContentError):
    """A feed could not be read or parsed; the watcher reports it and carries on."""


@dataclass(frozen=True)
class Fetched:
    body: bytes | None
    """None when the server (or the file) says nothing changed since the last read."""
    etag: str | None = None
    last_modified: str | None = None
    charset: str | None = None
    """The charset the server's Content-Type named, if any."""
    url: str | None = None
    """Where the body came from (after redirects): what its relative links are relative to."""


class Fetcher:
    """Reads feeds over HTTP(S) with httpx; the client is injectable for tests."""

    def __init__(self, client: httpx.Client | None = None, timeout: float = 20.0) -> None:
        self._client = client
        self._timeout = timeout

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            import httpx

            self._client = httpx.Client(
                timeout=self._timeout,
                follow_redirects=True,
                headers={"User-Agent": USER_AGENT},
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def fetch(self, url: str, etag: str | None, last_modified: str | None) -> Fetched:
        import httpx

        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            with self.client.stream("GET", url, headers=headers) as resp:
                if resp.status_code == 304:
                    return Fetched(None, etag, last_modified)
                if resp.status_code >= 400:
                    raise FeedError(f"HTTP {resp.status_code} {resp.reason_phrase}")
                chunks, size = [], 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > MAX_FEED_BYTES:
                        raise FeedError(f"larger than {MAX_FEED_BYTES // 1024 // 1024} MB")
                    chunks.append(chunk)
                return Fetched(
                    b"".join(chunks),
                    resp.headers.get("ETag"),
                    resp.headers.get("Last-Modified"),
                    resp.charset_encoding,
                    str(resp.url),
                )
        except httpx.TimeoutException:
            raise FeedError(f"no answer within {self._timeout:g} s") from None
        except httpx.HTTPError as exc:
            # the class name, not the message: messages can carry the URL and its query
            raise FeedError(f"cannot connect ({type(exc).__name__})") from None


def read_file(path: Path, last_modified: str | None) -> Fetched:
    try:
        stat = path.stat()
        stamp = f"{stat.st_mtime_ns}:{stat.st_size}"
        if stamp == last_modified:
            return Fetched(None, None, stamp)
        return Fetched(read_feed_file(path), None, stamp)
    except ContentError as exc:
        raise FeedError(str(exc)) from None
    except OSError as exc:
        raise FeedError(f"{path} cannot be read: {exc.strerror}") from None


FEED_ROOTS = {"rss", "feed", "RDF"}


@dataclass(frozen=True)
class XmlCheck:
    root: str | None
    """The document element's local name (rss, feed, RDF for RSS 1.0), if one was seen."""
    error: str | None = None
    truncated: bool = False
    home: str | None = None
    """The channel's <link> (RSS) or the feed's <link rel="alternate"> (Atom), after an
    xml:base of the feed or channel as feedparser applies it, if absolute: the site the
    feed is of, which a file feed's relative links are relative to (feedparser does not
    resolve against it)."""
    entries: tuple[tuple[str, str], ...] = ()
    """Each entry's (title, link) as written, in document order, up to where the check
    stopped: what names an entry parse_feed skipped (feedparser keeps neither)."""


def check_xml(body: bytes, *, home: bool = True, names: bool = False) -> XmlCheck:
    """Strict well-formedness, which feedparser's lenient fallback hides.

    Tells a cut-off document (a half-written file, a dropped connection: its
    last item may be half there) from the small sins real feeds commit (an
    HTML entity like &nbsp;), which feedparser reads well enough. The same pass
    notes the channel's link (`home`: a file feed's relative links need it) and,
    with `names`, each entry's title and link (_Outline). What is not asked for is
    not looked at: once the root (and the link) are known, expat checks the rest
    without calling back into Python, an element at a time (about 1% of a post's
    instructions: bench/instructions.py).
    """
    from xml.parsers import expat

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    seen = _Outline(parser, home=home, names=names)
    try:
        parser.Parse(body, True)
    except expat.ExpatError as exc:
        codes = expat.errors.codes
        at_end = {
            codes[expat.errors.XML_ERROR_NO_ELEMENTS],
            codes[expat.errors.XML_ERROR_UNCLOSED_TOKEN],
            codes[expat.errors.XML_ERROR_UNCLOSED_CDATA_SECTION],
            codes[expat.errors.XML_ERROR_PARTIAL_CHAR],
        }
        message = f"line {exc.lineno}: {expat.errors.messages[exc.code]}"
        return seen.check(message, exc.code in at_end)
    return seen.check()


NAME_MAX = 300
"""Characters of a title or link kept to name an entry: a name, not the text."""


class _Outline:
    """What check_xml's pass notes besides the root: the channel's link and each entry's
    title and link, where feedparser finds them (RSS 0.9x, 1.0, 2.0 and Atom without a prefix): an <item> or
    <entry> in the document element or in its <channel>."""

    def __init__(self, parser: Any, *, home: bool = True, names: bool = True) -> None:
        self.parser = parser
        self.want_home, self.names = home, names
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        self.root: str | None = None
        self.path: list[str] = []
        self.entries: list[tuple[str, str]] = []
        self.entry: dict[str, str] | None = None
        self.depth = 0  # the entry's
        self.base = ""  # the feed's or channel's xml:base
        self.home: str | None = None
        self.into: str | None = None  # the title or link being read, or "home"
        self.chars: list[str] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        parent = self.path[-1] if self.path else None
        self.path.append(name)
        if self.root is None:
            self.root = name.rsplit(":", 1)[-1]
        in_top = parent is not None and (len(self.path) == 2 or parent == "channel")
        if len(self.path) <= 2 and "xml:base" in attrs and self.entry is None:
            self.base = urljoin(self.base, attrs["xml:base"])
        if self.entry is None and name in ("item", "entry") and in_top:
            self.entry, self.depth = {"title": "", "link": ""}, len(self.path)
        elif self.entry is not None and self._wanted(name, attrs):
            self._read(name, attrs)
        elif self.home is None and name == "link" and in_top and _alternate(name, attrs):
            self._read("home", attrs)
        self._stop_when_done()

    def _stop_when_done(self) -> None:
        """No more calls for each element once what was asked for is known."""
        if self.names or self.into is not None:
            return
        if self.want_home and self.home is None:
            return
        self.parser.StartElementHandler = self.parser.EndElementHandler = None

    def _wanted(self, name: str, attrs: dict[str, str]) -> bool:
        """Whether the element is the entry's title or link, not yet read."""
        assert self.entry is not None
        if len(self.path) != self.depth + 1 or name not in ("title", "link"):
            return False
        return not self.entry[name] and _alternate(name, attrs)

    def _read(self, what: str, attrs: dict[str, str]) -> None:
        if "href" in attrs:  # Atom's link: the address is the attribute
            self._keep(what, attrs["href"])
        else:
            self.into, self.chars = what, []
            # text is collected only here: a handler for every description's text cost
            self.parser.CharacterDataHandler = self.chars.append

    def _keep(self, what: str, text: str) -> None:
        text = text.strip()
        if what == "home":
            self.home = urljoin(self.base, text) if text else None
        elif self.entry is not None:
            self.entry[what] = text[:NAME_MAX]

    def end(self, name: str) -> None:
        self.path.pop()
        if self.into is not None and name == ("link" if self.into == "home" else self.into):
            self._keep(self.into, "".join(self.chars))
            self.into, self.parser.CharacterDataHandler = None, None
        if self.entry is not None and len(self.path) + 1 == self.depth:
            self.entries.append((self.entry["title"], self.entry["link"]))
            self.entry = None
        self._stop_when_done()

    def check(self, error: str | None = None, truncated: bool = False) -> XmlCheck:
        home = self.home if self.home and urlsplit(self.home).scheme in ("http", "https") else None
        return XmlCheck(self.root, error, truncated, home, tuple(self.entries))


def _alternate(name: str, attrs: dict[str, str]) -> bool:
    """Whether a <link> is the page the feed or entry is (Atom: rel="alternate" or none)."""
    return name != "link" or attrs.get("rel", "alternate") == "alternate"
