"""Telegram posts in series on one channel: TelegramPublisher against a bare PTB Bot kept open.

One fake Bot API on 127.0.0.1 (tests/fakes/telegram_server.py, answering at
once). outreach: `n` posts through TelegramPublisher.publish, as the delivery
loop calls it. Floor: the same posts through one python-telegram-bot Bot on
one event loop (`async with Bot(...)`, which also sends getMe once). Runs
interleaved, best of three; CPU is this process's (the fake's threads
included, the same for both). Issue 15: one client and its connections per
channel for the life of the process.

    .venv/bin/python bench/telegram_posts.py [--posts 200] [--quick]
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from bench._common import compare, parser, report  # noqa: E402  (after the sys.path lines)

TOKEN = "123456:BENCH-TOKEN"
CHAT = "@freeales_ru"


def run(quick: bool = False, posts: int = 200) -> dict[str, Any]:
    import telegram.request  # noqa: F401  (imported before timing: a start-up cost, not a post's)
    from fakes.telegram_server import FakeTelegram

    from outreach.networks.telegram import TelegramChannel
    from outreach.post import Post
    from outreach.publishers.telegram import TelegramPublisher

    if quick:
        posts = 5
    fake = FakeTelegram().start()
    connections: dict[str, int] = {}

    def outreach() -> None:
        before = fake.connections
        channel = TelegramChannel(id="tg", kind="telegram", chat=CHAT, api_base_url=fake.url)
        pub = TelegramPublisher(channel, TOKEN, timeout=10)
        try:
            for i in range(posts):
                pub.publish(Post("tg", "telegram", language="ru", text=f"post {i}"), f"k{i}")
        finally:
            pub.close()
        connections["outreach"] = fake.connections - before

    def floor() -> None:
        from telegram import Bot

        async def send_all() -> None:
            async with Bot(TOKEN, base_url=fake.url + "/bot") as bot:
                for i in range(posts):
                    await bot.send_message(chat_id=CHAT, text=f"post {i}", parse_mode="HTML")

        asyncio.run(send_all())

    try:
        best = compare({"outreach": outreach, "floor": floor}, repeat=1 if quick else 3)
        sent = len(fake.messages)
    finally:
        fake.close()
    o, f = best["outreach"], best["floor"]
    return {
        "posts": posts,
        "sent": sent,
        "outreach_wall_s": o["wall"],
        "outreach_cpu_s": o["cpu"],
        "floor_wall_s": f["wall"],
        "floor_cpu_s": f["cpu"],
        "ratio_wall": o["wall"] / f["wall"],
        "ratio_cpu": o["cpu"] / f["cpu"],
        "outreach_connections": connections["outreach"],
        "load_average_1min": os.getloadavg()[0],
    }


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--posts", type=int, default=200)
    a = p.parse_args()
    report("telegram posts", run(a.quick, a.posts), a.json)


if __name__ == "__main__":
    main()
