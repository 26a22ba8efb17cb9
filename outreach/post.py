"""A rendered post: what one channel will receive, exactly.

The boundary between the message layer (which makes posts) and the ledger and
publishers (which store and send them). It holds only final text and flags:
no templates, no pages, no feeds.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class LinkButton:
    """A Telegram inline-keyboard URL button."""

    text: str
    url: str


@dataclass(frozen=True)
class Post:
    channel_id: str
    network: str
    """The name of the network (outreach/networks/) whose publisher sends it."""
    text: str
    """Mastodon: plain text. Telegram: HTML in Telegram's subset (parse_mode=HTML)."""
    language: str
    spoiler_text: str = ""
    """Mastodon content warning; counted in the length."""
    visibility: str = "public"
    image_url: str | None = None
    image_alt: str = ""
    buttons: tuple[LinkButton, ...] = field(default_factory=tuple)
    silent: bool = False
    link_preview: bool = True
    about: str = ""
    """What the post is about, for organisers: '<feed id>:<slug>' (a news item), 'page:<id>', 'announcement:<id>'."""

    def to_dict(self) -> dict[str, Any]:
        # What dataclasses.asdict gives, without its deep copy of every value: the
        # fields are strings, flags and buttons, and queueing calls this once a row.
        out = {name: getattr(self, name) for name in _POST_FIELDS}
        out["buttons"] = tuple({"text": b.text, "url": b.url} for b in self.buttons)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Post:
        data = dict(data)
        data["buttons"] = tuple(LinkButton(**b) for b in data.get("buttons") or ())
        return cls(**data)


_POST_FIELDS = tuple(f.name for f in fields(Post))
