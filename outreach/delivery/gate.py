"""What a send must pass before its claim: not too late, and room in the pacing windows.

This process's pacer first (its own sends; it spares the store a claim that must
wait), then the windows the store counts for every instance (pacing.Windows,
Ledger.take's and Ledger.claim_action's `pacing`). The Gate is the channel step's
one way to the pacer, the windows and lateness (step.py); an Ask is the Gate as
Ledger.take asks it of one ready post.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..networks import network

if TYPE_CHECKING:
    from ..clock import Clock
    from ..ledger import Action, Delivery, PaceWindow
    from ..networks import Network
    from ..pacing import Pacer, Slot, Windows
    from ..posting import Posting
    from ..publishers.base import Publisher


class Gate:
    """The loop's pacer and windows, and the posting's lateness, behind the few calls a
    channel's step makes of them."""

    __slots__ = ("clock", "pacer", "posting", "windows")

    def __init__(self, pacer: Pacer, windows: Windows, clock: Clock, posting: Posting) -> None:
        self.pacer = pacer
        self.windows = windows
        self.clock = clock
        self.posting = posting

    def late(self, d: Delivery) -> bool:
        """Whether the row must not go out any more (given up after the transaction:
        Posting.too_late writes)."""
        return self.posting.late(d, self.clock.now()) is not None

    def slots(self, pub: Publisher, d: Delivery) -> list[Slot]:
        """The pacing windows the post's network says it counts against (none dry-run)."""
        if pub.dry_run:
            return []
        has_image = bool(d.post and d.post.image_url)
        return _network(pub).slots(d.channel_id, pub.account, has_image=has_image)

    def action_slots(self, pub: Publisher, a: Action) -> list[Slot]:
        """The pacing windows the network says an edit or a deletion counts against."""
        if pub.dry_run:
            return []
        return _network(pub).action_slots(a.kind, a.channel_id, pub.account)

    def reserve(self, slots: list[Slot]) -> tuple[float, float]:
        """A place in this process's pacer: (0, when reserved), or (seconds to wait, when
        asked) with nothing reserved."""
        reserved_at = self.clock.now().timestamp()
        return self.pacer.reserve(slots, reserved_at), reserved_at

    def cancel(self, slots: list[Slot], reserved_at: float) -> None:
        """The place reserved was not used (the claim did not happen)."""
        self.pacer.cancel(slots, reserved_at)

    def answered(self, slots: list[Slot], reserved_at: float) -> None:
        """The send reserved at `reserved_at` was answered (Pacer.answered)."""
        self.pacer.answered(slots, reserved_at)

    def block(self, slots: list[Slot], seconds: float) -> None:
        """The platform said to wait: nothing more on these keys for `seconds`."""
        self.pacer.block([key for key, _ in slots], seconds)

    def windows_of(self, slots: list[Slot]) -> list[PaceWindow]:
        """What the store counts against the send, across every instance."""
        return self.windows.of(slots, self.pacer.scale)


def _network(pub: Publisher) -> Network[Any]:
    return network(pub.network)


class Reserved:
    """A place in the pacer, reserved for a claim (cancelled when the claim does not happen)."""

    __slots__ = ("reserved_at", "slots")

    def __init__(self, slots: list[Slot], reserved_at: float) -> None:
        self.slots = slots
        self.reserved_at = reserved_at


class Ask:
    """Ledger.take's `pacing` for one look: asked of the ready post inside the claim's
    transaction, it says whether to claim it and what windows it counts against, and
    keeps why not (too late; this process's pacer full, and for how long) or what it
    reserved in the pacer (cancelled when the claim does not happen)."""

    __slots__ = ("asked", "gate", "late", "pub", "wait")

    def __init__(self, gate: Gate, pub: Publisher) -> None:
        self.gate = gate
        self.pub = pub
        self.late = False
        self.wait = 0.0
        self.asked: Reserved | None = None

    def __call__(self, d: Delivery) -> list[PaceWindow] | None:
        gate = self.gate
        if gate.late(d):
            self.late = True  # given up after the transaction (Posting.too_late writes)
            return None
        slots = gate.slots(self.pub, d)
        self.wait, reserved_at = gate.reserve(slots)
        if self.wait > 0:
            return None
        self.asked = Reserved(slots, reserved_at)
        return gate.windows_of(slots)
