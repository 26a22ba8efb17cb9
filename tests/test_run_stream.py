"""run --once streams: a long feed's first posts go out while its later items are still queued."""

from __future__ import annotations

import time
from pathlib import Path

from fakes.mastodon_server import FakeMastodon
from servicekit import write_campaign

from outreach.app import App

ITEMS = 250  # three of the feed watcher's batches of 100


def big_feed(path: Path) -> None:
    items = "".join(
        f"<item><title>Item {i}</title><link>https://example.org/n/{i}/</link>"
        f"<guid>n-{i}</guid></item>"
        for i in reversed(range(ITEMS))  # newest first, as feeds are
    )
    path.write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>',
        encoding="utf-8",
    )


def test_the_first_batch_is_sent_while_the_rest_is_queued(tmp_path: Path):
    big_feed(tmp_path / "big.xml")
    with FakeMastodon() as masto:
        config = write_campaign(
            tmp_path,
            feeds=[{"id": "big", "path": "big.xml", "backlog": ITEMS, "channels": ["masto"]}],
            channels=[
                {
                    "id": "masto",
                    "kind": "mastodon",
                    "instance": masto.url,
                    "token_env": "MASTO_TOKEN",
                    "language": "en",
                },
            ],
            announcements=[],
            store={"url": f"sqlite:///{tmp_path / 'ledger.sqlite3'}"},
        )
        app = App(str(config), {"MASTO_TOKEN": "t"})
        service = app.service()
        seen_while_queueing: list[int] = []

        def progress(feed_id: str, done: int, total: int) -> None:
            if done == 101:  # the first batch is committed; the second is not
                deadline = time.monotonic() + 30
                while not masto.statuses and time.monotonic() < deadline:
                    time.sleep(0.01)
                seen_while_queueing.append(len(masto.statuses))

        turn = service.run_once(max_wait=5, progress=progress, stream=True)
        app.close()
    assert seen_while_queueing and seen_while_queueing[0] >= 1
    assert turn.delivered is not None and turn.delivered.count("sent") == ITEMS
    # every item once, oldest first, though sending began before the last was queued
    numbers = [int(t.split("/n/")[1].split("/")[0]) for t in masto.texts()]
    assert numbers == list(range(ITEMS))
