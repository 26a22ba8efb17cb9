"""What a correction or takedown plans and reports: plain values for every front end."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from .reasons import Reason

if TYPE_CHECKING:
    from ..ledger import Action

Kind = Literal["takedown", "correction"]


@dataclass(frozen=True)
class Change:
    """What a request does (or would do) to one delivery of the subject."""

    delivery_id: int
    channel_id: str
    network: str
    about: str
    what: Literal["remove", "edit", "cancel", "none"]
    reason: Reason | None = None
    """Why nothing, or what to expect (e.g. a platform's time limit): `note` in English."""
    link: str | None = None
    old_text: str | None = None
    new_text: str | None = None
    action_id: int | None = None
    """An earlier request's removal of it, still under way: done by this one too."""
    outcome: str = "left alone"
    """What the report says when nothing is done: "left alone" (nothing is on the
    platform), "already removed", or "not removable"/"not corrected" (it may be there)."""

    @property
    def note(self) -> str:
        return str(self.reason) if self.reason else ""


@dataclass(frozen=True)
class Plan:
    kind: Kind
    subject: str
    changes: tuple[Change, ...]

    def count(self, what: str) -> int:
        return sum(1 for c in self.changes if c.what == what)

    def summary(self) -> str:
        if self.kind == "takedown":
            parts = [
                f"{self.count('remove')} post(s) to remove",
                f"{self.count('cancel')} queued to cancel",
            ]
        else:
            parts = [f"{self.count('edit')} post(s) to correct"]
        left = self.count("none")
        if left:
            parts.append(f"{left} left as they are")
        channels = len({c.channel_id for c in self.changes})
        return f"{self.kind} of {self.subject} on {channels} channel(s): " + ", ".join(parts)


@dataclass(frozen=True)
class Line:
    """One delivery's outcome, as the platforms and the ledger say it now."""

    delivery_id: int
    channel_id: str
    outcome: str
    """removed, already removed, edited, not removable, not corrected, failed,
    still trying, cancelled, or what was left alone (not posted, dry run, ...)."""
    detail: str = ""
    """In English (the CLI's and the bot's): `reason` in words, after the `answer`."""
    link: str | None = None
    reason: Reason | None = None
    """Ours: why it was left, or what happens next."""
    answer: str = ""
    """What the platform answered, as the delivery loop recorded it (the ledger's words)."""

    @property
    def confirmed(self) -> bool:
        """The platform confirmed it (or nothing was ever posted)."""
        return self.outcome in ("removed", "already removed", "edited", "cancelled")


@dataclass(frozen=True)
class Report:
    kind: Kind
    subject: str
    request: str | None
    lines: tuple[Line, ...]

    def by_channel(self) -> dict[str, list[Line]]:
        out: dict[str, list[Line]] = defaultdict(list)
        for line in self.lines:
            out[line.channel_id].append(line)
        return dict(out)

    def count(self, *outcomes: str) -> int:
        return sum(1 for line in self.lines if line.outcome in outcomes)

    @property
    def complete(self) -> bool:
        """Every post acted on was confirmed: nothing left to do by hand or to wait for."""
        return not self.count(
            "not removable", "not corrected", "failed", "still trying", "not cancelled"
        )

    def summary(self) -> str:
        if self.kind == "takedown":
            done = self.count("removed", "already removed")
            head = f"{done} removed, {self.count('cancelled')} queued cancelled"
            bad = self.count("not removable", "failed")
        else:
            head = f"{self.count('edited')} corrected"
            bad = self.count("not corrected", "failed")
        waiting = self.count("still trying")
        tail = f", {bad} NOT done (see why)" if bad else ""
        tail += f", {waiting} still being tried" if waiting else ""
        return f"{self.kind} of {self.subject}: {head}{tail}"


@dataclass(frozen=True)
class Result:
    plan: Plan
    report: Report
    cancelled: tuple[int, ...] = field(default=())


def describe(a: Action) -> str:
    """One correction or takedown in words, for history: what, who, when, why, how it went."""
    when = f"{a.done_at or a.created_at:%Y-%m-%d %H:%M} UTC"
    verb = "removal" if a.kind == "delete" else "correction"
    state = {
        "done": "removed" if a.kind == "delete" else "corrected",
        "refused": f"{verb} refused",
        "failed": f"{verb} not confirmed",
        "pending": f"{verb} waiting",
        "sending": f"{verb} under way",
        "cancelled": f"{verb} cancelled",
    }[a.state]
    out = f"{state} {when}, asked by {a.requested_by}" + (f": {a.why}" if a.why else "")
    if a.state != "done" and a.detail:
        out += f" ({a.detail})"
    if a.kind == "edit" and a.state == "done" and a.text is not None:
        out += f"; now reads: {_short(a.text)}"
    return out


def _short(text: str, n: int = 80) -> str:
    one = " ".join(text.split())
    return one if len(one) <= n else one[: n - 1] + "…"
