"""The campaign's content and reach: who it is for, its pages, feeds, announcements and share bars."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .fields import (
    LocalText,
    Model,
    check_http_url,
    check_id,
    check_stored_length,
    local_text,
    no_items,
)

_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


class Image(Model):
    url: str
    alt: LocalText = Field(default_factory=dict)

    _alt = field_validator("alt", mode="before")(local_text)


class PageConfig(Model):
    id: str
    url: str
    title: LocalText
    summary: LocalText = Field(default_factory=dict)
    image: Image | None = None

    _id = field_validator("id")(check_id)
    _texts = field_validator("title", "summary", mode="before")(local_text)

    _url = field_validator("url")(check_http_url)


class FeedConfig(Model):
    id: str
    url: str | None = None
    path: str | None = None
    channels: list[str] = Field(default_factory=lambda: ["*"])
    template: str = "news"
    poll_minutes: Annotated[int, Field(ge=1, le=7 * 24 * 60)] = 15
    backlog: Annotated[int, Field(ge=0, le=1000)] = 0
    """How many of the newest items to announce the first time a feed is read."""
    public: bool = False
    """The URL may be logged whole; otherwise its query (often a private feed's key) is masked."""
    language: str | None = None
    """The language its items are in, whatever the feed's `<language>` declares (many CMSs
    declare their default, English news under 'ru'); unset: the feed's own declaration."""

    _id = field_validator("id")(check_id)
    _url = field_validator("url")(check_http_url)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return None if value is None else language_code(value)

    @field_validator("id")
    @classmethod
    def _not_a_kind(cls, value: str) -> str:
        # a news item's id is "<feed id>:<slug>" and shows as what a post is about,
        # beside "page:<id>" and "announcement:<id>": a feed of that name would blur them
        if value in ("page", "announcement"):
            raise ValueError(f"{value!r} cannot name a feed (it names pages and announcements)")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> FeedConfig:
        if (self.url is None) == (self.path is None):
            raise ValueError("give exactly one of 'url' or 'path'")
        return self


def language_code(value: str) -> str:
    """A feed's `language:` as the code its items carry: the language part of a BCP-47 tag
    ('ru-RU' is 'ru', as a feed's `<language>ru-RU</language>` is read), in the form the
    channels' `language:` use, so a Russian feed is one language with a Russian channel.
    Babel (CLDR) decides what is a language: an ISO 639-2 code it knows is read as its
    two-letter one ('rus' is 'ru'), as are CLDR's aliases ('iw' is 'he')."""
    from babel import Locale, UnknownLocaleError  # only for a file that sets a feed's language

    tag = value.strip().replace("_", "-")
    primary = tag.split("-", 1)[0].lower()
    try:
        locale = Locale.parse(tag, sep="-") if re.fullmatch(r"[A-Za-z0-9-]+", tag) else None
    except (UnknownLocaleError, ValueError):
        locale = None
    if locale is None:
        from ..validation_words import named  # quoted only when it looks like a name

        said = f"{named(value)} is not a language code Babel knows"
        raise ValueError(f"{said}{_nearest_language(value)}")
    if primary in _bare_languages() or "_" in _language_aliases().get(primary, ""):
        # CLDR reads some codes as a locale of another language ('cnr', Montenegrin, as
        # Serbian of Montenegro): the code as written is the language, as a feed declaring
        # it is read and as Mastodon labels posts ('cnr' is in its list, apart from 'sr')
        return primary
    return locale.language


def _language_aliases() -> Mapping[str, str]:
    from babel.core import get_global

    aliases: Mapping[str, str] = get_global("language_aliases")
    return aliases


def _bare_languages() -> frozenset[str]:
    from babel.localedata import locale_identifiers

    return frozenset(i for i in locale_identifiers() if "_" not in i)


def _nearest_language(value: str) -> str:
    """'; did you mean 'ru'?' for 'ruu', 'Russian' or 'Russain'; a hint of the form when
    nothing is near (a list of hundreds of codes helps no one)."""
    from babel import Locale

    from ..validation_words import nearest

    english = Locale("en").languages
    names = {name.casefold(): code for code, name in english.items() if "_" not in code}
    typed = value.strip().casefold()
    code = names.get(typed)
    if code is None and len(typed) > 3:
        near_name = nearest(typed, names)
        code = names[near_name] if near_name else None
    if code is None:
        code = nearest(typed.replace("_", "-").split("-", 1)[0], sorted(_bare_languages()))
    if code is None:
        return "; give an ISO 639 code such as 'en', 'ru' or 'be'"
    return f"; did you mean {code!r} ({english.get(code, code)})?"


class CampaignInfo(Model):
    name: LocalText
    base_url: str
    mirror_url: str | None = None
    languages: list[str] = Field(default_factory=lambda: ["en"], min_length=1)
    default_language: str = "en"
    hashtags: list[str] = Field(default_factory=no_items)
    timezone: str = "UTC"
    dates: dict[str, dt.date] = Field(default_factory=dict)
    """Named dates for the campaign clock, e.g. arrest, sentence."""

    _name = field_validator("name", mode="before")(local_text)
    _urls = field_validator("base_url", "mirror_url")(check_http_url)

    @field_validator("languages")
    @classmethod
    def _langs(cls, v: list[str]) -> list[str]:
        for lang in v:
            if not _LANG.match(lang):
                raise ValueError(f"{lang!r} is not a language code like 'en' or 'be'")
        return v

    @field_validator("hashtags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        out = []
        for tag in v:
            tag = tag.lstrip("#")
            if not tag or not re.fullmatch(r"\w+", tag):
                raise ValueError(f"hashtag {tag!r} may hold only letters, digits and '_'")
            out.append(tag)
        return out

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {v!r}; use a name like 'Europe/Minsk'") from None
        return v

    @model_validator(mode="after")
    def _default_in_languages(self) -> CampaignInfo:
        if self.default_language not in self.languages:
            raise ValueError(
                f"default_language {self.default_language!r} is not in languages {self.languages}"
            )
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Utm(Model):
    enabled: bool = False
    source: str = "share"
    medium: str = "social"
    campaign: str = ""


class ShareBarSettings(Model):
    """How the share bars look: `outreach buttons` and the embed read it."""

    first: dict[str, list[str]] = Field(default_factory=dict)
    """Per language ("*" for the rest): the networks shown before "More". Unset: the
    private and encrypted routes, then the others, up to `compact_size`."""
    compact: bool = True
    """False: every network in one open row, no "More"."""
    compact_size: Annotated[int, Field(ge=1, le=12)] = 5
    style: Literal["labelled", "icons"] = "labelled"
    direction: Literal["horizontal", "vertical"] = "horizontal"
    new_tab: bool = True
    """Share links to other sites open in a new tab (rel="noopener noreferrer")."""


class FediverseServer(Model):
    host: str
    """A server name such as mastodon.social."""
    software: str = "mastodon"
    """Its software: an id from the fediverse entry's `software` list in share_targets.yaml."""

    @field_validator("host")
    @classmethod
    def _host(cls, v: str) -> str:
        if not re.fullmatch(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", v):
            raise ValueError(f"{v!r} is not a server name such as mastodon.social")
        return v


class ShareSettings(Model):
    targets_file: str | None = None
    """share_targets.yaml to use; the bundled one when unset."""
    networks: list[str] | None = None
    """Which networks to offer, in this order; all active ones when unset."""
    russian_jurisdiction: bool = False
    """Offer VK, Odnoklassniki, LiveJournal (labelled as under Russian jurisdiction)."""
    use_mirror: bool = False
    utm: Utm = Field(default_factory=Utm)
    before_you_share: LocalText = Field(default_factory=dict)
    bar: ShareBarSettings = Field(default_factory=ShareBarSettings)
    fediverse_servers: list[FediverseServer] = Field(default_factory=no_items)
    """Servers the fediverse picker suggests; without JavaScript, the only ones it can offer."""


class AnnouncementConfig(Model):
    id: str
    template: str
    page: str | None = None
    channels: list[str] = Field(default_factory=lambda: ["*"])
    at: dt.datetime | None = None
    cron: str | None = None
    timezone: str | None = None
    text: str | None = None
    """Its own one-off text, a Jinja2 template rendered instead of the `template` kind's files
    (written in the web console's composer; `template` is then ONE_OFF)."""

    _id = field_validator("id")(check_id)

    @field_validator("template", "cron")
    @classmethod
    def _stored_whole(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = str(info.field_name)
        return check_stored_length(value, f"the {kind}", kind)

    @model_validator(mode="after")
    def _one_when(self) -> AnnouncementConfig:
        if (self.at is None) == (self.cron is None):
            raise ValueError("give exactly one of 'at' (a date and time) or 'cron'")
        return self
