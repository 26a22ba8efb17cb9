"""Pacer.answered: a send counts from its answer, so arrival jitter cannot overfill a window."""

from __future__ import annotations

from outreach.pacing import Pacer, Rule


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_a_window_runs_from_the_answer_not_the_reservation():
    clock = Clock()
    pacer = Pacer(clock)
    slots = [("chat", (Rule(2, 60.0),))]
    first = clock.t
    assert pacer.reserve(slots, first) == 0
    clock.t += 0.25  # the platform answered (and counted the message) a moment later
    pacer.answered(slots, first)
    assert pacer.reserve(slots) == 0
    # The third may go 60 s after the first was answered (not 59.75: after its reservation).
    assert pacer.reserve(slots) == 60.0


def test_answers_keep_every_window_in_time_order():
    clock = Clock()
    pacer = Pacer(clock)
    slots = [("bot", (Rule(3, 10.0),))]
    a = clock.t
    assert pacer.reserve(slots, a) == 0
    clock.t += 1
    assert pacer.reserve(slots) == 0  # another channel's send, answered at once
    clock.t += 1
    pacer.answered(slots, a)  # the slow first send is answered after it
    assert pacer.reserve(slots) == 0
    clock.t += 1
    # Full: the oldest now is the other channel's send at 1001, out at 1011.
    assert pacer.reserve(slots) == 8.0


def test_an_answer_after_the_window_has_moved_on_changes_nothing():
    clock = Clock()
    pacer = Pacer(clock)
    slots = [("chat", (Rule(1, 5.0),))]
    assert pacer.reserve(slots, clock.t) == 0
    clock.t += 10
    assert pacer.reserve(slots) == 0  # the first left the window; its deque was trimmed
    pacer.answered(slots, 1000.0)
    assert pacer.reserve(slots) == 5.0
