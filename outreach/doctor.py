"""`outreach doctor`: every channel's credential check, and the limits a network told it kept.

A check asks the network for real (Mastodon's verify_credentials and instance,
Telegram's getMe and the bot's rights in its chat); nothing is posted. What a
network says of its limits (Mastodon's max_characters) is written to the
ledger, where preview and the service read it when they fit posts.

The application (outreach.app.App) builds the publishers and the ledger and
calls these; the CLI, the admin bot and the web console ask the application.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ledger import Ledger
    from .publishers import Check, Publisher

__all__ = ["Doctor", "check_channels", "examine"]


@dataclass
class Doctor:
    checks: list[Check]
    warning: str | None = None
    """Why the limits read could not be kept (the store could not be opened or written)."""

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def check_channels(publishers: Iterable[Publisher]) -> list[Check]:
    """Every channel's credential check (network calls)."""
    return [p.check() for p in publishers]


def examine(publishers: dict[str, Publisher], ledger: Callable[[], Ledger]) -> Doctor:
    """Each channel's check; what a platform said of its limits is kept in the ledger.

    `ledger` is asked only when there are limits to keep: a doctor of channels that
    learn none (Telegram, dry-run) neither opens the store nor makes its file.
    """
    from .delivery import LearnsLimits
    from .errors import OutreachError

    report = Doctor(check_channels(publishers.values()))
    learned = [(c, publishers[c.channel_id]) for c in report.checks if c.limits]
    try:
        for c, pub in learned:
            if isinstance(pub, LearnsLimits):  # Mastodon's max_characters, for fitting posts
                ledger().save_channel_limits(c.channel_id, c.limits, source=pub.limits_source)
    except OutreachError as exc:
        report.warning = f"the limits read could not be kept: {exc}"
    return report
