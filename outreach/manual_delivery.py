"""`outreach deliver` and `outreach retry`: one item, or one delivery, sent now, outside the service's turns.

`deliver` renders a page or news item for its channels, queues each post once
(under the key `deliver` has always written, so a store that delivered an item
before does not deliver it again) and runs a delivery loop on those channels
until they are done or `wait` seconds pass. `retry` queues a failed, unknown,
missed or cancelled delivery again and, unless told not to, sends it the same way.

The application (outreach.app.App) builds the config, ledger, clock and delivery
loop these use; the CLI, the admin bot and the web console ask the application.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .app import App
    from .delivery import Report
    from .ledger import Delivery

__all__ = ["Delivered", "deliver", "retry"]


@dataclass
class Delivered:
    targets: int
    rows: list[Delivery] = field(default_factory=list)
    not_made: list[str] = field(default_factory=list)
    """Channels whose post could not be made (a template error, a text that cannot fit)."""
    already: list[str] = field(default_factory=list)
    """Channels where it was queued before (not sent twice)."""

    @property
    def ok(self) -> bool:
        return len(self.rows) == self.targets and not any(
            d.state in ("failed", "unknown") for d in self.rows
        )


def deliver(
    app: App, item_id: str, channel_ids: tuple[str, ...] = (), *, again: bool = False, wait: float
) -> Delivered:
    """A page or news item to its channels now, once (again: once more)."""
    from .channel_posts import learned_limits, render_for_channels
    from .content import all_items, find_item
    from .errors import ConfigError
    from .messages import Messages

    cfg, ledger = app.config, app.ledger
    item = find_item(all_items(cfg), item_id)
    if channel_ids:
        app.publishers_of(channel_ids)  # a mistyped channel named as such, with the nearest id
    messages = Messages(cfg)
    subject = messages.subject_for_item(item)
    now = app.clock.now()
    made = render_for_channels(
        messages, subject, at=now, limits=learned_limits(cfg, ledger), only=channel_ids or None
    )
    if not made:
        among = f" among {', '.join(channel_ids)}" if channel_ids else ""
        raise ConfigError(f"{item_id!r} goes to no configured channel{among}")
    targets = [cp.channel for cp in made]
    # The key `deliver` has always written: "<kind>:<id>", as `about` read before a
    # news item's stopped repeating its kind. A store that delivered an item then
    # must not deliver it again now, so the key stays what it was.
    once = f"{item.kind}:{item.id}"
    result, ids = Delivered(targets=len(targets)), []
    for cp in made:
        ch, post = cp.channel, cp.post
        if post is None:
            result.not_made.append(f"{ch.id}: not sent, the post cannot be made: {cp.error}")
            continue
        key = f"manual:{once}@{now.isoformat()}" if again else once
        done = ledger.enqueue(post, dedupe_key=key)
        if not done.created:
            state = ledger.get(done.id).state
            result.already.append(f"{ch.id}: already queued as #{done.id} ({state})")
        ids.append(done.id)
    _send_now(app, tuple(ch.id for ch in targets), wait)
    result.rows = [ledger.get(i) for i in ids]
    return result


def retry(app: App, delivery_id: int, *, send: bool = True, wait: float) -> Delivery:
    """A failed, unknown, missed or cancelled delivery queued again (and sent)."""
    d = app.ledger.retry(delivery_id)
    if send:
        _send_now(app, (d.channel_id,), wait)
    return app.ledger.get(delivery_id)


def _send_now(app: App, channel_ids: tuple[str, ...], wait: float) -> Report:
    loop = app.delivery_loop(channel_ids)
    loop.start()
    return loop.run_once(max_wait=wait)
