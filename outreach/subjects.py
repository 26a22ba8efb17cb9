"""What a message is about: a page, a news item or an announcement, as a `Subject`.

An organiser types an id ("ales", "news:freeales-2011-11-sentence",
"arrest-anniversary"); the feed a news item came from names its template and
channels; an announcement names its page (or none: the campaign itself), its
template and channels. This module turns each into the one `Subject` that
outreach.messages renders for every channel it goes to. It reads the campaign
config and its content only: no template, no network, no store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from .config import AnnouncementConfig, Config
from .content import Item, all_items, find_item, pages
from .errors import ContentError, TemplateError

__all__ = [
    "Subject",
    "about_item",
    "campaign_item",
    "subject",
    "subject_for_announcement",
    "subject_for_item",
]


@dataclass(frozen=True)
class Subject:
    """What a message is about: an item, the template kind, and who receives it."""

    item: Item
    kind: str
    about: str
    channel_ids: tuple[str, ...] = ("*",)
    announcement: AnnouncementConfig | None = None


def subject_for_item(config: Config, item: Item, kind: str | None = None) -> Subject:
    """A page (template `page`, every channel) or a news item (its feed's template and channels)."""
    channels: Sequence[str] = ("*",)
    if item.kind == "news":
        feed = next((f for f in config.feeds if f.id == item.feed_id), None)
        default_kind = feed.template if feed else "news"
        channels = feed.channels if feed else channels
    else:
        default_kind = "page"
    return Subject(item, kind or default_kind, about_item(item), tuple(channels))


def subject_for_announcement(config: Config, announcement: AnnouncementConfig | str) -> Subject:
    """An announcement (or its id): its page, or the campaign when it names none."""
    ann = announcement
    if isinstance(ann, str):
        found = next((a for a in config.announcements if a.id == ann), None)
        if found is None:
            known = ", ".join(a.id for a in config.announcements) or "none"
            raise TemplateError(f"no announcement {ann!r}; known: {known}")
        ann = found
    item = find_item(pages(config), ann.page) if ann.page else campaign_item(config)
    return Subject(item, ann.template, f"announcement:{ann.id}", tuple(ann.channels), ann)


def subject(config: Config, ident: str, kind: str | None = None) -> Subject:
    """A page id, a news id or an announcement id, as an organiser types it."""
    if any(a.id == ident for a in config.announcements):
        found = subject_for_announcement(config, ident)
        return replace(found, kind=kind) if kind else found
    try:
        item = find_item(all_items(config), ident)
    except ContentError as exc:
        announcements = ", ".join(a.id for a in config.announcements) or "none"
        raise ContentError(f"{exc}; announcements: {announcements}") from None
    return subject_for_item(config, item, kind)


def campaign_item(config: Config) -> Item:
    """What an announcement without a page is about: the campaign itself."""
    c = config.campaign
    return Item(kind="page", id="campaign", url=c.base_url, title=c.name)


def about_item(item: Item) -> str:
    """What a post about `item` shows as its subject: the id an organiser types to preview it.

    A news item's id is already "<feed id>:<slug>", so it is not prefixed
    again ("news:news:..." when the feed is called news); a page's is
    "page:<id>", as an announcement's is "announcement:<id>". Feeds may not be
    called "page" or "announcement" (config/campaign.py), so the three never collide.
    """
    return item.id if item.kind == "news" else f"{item.kind}:{item.id}"
