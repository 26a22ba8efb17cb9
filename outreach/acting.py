"""One attempt at a correction or takedown: the publisher's edit or delete, and what it means.

The delivery loop claims an action (outreach/ledger/actions.py), paces it with
the channel's posts, and calls `attempt`; this module turns the publisher's
answer into the action's next state, without naming any network:

- the platform confirmed             -> done ("edited", "removed")
- Gone (the post is not there)       -> done for a deletion ("already removed"),
                                        refused for an edit
- PermanentError (too old, rights)   -> refused, with the publisher's words and the link
- anything else (5xx, 429, timeout,  -> pending again after a backoff, within the retry
  a connection lost, a bug)             budget: edits and deletions are safe to repeat;
                                        then failed ("it may still be there")
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from .errors import Gone, PermanentError, PublishError, RateLimited
from .ledger import ActionClaim
from .publishers.base import Publisher, SentPost
from .said import Quoted, Said, said_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attempt:
    state: str
    """done, refused, failed, or retry."""
    detail: str
    retry_after: float | None = None
    """The platform's own wait (a 429), for a retry."""


def sent_post(claim: ActionClaim) -> SentPost:
    d = claim.delivery
    assert d.post is not None and d.remote_id is not None
    return SentPost(d.channel_id, d.remote_id, d.remote_url, d.post, claim.place, d.sent_at)


def attempt(pub: Publisher, claim: ActionClaim, budget: int) -> Attempt:
    a, d = claim.action, claim.delivery
    if d.post is None or d.remote_id is None:
        return Attempt("refused", Said("action.no_remote_post", id=d.id))
    sent = sent_post(claim)
    try:
        done = pub.edit(sent, a.text or "") if a.kind == "edit" else pub.delete(sent)
    except Gone as exc:
        if a.kind == "delete":
            return Attempt("done", Said("action.already_removed", why=said_of(exc)))
        return Attempt("refused", Said("action.nothing_to_correct", why=said_of(exc)))
    except PermanentError as exc:
        return Attempt("refused", said_of(exc))
    except Exception as exc:
        detail = (
            said_of(exc)
            if isinstance(exc, PublishError)
            else Quoted(pub.redact(f"{type(exc).__name__}: {exc}"))
        )
        if a.attempts > budget:
            said = Said("action.gave_up", attempts=a.attempts, link=sent.link, cause=detail)
            return Attempt("failed", said)
        hint = exc.retry_after if isinstance(exc, RateLimited) else None
        said = Said("action.retrying", attempt=a.attempts, of=budget + 1, cause=detail)
        return Attempt("retry", said, hint)
    return Attempt("done", done.detail)
