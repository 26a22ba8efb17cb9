"""The queue (what is still to go out, or waits for a decision) and the delivery actions.

Cancel, retry and resolve are the ledger's own organiser actions (the same
ones the CLI and the admin bot call), told who asks so the audit trail
records it; the ledger refuses a move from the wrong state, and that refusal
is shown as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import StoreError
from ..said import Said
from .auth import Visitor
from .kit import (
    Message,
    action,
    console_of,
    done,
    int_param,
    local_path,
    page,
    page_number,
    quoted,
    render,
)

if TYPE_CHECKING:
    from ..ledger import Action, Delivery

QUEUE_STATES = ("pending", "held", "sending", "unknown")
PAGE_SIZE = 25
CANCELLABLE = ("pending", "held")
RETRYABLE = ("failed", "unknown", "cancelled", "missed", "held")


@dataclass(frozen=True)
class Row:
    """A delivery as a page shows it."""

    d: Delivery
    text: str
    changes: tuple[Action, ...] = ()
    """Its corrections and takedowns, oldest first (outreach/corrections/, web/changes.py)."""

    @property
    def can_cancel(self) -> bool:
        return self.d.state in CANCELLABLE

    @property
    def can_retry(self) -> bool:
        return self.d.state in RETRYABLE and self.d.post is not None

    @property
    def can_resolve(self) -> bool:
        return self.d.state == "unknown"

    @property
    def can_correct(self) -> bool:
        return self.d.state == "sent" and not self.d.dry_run

    @property
    def can_take_down(self) -> bool:
        """Its subject may be on a channel, or queued to go there."""
        return self.d.state in ("sent", "unknown", "pending", "held") and not self.d.dry_run


def shown_text(d: Delivery) -> str:
    """The post's words as a reader sees them (its network takes any markup off)."""
    if d.post is None:
        return ""
    from ..networks import find_network

    net = find_network(d.post.network)
    return net.plain_text(d.post.text) if net is not None else d.post.text


@dataclass(frozen=True)
class Listing:
    rows: list[Row]
    page: int
    more: bool
    state: str
    channel: str
    problems: tuple[Message, ...] = ()
    """What was wrong with the address (a page or filter that is not one), said in place."""


def listing(request: Request, states: Sequence[str], order: str) -> Listing:
    """One page of deliveries in `states`, filtered by ?state= and ?channel=, in `order`."""
    con = console_of(request)
    q = request.query_params
    state = q.get("state", "")
    channel = q.get("channel", "")
    chosen = [state] if state in states else list(states)
    channel_ids = {c.id for c in con.config.channels}
    n, bad_page = page_number(q.get("page"))
    problems = [bad_page] if bad_page else []
    if state and state not in states:
        problems.append(Message("err.bad_filter", {"value": quoted(state)}))
    if channel and channel not in channel_ids:
        problems.append(Message("err.bad_filter", {"value": quoted(channel)}))
    found = con.ledger.deliveries(
        states=chosen,
        channel_id=channel if channel in channel_ids else None,
        order=order,  # type: ignore[arg-type]
        limit=PAGE_SIZE + 1,
        offset=(n - 1) * PAGE_SIZE,
    )
    shown = con.ledger.worded(found[:PAGE_SIZE])  # reasons in the reader's words (said.py)
    changes: dict[int, list[Action]] = {}
    sent = [d.id for d in shown if d.state == "sent"]
    for a in con.ledger.actions(delivery_ids=sent) if sent else ():
        changes.setdefault(a.delivery_id, []).append(a)
    rows = [Row(d, shown_text(d), tuple(changes.get(d.id, ()))) for d in shown]
    return Listing(
        rows,
        n,
        len(found) > PAGE_SIZE,
        state if state in states else "",
        channel if channel in channel_ids else "",
        tuple(problems),
    )


def with_params(request: Request, **changes: object) -> str:
    """This page's address with some query parameters changed (filters kept)."""
    params = dict(request.query_params)
    params.update({k: str(v) for k, v in changes.items()})
    return f"{request.url.path}?{urlencode(params)}"


def listing_context(request: Request, lst: Listing, states: Sequence[str]) -> dict[str, Any]:
    con = console_of(request)
    return {
        "listing": lst,
        "states": states,
        "channels": [c.id for c in con.config.channels],
        "newer": with_params(request, page=lst.page - 1) if lst.page > 1 else None,
        "older": with_params(request, page=lst.page + 1) if lst.more else None,
    }


@page("viewer")
def queue(request: Request, who: Visitor) -> Response:
    lst = listing(request, QUEUE_STATES, "newest")
    return render(request, "queue.html", **listing_context(request, lst, QUEUE_STATES))


def _id(request: Request) -> int:
    return int_param(request.path_params.get("id"), 0)


def _back(form: Mapping[str, str]) -> str:
    return local_path(form.get("back"), "/queue")


@action("organiser")
def cancel(request: Request, who: Visitor, form: Mapping[str, str]) -> Response:
    d = console_of(request).ledger.cancel(
        _id(request), Said("ledger.cancelled_in_web", name=who.name), by=who.actor
    )
    return done(request, _back(form), "done.cancel", id=d.id)


@action("organiser")
def retry(request: Request, who: Visitor, form: Mapping[str, str]) -> Response:
    d = console_of(request).ledger.retry(_id(request), by=who.actor)
    # retried while its channel is paused: queued again, but held until the pause ends
    key = "done.retry_held" if d.state == "held" else "done.retry"
    return done(request, _back(form), key, id=d.id)


@action("organiser")
def resolve(request: Request, who: Visitor, form: Mapping[str, str]) -> Response:
    ledger = console_of(request).ledger
    outcome = form.get("outcome")
    if outcome not in ("sent", "failed"):
        raise StoreError("say whether it went out (sent) or not (failed)")
    current = ledger.get(_id(request))
    if current.state != "unknown":
        raise StoreError(
            f"delivery {current.id} is {current.state}, not unknown: only a delivery whose "
            "outcome nobody knows is resolved"
        )
    url = form.get("url", "").strip() or None
    if url is not None and not re.fullmatch(r"https?://\S{1,990}", url):
        raise StoreError("the link must be an http:// or https:// address")
    note = (
        " ".join(form.get("note", "").split())[:500] or f"checked by {who.name} in the web console"
    )
    d = ledger.resolve(current.id, outcome, note, url if outcome == "sent" else None, by=who.actor)  # type: ignore[arg-type]
    return done(request, _back(form), "done.resolve", id=d.id, state=d.state)


routes = [
    Route("/queue", queue, methods=["GET"]),
    Route("/deliveries/{id:int}/cancel", cancel, methods=["POST"]),
    Route("/deliveries/{id:int}/retry", retry, methods=["POST"]),
    Route("/deliveries/{id:int}/resolve", resolve, methods=["POST"]),
]
