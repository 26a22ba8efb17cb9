"""`outreach run` sends each batch as soon as it is committed, not after the whole turn.

A turn of `outreach run` plans the announcements, then polls the feeds. Here the
second step is a feed whose server answers only once the fake Mastodon (the real
Mastodon.py client on 127.0.0.1) has received a status, or after WAIT seconds:
what was committed before it (the first feed's item, the due announcement's post)
must be on Mastodon by then. Before, the delivery loop was nudged once the turn was
over, so the status came only after the blocked feed had given up.

The delivery loop also looks at the ledger by itself every few seconds while idle;
the clock here stretches those idle looks (`NudgeOnlyClock`), so that only a nudge
can send in time and the test does not pass by that look's luck.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from fakes.mastodon_server import FakeMastodon
from servicekit import write_campaign

from outreach.app import App
from outreach.clock import SystemClock
from outreach.messages import ONE_OFF

WAIT = 10.0
"""How long the blocked feed waits for a status at most. The first status follows a nudge
in ~0.2 s on a quiet machine; the margin is for a loaded CI machine (importing Mastodon.py
there can take seconds). Without the nudge it never comes in time: the delivery loop's
idle looks wait a minute here (NudgeOnlyClock), so the wait only costs time when failing."""


class NudgeOnlyClock(SystemClock):
    """The system clock, except that a wait of a second or more (the delivery loop's idle
    look) ends only when its event is set: a post goes out only when the loop is nudged."""

    def sleep(self, seconds: float, wake: threading.Event) -> None:
        self.wait(wake, seconds if seconds < 1 else 60.0)


def rss(*items: tuple[str, str]) -> bytes:
    """An RSS document of (guid, title) items, newest first."""
    body = "".join(
        f"<item><title>{title}</title><link>https://example.org/{guid}/</link>"
        f"<guid>{guid}</guid></item>"
        for guid, title in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{body}</channel></rss>'
    ).encode()


class GatedFeeds:
    """Serves `documents[path]` on 127.0.0.1, each after `gates[path]()` returned; records
    what each gate returned (how many statuses Mastodon had when the feed was answered)."""

    def __init__(self, documents: dict[str, bytes], gates: dict[str, Callable[[], int]]) -> None:
        self.seen: dict[str, list[int]] = {path: [] for path in documents}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = documents.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                gate = gates.get(self.path)
                if gate is not None:
                    outer.seen[self.path].append(gate())
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def __enter__(self) -> GatedFeeds:
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def until_a_status(masto: FakeMastodon) -> Callable[[], int]:
    """A gate: wait until Mastodon has a status, at most WAIT s; how many it had then."""

    def gate() -> int:
        deadline = time.monotonic() + WAIT
        while not masto.statuses and time.monotonic() < deadline:
            time.sleep(0.01)
        return len(masto.statuses)

    return gate


def after(seconds: float) -> Callable[[], int]:
    """A gate: answer after `seconds` (the delivery loop has had its first look by then)."""

    def gate() -> int:
        time.sleep(seconds)
        return 0

    return gate


def masto_channel(masto: FakeMastodon) -> dict[str, Any]:
    return {
        "id": "masto",
        "kind": "mastodon",
        "instance": masto.url,
        "token_env": "MASTO_TOKEN",
        "language": "en",
    }


@contextmanager
def running(tmp_path: Path, masto: FakeMastodon, **sections: Any) -> Iterator[App]:
    """`outreach run` (Service.run, as the CLI wires it) on a thread, stopped on leaving."""
    config = write_campaign(
        tmp_path,
        channels=[masto_channel(masto)],
        store={"url": f"sqlite:///{tmp_path / 'ledger.sqlite3'}"},
        **sections,
    )
    app = App(str(config), {"MASTO_TOKEN": "t"}, clock=NudgeOnlyClock())
    service = app.service()
    runner = threading.Thread(target=service.run, name="service", daemon=True)
    runner.start()
    try:
        yield app
    finally:
        service.stop.set()
        service.wake.set()
        runner.join(30)
        app.close()
        assert not runner.is_alive()


def wait_for(check: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_the_first_feeds_item_is_sent_while_the_next_feed_is_read(tmp_path: Path):
    with FakeMastodon() as masto:
        documents = {
            "/first.xml": rss(("first-1", "From the first feed")),
            "/second.xml": rss(("second-1", "From the second feed")),
        }
        gates = {"/first.xml": after(0.5), "/second.xml": until_a_status(masto)}
        with GatedFeeds(documents, gates) as feeds:
            feed = {"backlog": 5, "channels": ["masto"]}
            with running(
                tmp_path,
                masto,
                feeds=[
                    {"id": "first", "url": feeds.url("/first.xml"), **feed},
                    {"id": "second", "url": feeds.url("/second.xml"), **feed},
                ],
                announcements=[],
            ):
                wait_for(lambda: len(masto.statuses) >= 2)
    # the first feed's post was on Mastodon while the second feed was still being read
    assert feeds.seen["/second.xml"] == [1]
    texts = masto.texts()
    assert len(texts) == 2
    assert "From the first feed" in texts[0] and "From the second feed" in texts[1]


def test_a_due_announcement_is_sent_while_the_feeds_are_read(tmp_path: Path):
    due = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    vigil = {"id": "vigil", "template": ONE_OFF, "at": due, "channels": ["masto"],
             "text": "Vigil tonight"}  # fmt: skip
    with FakeMastodon() as masto:
        documents = {"/news.xml": rss(("news-1", "A news item"))}
        with GatedFeeds(documents, {"/news.xml": until_a_status(masto)}) as feeds:
            news = {"id": "news", "url": feeds.url("/news.xml"), "backlog": 5}
            with running(tmp_path, masto, feeds=[news], announcements=[vigil]):
                wait_for(lambda: len(masto.statuses) >= 2)
    # the planner's batch went out before the feed, polled after it in the same turn, was read
    assert feeds.seen["/news.xml"] == [1]
    texts = masto.texts()
    assert texts[0] == "Vigil tonight" and "A news item" in texts[1] and len(texts) == 2
