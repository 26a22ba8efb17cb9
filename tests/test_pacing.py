"""Pacing: a burst goes out as fast as each platform's rules allow, and no faster."""

from __future__ import annotations

from outreach.networks import all_networks, network
from outreach.pacing import Pacer, Rule, Windows


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def drain(pacer: Pacer, clock: Clock, slots, n: int) -> list[float]:
    """Send n posts as soon as allowed; the send times."""
    times = []
    while len(times) < n:
        wait = pacer.reserve(slots)
        if wait > 0:
            clock.t += wait
            continue
        times.append(clock.t)
    return times


def in_any_window(times: list[float], per: float) -> int:
    return max(sum(1 for u in times if t <= u < t + per) for t in times)


def test_a_telegram_channel_gets_20_a_minute_one_a_second():
    clock = Clock()
    pacer = Pacer(clock)
    times = drain(pacer, clock, slots_for("telegram", "tg", "telegram-bot:1"), 45)
    assert in_any_window(times, 60.0) == 20
    assert in_any_window(times, 1.0) == 1
    # As fast as allowed: the first 20 in 19 s, the 21st one minute after the first.
    assert times[19] - times[0] == 19.0 and times[20] - times[0] == 60.0


def test_channels_of_one_bot_share_its_30_a_second():
    clock = Clock()
    pacer = Pacer(clock)
    sent = []
    for _ in range(3):
        for ch in range(40):
            if pacer.reserve(slots_for("telegram", f"c{ch}", "telegram-bot:1")) == 0:
                sent.append(clock.t)
        clock.t += 1.0
    assert len(sent) == 90, "30 per second across 40 channels"
    # Another bot is not held back by the first one.
    assert pacer.reserve(slots_for("telegram", "c0", "telegram-bot:2")) == 0


def test_a_mastodon_account_gets_300_statuses_in_3_hours():
    clock = Clock()
    pacer = Pacer(clock)
    slots = slots_for("mastodon", "m1", "mastodon:h:abc")
    times = drain(pacer, clock, slots, 300)
    assert times[299] == times[0], "a burst of 300 goes out at once"
    # A second channel on the same account shares the limit; media has its own.
    other = slots_for("mastodon", "m2", "mastodon:h:abc", has_image=True)
    assert [key for key, _ in other] == ["mastodon:h:abc", "mastodon:h:abc:media"]
    assert pacer.reserve(other) == 3 * 3600
    assert drain(pacer, clock, slots, 1)[0] - times[0] == 3 * 3600


def test_sends_before_a_restart_count():
    clock = Clock()
    pacer = Pacer(clock)
    slots = slots_for("mastodon", "m1", "acct")
    pacer.seed(slots, [clock.t - 3600 + i for i in range(300)])
    assert pacer.reserve(slots) == 2 * 3600, "the oldest leaves 3 h after it was sent"


def test_a_platforms_wait_blocks_every_channel_of_that_key():
    clock = Clock()
    pacer = Pacer(clock)
    pacer.block(["telegram-bot:1"], 12.5)
    assert pacer.reserve(slots_for("telegram", "a", "telegram-bot:1")) == 12.5
    assert pacer.reserve(slots_for("telegram", "b", "telegram-bot:2")) == 0
    clock.t += 12.5
    assert pacer.reserve(slots_for("telegram", "a", "telegram-bot:1")) == 0


def test_scale_shrinks_windows_for_tests():
    clock = Clock()
    pacer = Pacer(clock, scale=0.001)
    times = drain(pacer, clock, [("k", (Rule(2, 60.0),))], 5)
    assert [round(t - times[0], 6) for t in times] == [0, 0, 0.06, 0.06, 0.12]


def slots_for(name: str, channel_id: str, account: str, has_image: bool = False):
    return network(name).slots(channel_id, account, has_image=has_image)


def test_rules_say_why():
    rules = [
        r for n in all_networks() for _, rs in n.slots("x", "acct", has_image=True) for r in rs
    ]
    assert len(rules) >= 5  # Telegram: chat (2) and bot; Mastodon: account and media
    assert all(r.why for r in rules)


def test_the_windows_of_a_send_are_the_same_asked_again_and_differ_by_slots_and_scale():
    tg, masto = network("telegram"), network("mastodon")
    channels = [("ru", tg, "telegram-bot:1"), ("be", tg, "telegram-bot:1"), ("m", masto, "acct")]
    windows = Windows(channels)
    asks = [
        (tg.slots("ru", "telegram-bot:1"), 1.0),
        (tg.slots("be", "telegram-bot:1", has_image=True), 1.0),
        (masto.slots("m", "acct", has_image=True), 1.0),
        (masto.slots("m", "acct", has_image=True), 1e-3),
        (tg.slots("ru", "telegram-bot:1"), 1.0),
    ]
    for slots, scale in asks * 2:
        assert windows.of(slots, scale) == Windows(channels).of(slots, scale)
    ru, m = windows.of(asks[0][0]), windows.of(asks[2][0])
    assert {w.key for w in ru} != {w.key for w in m}
    assert windows.of(asks[3][0], 1e-3)[0].per < windows.of(asks[2][0])[0].per
