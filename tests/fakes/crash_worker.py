"""A delivery process for the crash test: queue N posts per channel, deliver them, exit 0.

Run as `python crash_worker.py '<json>'`; the test kills it with SIGKILL at
random moments and starts it again. Queueing is idempotent (dedupe keys), so a
restarted worker queues nothing twice and carries on where the ledger says.
Pacing keeps its rules, scaled down, so the run takes seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


from outreach.config import DeliverySettings
from outreach.delivery import DeliveryLoop
from outreach.ledger import open_ledger
from outreach.networks.mastodon import MastodonChannel
from outreach.networks.telegram import TelegramChannel
from outreach.post import Post
from outreach.publishers import publisher_for
from outreach.secret import Secret


def main(args: dict) -> None:
    ledger = open_ledger(args["store"])
    channels = [
        MastodonChannel(id="ma", kind="mastodon", instance=args["mastodon"]),
        TelegramChannel(
            id="tg", kind="telegram", chat="@freeales_ru", api_base_url=args["telegram"]
        ),
    ]
    settings = DeliverySettings(backoff_base_seconds=0.01, timeout_seconds=args["timeout"])
    pubs = {
        ch.id: publisher_for(ch, Secret(args["tokens"][ch.id]), timeout=settings.timeout_seconds)
        for ch in channels
    }
    for n in range(args["posts"]):
        for ch in channels:
            text = f"post {n}" if ch.kind == "mastodon" else f"<b>post {n}</b>"
            ledger.enqueue(Post(ch.id, ch.kind, text, "ru", about=f"news:{n}"))
    loop = DeliveryLoop(
        ledger,
        pubs,
        settings,
        pacing_scale=args["pacing_scale"],
        lease=dt.timedelta(seconds=args["lease"]),
    )
    loop.start()
    loop.run_once(max_wait=60)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
