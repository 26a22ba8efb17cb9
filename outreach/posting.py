"""One attempt at a post: the publisher's answer, and what it makes of the row.

The delivery loop (delivery/) keeps the threads, the claims and the waits;
once it holds a claim it hands the row here, and this module decides, without
naming any network:

- sent                  -> `sent` with the remote id and URL;
- TransientError        -> pending again after exponential backoff with jitter,
  RateLimited              or after the platform's retry hint, within
                           `delivery.retry_budget` retries; then `failed`;
- PermanentError        -> `failed` at once, with the publisher's message;
- UnknownOutcome        -> `unknown`, never retried blindly;
- anything else (a bug) -> retried where the network resends safely (an
                           idempotency key inside its window), else `unknown`.

Before a claim, `too_late` gives up a row that must not go out any more: a
scheduled post noticed after its grace (`missed`), or a resend whose
idempotency key the platform has forgotten (`unknown`).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import re
from collections.abc import Callable
from typing import Literal

from .clock import Clock
from .config import DeliverySettings
from .errors import PermanentError, PublishError, RateLimited, TransientError, UnknownOutcome
from .ledger import Claim, Delivery, Ledger, Sent, kept_reason
from .outcomes import Outcome, act_on, resend_window
from .pacing import Pacer, Slot
from .publishers.base import Publisher, Receipt
from .said import Quoted, Said, said_of

log = logging.getLogger("outreach.delivery")  # the loop's log, as before the split
_PROMISE = re.compile(r"[;,.]?\s*(?:will|we'll) (?:try|retry) again\.?$", re.I)


class Posting:
    def __init__(
        self,
        ledger: Ledger,
        settings: DeliverySettings,
        clock: Clock,
        pacer: Pacer,
        rng: random.Random,
        emit: Callable[[Outcome], None],
    ) -> None:
        """`pacer`: the loop's, told of each answer and of a platform's wait; `emit`: the
        loop's report of an outcome decided before a claim (too_late)."""
        self.ledger = ledger
        self.settings = settings
        self.clock = clock
        self.pacer = pacer
        self.rng = rng
        self.emit = emit

    def too_late(self, d: Delivery, now: dt.datetime) -> bool:
        """Whether the row was given up instead of sent (and so, nothing to claim)."""
        late = self.late(d, now)
        if late is None:
            return False
        state, reason = late
        if self.ledger.give_up(d.id, state, reason):
            self.emit(Outcome(d.id, d.channel_id, state, reason))
        return True

    def late(
        self, d: Delivery, now: dt.datetime
    ) -> tuple[Literal["missed", "unknown"], Said] | None:
        """What `too_late` gives the row up as, and why; None: it may go. Writes nothing
        (the loop asks it inside its claim's transaction, Ledger.take)."""
        grace = dt.timedelta(minutes=self.settings.misfire_grace_minutes, seconds=60)
        if d.occurrence is not None and d.attempts == 0 and now - d.due_at > grace:
            minutes = self.settings.misfire_grace_minutes
            return "missed", Said("delivery.missed", due=d.due_at, minutes=minutes, id=d.id)
        since, window = d.ambiguous_since, resend_window(d.network)
        if window is not None and since and now - since >= window:
            after = f"{window.total_seconds() / 60:.0f}"
            reason = Said("delivery.key_forgotten", since=since, minutes=after, act=act_on(d.id))
            return "unknown", reason
        return None

    def send(
        self,
        pub: Publisher,
        claim: Claim,
        slots: list[Slot],
        reserved_at: float,
        finish_sent: Callable[[Sent], bool] | None = None,
    ) -> Outcome:
        """Post the claimed row and write what came of it (the pacer counts it as answered).

        `finish_sent`: writes a post's success, after its answer (the loop's writes it
        with its next claim, Ledger.take); Ledger.finish_sent by default.
        """
        d = claim.delivery
        ch = d.channel_id
        if d.post is None:
            self.ledger.finish_failed(claim, Said("delivery.never_rendered"))
            return Outcome(d.id, ch, "failed", "no post")
        try:
            receipt = self._publish(pub, d, slots, reserved_at)
        except RateLimited as exc:
            if exc.retry_after:
                self.pacer.block([key for key, _ in slots], exc.retry_after)
            return self.retry(claim, exc, ambiguous=False)
        except TransientError as exc:
            return self.retry(claim, exc, ambiguous=resend_window(d.network) is not None)
        except PermanentError as exc:
            reason = kept_reason(said_of(exc))
            self.ledger.finish_failed(claim, reason)
            log.error("delivery %s to %s failed: %s", d.id, ch, reason)
            return Outcome(d.id, ch, "failed", reason)
        except UnknownOutcome as exc:
            return self.unknown(claim, said_of(exc))
        except Exception as exc:
            detail = Quoted(kept_reason(pub.redact(f"{type(exc).__name__}: {exc}")))
            log.error("delivery %s to %s: unexpected %s", d.id, ch, detail)
            if resend_window(d.network) is not None:
                said = Said("delivery.unexpected", error=detail)
                return self.retry(claim, PublishError(said), True)
            return self.unknown(claim, Said("delivery.unexpected_unknown", error=detail))
        sent = Sent(claim, receipt.remote_id, receipt.url, pub.dry_run, receipt.place)
        if not (finish_sent or self.finish_sent)(sent):
            log.warning("delivery %s to %s was sent, but another worker had taken it", d.id, ch)
        log.info("delivery %s to %s sent: %s", d.id, ch, receipt.url or receipt.remote_id)
        return Outcome(d.id, ch, "sent", receipt.url or receipt.remote_id)

    def finish_sent(self, sent: Sent) -> bool:
        """Ledger.finish_sent of `sent`, alone in its transaction."""
        return self.ledger.finish_sent(
            sent.claim, sent.remote_id, sent.remote_url, dry_run=sent.dry_run, place=sent.place
        )

    def _publish(
        self, pub: Publisher, d: Delivery, slots: list[Slot], reserved_at: float
    ) -> Receipt:
        assert d.post is not None
        try:
            return pub.publish(d.post, d.idempotency_key)
        finally:
            # Pacing counts the send from its answer: the platform counted it on arrival.
            self.pacer.answered(slots, reserved_at)

    def unknown(self, claim: Claim, why: str) -> Outcome:
        d = claim.delivery
        reason = kept_reason(Said("delivery.unknown", why=why, act=act_on(d.id)))
        self.ledger.finish_unknown(claim, reason)
        log.error("delivery %s to %s is unknown: %s", d.id, d.channel_id, reason)
        return Outcome(d.id, d.channel_id, "unknown", reason)

    def retry(self, claim: Claim, exc: PublishError, ambiguous: bool) -> Outcome:
        d = claim.delivery
        budget = self.settings.retry_budget
        # One statement per reason: the publisher says what happened, the loop what it
        # does next ("gave up" or "next try at"); a publisher's own promise is dropped.
        said = said_of(exc)
        cause = said if isinstance(said, Said) else Quoted(_PROMISE.sub("", said))
        if d.attempts > budget:
            reason = kept_reason(Said("delivery.gave_up", attempts=d.attempts, cause=cause))
            self.ledger.finish_failed(claim, reason)
            log.error("delivery %s to %s failed: %s", d.id, d.channel_id, reason)
            return Outcome(d.id, d.channel_id, "failed", reason)
        delay = self.backoff(d.attempts, getattr(exc, "retry_after", None))
        at = self.clock.now() + dt.timedelta(seconds=delay)
        reason = kept_reason(
            Said("delivery.retrying", attempt=d.attempts, of=budget + 1, cause=cause, at=at)
        )
        self.ledger.finish_retry(claim, reason, at, ambiguous=ambiguous)
        shown = kept_reason(cause)
        log.warning("delivery %s to %s: %s; next try in %.1f s", d.id, d.channel_id, shown, delay)
        return Outcome(d.id, d.channel_id, "retry", reason)

    def backoff(self, attempt: int, hint: float | None = None) -> float:
        """Seconds before the next attempt: the platform's hint, else exponential with jitter."""
        if hint is not None and hint >= 0:
            return hint * self.rng.uniform(1.0, 1.1)
        s = self.settings
        ceiling = min(s.backoff_max_seconds, s.backoff_base_seconds * 2 ** max(0, attempt - 1))
        return self.rng.uniform(ceiling / 2, ceiling)
