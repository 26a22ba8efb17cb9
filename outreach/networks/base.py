"""What a network is: everything specific to it, declared once, in its own module.

A network is a subclass of Network in one module of outreach/networks/, with
its templates in messages/<kind>/<network>.<lang>.j2. It says, as class
attributes (as Apprise's services do) and a few methods:

    name, channel_model          its `kind:` in the config and that channel's fields
    html                         its templates make HTML: outside values escaped
    resend_window                how an uncertain send is recovered (see below)
    length(channel, text, learned)  how it counts a text; limit(...) how long one may be
    post(channel, text, ...)     the Post its publisher sends
    plain_text(text)             a post as words, for chats and terminals
    slots(channel_id, account)   which pacing windows one post counts against
    action_slots(kind, ...)      which ones an edit or a deletion counts against
    delete_within                how long after sending the platform lets a post be deleted
    publisher(channel, secret)   who sends it (imported only when a channel goes live);
                                 its check() is what `doctor` verifies, its edit() and
                                 delete() how corrections and takedowns are done
    limits_source(channel)       where learned limits come from (Mastodon: the instance);
                                 `Learned` carries them to limit() and length()
    preview_layout, preview_body how `preview --html` draws its posts

The delivery loop, the ledger's recovery, pacing and fitting ask the network
(outreach.networks.network(name)); none of them names one.
"""

from __future__ import annotations

import datetime as dt
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from ..config import ChannelBase

if TYPE_CHECKING:
    from markupsafe import Markup

    from ..clock import Clock
    from ..pacing import Slot
    from ..post import Post
    from ..publishers.base import Publisher

C = TypeVar("C", bound=ChannelBase)


class Learned(dict[str, int]):
    """What the platforms reported, as the ledger keeps it (channel_posts.learned_limits).

    As a dict: each channel's max_characters, what `limit` reads (a plain
    {channel id: max_characters} is accepted wherever a Learned is). `reported`:
    every limit a channel's platform reported, by name (Mastodon's
    characters_reserved_per_url too, which `length` reads).
    """

    def __init__(self, reported: Mapping[str, Mapping[str, int]] | None = None) -> None:
        self.reported = {ch: dict(values) for ch, values in (reported or {}).items()}
        super().__init__(
            {ch: v["max_characters"] for ch, v in self.reported.items() if "max_characters" in v}
        )

    def __bool__(self) -> bool:  # `limits or {}` must keep a channel's other limits
        return bool(self.reported)


def reported(learned: Mapping[str, int] | None, channel_id: str) -> Mapping[str, int]:
    """Every limit `channel_id`'s platform reported, from either form of `learned`."""
    if isinstance(learned, Learned):
        return learned.reported.get(channel_id, {})
    value = (learned or {}).get(channel_id)
    return {"max_characters": value} if value is not None else {}


class Network(ABC, Generic[C]):
    name: ClassVar[str]
    """The channels' `kind:` and the start of its template file names (news/<name>.en.j2)."""
    channel_model: ClassVar[type[ChannelBase]]
    """The channel's config fields: a ChannelBase subclass with `kind: Literal[name]`."""
    html: ClassVar[bool] = False
    """Its posts are HTML: templates are autoescaped and may not switch escaping off."""
    preview_layout: ClassVar[str] = "status"
    """How `preview --html` lays a post out: "status" (a card, as a toot) or "chat" (a bubble)."""
    counted_in: ClassVar[tuple[str, str] | None] = None
    """What `length` counts, in an organiser's words, for a too-long message (fit_words.py):
    (the unit, how it is counted), e.g. ("UTF-16 units", "as Telegram counts them: ...").
    None: plain characters."""
    resend_window: ClassVar[dt.timedelta | None] = None
    """How an uncertain send (a timeout, a crash while sending) is recovered.

    A timedelta: the network remembers an idempotency key that long, so the post
    is sent again with the same key within it (and is `unknown` after it);
    None: it becomes `unknown` at once, for an organiser to look.
    """

    @abstractmethod
    def length(self, channel: C, text: str, learned: Mapping[str, int] | None = None) -> int:
        """The text's length as the network counts it against its limit; `learned` (a
        Learned) is what the platform reported, where that changes the count."""

    def length_bound(self, channel: C, text: str, learned: Mapping[str, int] | None = None) -> int:
        """A cheap count never below length(): a text within the limit by it needs no exact
        count (textlimits.upper_bound). Exact by default."""
        return self.length(channel, text, learned)

    @abstractmethod
    def limit(self, channel: C, *, has_image: bool, learned: Mapping[str, int]) -> int:
        """How long a post may be; `learned` is {channel id: max_characters} from the platform."""

    def outside_text(self, text: str) -> str:
        """A title or summary from outside, made safe to put into a post (as it is by default)."""
        return text

    def problems(self, text: str) -> list[str]:
        """What the network would refuse in a rendered text, each in words; none by default."""
        return []

    @abstractmethod
    def post(
        self,
        channel: C,
        text: str,
        *,
        language: str,
        fallback_language: str,
        image_url: str | None,
        image_alt: str,
        about: str,
    ) -> Post:
        """The Post its publisher sends, with the channel's own settings."""

    def plain_text(self, text: str) -> str:
        """A post's text as words (no markup), for a chat reply or a terminal."""
        return text

    def preview_body(self, text: str) -> Markup:
        """The text as the network shows it, for `preview --html`: escaped paragraphs by default."""
        from markupsafe import Markup  # only previews draw: loading a config stays quick

        paragraphs = [p for p in re.split(r"\n{2,}", text) if p.strip()]
        return Markup("").join(
            Markup("<p>{}</p>").format(Markup("<br>").join(p.split("\n"))) for p in paragraphs
        )

    def flags(self, post: Post) -> list[str]:
        """Settings that change what readers see, for the dry-run printout."""
        return []

    def slots(self, channel_id: str, account: str, *, has_image: bool = False) -> list[Slot]:
        """The pacing windows one post counts against; none by default."""
        return []

    delete_within: ClassVar[dt.timedelta | None] = None
    """How long after sending the platform lets a bot or app delete a post; None: any time.

    Takedowns still ask the platform past it (its answer is the truth); plans warn.
    How a network edits and deletes is its publisher's `edit` and `delete`.
    """

    def action_slots(self, kind: str, channel_id: str, account: str) -> list[Slot]:
        """The pacing windows one edit or deletion counts against: a post's, by default."""
        return self.slots(channel_id, account)

    @abstractmethod
    def where(self, channel: C) -> str:
        """Where the channel posts, in words: an instance URL, a chat."""

    def display_name(self, channel: C) -> str:
        """The channel as its readers see who posts (@id@host, a chat name)."""
        return self.where(channel)

    def limits_source(self, channel: C) -> str | None:
        """Where learned limits must have come from to apply; None: nothing to learn."""
        return None

    @abstractmethod
    def publisher(
        self, channel: C, secret: str, *, token_name: str, timeout: float, clock: Clock | None
    ) -> Publisher:
        """The channel's live publisher (import heavy client libraries here, not at the top);
        `clock` is the application's, for any waiting it does (None: the system's)."""
