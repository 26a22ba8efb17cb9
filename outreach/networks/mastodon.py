"""Mastodon: plain text counted as Mastodon counts it, paced per account, resent safely.

- Length: Mastodon.py's `get_status_length` (every URL 23, `@user@domain` as
  `@user`, the content warning included), every URL counted instead as the
  instance's characters_reserved_per_url once learned; the limit is the channel's
  `max_characters`, else what the instance reported (`doctor`, `run`), else 500.
- Pacing: 300 statuses in 3 hours per account, 30 media uploads in 30 minutes.
- Recovery: every status carries an Idempotency-Key, which Mastodon remembers
  for an hour, so an uncertain send is sent again with the same key within 55
  minutes, and becomes `unknown` after.
- Outside text never mentions (and so notifies) anyone.
- Corrections: statuses are edited in place (edits are not counted against the
  300); takedowns delete them, 30 deletions in 30 minutes per account.

The publisher is publishers/mastodon.py (Mastodon.py, imported only when a
channel goes live).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from ..config import ChannelBase, check_endpoint_url
from ..pacing import Rule, Slot
from ..post import Post
from .base import Network

if TYPE_CHECKING:
    from markupsafe import Markup

    from ..clock import Clock
    from ..publishers.base import Publisher

DEFAULT_LIMIT = 500
"""Mastodon's own default for max_characters; instances may allow more."""
IDEMPOTENCY_WINDOW = dt.timedelta(minutes=55)
"""Mastodon keeps an Idempotency-Key for one hour; we stop trusting it a little earlier."""
ACCOUNT = (Rule(300, 3 * 3600.0, "Mastodon: 300 statuses in 3 hours per account"),)
_LINK_OR_TAG = re.compile(r"(https?://[^\s<>\"]+)|((?<![\w/])#\w+)")
MEDIA = (Rule(30, 1800.0, "Mastodon: 30 media uploads in 30 minutes per account"),)
DELETIONS = (Rule(30, 1800.0, "Mastodon: 30 deletions in 30 minutes per account"),)


# Where Mastodon sees a mention: '@' after the start or a character that is
# neither a word character nor '/' (so URLs like https://host/@user are left alone).
_MENTION = re.compile(r"(^|[^/\w])@(?=\w)")


def quiet_mentions(text: str) -> str:
    """Outside text in a Mastodon post must not mention (and so notify) anyone.

    A feed quoting `@someone@instance` would otherwise have the campaign's
    account ping that person, exposing them or spamming them. A zero-width
    space after '@' keeps the text readable and the mention inert.
    """
    return _MENTION.sub("\\1@\u200b", text)


def url_weight(channel: MastodonChannel, learned: Mapping[str, int] | None) -> int:
    """What a link counts on the channel's instance: its configuration's
    statuses.characters_reserved_per_url as learned, else Mastodon's 23."""
    from ..textlimits import URL_WEIGHT  # counting loads it anyway
    from .base import reported

    value = reported(learned, channel.id).get("characters_reserved_per_url")
    return value if value is not None and value >= 0 else URL_WEIGHT


class MastodonChannel(ChannelBase):
    kind: Literal["mastodon"]
    instance: str
    visibility: Literal["public", "unlisted", "private", "direct"] = "public"
    content_warning: str | None = None
    max_characters: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    """Override the instance's limit; read from the instance by `doctor` otherwise."""

    _instance = field_validator("instance")(check_endpoint_url)


class Mastodon(Network[MastodonChannel]):
    name = "mastodon"
    channel_model = MastodonChannel
    counted_in = (
        "characters",
        "as Mastodon counts them: every link as 23 (or as many as the instance reserves "
        "for one), a mention as its @user part, the channel's content warning included",
    )
    resend_window = IDEMPOTENCY_WINDOW

    def length(
        self, channel: MastodonChannel, text: str, learned: Mapping[str, int] | None = None
    ) -> int:
        # textlimits imports grapheme (35 ms): loaded when a text is counted, not with the config
        from ..textlimits import mastodon_length

        weight = url_weight(channel, learned)
        return mastodon_length(text, channel.content_warning or "", url_weight=weight)

    def length_bound(
        self, channel: MastodonChannel, text: str, learned: Mapping[str, int] | None = None
    ) -> int:
        # a grapheme holds at least one code point, so len() bounds the content warning
        from ..textlimits import URL_WEIGHT, upper_bound

        more = max(0, url_weight(channel, learned) - URL_WEIGHT) * text.count("://")
        return upper_bound(text, "mastodon") + more + len(channel.content_warning or "")

    def limit(
        self, channel: MastodonChannel, *, has_image: bool, learned: Mapping[str, int]
    ) -> int:
        """The config's max_characters, else the instance's reported limit, else Mastodon's 500."""
        return channel.max_characters or learned.get(channel.id) or DEFAULT_LIMIT

    def outside_text(self, text: str) -> str:
        return quiet_mentions(text)

    def post(
        self,
        channel: MastodonChannel,
        text: str,
        *,
        language: str,
        fallback_language: str,
        image_url: str | None,
        image_alt: str,
        about: str,
    ) -> Post:
        return Post(
            channel_id=channel.id,
            network=self.name,
            text=text,
            language=language,
            spoiler_text=channel.content_warning or "",
            visibility=channel.visibility,
            image_url=image_url,
            image_alt=image_alt,
            about=about,
        )

    def preview_body(self, text: str) -> Markup:
        """Plain text as Mastodon draws it: paragraphs, line breaks, short links, hashtags."""
        from markupsafe import Markup, escape  # only previews draw: loading a config stays quick

        def piece(chunk: str) -> str:
            out, pos = [], 0
            for m in _LINK_OR_TAG.finditer(chunk):
                out.append(escape(chunk[pos : m.start()]))
                if m.group(1):
                    url = m.group(1)
                    shown = re.sub(r"^https?://(www\.)?", "", url)
                    if len(shown) > 30:
                        shown = shown[:30] + "…"
                    out.append(Markup('<a class="link" href="{}">{}</a>').format(url, shown))
                else:
                    out.append(Markup('<a class="tag">{}</a>').format(m.group(2)))
                pos = m.end()
            out.append(escape(chunk[pos:]))
            return "".join(out)

        paragraphs = [p for p in re.split(r"\n{2,}", text) if p.strip()]
        return Markup(
            "".join(
                f"<p>{'<br>'.join(piece(line) for line in p.split(chr(10)))}</p>"
                for p in paragraphs
            )
        )

    def flags(self, post: Post) -> list[str]:
        return [f"visibility={post.visibility}"]

    def slots(self, channel_id: str, account: str, *, has_image: bool = False) -> list[Slot]:
        slots: list[Slot] = [(account, ACCOUNT)]
        if has_image:
            slots.append((f"{account}:media", MEDIA))
        return slots

    def action_slots(self, kind: str, channel_id: str, account: str) -> list[Slot]:
        # Edits do not count against the 300 statuses (Mastodon rate-limits creation);
        # deletions have their own window.
        return [(f"{account}:delete", DELETIONS)] if kind == "delete" else []

    def where(self, channel: MastodonChannel) -> str:
        return channel.instance

    def display_name(self, channel: MastodonChannel) -> str:
        return f"@{channel.id}@{urlsplit(channel.instance).hostname or channel.instance}"

    def limits_source(self, channel: MastodonChannel) -> str | None:
        # Even under a max_characters of the config's own: what a link counts is the instance's.
        return channel.instance.rstrip("/")

    def publisher(
        self,
        channel: MastodonChannel,
        secret: str,
        *,
        token_name: str,
        timeout: float,
        clock: Clock | None,
    ) -> Publisher:
        from ..publishers.mastodon import MastodonPublisher

        return MastodonPublisher(
            channel, secret, token_name=token_name, timeout=timeout, clock=clock
        )
