"""A crash in the middle of a batched write leaves none of that batch, and the next turn
queues what it held exactly once: feed polls (deliveries + seen marks) and due
announcement occurrences (every channel of an occurrence), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from test_feeds import CHANNELS, Rig
from test_service import MINSK
from test_service import Rig as ServiceRig

from outreach.content import parse_feed
from outreach.delivery import DeliveryLoop
from outreach.feeds import FeedWatcher
from outreach.ledger import Batch, Ledger, open_ledger
from outreach.outbox import Outbox
from outreach.publishers import publishers_for
from outreach.service import Service


class Crash(Exception):
    """Stands for the process dying mid-transaction (kill -9, a full disk, a bug)."""


class CrashingLedger(Ledger):
    """A real ledger whose batches raise at the `at`-th call of `method` (counted across batches)."""

    def __init__(self, url: str, clock: Any, method: str, at: int) -> None:
        super().__init__(open_ledger(url, clock).engine, clock)
        self.method, self.at, self.calls = method, at, 0

    @contextmanager
    def batch(self) -> Iterator[Batch]:
        with super().batch() as batch:
            yield CrashingBatch(batch.conn, batch.now, self)

    def tick(self, name: str) -> None:
        if name == self.method:
            self.calls += 1
            if self.calls == self.at:
                raise Crash(f"{name} call {self.calls}")


class CrashingBatch(Batch):
    def __init__(self, conn: Any, now: Any, ledger: CrashingLedger) -> None:
        super().__init__(conn, now)
        self.ledger = ledger

    def enqueue(self, *args: Any, **kwargs: Any) -> Any:
        self.ledger.tick("enqueue")
        return super().enqueue(*args, **kwargs)

    def mark_seen(self, *args: Any, **kwargs: Any) -> int:
        self.ledger.tick("mark_seen")
        return super().mark_seen(*args, **kwargs)


def rows_per_item(ledger: Ledger) -> Counter[tuple[str, str]]:
    return Counter((d.about, d.channel_id) for d in ledger.deliveries())


@pytest.mark.parametrize(
    "batch_size, crash_at, committed",
    [
        (100, 2, 0),  # one batch for the poll: the crash in its second item leaves nothing
        (2, 3, 2),  # two items per batch: the first batch stays, the second is undone
    ],
)
def test_a_crash_mid_poll_leaves_no_half_written_batch(
    tmp_path: Path,
    store_url: str,
    batch_size: int,
    crash_at: int,
    committed: int,
):
    rig = Rig(tmp_path, backlog=5, db=store_url)
    rig.serve("rss2.xml")  # three items, all announced (backlog 5)
    crashing = CrashingLedger(store_url, rig.clock, "mark_seen", crash_at)
    outbox = Outbox(rig.config, crashing)
    rig.watcher = FeedWatcher(rig.config, crashing, outbox, rig.clock, batch_size=batch_size)
    with pytest.raises(Crash):
        rig.poll()
    rig.restart()
    rows = rows_per_item(rig.ledger)
    abouts = {about for about, _ in rows}
    assert len(abouts) == committed and all(n == 1 for n in rows.values())
    assert set(rows) == {(about, ch) for about in abouts for ch in CHANNELS}
    # what was queued is seen, and nothing else: the item's keys and rows went together
    items, _ = parse_feed((tmp_path / "feed.xml").read_bytes(), rig.config.feeds[0], "en")
    assert len(items) == 3
    assert {i.id for i in items if rig.ledger.seen(i.dedupe_keys)} == abouts

    result = rig.poll()  # the next poll (the feed was never recorded as read) finishes the job
    assert result.ok and len(result.announced) == 3 - committed
    assert result.deliveries == 3 * (3 - committed)
    rows = rows_per_item(rig.ledger)
    assert len({about for about, _ in rows}) == 3 and set(rows.values()) == {1}
    rig.serve("rss2_next.xml")
    assert [i.title_in("en") for i in rig.poll().announced] == ["Solidarity day in twelve cities"]


def test_a_crash_while_queueing_due_occurrences_leaves_none_and_the_next_turn_queues_all(
    tmp_path: Path,
):
    anns = [
        {"id": f"day-{n}", "template": "reminder", "page": "ales", "at": "2026-03-03T10:00:00"}
        for n in range(3)
    ]
    rig = ServiceRig(tmp_path, dt.datetime(2026, 3, 3, 9, 0, tzinfo=MINSK), announcements=anns)
    rig.at(2026, 3, 3, 10, 0, 20)
    # the 5th row is the second channel of the second occurrence
    crashing = CrashingLedger(rig.db, rig.clock, "enqueue", 5)
    pubs = publishers_for(rig.config, out=rig.printed)
    loop = DeliveryLoop(crashing, pubs, rig.config.delivery, clock=rig.clock)
    service = Service(rig.config, crashing, loop, clock=rig.clock)
    service.prepare()
    with pytest.raises(Crash):
        service.plan()
    assert rig.rows() == []  # no occurrence half queued: one would count as done

    rig.restart()
    rig.once()
    for n in range(3):
        assert rig.sent(f"announcement:day-{n}") == sorted(CHANNELS)
    assert len(rig.rows()) == 9
    rig.at(2026, 3, 3, 10, 30)
    rig.restart()
    rig.once()
    assert len(rig.rows()) == 9
