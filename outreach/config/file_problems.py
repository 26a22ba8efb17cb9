"""What `outreach check` finds in a loaded campaign file that loading lets through.

Each check is given the document the config was read from (yamlfile.YamlDoc, with
the line of every value), so `check` parses the file once, however many it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError, ContentError
from ..yaml_doc import Loc, YamlDoc
from .root import Config


def token_problems(cfg: Config, doc: YamlDoc | None) -> list[str]:
    """Tokens named in the file that cannot be read (a missing or unreadable token_file).

    Not an error when the config is loaded (`outreach buttons` needs no token),
    but `check` reports them, since `run` and `deliver` would refuse them.
    `doc`: the file `cfg` was read from; None names the file without a line.
    """
    holders: list[tuple[Loc, Any]] = [(("channels", i), c) for i, c in enumerate(cfg.channels)]
    holders.append((("admin",), cfg.admin))
    problems = []
    for loc, holder in holders:
        if holder.token is None:
            continue
        try:
            holder.token.get_secret_value()
        except ConfigError as exc:
            where = doc.where((*loc, "token_file")) if doc else f"{cfg.source}"
            problems.append(f"{where}: {exc}")
    return problems


def hidden_controls(doc: YamlDoc | None) -> list[str]:
    """Each text in the campaign file holding a character readers do not see and that
    changes what they read (hidden_text.py): a bidi override or isolate (a title pasted
    with U+202E reads backwards, a link's end shown as its start) or a control character.
    The console refuses them in the composer and shows them as U+FFFD; they reach
    subscribers and share links as they are, so `check` names each, with its line.
    """
    if doc is None:
        return []  # an application built without a file (tests)
    from ..hidden_text import hidden, unshown

    out: list[str] = []

    def walk(value: object, loc: Loc) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, (*loc, str(k)))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, (*loc, i))
        elif isinstance(value, str):
            out.extend(f"{doc.where(loc)}: {hidden(char)}" for _, char in unshown(value))

    walk(doc.data, ())
    return out


@dataclass(frozen=True)
class FeedLanguage:
    """What `check` knows of one feed's language, without reading the network."""

    feed_id: str
    index: int
    """Its place under `feeds:`, for the line a warning names."""
    setting: str | None
    """Its `language:` in the campaign file: the organisers' word, which wins."""
    declared: str | None
    """A feed file's own `<language>` (content.declared_language); None for a URL."""
    last_poll: str | None
    """A URL's: the language the newest post queued from it carried, as its last poll read
    the feed (its `<language>`, else the campaign's default, or `language:` if set then)."""
    url: bool

    @property
    def known(self) -> str | None:
        """The language its items will be in, as far as `check` can tell."""
        return self.setting or (self.last_poll if self.url else self.declared)

    def to_json(self) -> dict[str, Any]:
        return {
            "feed": self.feed_id,
            "language": self.setting,
            "declared": self.declared,
            "last_poll": self.last_poll,
            "read_from": "url" if self.url else "file",
        }


def feed_languages(
    cfg: Config, polled: Callable[[str], str | None] | None = None
) -> list[FeedLanguage]:
    """Each feed's language as `check` knows it: its `language:`, the `<language>` a feed file
    declares, and for a feed read over HTTP what `polled(feed id)` says its last poll stored
    (None: the store is not there, or holds no post of it; `check` fetches no feed)."""
    out = []
    for i, feed in enumerate(cfg.feeds):
        url = feed.path is None
        out.append(
            FeedLanguage(
                feed_id=feed.id,
                index=i,
                setting=feed.language,
                declared=None if url else _declared_language(cfg, feed.path),
                last_poll=polled(feed.id) if url and polled is not None else None,
                url=url,
            )
        )
    return out


def language_mismatches(
    cfg: Config, doc: YamlDoc | None, langs: list[FeedLanguage] | None = None
) -> list[str]:
    """Warnings, not errors: each feed whose language is known and that goes to channels
    of another language (an English feed with no `channels:` reaches the Russian channel).

    Sending it may be the organisers' wish, so `check` only names the feed and the
    channels and says how to choose. Known: the `<language>` a feed file declares, or for a
    feed read over HTTP the language its last poll stored (feed_languages). A feed whose
    `language:` is set is not warned about: the organisers decided.
    """
    out: list[str] = []
    for fl in feed_languages(cfg) if langs is None else langs:
        lang = fl.known
        if lang is None or fl.setting is not None:
            continue
        feed = cfg.feeds[fl.index]
        others = [c for c in cfg.channels_for(feed.channels) if c.language != lang]
        if not others:
            continue
        loc: Loc = ("feeds", fl.index, "channels")
        where = doc.where(loc) if doc else f"{cfg.source}: feeds[{fl.index}].channels"
        named = ", ".join(f"{c.id} ({_english_name(c.language)})" for c in others)
        name = _english_name(lang)
        own = [c.id for c in cfg.channels_for(feed.channels) if c.language == lang]
        fewer = (
            f"to send it only to channels in {name}, give the feed `channels: [{', '.join(own)}]`"
            if own
            else "to send it to fewer channels, list them in the feed's `channels:`"
        )
        read = " (as its last poll read it)" if fl.url else ""
        out.append(
            f"{where}: feed {feed.id!r} is in {name} ({lang}){read} but goes to {named}. "
            f"{fewer[0].upper()}{fewer[1:]}; to keep sending it, nothing to change: the "
            f"bundled templates tell those readers it is in {name} (templates of your own "
            "can, with {{ item.language_name }}). If it is not in "
            f"{name} (a CMS declares one language for every feed), give the feed `language:`"
        )
    return out


def languages_unknown(cfg: Config, doc: YamlDoc | None, langs: list[FeedLanguage]) -> list[str]:
    """A note for each feed read over HTTP whose language `check` cannot know yet: no
    `language:`, and no post of it stored (it has not been polled, or announced nothing)."""
    out = []
    for fl in langs:
        if fl.url and fl.known is None:
            loc: Loc = ("feeds", fl.index, "url")
            where = doc.where(loc) if doc else f"{cfg.source}: feeds[{fl.index}].url"
            out.append(
                f"{where}: the language of feed {fl.feed_id!r} is not known yet: check reads "
                "no feed over the network, and no post of it is stored (`run` polls it); "
                "to decide it, give the feed `language:`"
            )
    return out


def _declared_language(cfg: Config, path: str | None) -> str | None:
    """The language a feed file declares, None when it declares none or cannot be read
    (`check` reports an unreadable feed already, when it reads the news)."""
    if path is None:
        return None
    from ..content import declared_language, read_feed_file

    try:
        data = read_feed_file(cfg.resolve_path(path))
    except (OSError, ContentError):
        return None
    return declared_language(data)


def _english_name(code: str) -> str:
    """ "Russian" for "ru" (Babel's CLDR names; check speaks English), else the code."""
    from babel import Locale  # loaded only when a feed is in another language

    return Locale("en").languages.get(code) or code
