"""A channel taken over is served as soon as it is held, not at the next poll.

The keeper tells the delivery loop twice: when a lease is acquired (`on_acquired`:
recover what the dead holder left in `sending`, seed pacing, before any claim) and
when it is held (`on_held`). DeliveryLoop.taken_over woke the channel's thread on
the first; the thread, asking `holds` before the keeper had added the channel,
found it not held and slept until its next poll (IDLE_POLL, 5 s), the first post
after a hand-over with it. The wake now comes with the second, once `holds` says yes.
"""

from __future__ import annotations

import time

import pytest
from fakes import postgres_schema_url

from outreach.instances import Shared
from outreach.ledger import CHANNEL, open_ledger
from outreach.service_rounds import shared


@pytest.fixture
def pg_url():
    yield from postgres_schema_url()


def poll(what: str, ok, seconds: float = 30.0) -> None:
    end = time.monotonic() + seconds
    while not ok():
        assert time.monotonic() < end, f"waited {seconds} s for {what}"
        time.sleep(0.02)


@pytest.mark.postgres
def test_the_keeper_says_held_once_the_channel_is_held_and_acquired_before(pg_url):
    seen: list[tuple[str, str, bool]] = []
    m: Shared | None = None

    def acquired(name: str) -> None:
        assert m is not None
        seen.append(("acquired", name, m.holds(name)))

    def held(name: str) -> None:
        assert m is not None
        seen.append(("held", name, m.holds(name)))

    ledger = open_ledger(pg_url)
    m = Shared(
        ledger,
        ["tg", "ma"],
        real_monotonic=time.monotonic,
        ttl=3.0,
        renew=0.5,
        margin=1.0,
        on_acquired=acquired,
        on_held=held,
    )
    m.start()
    try:
        poll("both channels held", lambda: len([s for s in seen if s[0] == "held"]) >= 2)
    finally:
        m.stop()
        ledger.close()
    for ch in ("tg", "ma"):
        name = CHANNEL + ch
        # acquired before anything may claim on it; held (the thread woken) when it may
        assert ("acquired", name, False) in seen, seen
        assert ("held", name, True) in seen, seen
        assert seen.index(("acquired", name, False)) < seen.index(("held", name, True))


class Loop:
    """What the keeper of a `run --once` beside the instances calls on the delivery loop."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def taken_over(self, channel_id: str) -> None:
        self.calls.append(("taken_over", channel_id))

    def nudge(self, channel_id: str) -> None:
        self.calls.append(("nudge", channel_id))


@pytest.mark.postgres
def test_a_visitor_wakes_the_channel_it_took_by_its_id(pg_url):
    from outreach.clock import SystemClock
    from outreach.config import StoreConfig

    ledger = open_ledger(pg_url)
    loop = Loop()
    store = StoreConfig(url=pg_url, lease_seconds=3.0, renew_seconds=0.5)  # type: ignore[call-arg]
    m = shared(
        ledger, store, SystemClock(), ["tg"], loop.taken_over, held=loop.nudge, visiting=True
    )
    m.start()
    try:
        poll("the channel woken", lambda: ("nudge", "tg") in loop.calls)
    finally:
        m.stop()
        ledger.close()
    assert loop.calls.index(("taken_over", "tg")) < loop.calls.index(("nudge", "tg"))
