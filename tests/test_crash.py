"""Kill -9 a delivering process at random moments: nothing is posted twice, nothing is lost.

A subprocess delivers 200 posts to a fake Mastodon and 200 to a fake Telegram
(both in this test process) and is killed with SIGKILL several times, then run
to the end. Mastodon must have each post exactly once (idempotency keys);
Telegram must have none twice, and every post it lacks must be `unknown` in the
ledger, for an organiser, never lost silently.
"""

from __future__ import annotations

import collections
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from fakes.mastodon_server import FakeMastodon
from fakes.telegram_server import FakeTelegram

from outreach.ledger import open_ledger

POSTS = 200
KILLS = 5
WORKER = Path(__file__).parent / "fakes" / "crash_worker.py"


def start(args: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WORKER), json.dumps(args)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def delivered(m: FakeMastodon, t: FakeTelegram) -> int:
    return len(m.statuses) + len(t.messages)


@pytest.fixture
def store_dir(tmp_path):
    """tmpfs when there is one: SIGKILL spares the page cache, so fsync proves nothing here
    and only costs time (the ledger keeps synchronous=FULL for power loss)."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    path = Path(tempfile.mkdtemp(prefix="outreach-crash-", dir=shm))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.slow
def test_sigkill_at_random_moments_never_doubles_and_never_loses(store_dir):
    rng = random.Random()
    seed = rng.randrange(10**6)
    rng.seed(seed)
    with FakeMastodon() as m, FakeTelegram() as t:
        args = {
            "store": f"sqlite:///{store_dir / 'ledger.sqlite3'}",
            "mastodon": m.url,
            "telegram": t.url,
            "tokens": {"ma": "masto-token-123", "tg": "123456:SECRET-TOKEN-xyz"},
            "posts": POSTS,
            "timeout": 2.0,
            "lease": 0.5,
            "pacing_scale": 0.0005,
        }
        kills = 0
        for _ in range(KILLS):
            proc = start(args)
            target = delivered(m, t) + rng.randint(5, 60)
            deadline = time.monotonic() + 20
            while delivered(m, t) < target and proc.poll() is None:
                assert time.monotonic() < deadline, "the worker made no progress"
                time.sleep(0.001)
            time.sleep(rng.uniform(0, 0.01))
            if proc.poll() is None:
                proc.kill()
                kills += 1
            proc.wait()
        proc = start(args)
        _, err = proc.communicate(timeout=90)
        assert proc.returncode == 0, err.decode()

    assert kills >= 3, f"seed {seed}: the worker finished before it could be killed"
    ledger = open_ledger(args["store"])
    rows = ledger.deliveries(limit=10 * POSTS)
    ledger.close()
    by_state = collections.Counter(d.state for d in rows)
    assert set(by_state) <= {"sent", "unknown"}, f"seed {seed}: {by_state}"

    # Mastodon: every post exactly once.
    masto = collections.Counter(m.texts())
    assert masto == {f"post {n}": 1 for n in range(POSTS)}, f"seed {seed}"
    ma_rows = {d.about: d for d in rows if d.channel_id == "ma"}
    assert all(d.state == "sent" for d in ma_rows.values())
    status_ids = {s["status"]: s["id"] for s in m.statuses}
    assert all(status_ids[f"post {a.split(':')[1]}"] == d.remote_id for a, d in ma_rows.items())

    # Telegram: nothing twice; whatever is missing is `unknown`; `sent` rows are really there.
    tg = collections.Counter(t.texts())
    assert max(tg.values()) == 1, f"seed {seed}: posted twice: {tg.most_common(3)}"
    ids = {msg["text"]: str(msg["message_id"]) for msg in t.messages}
    for d in (d for d in rows if d.channel_id == "tg"):
        text = f"<b>post {d.about.split(':')[1]}</b>"
        if text not in ids:
            assert d.state == "unknown", f"seed {seed}: {d.about} lost silently ({d.state})"
        if d.state == "sent":
            assert ids[text] == d.remote_id
    print(
        f"seed {seed}: {kills} kills; Telegram {sum(tg.values())} posted, "
        f"{by_state['unknown']} unknown; Mastodon {m.replays} replays of a known key"
    )
