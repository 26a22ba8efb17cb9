"""Corrections and takedowns: fix or remove what went out, everywhere, from the ledger.

The application-level calls every front end makes (the CLI, the admin bot, the
web console); each turns an organiser's request into one of these and their
answer into text::

    plan = plan_takedown(app, "news:freeales-2012-01-pressure")   # nothing changes
    result = takedown(app, "news:freeales-2012-01-pressure", by="cli", why="names a witness")
    plan = plan_correction(app, "page:ales")                      # re-rendered from the templates
    plan = plan_correction(app, "42", text="...")                 # one post, the organiser's text
    result = correct(app, "page:ales", by="telegram:111 Anna", why="wrong date")
    result.report.lines / .by_channel() / .summary()              # what the platforms confirmed
    request_report(app, result.report.request)                    # the same, later, from the ledger
    look_up(app, 42) -> LookUp                                    # a post of unknown outcome
    changes_of(app, [ids]) -> {delivery id: [Action]}             # for history
    describe(action) -> "removed 2026-08-04 10:02 UTC, asked by ...: why"

A subject is what the ledger calls `about` (`page:ales`, a news id
`news:freeales-2012-01-pressure`, `announcement:verdict`) or one occurrence of
an announcement (`announcement:verdict@2026-08-04T07:00:00Z`); a bare page id
(`ales`) means `page:ales`. A takedown removes every sent post about it on
every channel and cancels what is still queued, in one transaction; each
removal and edit is a ledger action, done by the delivery loop (exactly once,
retried within the budget, recovered after a crash, paced with the posts).
The report says only what the platforms confirmed: a post is "removed" when
the platform deleted it or said it was not there, never on a guess.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import ContentError, OutreachError
from ..ledger import Action, ActionRequest, Delivery
from .reasons import ENGLISH, Reason
from .report import report, request_report, run_actions
from .text import Renderer
from .values import Change, Kind, Line, Plan, Report, Result, describe

if TYPE_CHECKING:
    from ..app import App
    from ..publishers.base import LookUp

__all__ = [
    "DEFAULT_WAIT",
    "ENGLISH",
    "Change",
    "Kind",
    "Line",
    "Plan",
    "Reason",
    "Report",
    "Result",
    "changes_of",
    "correct",
    "current_text",
    "deliveries_of",
    "describe",
    "look_up",
    "plan_correction",
    "plan_takedown",
    "report",
    "request_report",
    "takedown",
]

DEFAULT_WAIT = 60.0


# -- finding what went out ----------------------------------------------------------


def deliveries_of(app: App, subject: str) -> tuple[str, list[Delivery]]:
    """Every delivery about `subject` (see the module docstring), oldest first."""
    ledger = app.ledger
    s = subject.strip()
    candidates = [s] if ":" in s else [f"page:{s}", s]
    for c in candidates:
        rows = ledger.deliveries(about=c, limit=10_000) or ledger.deliveries(
            dedupe_key=c, limit=10_000
        )
        if rows:
            return c, rows
    raise ContentError(
        f"nothing went out or is queued about {subject!r}: give a subject as `outreach "
        "history` shows it (page:ales, a news id, announcement:<id>, or one occurrence "
        "announcement:<id>@<time>)"
    )


def _target(app: App, target: str) -> tuple[str, list[Delivery]]:
    """A subject, or one delivery by its number (42 or #42)."""
    t = target.strip().removeprefix("#")
    if t.isdigit():
        d = app.ledger.get(int(t))
        return f"#{d.id} ({d.about} on {d.channel_id})", [d]
    return deliveries_of(app, target)


def changes_of(app: App, delivery_ids: Iterable[int]) -> dict[int, list[Action]]:
    """The corrections and takedowns of each delivery, oldest first (for history)."""
    out: dict[int, list[Action]] = defaultdict(list)
    for a in app.ledger.actions(delivery_ids=list(delivery_ids)):
        out[a.delivery_id].append(a)
    return dict(out)


def _change(d: Delivery, **kw: Any) -> Change:
    return Change(d.id, d.channel_id, d.network, d.about, **kw)


def current_text(d: Delivery, actions: Sequence[Action]) -> str:
    """A sent post's text now: its last confirmed correction, else as it was sent."""
    edits = [a for a in actions if a.kind == "edit" and a.state == "done" and a.text is not None]
    if edits:
        return edits[-1].text or ""
    return d.post.text if d.post else ""


def _removed(actions: Sequence[Action]) -> Action | None:
    return next((a for a in actions if a.kind == "delete" and a.state == "done"), None)


def _in_hand(actions: Sequence[Action], kind: str) -> Action | None:
    return next((a for a in actions if a.kind == kind and a.state in ("pending", "sending")), None)


def _left_alone(d: Delivery) -> tuple[Reason, bool] | None:
    """Why nothing can be done to a delivery, and whether it may be on the platform; or None."""
    if d.state == "sent" and d.dry_run:
        return Reason("dry_run"), False
    if d.state == "sent" and not d.remote_id:
        return Reason("no_remote_id"), True
    if d.state == "sending":
        return Reason("being_sent"), True
    if d.state == "unknown":
        return Reason("unknown", {"id": d.id}), True
    if d.state in ("failed", "missed", "cancelled"):
        return Reason("never_out", {"state": d.state}), False
    return None


# -- takedowns ----------------------------------------------------------------------


def plan_takedown(app: App, subject: str) -> Plan:
    """What `takedown` would do, post by post; nothing changes."""
    from ..networks import find_network

    about, rows = deliveries_of(app, subject)
    history = changes_of(app, [d.id for d in rows])
    now = app.clock.now()
    changes = []
    for d in rows:
        acts = history.get(d.id, [])
        if d.state in ("pending", "held"):
            why = Reason("will_not_go_out", {"state": d.state})
            changes.append(_change(d, what="cancel", reason=why))
            continue
        alone = _left_alone(d)
        if alone is not None:
            why, maybe_there = alone
            outcome = "not removable" if maybe_there else "left alone"
            changes.append(_change(d, what="none", reason=why, link=d.remote_url, outcome=outcome))
            continue
        gone = _removed(acts)
        if gone is not None:
            why = Reason(
                "removed_before", {"at": gone.done_at or gone.created_at, "by": gone.requested_by}
            )
            changes.append(
                _change(d, what="none", reason=why, link=d.remote_url, outcome="already removed")
            )
            continue
        under_way = _in_hand(acts, "delete")
        if under_way is not None:
            why = Reason("removal_under_way", {"by": under_way.requested_by})
            changes.append(
                _change(d, what="none", reason=why, link=d.remote_url, action_id=under_way.id)
            )
            continue
        expect = None
        net = find_network(d.network)
        window = net.delete_within if net is not None else None
        if window is not None and d.sent_at is not None and now - d.sent_at >= window:
            hours = round(window.total_seconds() / 3600)
            expect = Reason(
                "past_delete_window", {"sent": d.sent_at, "hours": hours, "network": d.network}
            )
        changes.append(
            _change(
                d,
                what="remove",
                reason=expect,
                link=d.remote_url,
                old_text=current_text(d, acts),
            )
        )
    return Plan("takedown", about, tuple(changes))


def takedown(
    app: App,
    subject: str,
    *,
    by: str,
    why: str = "",
    wait: float = DEFAULT_WAIT,
    run: bool = True,
) -> Result:
    """Remove every sent post about `subject` and cancel what is queued; report per channel.

    `by` says who asked (kept in the ledger and shown in history); `run=False`
    leaves the removals to the running service (`outreach run`).
    """
    plan = plan_takedown(app, subject)
    ledger = app.ledger
    rows = {d.id: d for d in deliveries_of(app, plan.subject)[1]}
    requests = [
        ActionRequest(rows[c.delivery_id], "delete", by, why or "taken down", old_text=c.old_text)
        for c in plan.changes
        if c.what == "remove"
    ]
    cancel = [c.delivery_id for c in plan.changes if c.what == "cancel"]
    reason = f"taken down by {by}" + (f": {why}" if why else "")
    request, cancelled = ledger.request_actions(requests, cancel=cancel, why=reason)
    # an earlier takedown's removals still under way (a crash, a restart) are done too
    channels = {r.delivery.channel_id for r in requests}
    channels |= {c.channel_id for c in plan.changes if c.action_id is not None}
    if run and channels:
        run_actions(app, channels, wait)
    return Result(plan, report(app, plan, request, cancelled), tuple(cancelled))


# -- corrections ----------------------------------------------------------------------


def plan_correction(
    app: App, target: str, *, text: str | None = None, channels: Sequence[str] = ()
) -> Plan:
    """What `correct` would change, post by post, with the old and new text; nothing changes.

    Without `text`, each post is rendered again from the templates (for the
    moment it was due, so a day count stays that day's), fitted to its
    network's limit like any post. With `text`, that text goes to every post
    chosen: give one post (its number) or `channels` of one language.
    """
    about, rows = _target(app, target)
    rows = [d for d in rows if not channels or d.channel_id in channels]
    if not rows:
        raise ContentError(f"{target!r} went to none of the channels {', '.join(channels)}")
    if text is not None and len({d.post.language for d in rows if d.post}) > 1:
        raise ContentError(
            f"--text would put one text on posts in {len({d.post.language for d in rows if d.post})} "
            "languages: name one post (its number) or --channel, or leave --text out to "
            "render each again from the templates"
        )
    history = changes_of(app, [d.id for d in rows])
    renderer = Renderer(app)
    changes = []
    for d in rows:
        acts = history.get(d.id, [])
        if d.state in ("pending", "held"):
            why = Reason("queued_as_rendered", {"state": d.state})
            changes.append(_change(d, what="none", reason=why))
            continue
        alone = _left_alone(d) or (
            (Reason("removed_by_takedown"), False) if _removed(acts) else None
        )
        if alone is not None:
            why, maybe_there = alone
            outcome = "not corrected" if maybe_there else "left alone"
            changes.append(_change(d, what="none", reason=why, link=d.remote_url, outcome=outcome))
            continue
        old = current_text(d, acts)
        new = text if text is not None else renderer.render(d)
        renderer.check_fits(d, new)
        if new == old:
            why = Reason("reads_so")
            changes.append(_change(d, what="none", reason=why, link=d.remote_url))
            continue
        changes.append(_change(d, what="edit", link=d.remote_url, old_text=old, new_text=new))
    return Plan("correction", about, tuple(changes))


def correct(
    app: App,
    target: str,
    *,
    by: str,
    why: str = "",
    text: str | None = None,
    channels: Sequence[str] = (),
    wait: float = DEFAULT_WAIT,
    run: bool = True,
) -> Result:
    """Edit every sent post of `target` in place (see plan_correction); report per channel."""
    plan = plan_correction(app, target, text=text, channels=channels)
    ledger = app.ledger
    requests = [
        ActionRequest(
            ledger.get(c.delivery_id),
            "edit",
            by,
            why or "corrected",
            text=c.new_text,
            old_text=c.old_text,
        )
        for c in plan.changes
        if c.what == "edit"
    ]
    request, _ = ledger.request_actions(requests)
    if run and requests:
        run_actions(app, {r.delivery.channel_id for r in requests}, wait)
    return Result(plan, report(app, plan, request))


def look_up(app: App, delivery_id: int) -> LookUp:
    """Whether a post of unknown outcome is on its channel, where the network can tell."""
    from ..errors import StoreError
    from ..publishers.base import LookUp, SentPost

    d = app.ledger.get(delivery_id)
    if d.post is None:
        raise StoreError(f"delivery {d.id} was never rendered, so there is nothing to look for")
    pub = app.publishers.get(d.channel_id)
    if pub is None or pub.dry_run:
        return LookUp(False, note=f"channel {d.channel_id} has no token here: nothing to ask")
    sent = SentPost(d.channel_id, d.remote_id or "", d.remote_url, d.post, None, d.sent_at)
    try:
        return pub.look_up(sent)
    except OutreachError as exc:
        return LookUp(True, note=f"the platform could not be asked: {exc}")
