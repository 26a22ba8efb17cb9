"""A sent post's text made again from the templates, and checked against its network's limit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ContentError
from ..ledger import Delivery

if TYPE_CHECKING:
    from ..app import App


class Renderer:
    """Renders a sent post again from the templates, and checks a text fits its network."""

    def __init__(self, app: App) -> None:
        from ..channel_posts import learned_limits
        from ..messages import Messages

        self.app = app
        self.messages = Messages(app.config)
        self.limits = learned_limits(app.config, app.ledger)

    def channel(self, d: Delivery) -> Any:
        for ch in self.app.config.channels:
            if ch.id == d.channel_id:
                return ch
        raise ContentError(
            f"delivery {d.id} went to channel {d.channel_id!r}, which the campaign file no "
            "longer has: correct it by hand, or give the channel back its config"
        )

    def render(self, d: Delivery) -> str:
        from .. import announcements
        from ..content import all_items, find_item

        if d.about.startswith("announcement:"):
            stored = self.app.ledger.announcement(d.about.split(":", 1)[1])
            if stored is None:
                raise ContentError(f"the announcement of delivery {d.id} is no longer known")
            subject = self.messages.subject_for_announcement(announcements.to_config(stored))
        else:
            item = find_item(all_items(self.app.config), d.about.removeprefix("page:"))
            subject = self.messages.subject_for_item(item)
        from ..channel_posts import render_for_channels

        self.channel(d)  # still configured: say so plainly if not
        # In the channel's language, as it was queued: a post's own `language` is the one
        # its text is in (an English-only news item on a Russian channel is "en",
        # messages.py `_written_in`), not the templates it was rendered with. For the
        # moment it was due, so a day count in it stays that day's.
        found = render_for_channels(
            self.messages, subject, at=d.due_at, limits=self.limits, only={d.channel_id}
        )
        if not found:
            raise ContentError(
                f"{d.about} no longer goes to channel {d.channel_id!r} (delivery {d.id}): "
                "give the new text with --text"
            )
        if found[0].error is not None:
            raise found[0].error
        assert found[0].post is not None
        return found[0].post.text

    def check_fits(self, d: Delivery, text: str) -> None:
        from ..errors import FitError
        from ..networks import network

        ch = self.channel(d)
        net = network(d.network)
        has_image = bool(d.post and d.post.image_url)
        limit = net.limit(ch, has_image=has_image, learned=self.limits)
        length = net.length(ch, text, self.limits)
        if length > limit:
            from ..fit_words import number  # figures as the organisers read numbers

            loc = self.app.config.campaign.default_language
            raise FitError(
                f"the new text for delivery {d.id} ({d.channel_id}) is {number(length, loc)} "
                f"long, over {d.network}'s limit of {number(limit, loc)}"
                f"{' for a caption' if has_image else ''}: shorten it"
            )
        problems = net.problems(text)
        if problems:
            raise FitError(
                f"the new text for delivery {d.id} ({d.channel_id}) would be refused: "
                + "; ".join(problems)
            )
