"""Pacing counted from the store: the platform limits hold across every instance.

Two Ledger objects on one store stand for two instances (each its own engine
and connections); what one sent counts against the other's next claim. On
PostgreSQL, claims racing for the last free place in a window: one wins.
"""

from __future__ import annotations

import datetime as dt
import threading

from fakes import ManualClock, store_url  # noqa: F401  (a fixture)

from outreach.ledger import Claim, Paced, open_ledger
from outreach.networks import network
from outreach.pacing import Windows
from outreach.post import Post

LEASE = dt.timedelta(seconds=60)
BOT = "telegram-bot:1"


def telegram_windows(channels: list[str]) -> Windows:
    return Windows((ch, network("telegram"), BOT) for ch in channels)


def send(ledger, ch: str, n: int, windows: Windows):
    """Claim the channel's next row against its windows, and mark it sent if claimed."""
    slots = network("telegram").slots(ch, BOT)
    ident = ledger.deliveries(channel_id=ch, states=["pending"], limit=1)[0].id
    got = ledger.claim(ident, LEASE, pacing=windows.of(slots))
    if isinstance(got, Claim):
        ledger.finish_sent(got, f"{ch}-{n}", None)
    return got


def test_a_chat_gets_20_a_minute_whichever_instance_sends(store_url):  # noqa: F811
    clock = ManualClock()
    a, b = open_ledger(store_url, clock), open_ledger(store_url, clock)
    windows = telegram_windows(["ru"])
    for n in range(25):
        a.enqueue(Post("ru", "telegram", f"<b>{n}</b>", "ru", about=f"news:{n}"), due_at=clock())
    first = clock()
    for n in range(20):  # one a second, alternating instances (a channel handed over and back)
        got = send(a if n % 2 else b, "ru", n, windows)
        assert isinstance(got, Claim), n
        clock.advance(1)
    # the 21st: a full minute in the store, whoever asks; it waits for the first to leave
    for ledger in (a, b):
        got = send(ledger, "ru", 20, windows)
        assert isinstance(got, Paced)
        assert got.wait == (first + dt.timedelta(seconds=60) - clock()).total_seconds() == 40
    assert a.counts() == {"sent": 20, "pending": 5}
    clock.advance(40)
    assert isinstance(send(b, "ru", 20, windows), Claim)
    # one a second: the next waits a second, counted from b's send, asked by a
    assert send(a, "ru", 21, windows) == Paced(1.0)
    a.close()
    b.close()


def test_a_send_in_flight_counts_and_a_dry_run_does_not(store_url):  # noqa: F811
    clock = ManualClock()
    a, b = open_ledger(store_url, clock), open_ledger(store_url, clock)
    windows = telegram_windows(["ru"])
    for n in range(3):
        a.enqueue(Post("ru", "telegram", f"<b>{n}</b>", "ru", about=f"news:{n}"), due_at=clock())
    slots = network("telegram").slots("ru", BOT)
    rows = [d.id for d in a.deliveries(channel_id="ru")]
    claim = a.claim(rows[0], LEASE, pacing=windows.of(slots))
    assert isinstance(claim, Claim)  # in flight on a: b's claim must not take the second
    clock.advance(0.5)
    # counted from its claim: one a second in the chat
    assert b.claim(rows[1], LEASE, pacing=windows.of(slots)) == Paced(0.5)
    a.finish_sent(claim, "x", None, dry_run=True)  # a dry run reached no platform
    assert isinstance(b.claim(rows[1], LEASE, pacing=windows.of(slots)), Claim)
    a.close()
    b.close()


def test_channels_of_one_bot_share_its_30_a_second_across_instances(store_url):  # noqa: F811
    clock = ManualClock()
    channels = [f"c{n}" for n in range(40)]
    a, b = open_ledger(store_url, clock), open_ledger(store_url, clock)
    windows = telegram_windows(channels)
    for ch in channels:
        a.enqueue(Post(ch, "telegram", "<b>x</b>", "ru", about="news:1"), due_at=clock())
    got = [send(a if n % 2 else b, ch, 0, windows) for n, ch in enumerate(channels)]
    assert sum(isinstance(g, Claim) for g in got) == 30
    assert all(isinstance(g, Paced) and g.wait == 1.0 for g in got[30:])
    # another bot's channels are not held back
    other = Windows([("z", network("telegram"), "telegram-bot:2")])
    a.enqueue(Post("z", "telegram", "<b>x</b>", "ru", about="news:1"), due_at=clock())
    z = a.deliveries(channel_id="z")[0].id
    assert isinstance(
        a.claim(z, LEASE, pacing=other.of(network("telegram").slots("z", "telegram-bot:2"))), Claim
    )
    a.close()
    b.close()


def test_racing_instances_cannot_both_take_the_last_place(store_url):  # noqa: F811
    """Eight instances at once on eight channels of one bot limited to... one a second."""
    clock = ManualClock()
    channels = [f"c{n}" for n in range(8)]
    seed = open_ledger(store_url, clock)
    for ch in channels:
        seed.enqueue(Post(ch, "telegram", "<b>x</b>", "ru", about="news:1"), due_at=clock())
    ids = {d.channel_id: d.id for d in seed.deliveries()}
    ledgers = [open_ledger(store_url, clock) for _ in channels]
    # the bot's window, narrowed to one a second: any two claims at once would break it
    from outreach.pacing import Rule

    one = (Rule(1, 1.0),)
    windows = Windows((ch, network("telegram"), BOT) for ch in channels)
    start = threading.Barrier(len(channels))
    got: list[object] = [None] * len(channels)

    def race(n: int) -> None:
        start.wait()
        got[n] = ledgers[n].claim(ids[channels[n]], LEASE, pacing=windows.of([(BOT, one)]))

    threads = [threading.Thread(target=race, args=(n,)) for n in range(len(channels))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(isinstance(g, Claim) for g in got) == 1, got
    assert seed.counts() == {"sending": 1, "pending": 7}
    for ledger in (seed, *ledgers):
        ledger.close()
