"""Reading a feed's bytes: over HTTP(S) (conditionally, with the server's charset) or
from a file next to the config, and the strict XML check that tells a cut-off document
from the small sins feedparser reads well enough. The watcher (feeds.py) decides what
the bytes mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

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


def check_xml(body: bytes) -> XmlCheck:
    """Strict well-formedness, which feedparser's lenient fallback hides.

    Tells a cut-off document (a half-written file, a dropped connection: its
    last item may be half there) from the small sins real feeds commit (an
    HTML entity like &nbsp;), which feedparser reads well enough.
    """
    from xml.parsers import expat

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    roots: list[str] = []

    def start(name: str, _attrs: Any) -> None:
        if not roots:
            roots.append(name.rsplit(":", 1)[-1])

    parser.StartElementHandler = start
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
        return XmlCheck(roots[0] if roots else None, message, exc.code in at_end)
    return XmlCheck(roots[0] if roots else None)
