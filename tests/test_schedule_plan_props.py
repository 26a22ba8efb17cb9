"""schedule.plan's shortcut for an announcement with nothing to do gives what the full
reckoning gives: the same due, missed and next times, over crons and one-offs, across
clock changes, with and without what was done before (hypothesis)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from outreach import schedule
from outreach.schedule import Announcement, plan

UTC = dt.UTC
CRONS = ("0 10 * * *", "30 2 * * 0", "*/15 * * * *", "0 0 29 2 *", "0 3 * * 1-5", "15 2 * 3,10 *")
ZONES = ("Europe/Minsk", "Europe/Paris", "America/New_York", "UTC")
BASE = dt.datetime(2024, 1, 1, tzinfo=UTC)

instants = st.integers(min_value=0, max_value=2 * 365 * 24 * 3600).map(
    lambda s: BASE + dt.timedelta(seconds=s)
)


def reckoned(ann: Announcement, now: dt.datetime, done: dt.datetime | None, grace: dt.timedelta):
    """The plan's three steps for one announcement, as they were before the shortcut."""
    trig = schedule.trigger(ann)
    start = schedule.settled_until(ann, done)
    cutoff = now - max(grace, schedule.ON_TIME)
    missed = schedule._span(trig, start, cutoff) if start < cutoff else None
    fresh = schedule._span(trig, max(start, cutoff), now)
    nxt = schedule.next_after(trig, now)
    return (
        None if missed is None else (missed.first, missed.last, missed.count),
        None if fresh is None else (fresh.last, fresh.count - 1),
        nxt,
    )


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(("cron", "once")),
    expr=st.sampled_from(CRONS),
    tz=st.sampled_from(ZONES),
    since=instants,
    when=instants,
    now=instants,
    done_after=st.one_of(st.none(), st.integers(min_value=0, max_value=90 * 24 * 3600)),
    grace_min=st.integers(min_value=0, max_value=180),
)
def test_plan_gives_what_the_full_reckoning_gives(
    kind, expr, tz, since, when, now, done_after, grace_min
):
    if kind == "cron":
        ann = Announcement(id="a", channels=("m",), timezone=tz, cron=expr, active_from=since)
    else:
        ann = Announcement(id="a", channels=("m",), timezone=tz, at=when)
    done = None if done_after is None else since + dt.timedelta(seconds=done_after)
    grace = dt.timedelta(minutes=grace_min)
    got = plan([ann], now, {} if done is None else {"a": done}, grace)
    missed, fresh, nxt = reckoned(ann, now, done, grace)
    assert [(m.first, m.last, m.count) for m in got.missed] == ([missed] if missed else [])
    assert [(d.occurrence, d.coalesced) for d in got.due] == ([fresh] if fresh else [])
    assert got.next_at["a"] == nxt


def test_an_idle_announcement_costs_one_trigger_step(monkeypatch):
    """What the shortcut is for: the first plan after start-up over thousands of them."""
    steps = []
    real = schedule.next_after
    monkeypatch.setattr(schedule, "next_after", lambda t, a: steps.append(a) or real(t, a))
    ann = Announcement(
        id="a",
        channels=("m",),
        timezone="Europe/Minsk",
        cron="0 10 * * 1",
        active_from=dt.datetime(2024, 1, 2, tzinfo=UTC),
    )
    got = plan([ann], dt.datetime(2024, 1, 3, 12, tzinfo=UTC), {}, dt.timedelta(hours=1))
    assert got.due == [] and got.missed == []
    assert got.next_at["a"] == dt.datetime(2024, 1, 8, 7, tzinfo=UTC)  # Monday 10:00 in Minsk
    assert len(steps) == 1
