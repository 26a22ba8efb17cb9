"""What a message template sees: `item`, `campaign`, `clock`, `lang`, `channel`, `announcement`.

The variables organisers' templates are written against (messages/README.md), as
frozen views holding only what a template may read, so a template cannot reach
the config or the store; an unknown attribute is an error that lists the
known ones (message_env's undefined). outreach.messages renders with them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .campaign_clock import CampaignClock
from .config import Config, pick
from .config.fields import written_in
from .feed_order import shown_date
from .message_text import one_line, template_data

if TYPE_CHECKING:
    from .messages import Subject


@template_data
@dataclass(frozen=True)
class ItemView:
    kind: str
    id: str
    title: str
    summary: str
    url: str
    image_url: str | None
    image_alt: str
    published: dt.date | None
    language: str
    """The language `title` and `summary` are in: the post's, unless they fell back."""
    language_name: str
    """That language's name in the post's language ("английский"), '' when they are the same."""


@template_data
@dataclass(frozen=True)
class CampaignView:
    name: str
    hashtags: tuple[str, ...]
    url: str
    languages: tuple[str, ...]


@template_data
@dataclass(frozen=True)
class ChannelView:
    id: str
    kind: str
    language: str


@template_data
@dataclass(frozen=True)
class AnnouncementView:
    id: str
    kind: str


def template_context(
    config: Config,
    subject: Subject,
    channel: ChannelView,
    lang: str,
    now: dt.datetime,
    *,
    title: str,
    summary: str,
) -> dict[str, Any]:
    """The variables of one render: `title` and `summary` as fitted (messages._fitted)."""
    item, c = subject.item, config.campaign
    fallback = c.default_language
    ann = subject.announcement
    written = written_in(item.title, lang, fallback)
    published = shown_date(item.published, now)
    return {
        "item": ItemView(
            kind=item.kind,
            id=item.id,
            title=title,
            summary=summary,
            url=item.url,
            image_url=item.image.url if item.image else None,
            image_alt=one_line(item.alt_in(lang, fallback)),
            published=published.date() if published else None,
            language=written,
            language_name=language_name(written, lang),
        ),
        "campaign": CampaignView(
            name=pick(c.name, lang, fallback),
            hashtags=tuple(c.hashtags),
            url=c.base_url,
            languages=tuple(c.languages),
        ),
        "clock": CampaignClock.from_config(config, now),
        "lang": lang,
        "channel": channel,
        "announcement": AnnouncementView(ann.id, ann.template) if ann else None,
    }


def language_name(code: str, lang: str) -> str:
    """The name of language `code` in language `lang` (Babel's CLDR names: "английский"
    for "en" in "ru"), '' when they are one; the code itself when CLDR has no name.

    So a template can tell readers a news item is not in their language:
    an English feed routed to a Russian channel is the organisers' choice to make.
    """
    if code == lang:
        return ""
    from babel import Locale, UnknownLocaleError  # loaded already by the templates' filters

    try:
        names = Locale.parse(lang).languages
    except (UnknownLocaleError, ValueError):
        return code
    return names.get(code) or code
