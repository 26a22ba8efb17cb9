"""The history: what went out (with links), failed, was missed or cancelled, and who did what.

Deliveries, latest first, filtered and paged like the queue; below them the
organisers' actions from the ledger's audit trail (web, bot and command
line alike), newest first, paged on their own (?actions=N).
"""

from __future__ import annotations

from dataclasses import replace

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..said_read import audit_by, audit_detail
from .auth import Visitor
from .kit import console_of, page, page_number, render
from .queue import listing, listing_context, with_params

HISTORY_STATES = ("sent", "failed", "unknown", "missed", "cancelled")
ACTIONS_PAGE = 20


@page("viewer")
def history(request: Request, who: Visitor) -> Response:
    lst = listing(request, HISTORY_STATES, "history")
    n, bad = page_number(request.query_params.get("actions"))
    entries = console_of(request).ledger.audit.entries(
        limit=ACTIONS_PAGE + 1, offset=(n - 1) * ACTIONS_PAGE
    )

    return render(
        request,
        "history.html",
        **listing_context(request, lst, HISTORY_STATES),
        entries=[  # by and detail in the reader's words where outreach's words made them
            replace(e, by=audit_by(e.by), detail=audit_detail(e.action, e.detail))
            for e in entries[:ACTIONS_PAGE]
        ],
        actions_problems=[bad] if bad else [],
        actions_newer=with_params(request, actions=n - 1) if n > 1 else None,
        actions_older=with_params(request, actions=n + 1) if len(entries) > ACTIONS_PAGE else None,
    )


routes = [Route("/history", history, methods=["GET"])]
