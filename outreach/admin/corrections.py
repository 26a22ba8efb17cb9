"""The admin bot's /takedown and /correct: a question naming the subject and the number of
posts, with Confirm / Cancel buttons; only a confirmation from the same organiser, in
time, does it (outreach/corrections/ does the work, as for the CLI).

    /takedown <subject> [why]        e.g. /takedown news:freeales-2012-01-pressure names a witness
    /correct <subject or #id> [new text]   rendered again from the templates, or this text

Like scheduling, a question lives here in memory under a short random id that
goes into the buttons' callback data ("t:<id>:y"); it expires after
PENDING_TTL. Who asked is kept in the ledger with each action ("Telegram user
111 (Anna)") and shown in /history.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ..errors import OutreachError
from .views import NOTHING_CHANGED, Reply, plain

if TYPE_CHECKING:
    from ..app import App
    from ..corrections import Plan, Report

PENDING_TTL = dt.timedelta(minutes=15)
MAX_PENDING = 50
WAIT = 30.0
"""Seconds the bot waits for the platforms before it answers (the rest: `outreach run`)."""
SHOWN = 12
"""Posts listed by name in a question or a report; the rest are counted."""


@dataclass
class _Ask:
    kind: Literal["takedown", "correction"]
    user_id: int
    by: str
    target: str
    why: str
    text: str | None
    posts: int
    created: dt.datetime


@dataclass
class AdminCorrections:
    app: App | None
    clock: Callable[[], dt.datetime]
    _asks: dict[str, _Ask] = field(default_factory=dict)

    def takedown(self, args: Sequence[str], user_id: int, by: str) -> list[Reply]:
        if not args:
            return plain(
                "Say what to take down: /takedown <subject> [why], e.g. /takedown "
                "news:freeales-2012-01-pressure names a witness (subjects as /history shows them)."
            )
        if self.app is None:
            return plain(f"Takedowns are not available in this bot. {NOTHING_CHANGED}")
        from ..corrections import plan_takedown

        try:
            plan = plan_takedown(self.app, args[0])
        except OutreachError as exc:
            return plain(f"{exc} {NOTHING_CHANGED}")
        n = plan.count("remove") + plan.count("cancel")
        if not n:
            return plain(f"Nothing to do: {plan.summary()}.", *_changes(plan))
        why = " ".join(args[1:])
        return self._ask(
            _Ask("takedown", user_id, by, plan.subject, why, None, n, self.clock()), plan
        )

    def correct(self, args: Sequence[str], user_id: int, by: str) -> list[Reply]:
        if not args:
            return plain(
                "Say what to correct: /correct <subject> (rendered again from the templates, "
                "after fixing them) or /correct <delivery id> <new text>."
            )
        if self.app is None:
            return plain(f"Corrections are not available in this bot. {NOTHING_CHANGED}")
        from ..corrections import plan_correction

        text = " ".join(args[1:]) or None
        try:
            plan = plan_correction(self.app, args[0], text=text)
        except OutreachError as exc:
            return plain(f"{exc} {NOTHING_CHANGED}")
        n = plan.count("edit")
        if not n:
            return plain(f"Nothing to do: {plan.summary()}.", *_changes(plan))
        ask = _Ask("correction", user_id, by, args[0], "", text, n, self.clock())
        return self._ask(ask, plan)

    def _ask(self, ask: _Ask, plan: Plan) -> list[Reply]:
        self._forget_old(ask.created)
        token = secrets.token_urlsafe(6)
        self._asks[token] = ask
        verb = "Take down" if ask.kind == "takedown" else "Correct"
        lines = [f"{verb} {plan.subject}? {plan.summary()}.", *_changes(plan), ""]
        lines.append(f"Confirm within {int(PENDING_TTL.total_seconds() // 60)} minutes.")
        label = f"{verb} {ask.posts} post(s)"
        return [
            Reply("\n".join(lines), choices=((label, f"t:{token}:y"), ("Cancel", f"t:{token}:n")))
        ]

    def _forget_old(self, now: dt.datetime) -> None:
        for token, ask in list(self._asks.items()):
            if now - ask.created > PENDING_TTL:
                del self._asks[token]
        while len(self._asks) >= MAX_PENDING:
            self._asks.pop(next(iter(self._asks)))

    def confirm(self, token: str, user_id: int, yes: bool) -> tuple[str, bool]:
        """What to answer to a button, and whether the question is settled (buttons go)."""
        self._forget_old(self.clock())
        ask = self._asks.get(token)
        if ask is None:
            return "This request has expired or was already answered. Send the command again.", True
        if ask.user_id != user_id:
            return "Only the organiser who asked can confirm this request.", False
        del self._asks[token]
        if not yes:
            return f"Nothing was changed: the {ask.kind} of {ask.target} was dropped.", True
        assert self.app is not None
        from ..corrections import correct, takedown

        try:
            if ask.kind == "takedown":
                result = takedown(self.app, ask.target, by=ask.by, why=ask.why, wait=WAIT)
            else:
                result = correct(self.app, ask.target, by=ask.by, text=ask.text, wait=WAIT)
        except OutreachError as exc:
            return f"Not done: {exc}", True
        return "\n".join(_report(result.report)), True


def _changes(plan: Plan) -> list[str]:
    words = {"remove": "remove", "edit": "correct", "cancel": "cancel (queued)", "none": "leave"}
    out = []
    for c in plan.changes[:SHOWN]:
        line = f"  #{c.delivery_id} {c.channel_id}: {words[c.what]}" + (
            f" {c.link}" if c.link else ""
        )
        if c.note:
            line += f" ({c.note})"
        out.append(line)
    if len(plan.changes) > SHOWN:
        out.append(
            f"  … and {len(plan.changes) - SHOWN} more (`outreach {plan.kind.replace('ion', '')} --dry-run` lists all)"
        )
    return out


def _report(report: Report) -> list[str]:
    out = [report.summary() + "."]
    for line in report.lines[:SHOWN]:
        where = f" {line.link}" if line.link else ""
        detail = f": {line.detail}" if line.detail and not line.confirmed else ""
        out.append(f"  #{line.delivery_id} {line.channel_id}: {line.outcome}{where}{detail}")
    if len(report.lines) > SHOWN:
        out.append(f"  … and {len(report.lines) - SHOWN} more: /history shows each")
    return out
