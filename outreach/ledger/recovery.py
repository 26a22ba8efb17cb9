"""Rows a crash left in `sending`: back to pending, or unknown for an organiser.

Apart from the loop's step (loop.py): recovery runs when an instance starts, takes
channels over, or finds a channel's row stuck past its lease (outreach/delivery/), not
for every post, and it decides by what the channel's network allows (Recovery), which
the step never asks. Part of outreach.ledger.Ledger (core.py binds `recover`); only
outreach/delivery/ calls it. Every move is a conditional UPDATE: a row leaves
`sending` only if it is still there and its lease has run out (or, `orphaned`, its
instance's lease on the channel), so a live worker's row is never taken from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import replace

from sqlalchemy import Engine, select, update

from ..said import Said
from .said import record_reason
from .schema import DELIVERIES as D
from .values import UNKNOWN_AFTER_CRASH, Clock, Delivery, Recovery, State, to_delivery


class CrashRecovery:
    """The recovery of rows left in `sending`, on the ledger's engine and clock."""

    def __init__(self, engine: Engine, now: Clock) -> None:
        self.engine = engine
        self.now = now

    def recover(
        self,
        rule: Callable[[str], Recovery] = lambda _channel_id: UNKNOWN_AFTER_CRASH,
        *,
        channel_ids: Collection[str] | None = None,
        orphaned: bool = False,
    ) -> list[Delivery]:
        """Rows left in `sending` by a crash (lease expired): back to pending, or unknown.

        `orphaned`: the caller has just taken these channels over from an instance
        whose lease on them ran out (leases.py), so their rows in `sending` are
        recovered now, without waiting for the rows' own leases.

        `rule(channel_id)` is what the channel's network allows (Recovery): a row
        is sent again with the same idempotency key while its first uncertain
        attempt is within `resend_within`; any other row becomes `unknown` for
        an organiser. `channel_ids`: only these channels' rows (None: all).
        """
        now = self.now()
        expired = D.c.lease_until <= now
        if orphaned:
            expired = D.c.lease_until.is_not(None)
        q = select(D).where(D.c.state == "sending", expired)
        if channel_ids is not None:
            q = q.where(D.c.channel_id.in_(list(channel_ids)))
        with self.engine.connect() as conn:
            stale = [to_delivery(r) for r in conn.execute(q)]
        out = []
        for d in stale:
            state: State
            since = min(t for t in (d.ambiguous_since, d.claimed_at, now) if t is not None)
            window = rule(d.channel_id).resend_within
            if window is not None and now - since < window:
                state, reason = "pending", Said("ledger.resending")
            else:
                state, reason = "unknown", _unknown_reason(d, since, window)
            stmt = update(D).where(D.c.id == d.id, D.c.state == "sending", expired)
            with self.engine.begin() as conn:
                moved = conn.execute(
                    stmt.values(
                        state=state,
                        reason=str(reason),
                        next_attempt_at=None,
                        ambiguous_since=since,
                        lease_until=None,
                        updated_at=now,
                    )
                ).rowcount
                if moved:
                    record_reason(conn, d.id, reason)
            if moved:
                out.append(replace(d, state=state, reason=reason))
        return out


def _unknown_reason(d: Delivery, since: dt.datetime, window: dt.timedelta | None) -> Said:
    act = Said("delivery.act_on", id=d.id)
    where = {"network": d.network, "channel": d.channel_id}
    if window is not None:
        minutes = int(window.total_seconds() // 60)
        return Said("ledger.stopped_key_forgotten", **where, since=since, minutes=minutes, act=act)
    return Said("ledger.stopped_unknown", **where, act=act)
