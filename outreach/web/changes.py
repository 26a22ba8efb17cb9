"""Corrections and takedowns from the console: see the plan, confirm, read what the platforms said.

From a post in the queue or the history::

    GET  /deliveries/{id}/takedown  admin      the plan: every post about its subject, on every
                                               channel: removed, cancelled (queued) or left, and why
    POST /deliveries/{id}/takedown  admin      do it; the answer is the report, post by post
    GET  /deliveries/{id}/correct   organiser  how: rendered again from the templates (every post
                                               about its subject) or this post with a new text
    POST /deliveries/{id}/correct   organiser  step=plan: the plan, old and new text (nothing
                                               changes); step=do: do it; the report

The subject of a post is what it is about (`page:ales`, a news id), or for
an announcement's post that one occurrence (its dedupe key), so a takedown
from one week's post leaves the other weeks alone. Roles as the issue sets
them: a takedown is an admin's, a correction an organiser's.

The work is outreach/corrections/: plan_takedown, takedown, plan_correction,
correct, the same calls as `outreach takedown/correct` and the admin bot's
/takedown and /correct; who asked (web:<name>) is kept with each action and
the audit trail records the request. The console waits up to WAIT seconds
for the platforms; what is still being tried then is done by `outreach run`
and shows in the history.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..errors import OutreachError, StoreError
from ..said import Said
from .auth import Visitor
from .kit import Message, action, console_of, done, int_param, local_path, page, refuse, render

if TYPE_CHECKING:
    from ..app import App
    from ..corrections import Change, Plan, Report, Result
    from ..ledger import Delivery

REQUEST_ID = re.compile(r"[0-9a-f]{32}")
"""A request's id, as the ledger makes them (ledger.values.new_key)."""
WAIT = 20.0
"""Seconds a confirmed request waits for the platforms before the page answers."""
MAX_TEXT = 10_000
"""Characters of a new text the form takes (every network's limit is far below)."""


def refused_in_place(handler: Callable[..., Response]) -> Callable[..., Response]:
    """A page whose application call may refuse (no such post, nothing about it): say so (409)."""

    @functools.wraps(handler)
    def wrapped(request: Request, who: Visitor) -> Response:
        try:
            return handler(request, who)
        except OutreachError as exc:
            return refuse(request, 409, "err.action", detail=str(exc))

    return wrapped


def _app(request: Request) -> App:
    # the console's application is the App the CLI and the bot start from
    return cast("App", console_of(request).application)


def _delivery(request: Request) -> Delivery:
    return console_of(request).ledger.get(int_param(request.path_params.get("id"), 0))


def subject_of(d: Delivery) -> str:
    """What a takedown or correction from this post is about (see the module docstring)."""
    return d.dedupe_key if d.occurrence is not None else d.about


def _plain(network: str, text: str | None) -> str:
    """A text as the network's readers see it (Telegram's markup taken off)."""
    from ..networks import find_network

    net = find_network(network)
    return net.plain_text(text) if (net is not None and text) else (text or "")


@dataclass(frozen=True)
class Shown:
    """One post of a plan, as the page shows it."""

    c: Change
    old: str
    new: str


def _shown(plan: Plan) -> list[Shown]:
    return [
        Shown(c, _plain(c.network, c.old_text), _plain(c.network, c.new_text)) for c in plan.changes
    ]


def _counts(plan: Plan) -> dict[str, int]:
    return {w: plan.count(w) for w in ("remove", "edit", "cancel", "none")}


def _back(request: Request, form: Mapping[str, str] | None = None) -> str:
    raw = (form or {}).get("back") or request.query_params.get("back")
    return local_path(raw, "/history")


def _why(form: Mapping[str, str]) -> str:
    return " ".join(form.get("why", "").split())[:500]


def _to_report(request: Request, form: Mapping[str, str], result: Result) -> Response:
    """After a confirmation: 303 to the request's report (reloading it asks the ledger again)."""
    back, report, cancelled = _back(request, form), result.report, len(result.cancelled)
    acted = result.plan.count("remove") + result.plan.count("edit")
    if report.request is None or not acted:  # nothing for a platform: queued posts cancelled?
        if not cancelled:
            return done(request, back, "done.nothing", subject=report.subject)
        return done(request, back, "done.cancelled_only", n=cancelled, subject=report.subject)
    to = f"/changes/{report.request}?" + urlencode({"back": back})
    if cancelled:
        return done(request, to, "done.change", n=cancelled)
    return RedirectResponse(to, status_code=303)


@page("viewer")
def request_page(request: Request, who: Visitor) -> Response:
    from ..corrections import request_report

    ident = str(request.path_params.get("request", ""))
    report = request_report(_app(request), ident) if REQUEST_ID.fullmatch(ident) else None
    if report is None:
        return refuse(request, 404, "err.notfound")
    lines = [(line, line.outcome.replace(" ", "_")) for line in report.lines]
    counts: dict[str, int] = {}
    for _, key in lines:
        counts[key] = counts.get(key, 0) + 1
    return render(
        request, "change.html", step="report", kind=report.kind, subject=report.subject,
        lines=lines, counts=counts, complete=report.complete, back=_back(request),
    )  # fmt: skip


def _audit(request: Request, who: Visitor, kind: str, report: Report) -> None:
    done = report.count("removed", "already removed", "edited", "cancelled")
    key = "audit.confirmed" if report.complete else "audit.confirmed_some_not"
    console_of(request).ledger.audit.record(
        by=who.actor, action=kind, target=report.subject,
        detail=Said(key, done=done, n=len(report.lines)),  # stored as its English (said_read.py)
    )  # fmt: skip


# -- takedowns -------------------------------------------------------------------------


@page("admin")
@refused_in_place
def takedown_plan(request: Request, who: Visitor) -> Response:
    from ..corrections import plan_takedown

    d = _delivery(request)
    plan = plan_takedown(_app(request), subject_of(d))
    return render(
        request, "change.html", step="plan", d=d, kind="takedown", subject=plan.subject,
        changes=_shown(plan), counts=_counts(plan), back=_back(request),
        acting=plan.count("remove") + plan.count("cancel"),
    )  # fmt: skip


@action("admin")
def takedown(request: Request, who: Visitor, form: Mapping[str, str]) -> Response:
    from ..corrections import takedown as take_down

    d = _delivery(request)
    result = take_down(_app(request), subject_of(d), by=who.actor, why=_why(form), wait=WAIT)
    _audit(request, who, "takedown", result.report)
    return _to_report(request, form, result)


# -- corrections -------------------------------------------------------------------------


def _correct_form(
    request: Request, d: Delivery, form: Mapping[str, str], problem: Message | None = None
) -> Response:
    from ..corrections import changes_of, current_text

    app = _app(request)
    text = form.get("text")
    if text is None:
        text = current_text(d, changes_of(app, [d.id]).get(d.id, []))
    siblings = len(console_of(request).ledger.deliveries(about=d.about, limit=1000))
    return render(
        request, "change.html", status=200 if problem is None else 422, step="form", d=d,
        kind="correction", subject=subject_of(d), how=form.get("how", "templates"), text=text,
        why=form.get("why", ""), back=_back(request, form), problem=problem, siblings=siblings,
        max_text=MAX_TEXT,
    )  # fmt: skip


@page("organiser")
@refused_in_place
def correct_form(request: Request, who: Visitor) -> Response:
    return _correct_form(request, _delivery(request), {})


@action("organiser")
def correct(request: Request, who: Visitor, form: Mapping[str, str]) -> Response:
    from ..corrections import correct as do_correct
    from ..corrections import plan_correction

    d = _delivery(request)
    how = form.get("how", "templates")
    if how not in ("templates", "text"):
        raise StoreError("say how to correct: from the templates, or with a text")
    text = form.get("text", "").replace("\r\n", "\n").strip("\n") if how == "text" else None
    if text is not None and not text.strip():
        return _correct_form(request, d, form, Message("change.text_empty"))
    if text is not None and len(text) > MAX_TEXT:
        return _correct_form(request, d, form, Message("change.text_long", {"n": MAX_TEXT}))
    target = str(d.id) if text is not None else subject_of(d)
    app = _app(request)
    if form.get("step") != "do":
        try:
            plan = plan_correction(app, target, text=text)
        except OutreachError as exc:  # a text that does not fit, a template error: said in place
            return _correct_form(request, d, form, Message("err.action", {"detail": str(exc)}))
        return render(
            request, "change.html", step="plan", d=d, kind="correction", subject=plan.subject,
            changes=_shown(plan), counts=_counts(plan), back=_back(request, form),
            acting=plan.count("edit"), how=how, text=text or "", why=_why(form),
            one_post=text is not None,
        )  # fmt: skip
    try:
        result = do_correct(app, target, by=who.actor, why=_why(form), text=text, wait=WAIT)
    except OutreachError as exc:  # it changed since the plan was shown: nothing was recorded
        return _correct_form(request, d, form, Message("err.action", {"detail": str(exc)}))
    _audit(request, who, "correction", result.report)
    return _to_report(request, form, result)


routes = [
    Route("/changes/{request}", request_page, methods=["GET"]),
    Route("/deliveries/{id:int}/takedown", takedown_plan, methods=["GET"]),
    Route("/deliveries/{id:int}/takedown", takedown, methods=["POST"]),
    Route("/deliveries/{id:int}/correct", correct_form, methods=["GET"]),
    Route("/deliveries/{id:int}/correct", correct, methods=["POST"]),
]
