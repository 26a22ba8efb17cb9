"""Pacing: N posts to one Telegram channel on a fake Bot API that enforces 20 a minute.

The real delivery loop (outreach.delivery) posts through python-telegram-bot
to a fake server on 127.0.0.1 that refuses with 429 (flood control, counted)
any message that would be the 21st to the chat within a minute. Minutes are
scaled: outreach's pacer and the fake both shrink every window by `--scale`
(0.05: a minute lasts 3 s), on the real clock, so nothing waits real minutes.

Baseline: the theoretical minimum, the earliest the last post can arrive
under the rules outreach keeps for a Telegram chat (20 a minute, one a
second), computed from outreach.pacing's own rules; the 20-a-minute-only
floor is shown too. Target (issue 7): total within 5% of the minimum, zero
refusals.

    .venv/bin/python bench/pacing.py [--posts 200] [--scale 0.05] [--quick]
"""

from __future__ import annotations

import datetime as dt
import math
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from bench._common import parser, report  # noqa: E402  (after the sys.path lines)

TARGET = 1.05
TOKEN = "123456:BENCH-TOKEN"


def flood_fake(window: float, limit: int = 20) -> Any:
    """A FakeTelegram that refuses the (limit+1)th message to a chat within `window` seconds."""
    from fakes.telegram_server import FakeTelegram

    fake = FakeTelegram()
    fake.limit_chats(limit, minute=window)
    return fake


def minimum_schedule(n: int, rules: list[tuple[int, float]]) -> list[float]:
    """Earliest send times of n posts under sliding-window rules (limit, seconds): greedy."""
    times: list[float] = []
    for k in range(n):
        t = times[-1] if times else 0.0
        for limit, per in rules:
            if k >= limit:
                t = max(t, times[k - limit] + per)
        times.append(t)
    return times


def run(quick: bool = False, posts: int = 200, scale: float = 0.05) -> dict[str, Any]:
    from outreach.config import DeliverySettings
    from outreach.delivery import DeliveryLoop
    from outreach.ledger import open_ledger
    from outreach.networks.telegram import CHAT as TELEGRAM_CHAT
    from outreach.networks.telegram import TelegramChannel
    from outreach.post import Post
    from outreach.publishers import publisher_for
    from outreach.secret import Secret

    if quick:
        posts, scale = 25, 0.01
    rules = [(r.limit, r.per * scale) for r in TELEGRAM_CHAT]
    minute = next(per for limit, per in rules if limit == 20)
    floor_all = minimum_schedule(posts, rules)[-1]
    floor_minute = minimum_schedule(posts, [(20, minute)])[-1]

    def utcnow() -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    with tempfile.TemporaryDirectory() as tmp, flood_fake(window=minute) as fake:
        ledger = open_ledger(f"sqlite:///{tmp}/ledger.sqlite3", utcnow)
        channel = TelegramChannel(
            id="ru", kind="telegram", chat="@freeales_ru", api_base_url=fake.url
        )
        settings = DeliverySettings(timeout_seconds=5.0)
        pub = publisher_for(channel, Secret(TOKEN), timeout=settings.timeout_seconds)
        now = utcnow()
        for i in range(posts):
            post = Post("ru", "telegram", f"<b>post {i}</b>", "ru", about=f"news:{i}")
            ledger.enqueue(post, due_at=now)
        loop = DeliveryLoop(ledger, {"ru": pub}, settings, pacing_scale=scale, rng=random.Random(1))
        loop.start()
        t0 = time.monotonic()
        result = loop.run_once(max_wait=floor_all * 3 + 30)
        wall = time.monotonic() - t0
        ledger.close()
        accepted = list(fake.accepted_at)
        refusals = fake.flood_refusals
    sent = result.count("sent")
    span = accepted[-1] - accepted[0] if len(accepted) > 1 else 0.0
    return {
        "posts": posts,
        "scale": scale,
        "scaled_minute_s": minute,
        "sent": sent,
        "flood_refusals": refusals,
        "first_to_last_arrival_s": span,
        "loop_wall_s": wall,
        "minimum_s (20/min and 1/s, as outreach paces)": floor_all,
        "minimum_s (20/min alone)": floor_minute,
        "ratio": span / floor_all if floor_all else math.nan,
        "ratio_to_20_per_min_alone": span / floor_minute if floor_minute else math.nan,
        "target": f"<= {TARGET}x the minimum, 0 refusals",
        "met": sent == posts and refusals == 0 and span <= TARGET * floor_all,
    }


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--posts", type=int, default=200)
    p.add_argument("--scale", type=float, default=0.05)
    a = p.parse_args()
    report("pacing", run(a.quick, a.posts, a.scale), a.json)


if __name__ == "__main__":
    main()
