"""A feed's outside text made safe to post: HTML read as a browser shows it, hidden
controls taken out (and said), references to no character mended, spoofing links refused.

Anyone who can edit a partner's feed, or a network in between, can put text in a
title; content.parse_feed passes every title, summary and link through here.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from .hidden_text import UNSHOWN

_HTTP_LINK = re.compile(r"^https?://[^\s/?#@]+[^\s]*$", re.I)
_RELATIVE = re.compile(r"^[^\s:\\]+$")  # '/news/43', 'appeal-44', '?p=2': no scheme, no space
# The controls and bidi overrides readers do not see (hidden_text.py, the one rule): in a
# feed they only garble or spoof what follows them in a post ("\u202emoc.live" shows as
# "evil.com"). A carriage return is not among them; feed text has none (cleaned turns
# line ends into "\n", strip_html white space into " ", and a link holds no white space).
_UNSAFE_CHARS = UNSHOWN
# Unicode's tag characters (U+E0000-U+E007F) show as nothing: a run of them carries a
# whole text no reader sees (an identifier that follows every share of the post, words
# for a machine). Their one visible use is a subdivision flag (U+1F3F4, tags, U+E007F
# CANCEL TAG: the flag of Scotland), kept whole.
_TAGS = re.compile("(\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f)|[\U000e0000-\U000e007f]")
TITLE_MAX = 500
SUMMARY_MAX = 20_000
"""A feed's text beyond these is cut at a word boundary: no network shows more."""


class _TextOnly(HTMLParser):
    """Collects the text of an HTML fragment as a browser would show it.

    Python's own html.parser (the tokenizer the standard library keeps to the
    HTML spec's rules) rather than regular expressions: a bare "<" or ">" in
    prose ("5 < 6 and 7 > 3") is text, a comment is dropped whole even when it
    holds markup, and script/style bodies are never text. feedparser has
    already sanitised the HTML; this only reads it.
    """

    _BREAKS = frozenset(
        {"br", "p", "div", "li", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}
        | {"blockquote", "pre", "hr", "table", "section", "article"}
    )
    _HIDDEN = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def strip_html(text: str) -> str:
    """Plain text from a feed's HTML summary: tags and comments dropped, entities decoded."""
    if "<" in text or "&" in text:  # else the parser would hand back the text whole
        parser = _TextOnly()
        parser.feed(text)
        parser.close()
        text = "".join(parser.parts)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    return re.sub(r"\s*\n\s*", "\n", text).strip()


def feed_text(text: str, limit: int) -> str:
    """A feed's HTML as safe plain text: controls and bidi overrides out, at most `limit` long."""
    return cleaned(text, limit)[0]


def cleaned(text: str, limit: int) -> tuple[str, list[str]]:
    """feed_text's text, and the characters taken out of it (each once, in order)."""
    from .fitting import fit

    raw = text.replace("\r\n", "\n").replace("\r", "\n")
    found = _UNSAFE_CHARS.findall(raw)
    text = strip_html(_UNSAFE_CHARS.sub("", raw))
    found += _UNSAFE_CHARS.findall(text)  # entities such as &#x202E; decode only now
    text = _UNSAFE_CHARS.sub("", text)
    if _TAGS.search(text):
        found += [m.group() for m in _TAGS.finditer(text) if not m.group(1)]
        text = _TAGS.sub(lambda m: m.group(1) or "", text)
    text = text if len(text) <= limit else fit(lambda t: t, text, len, limit)
    return text, list(dict.fromkeys(found))


UNTITLED_MAX = 100
"""How long a title taken from an untitled entry's text may be: a headline, not the text."""


def untitled(summary: str) -> tuple[str, str, str]:
    """A title, summary and note for an entry without a title, from its text (`summary`).

    RSS 2.0 asks an item for a title or a description; a Mastodon account's feed and
    many microblogs give the description only, and such news was skipped, lost. Feed
    readers show the text's first words as its title; so does a post. A first line
    short enough is the whole title and not repeated under it; a longer one is cut at
    a word. No text at all is no title ('', '', '').
    """
    from .fitting import fit

    first, _, rest = summary.partition("\n")
    if not first:
        return "", "", ""
    if len(first) <= UNTITLED_MAX:
        title, summary = first, rest.strip()
    else:
        title = fit(lambda t: t, first, len, UNTITLED_MAX)
    return title, summary, "it has no title: the first words of its text are its title"


def taken_out(chars: list[str], where: str) -> str:
    """'U+202E RIGHT-TO-LEFT OVERRIDE taken out of the title (a hidden control ...)'."""
    names = ", ".join(
        f"U+{ord(c):04X} {unicodedata.name(c, 'CONTROL CHARACTER')}" for c in chars[:5]
    )
    if len(chars) > 5:  # a hidden text of tag characters names dozens
        names += f" and {len(chars) - 5} more"
    direction = any("\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069" for c in chars)
    if direction:
        what = "hidden controls of text direction: they can make a line read backwards"
    elif all("\U000e0000" <= c <= "\U000e007f" for c in chars):
        what = "tag characters: they carry text readers do not see"
    else:
        what = "control characters readers do not see"
    return f"{names} taken out of the {where} ({what}); posted without them"


# A numeric character reference to no character: a surrogate (&#xD800;) or past U+10FFFF.
# feedparser's lenient reader raised on one (UnicodeEncodeError, ValueError, OverflowError),
# so a single such reference in a title lost the whole feed, and the feeds polled after it.
_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")


def _no_character(m: re.Match[bytes]) -> bool:
    hex_digits, digits = m.group(1), m.group(2)
    text = (hex_digits or digits).lstrip(b"0")
    if len(text) > 8:  # past any code point, and past int()'s digit limit for huge runs
        return True
    value = int(text or b"0", 16 if hex_digits else 10)
    return value > 0x10FFFF or 0xD800 <= value <= 0xDFFF


def mend_charrefs(data: bytes) -> tuple[bytes, list[str]]:
    """`data` without references to no character, and those taken out (as written).

    Read in the bytes, so for the ASCII-compatible encodings feeds use; a UTF-16 feed
    holding one is refused whole by parse_feed's net under feedparser instead."""
    if b"&#" not in data:
        return data, []
    dropped: list[str] = []

    def mend(m: re.Match[bytes]) -> bytes:
        if _no_character(m):
            ref = m.group(0).decode("ascii")
            dropped.append(ref if len(ref) <= 16 else f"{ref[:12]}…;")
            return b""
        return m.group(0)

    return _CHARREF.sub(mend, data), dropped


_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def mend_utf8(data: bytes) -> tuple[bytes, int]:
    """A document in UTF-8 (as it says, or as XML's default) with each byte that is not
    UTF-8 made U+FFFD, and how many there were.

    feedparser reads such a document whole in another encoding (windows-1252,
    iso-8859-2): one stray byte from a pasted quote in an old entry turned every
    Cyrillic title of the feed into "Đ’ĐžĐťŃ" in the posts. A document in
    another encoding, or with a UTF-16/32 byte order mark, is left alone.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4]:
        return data, 0  # UTF-16 or UTF-32, with a byte order mark or without
    declared = _DECLARED.match(data.removeprefix(b"\xef\xbb\xbf")[:512])
    if declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        return data, 0
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        return text.encode("utf-8"), text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    return data, 0


_NOT_IN_URLS = re.compile(r'["<>`{}]')
_ENCODED = re.compile(r"%(22|3[cCeE]|60|7[bBdD])")


def web_link(link: str) -> str:
    """`link` with the characters a URL may not hold raw ('"', '<', '>', '`', '{', '}')
    percent-encoded, as a browser sends them. Raw, they end the link where Mastodon
    finds links in a post's text: 'https://e.org/a"b' linked https://e.org/a only."""
    return _NOT_IN_URLS.sub(lambda m: f"%{ord(m.group()):02X}", link)


def utf8_declared_otherwise(data: bytes) -> tuple[bytes, str | None]:
    """A document that declares another encoding but is UTF-8, declared UTF-8, and the
    encoding it declared; else `data` and None.

    Its Cyrillic was posted as 'Р’РѕР»СЏ' (windows-1251) or 'п▓п╬п╩я▐' (koi8-r) without
    a word: feedparser believes the declaration. Text in a single-byte encoding is
    UTF-8 by chance only when it has no letters outside ASCII, so valid UTF-8 with
    some is taken for what it is.
    """
    declared = _DECLARED.match(data[:512])
    if not declared or b"\x00" in data[:4]:
        return data, None
    name = declared.group(1).decode("ascii")
    if name.lower().replace("_", "-") in ("utf-8", "utf8") or data.isascii():
        return data, None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data, None
    start, end = declared.span(1)
    return data[:start] + b"utf-8" + data[end:], name


def written_before(url: str) -> str | None:
    """`url` as a feed wrote it before web_link encoded it, if web_link could have encoded
    something in it; else None.

    Seen keys stored before links were encoded hold the raw characters ('a"b'), new ones
    the encoded ('a%22b'): the watcher asks for both, or an edited item without a GUID
    would be announced again. A feed that wrote '%22' itself reads here as '"': the same
    page, as a browser sends them alike.
    """
    if "%" not in url:  # the usual link: no second key to ask for
        return None
    raw = _ENCODED.sub(lambda m: chr(int(m.group(1), 16)), url)
    return raw if raw != url else None


def resolved(link: str, base: str | None) -> str:
    """`link` as a browser at the feed's address `base` opens it: an entry's relative link
    ('/news/43': RSS 2.0 does not allow it, CMSs write it) was skipped as having no http(s)
    link, and its news lost. An xml:base in the document was applied by feedparser already.

    Not through an xml:base of our own: feedparser resolves GUIDs against it too, and
    every item with a GUID such as '123' would have had a new key. A link with a scheme
    is kept as written (its key must not move). The base keeps no user info, query or
    fragment: a private feed's key ('?key=...') must not reach a posted link ('?p=2').
    """
    if not base or not link or urlsplit(link).scheme:
        return link
    parts = urlsplit(base)
    host = parts.netloc.rpartition("@")[2]  # as written: an IPv6 address keeps its brackets
    return urljoin(f"{parts.scheme}://{host}{parts.path or '/'}", link)


def link_fault(link: str) -> str | None:
    """Why `link` may not be an item's link (in a post or a share link), or None."""
    if _RELATIVE.match(link) and not _UNSAFE_CHARS.search(link):  # no colon: no scheme
        # resolved() had no base: a file whose channel names no site (an HTTP feed's
        # address is always one)
        shown = link if len(link) <= 80 else f"{link[:79]}…"
        return (
            f"the entry's link {shown!r} is relative, and the feed names no site it is "
            "relative to: give its <channel> a <link> with the site's address (Atom: "
            '<link rel="alternate" href=...>), or read the feed by its url:'
        )
    if not _HTTP_LINK.match(link) or _UNSAFE_CHARS.search(link):
        return "the entry has no http(s) link"
    try:  # an unreadable host or port ("https://[e.org/", ":99999") raised later, in a poll
        parts = urlsplit(link)
        if not parts.hostname:
            return "the entry has no http(s) link"
        parts.port  # noqa: B018 (read for its ValueError)
    except ValueError as exc:
        return f"the entry's link cannot be read ({exc})"
    if "@" in parts.netloc or "\\" in link:
        # "https://campaign.org@evil.example/" leads to evil.example; browsers read a
        # backslash as "/", so "https://evil.example\\@campaign.org/" leads there too.
        return (
            "the entry's link puts a user name or a backslash before its host, "
            "which makes it look as if it led to another site than it does"
        )
    return None


def say_not_utf8(count: int) -> str:
    return (
        f"{count} byte(s) that are not UTF-8, in a document that says it is, read as "
        "\ufffd (the rest of the text as UTF-8, not garbled in another encoding)"
    )


def say_no_character(refs: list[str]) -> str:
    shown = ", ".join(dict.fromkeys(refs[:5]))
    return (
        f"{len(refs)} reference(s) to no character taken out ({shown}: a surrogate or past "
        "U+10FFFF, which no text can hold)"
    )


def say_declared_otherwise(name: str) -> str:
    return f"the document says it is {name} but is UTF-8; read as UTF-8"


# -- the server's word on a document's encoding ------------------------------------------

_XML_DECL = re.compile(rb"""<\?xml\s[^>]*?\?>""")
_VERSION = re.compile(rb"""<\?xml\s+version\s*=\s*(["'])[^"']*\1""")
_CHARSET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,39}$")
_UTF8_NAMES = {"utf-8", "utf8", "us-ascii", "ascii"}


def declare_charset(data: bytes, charset: str | None) -> tuple[bytes, str | None]:
    """`data` with the charset an HTTP Content-Type named written into its XML
    declaration, when the document names none itself; and what to tell organisers.

    A feed served as 'text/xml; charset=windows-1251' without a declaration was read as
    XML's default, UTF-8, and every Cyrillic title reached subscribers as U+FFFD. Written
    into the document, the charset holds for every reader of it (the strict check, the
    mending of stray bytes, feedparser), not for one. The document's own declaration or
    byte order mark wins over the server: many servers give every file one default
    charset, and a document says what it was written in.
    """
    if not charset or data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return data, None
    if b"\x00" in data[:4]:  # UTF-16 or UTF-32 without a byte order mark
        return data, None
    head = data[:512]
    lead = len(head) - len(head.lstrip())
    declared = _XML_DECL.match(head, lead)
    if declared and b"encoding" in declared.group():
        return data, None
    if charset.lower() in _UTF8_NAMES:
        return data, None  # XML's own default
    try:
        if not _CHARSET.match(charset):
            raise LookupError(charset)  # not a name to write into the document
        ascii_based = "<?xml".encode(charset) == b"<?xml"
    except (LookupError, ValueError, UnicodeError):
        return data, say_unknown_charset(charset)
    if not ascii_based:  # UTF-16 without a byte order mark: not ours to rewrite
        return data, None
    attribute = f' encoding="{charset}"'.encode("ascii")
    if not declared:
        return b'<?xml version="1.0"' + attribute + b"?>" + data, None
    version = _VERSION.match(data, lead)
    if not version:
        return data, None  # a declaration too odd to mend; feedparser guesses as before
    return data[: version.end()] + attribute + data[version.end() :], None


def mended(data: bytes) -> bytes:
    """`data` as content.parse_feed reads it, after the repairs it says to organisers
    (an encoding declared wrongly, bytes that are not UTF-8, references to no character).

    The watcher checks this for well-formedness, so that a repaired fault is said once,
    as what was repaired, not a second time as 'not well-formed'."""
    data = utf8_declared_otherwise(data)[0]
    data = mend_utf8(data)[0]
    return mend_charrefs(data)[0]


def say_unknown_charset(name: str) -> str:
    shown = name if len(name) <= 40 else f"{name[:40]}…"
    return f"the server names a character set no one knows ({shown!r}); read as the document itself says, else as UTF-8"


def say_served_otherwise(name: str) -> str:
    return f"the server says (Content-Type) it is {name} but it is UTF-8; read as UTF-8"
