"""Telegram: HTML in Telegram's subset, counted in UTF-16 after entities, never resent blindly.

- Length: UTF-16 code units of the text Telegram shows (tags out, entities
  decoded); 4096 for a message, 1024 for a photo's caption.
- Templates are HTML: autoescaped, checked against Telegram's subset
  (telegram_html.py) before anything is queued.
- Pacing: about 20 messages a minute and one a second in one chat, about 30 a
  second per bot (shared by every channel the bot posts to).
- Corrections and takedowns: editMessageText / editMessageCaption and
  deleteMessage, paced like messages; a bot may delete a message only within
  48 hours of sending it (the Bot API's deleteMessage).
- Recovery: the Bot API has no idempotency key, so an uncertain send becomes
  `unknown` for an organiser to look.

The publisher is publishers/telegram.py (python-telegram-bot, imported only
when a channel goes live).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator

from .. import telegram_html
from ..config import (
    ChannelBase,
    LocalText,
    Model,
    check_endpoint_url,
    check_http_url,
    local_text,
    no_items,
    pick,
)
from ..pacing import Rule, Slot
from ..post import LinkButton, Post
from .base import Network

if TYPE_CHECKING:
    from markupsafe import Markup

    from ..clock import Clock
    from ..publishers.base import Publisher

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CHAT = (
    Rule(20, 60.0, "Telegram: about 20 messages a minute in one channel or group"),
    Rule(1, 1.0, "Telegram: no more than one message a second in one chat"),
)
_HASHTAG = re.compile(r"(?<![\w&/#])(#\w+)")
_SPOILER = re.compile(r'<span class="tg-spoiler">(.*?)</span>', re.S)
BOT = (Rule(30, 1.0, "Telegram: about 30 messages a second per bot"),)


class Button(Model):
    label: LocalText
    url: str

    _label = field_validator("label", mode="before")(local_text)

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        # Telegram refuses any other button URL at send time; say so at load time.
        return v if v.startswith("tg://") else str(check_http_url(v))


class TelegramChannel(ChannelBase):
    kind: Literal["telegram"]
    chat: str | int
    api_base_url: str | None = None
    silent: bool = False
    link_preview: bool = True
    buttons: list[Button] = Field(default_factory=no_items)  # not list: config.no_items says why

    _api = field_validator("api_base_url")(check_endpoint_url)


class Telegram(Network[TelegramChannel]):
    name = "telegram"
    channel_model = TelegramChannel
    counted_in = (
        "UTF-16 units",
        "as Telegram counts them: most characters 1, an emoji 2 or more, "
        "tags and link addresses not counted",
    )
    html = True

    def length(
        self, channel: TelegramChannel, text: str, learned: Mapping[str, int] | None = None
    ) -> int:
        # textlimits imports grapheme (35 ms): loaded when a text is counted, not with the config
        from ..textlimits import telegram_length

        return telegram_length(text)

    def limit(
        self, channel: TelegramChannel, *, has_image: bool, learned: Mapping[str, int]
    ) -> int:
        return CAPTION_LIMIT if has_image else MESSAGE_LIMIT

    def problems(self, text: str) -> list[str]:
        return telegram_html.problems(text)

    def post(
        self,
        channel: TelegramChannel,
        text: str,
        *,
        language: str,
        fallback_language: str,
        image_url: str | None,
        image_alt: str,
        about: str,
    ) -> Post:
        buttons = tuple(
            LinkButton(pick(b.label, language, fallback_language), b.url) for b in channel.buttons
        )
        return Post(
            channel_id=channel.id,
            network=self.name,
            text=text,
            language=language,
            image_url=image_url,
            image_alt=image_alt,
            buttons=buttons,
            silent=channel.silent,
            link_preview=channel.link_preview,
            about=about,
        )

    preview_layout = "chat"

    def preview_body(self, text: str) -> Markup:
        """Telegram's HTML, shown as HTML only when it passes the subset check."""
        from markupsafe import Markup  # only previews draw: loading a config stays quick

        if telegram_html.problems(text):
            return Markup('<span class="raw">{}</span>').format(text)
        # The subset carries no script or style; spoilers get an element the page can
        # draw, hashtags in text (not in tags or entities) are drawn as Telegram links them.
        parts = re.split(r"(<[^>]*>)", _SPOILER.sub(r"<tg-spoiler>\1</tg-spoiler>", text))
        return Markup(
            "".join(
                part if part.startswith("<") else _HASHTAG.sub(r'<a class="tag">\1</a>', part)
                for part in parts
            )
        )

    def plain_text(self, text: str) -> str:
        from ..textlimits import telegram_plain  # see length()

        return telegram_plain(text)

    def flags(self, post: Post) -> list[str]:
        return [
            f"silent={'yes' if post.silent else 'no'}",
            "parse_mode=HTML",
            f"link_preview={'on' if post.link_preview else 'off'}",
        ]

    def slots(self, channel_id: str, account: str, *, has_image: bool = False) -> list[Slot]:
        return [(f"telegram-chat:{channel_id}", CHAT), (account, BOT)]

    delete_within = dt.timedelta(hours=48)
    """The Bot API's deleteMessage: "a message can only be deleted if it was sent less than
    48 hours ago" (an administrator allowed to delete others' messages may do more)."""

    def where(self, channel: TelegramChannel) -> str:
        return str(channel.chat)

    def publisher(
        self,
        channel: TelegramChannel,
        secret: str,
        *,
        token_name: str,
        timeout: float,
        clock: Clock | None,
    ) -> Publisher:
        from ..publishers.telegram import TelegramPublisher

        return TelegramPublisher(
            channel, secret, token_name=token_name, timeout=timeout, clock=clock
        )
