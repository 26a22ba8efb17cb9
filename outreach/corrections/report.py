"""Saying what happened: each delivery of a plan as the ledger holds it after the platforms answered.

Only what a platform confirmed is "removed" or "edited"; an action still
being tried, refused or given up is reported as such, with the post's link.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from ..ledger import Action
from .reasons import Reason
from .values import Kind, Line, Plan, Report

if TYPE_CHECKING:
    from ..app import App


def run_actions(app: App, channels: set[str], wait: float) -> None:
    """Do the recorded actions now on these channels (and nothing else: no posts)."""
    known = [c for c in sorted(channels) if c in app.publishers]
    if not known:
        return
    loop = app.delivery_loop(tuple(known), only_actions=True)
    loop.start()
    loop.run_once(max_wait=wait)


def report(app: App, plan: Plan, request: str | None, cancelled: Sequence[int] = ()) -> Report:
    """Each delivery of the plan as the ledger says it now (after the platforms answered)."""
    actions = {a.delivery_id: a for a in app.ledger.actions(request=request)} if request else {}
    lines = []
    for c in plan.changes:
        a = actions.get(c.delivery_id)
        if a is None and c.action_id is not None:
            a = app.ledger.action(c.action_id)
        if c.what == "cancel":
            ok = c.delivery_id in cancelled
            outcome = "cancelled" if ok else "not cancelled"
            why = c.reason if ok else Reason("left_queue")
            lines.append(Line(c.delivery_id, c.channel_id, outcome, _str(why), reason=why))
        elif a is None:
            lines.append(Line(c.delivery_id, c.channel_id, c.outcome, c.note, c.link, c.reason))
        else:
            lines.append(_line(a, c.link))
    return Report(plan.kind, plan.subject, request, tuple(lines))


def request_report(app: App, request: str) -> Report | None:
    """An earlier request's report, from the ledger alone (the web console's page after a
    confirmation): each post it acted on, as the platforms have answered so far; None when
    no action has that request id. Posts the plan left alone are not in it."""
    actions = app.ledger.actions(request=request)
    if not actions:
        return None
    lines = []
    for a in actions:
        line = _line(a, None)
        if line.outcome not in ("removed", "already removed"):
            line = replace(line, link=app.ledger.get(a.delivery_id).remote_url)
        lines.append(line)
    kind: Kind = "takedown" if actions[0].kind == "delete" else "correction"
    return Report(kind, actions[0].about, request, tuple(lines))


def _str(reason: Reason | None) -> str:
    return str(reason) if reason else ""


def _line(a: Action, link: str | None) -> Line:
    """An action's outcome: the platform's answer as recorded, and ours when it is still tried."""
    answer = a.detail or ""

    def line(outcome: str, detail: str = answer, reason: Reason | None = None) -> Line:
        return Line(a.delivery_id, a.channel_id, outcome, detail, link, reason, answer)

    if a.state == "done":
        if a.kind == "edit":
            return line("edited")
        return line("already removed" if answer.startswith("already") else "removed")
    if a.state == "refused":
        return line("not removable" if a.kind == "delete" else "not corrected")
    if a.state == "failed":
        return line("failed")
    if a.next_attempt_at:
        why = Reason("still_trying", {"next": a.next_attempt_at})
        return line("still trying", f"{answer} {why}".lstrip(), why)
    why = Reason("still_trying_later")
    return line("still trying", f"{answer}; {why}" if answer else str(why), why)
