"""Kill -9 a takedown of 50 posts at random moments: every post ends removed or reported not
removable, and no post is ever recorded removed while the fake server still has it.

The posts (25 on a fake Mastodon, 25 on a fake Telegram, a few of them past
Telegram's 48-hour limit) are sent first; then a subprocess runs the takedown
and is killed several times, some of its requests answered only after the
deletion was done ("drop_after": the platform deleted it, the client heard
nothing), then run to the end. After every kill the ledger is read: each
removal it records as done must be gone from the fakes.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from correctionkit import campaign_file, env
from fakes.mastodon_server import FakeMastodon
from fakes.telegram_server import FakeTelegram
from test_crash import store_dir  # noqa: F401  (fixture: tmpfs when there is one)

from outreach.ledger import open_ledger
from outreach.post import Post

WORKER = Path(__file__).parent / "fakes" / "takedown_worker.py"
PER_CHANNEL = 25
OLD = 3  # Telegram posts made older than 48 hours: not removable
KILLS = 4


def start(args: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WORKER), json.dumps(args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def live(ma: FakeMastodon, tg: FakeTelegram) -> dict[str, set[str]]:
    return {
        "mastodon-en": {s["id"] for s in ma.live()},
        "telegram-ru": {str(m["message_id"]) for m in tg.live()},
    }


def removed_in_ledger(store: str) -> list[tuple[str, str]]:
    ledger = open_ledger(store)
    try:
        done = ledger.actions(states=["done"], limit=1000)
        return [(a.channel_id, ledger.get(a.delivery_id).remote_id or "") for a in done]
    finally:
        ledger.close()


@pytest.mark.slow
def test_sigkill_during_a_takedown_of_50_posts(store_dir, tmp_path):  # noqa: F811
    rng = random.Random()
    seed = rng.randrange(10**6)
    rng.seed(seed)
    with FakeMastodon() as ma, FakeTelegram() as tg:
        store = f"sqlite:///{store_dir / 'ledger.sqlite3'}"
        channels = [
            {"id": "mastodon-en", "kind": "mastodon", "instance": ma.url, "token_env": "MA_TOKEN",
             "language": "en"},
            {"id": "telegram-ru", "kind": "telegram", "chat": "@freeales_ru", "api_base_url": tg.url,
             "token_env": "TG_TOKEN", "language": "ru"},
        ]  # fmt: skip
        config = campaign_file(
            tmp_path,
            ma,
            tg,
            channels=channels,
            store={"url": store},
            delivery={"backoff_base_seconds": 0.01, "backoff_max_seconds": 0.05,
                      "timeout_seconds": 1.0},
        )  # fmt: skip
        ledger = open_ledger(store)
        for n in range(PER_CHANNEL):
            for ch, net, text in (
                ("mastodon-en", "mastodon", f"post {n}"),
                ("telegram-ru", "telegram", f"<b>post {n}</b>"),
            ):
                post = Post(ch, net, text, "en", about="page:ales")
                ledger.enqueue(post, dedupe_key=f"page:ales#{n}")
        ledger.close()
        args = {
            "config": str(config),
            "env": env(),
            "subject": "page:ales",
            "pacing_scale": 0.0005,
            "lease": 0.5,
            "mode": "send",
        }
        sender = start(args)
        _, err = sender.communicate(timeout=120)
        assert sender.returncode == 0, err.decode()
        sent = live(ma, tg)
        assert len(sent["mastodon-en"]) == PER_CHANNEL == len(sent["telegram-ru"])
        old = sorted(sent["telegram-ru"], key=int)[:OLD]
        for message_id in old:
            tg.make_old(int(message_id), hours=49)

        args["mode"] = "takedown"
        kills = 0
        for _ in range(KILLS):
            for fake, path in ((ma, "/statuses/"), (tg, "deleteMessage")):
                fake.fail_next(rng.randint(0, 2), "drop_after", path=path)
                fake.fail_next(rng.randint(0, 1), "slow", delay=0.3, path=path)
            proc = start(args)
            gone_before = len(tg.deletions) + PER_CHANNEL - len(ma.live())
            target = gone_before + rng.randint(2, 10)
            deadline = time.monotonic() + 30
            while proc.poll() is None:
                gone = len(tg.deletions) + PER_CHANNEL - len(ma.live())
                if gone >= target:
                    break
                assert time.monotonic() < deadline, "the worker made no progress"
                time.sleep(0.001)
            time.sleep(rng.uniform(0, 0.02))
            if proc.poll() is None:
                proc.kill()
                kills += 1
            proc.communicate()
            # never recorded removed while the fake still has it
            now_live = live(ma, tg)
            for channel, remote_id in removed_in_ledger(store):
                assert remote_id not in now_live[channel], f"seed {seed}: {channel} {remote_id}"
        ma.faults.clear()
        tg.faults.clear()
        proc = start(args)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()

    assert kills >= 2, f"seed {seed}: the worker finished before it could be killed"
    report = json.loads(out)
    lines = report["lines"]
    assert len(lines) == 2 * PER_CHANNEL, f"seed {seed}"
    final = live(ma, tg)
    ledger = open_ledger(store)
    for line in lines:
        d = ledger.get(line["delivery_id"])
        still_there = d.remote_id in final[d.channel_id]
        if line["outcome"] in ("removed", "already removed"):
            assert not still_there, f"seed {seed}: #{d.id} reported removed, still there"
        else:
            assert line["outcome"] == "not removable", f"seed {seed}: {line}"
            assert still_there and d.remote_id in old and "48 hours" in line["detail"]
    ledger.close()
    assert final == {"mastodon-en": set(), "telegram-ru": set(old)}, f"seed {seed}"
    print(f"seed {seed}: {kills} kills; {len(tg.deletions)} Telegram deletions")
