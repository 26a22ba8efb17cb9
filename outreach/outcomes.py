"""What the delivery loop reports (Outcome, Report), and what it asks a network or a platform.

resend_window and act_on word the recovery rules for organisers; learn_limits
asks each platform that can tell for its limits when the loop starts, unless
the ledger holds limits read from the same place within LIMITS_FRESH_FOR (a cron
`run --once` every few minutes would otherwise ask each instance every time,
one round trip before its first post, for figures that change once in months).
outreach/delivery/__init__.py re-exports these for its callers.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from .networks import find_network
from .said import Said

if TYPE_CHECKING:
    from .ledger import Ledger
    from .publishers.base import Publisher

log = logging.getLogger("outreach.delivery")

LIMITS_FRESH_FOR = dt.timedelta(hours=24)
"""How long limits read from a platform are used without asking it again (`doctor` always asks)."""


@runtime_checkable
class LearnsLimits(Protocol):
    """A publisher that can read its platform's limits (Mastodon: the instance's)."""

    @property
    def limits_source(self) -> str: ...
    def learn_limits(self) -> Mapping[str, int]: ...


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    channel_id: str
    state: str
    """sent, failed, unknown, missed, or retry (pending again)."""
    detail: str = ""


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    actions: list[Outcome] = field(default_factory=list)
    """Corrections and takedowns: the post's delivery id, state done/refused/failed/retry."""

    def count(self, state: str) -> int:
        return sum(1 for o in self.outcomes if o.state == state)


def resend_window(network_name: str) -> dt.timedelta | None:
    """How long a send of this network may be repeated safely; None: never (see Network)."""
    net = find_network(network_name)
    return net.resend_window if net is not None else None


def act_on(delivery_id: int) -> str:
    """What an organiser does about a post that may be out (a Said: outreach/said.py)."""
    return Said("delivery.act_on", id=delivery_id)


def learn_limits(
    ledger: Ledger, publishers: Mapping[str, Publisher], fresh_for: dt.timedelta = LIMITS_FRESH_FOR
) -> None:
    """Ask each platform that can tell (Mastodon, with a token) for its limits, at once.

    Not a channel whose limits were read from the same place (its instance) less
    than `fresh_for` ago: the stored ones serve. Otherwise one request per channel
    per process (the publisher remembers a success); a platform that does not
    answer leaves the last known limits in place, and is asked again next time.
    """
    learners = {
        ch: pub
        for ch, pub in publishers.items()
        if isinstance(pub, LearnsLimits) and not pub.dry_run
    }
    if not learners:
        return
    now = ledger.now()
    for ch, (source, learned_at) in ledger.limits_learned().items():
        pub = learners.get(ch)
        # abs: limits saved by a machine whose clock runs ahead are fresh for a window too
        if pub is not None and source == pub.limits_source and abs(now - learned_at) < fresh_for:
            del learners[ch]
    if not learners:
        return

    def learn(item: tuple[str, Publisher]) -> None:
        ch, pub = item
        assert isinstance(pub, LearnsLimits)
        try:
            limits = dict(pub.learn_limits())
            if limits:
                ledger.save_channel_limits(ch, limits, source=pub.limits_source)
        except Exception as exc:
            # a limit we cannot read must not keep the posts from going out
            log.warning("channel %s: its limits were not read (%s)", ch, type(exc).__name__)

    with ThreadPoolExecutor(max_workers=min(8, len(learners))) as pool:
        list(pool.map(learn, learners.items()))
