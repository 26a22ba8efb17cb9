"""Saying what happened: each delivery of a plan as the ledger holds it after the platforms answered.

Only what a platform confirmed is "removed" or "edited"; an action still
being tried, refused or given up is reported as such, with the post's link.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..ledger import Action
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
            detail = c.note if ok else "it had left the queue meanwhile: run the takedown again"
            lines.append(Line(c.delivery_id, c.channel_id, outcome, detail))
        elif a is None:
            lines.append(Line(c.delivery_id, c.channel_id, c.outcome, c.note, c.link))
        else:
            lines.append(Line(c.delivery_id, c.channel_id, *_outcome(a), c.link))
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
        outcome, detail = _outcome(a)
        gone = outcome in ("removed", "already removed")
        link = None if gone else app.ledger.get(a.delivery_id).remote_url
        lines.append(Line(a.delivery_id, a.channel_id, outcome, detail, link))
    kind: Kind = "takedown" if actions[0].kind == "delete" else "correction"
    return Report(kind, actions[0].about, request, tuple(lines))


def _outcome(a: Action) -> tuple[str, str]:
    detail = a.detail or ""
    if a.state == "done":
        if a.kind == "edit":
            return "edited", detail
        return ("already removed" if detail.startswith("already") else "removed"), detail
    if a.state == "refused":
        return ("not removable" if a.kind == "delete" else "not corrected"), detail
    if a.state == "failed":
        return "failed", detail
    when = f" (next try {a.next_attempt_at:%H:%M:%S} UTC)" if a.next_attempt_at else ""
    return "still trying", (
        f"{detail}{when}; `outreach run` keeps trying, and `outreach history` shows the outcome"
    ).lstrip("; ")
