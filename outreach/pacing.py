"""Proactive rate limits: send as fast as the platforms allow, and never faster.

Sliding windows (at most `limit` sends in any `per` seconds) per key, for
several keys at once. Each network declares which windows one post counts
against (Network.slots, in outreach/networks/): a Telegram post against its
chat and its bot, shared by every channel that bot posts to; a Mastodon post
against its account. A burst goes out at once up to each limit, then one by
one as the oldest sends leave their windows.

The clock is injected (seconds as a float), and `scale` shrinks every window,
so tests run the real rules in milliseconds.

Across instances the store decides (Windows below; the ledger's pace.py counts
inside the claim what every instance sent). The Pacer is this process's own
view: it knows only its own sends, never more than the store, so it says
"wait" only when the store would too (or after a platform's 429), and spares
the claim a transaction then.
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .ledger import PaceWindow


@dataclass(frozen=True)
class Rule:
    limit: int
    per: float
    """Seconds."""
    why: str = ""


Slot = tuple[str, tuple[Rule, ...]]
"""A key and the rules that apply to it."""


class Pacer:
    """Thread-safe: channel threads sharing a bot or an account share its windows."""

    def __init__(self, clock: Callable[[], float], scale: float = 1.0) -> None:
        """`clock`: seconds on the application's clock (DeliveryLoop: its clock's timestamps)."""
        self.clock = clock
        self.scale = scale
        self._sent: dict[tuple[str, Rule], deque[float]] = {}
        self._blocked: dict[str, float] = {}
        self._lock = threading.Lock()

    def reserve(self, slots: Sequence[Slot], now: float | None = None) -> float:
        """Take a place in every window and return 0, or return the seconds to wait first.

        `now` (the pacer's clock by default) stamps the place; pass the same to answered().
        """
        with self._lock:
            now = self.clock() if now is None else now
            wait = max((self._blocked.get(key, now) - now for key, _ in slots), default=0.0)
            for key, rules in slots:
                for rule in rules:
                    sent = self._window(key, rule, now)
                    if len(sent) >= rule.limit:
                        wait = max(wait, sent[-rule.limit] + rule.per * self.scale - now)
            if wait > 0:
                return wait
            for key, rules in slots:
                for rule in rules:
                    self._window(key, rule, now).append(now)
            return 0.0

    def answered(self, slots: Sequence[Slot], reserved_at: float) -> None:
        """The send reserved at `reserved_at` was answered: count it from now on.

        A platform counts a message when it arrives, a varying moment after its
        place was reserved; counted from the reservation, the 21st message of a
        window can arrive just before the 1st has left the platform's window, and
        be refused. The answer comes after the arrival, so counting from it keeps
        every window of the platform's within its limit.
        """
        with self._lock:
            now = max(self.clock(), reserved_at)
            for key, rules in slots:
                for rule in rules:
                    sent = self._sent.get((key, rule))
                    if sent is None:
                        continue
                    try:
                        sent.remove(reserved_at)
                    except ValueError:  # it has already left the window
                        continue
                    bisect.insort(sent, now)

    def cancel(self, slots: Sequence[Slot], reserved_at: float) -> None:
        """The place reserved at `reserved_at` was not used (the claim did not happen)."""
        with self._lock:
            for key, rules in slots:
                for rule in rules:
                    sent = self._sent.get((key, rule))
                    if sent is not None and reserved_at in sent:
                        sent.remove(reserved_at)

    def seed(self, slots: Sequence[Slot], times: Iterable[float], newer: bool = False) -> None:
        """Count sends made before this process started (read from the ledger).

        `newer`: only those after the last send this pacer counted on a window (a
        channel taken over again from another instance: our own sends are counted).
        """
        with self._lock:
            for t in sorted(times):
                for key, rules in slots:
                    for rule in rules:
                        sent = self._sent.setdefault((key, rule), deque())
                        if not (newer and sent and t <= sent[-1]):
                            sent.append(t)

    def block(self, keys: Iterable[str], seconds: float) -> None:
        """The platform said to wait (429): nothing goes out on these keys until then."""
        with self._lock:
            until = self.clock() + seconds
            for key in keys:
                self._blocked[key] = max(self._blocked.get(key, until), until)

    def _window(self, key: str, rule: Rule, now: float) -> deque[float]:
        sent = self._sent.setdefault((key, rule), deque())
        horizon = now - rule.per * self.scale
        while sent and sent[0] <= horizon:
            sent.popleft()
        return sent


class Declares(Protocol):
    """What a network (outreach.networks.base.Network) says about pacing."""

    def slots(self, channel_id: str, account: str, *, has_image: bool = False) -> list[Slot]: ...
    def action_slots(self, kind: str, channel_id: str, account: str) -> list[Slot]: ...


class Windows:
    """Which channels' sends count against each pacing key, for the store to count them.

    Built from every live channel of the campaign (each instance reads the same
    campaign file, so all count alike): a Telegram chat's key is its channel's;
    a bot's or a Mastodon account's, every channel posting with it.
    """

    KINDS = ("edit", "delete")

    def __init__(self, channels: Iterable[tuple[str, Declares, str]]) -> None:
        """`channels`: (channel id, its network, its account) for each live channel."""
        self._posts: dict[str, set[str]] = defaultdict(set)
        self._images: dict[str, set[str]] = defaultdict(set)
        self._actions: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self._made: dict[tuple[tuple[Slot, ...], float], tuple[PaceWindow, ...]] = {}
        for ch, net, account in channels:
            plain = {key for key, _ in net.slots(ch, account)}
            for key in plain:
                self._posts[key].add(ch)
            for key, _ in net.slots(ch, account, has_image=True):
                if key not in plain:
                    self._images[key].add(ch)
            for kind in self.KINDS:
                for key, _ in net.action_slots(kind, ch, account):
                    self._actions[key].add((ch, kind))

    def of(self, slots: Sequence[Slot], scale: float = 1.0) -> list[PaceWindow]:
        """The windows one send counts against (its slots), for Ledger.claim(pacing=).

        Made once per set of slots (a channel's posts ask with the same ones every
        time; the channels are fixed when Windows is built)."""
        key = (tuple(slots), scale)
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = tuple(self._make(slots, scale))
        return list(made)

    def _make(self, slots: Sequence[Slot], scale: float) -> list[PaceWindow]:
        from .ledger import PaceWindow

        return [
            PaceWindow(
                key,
                rule.limit,
                dt.timedelta(seconds=rule.per * scale),
                posts=tuple(sorted(self._posts.get(key, ()))),
                image_posts=tuple(sorted(self._images.get(key, ()))),
                actions=tuple(sorted(self._actions.get(key, ()))),
            )
            for key, rules in slots
            for rule in rules
        ]
