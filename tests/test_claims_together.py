"""Claims of one process at once: a fan-out's channel threads claiming together.

On SQLite the claims asked for at the same moment are committed together
(ledger/sqlite.py, `together`); each must still see the ones before it, so a
window's last place goes to one of them, and a claim that fails takes none of
the others with it.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from fakes import ManualClock, store_url  # noqa: F401  (a fixture)
from sqlalchemy import text

from outreach.ledger import Claim, Paced, open_ledger
from outreach.networks import network
from outreach.pacing import Rule, Windows
from outreach.post import Post

LEASE = dt.timedelta(seconds=60)
BOT = "telegram-bot:1"


def test_threads_of_one_process_cannot_both_take_the_last_place(store_url):  # noqa: F811
    """Twenty channel threads of one ledger at once, one bot limited to one a second."""
    clock = ManualClock()
    ledger = open_ledger(store_url, clock)
    channels = [f"c{n}" for n in range(20)]
    for ch in channels:
        ledger.enqueue(Post(ch, "telegram", "<b>x</b>", "ru", about="news:1"), due_at=clock())
    ids = {d.channel_id: d.id for d in ledger.deliveries()}
    windows = Windows((ch, network("telegram"), BOT) for ch in channels)
    one = windows.of([(BOT, (Rule(1, 1.0),))])
    start = threading.Barrier(len(channels))
    got: list[object] = [None] * len(channels)

    def claim(n: int) -> None:
        start.wait()
        got[n] = ledger.claim(ids[channels[n]], LEASE, pacing=one)

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(len(channels))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(isinstance(g, Claim) for g in got) == 1, got
    assert all(g == Paced(1.0) for g in got if not isinstance(g, Claim)), got
    assert ledger.counts() == {"sending": 1, "pending": 19}
    ledger.close()


def test_a_claim_that_fails_leaves_the_others_of_its_commit(tmp_path):
    """Three bodies in one commit, the second raising after its write: the first and the
    third are written, the second is not, and only the second's caller sees the error."""
    from outreach.ledger.sqlite import _group, together

    ledger = open_ledger(f"sqlite:///{tmp_path / 'ledger.sqlite3'}", ManualClock())
    for n in range(3):
        ledger.enqueue(Post(f"c{n}", "telegram", "<b>x</b>", "ru", about="news:1"))
    ids = [d.id for d in sorted(ledger.deliveries(), key=lambda d: d.channel_id)]
    group = _group(ledger.engine)
    mark = text("UPDATE deliveries SET reason = :r WHERE id = :id")
    results: dict[int, object] = {}

    def first(conn):  # leads; waits until the others are queued behind it
        deadline = time.monotonic() + 30
        while len(group._waiting) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        return "led"

    def write(n: int, fail: bool):
        def body(conn):
            conn.execute(mark, {"r": f"by {n}", "id": ids[n]})
            if fail:
                raise RuntimeError("after writing")
            return n

        return body

    def ask(n: int, body) -> None:
        try:
            results[n] = together(ledger.engine, body)
        except RuntimeError as exc:
            results[n] = exc

    leader = threading.Thread(target=ask, args=(9, first))
    leader.start()
    while not group._leading:
        time.sleep(0.01)
    others = [threading.Thread(target=ask, args=(n, write(n, n == 1))) for n in range(3)]
    for queued, t in enumerate(others, 1):
        t.start()
        while t.is_alive() and len(group._waiting) < queued:  # queued in this order
            time.sleep(0.001)
    for t in (leader, *others):
        t.join()
    assert results[9] == "led" and results[0] == 0 and results[2] == 2
    assert isinstance(results[1], RuntimeError)
    reasons = {d.id: d.reason for d in ledger.deliveries()}
    assert [reasons[i] for i in ids] == ["by 0", None, "by 2"]
    ledger.close()


def test_a_claim_alone_that_fails_writes_nothing(tmp_path):
    from outreach.ledger.sqlite import together

    ledger = open_ledger(f"sqlite:///{tmp_path / 'ledger.sqlite3'}", ManualClock())
    ledger.enqueue(Post("c0", "telegram", "<b>x</b>", "ru", about="news:1"))
    (row,) = ledger.deliveries()

    def body(conn):
        conn.execute(text("UPDATE deliveries SET reason = 'x' WHERE id = :id"), {"id": row.id})
        raise RuntimeError("after writing")

    with pytest.raises(RuntimeError):
        together(ledger.engine, body)
    assert ledger.get(row.id).reason is None
    # and the next claim of the process is not held up by it
    assert together(ledger.engine, lambda conn: "next") == "next"
    ledger.close()
