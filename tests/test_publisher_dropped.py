"""A Telegram publisher dropped unclosed: its finalizer must not wait for its loop.

The collector runs a finalizer in whichever thread allocates, at any point of
it. test_delivery::test_channels_proceed_concurrently stalled 10 s that way
(reproduced under `sys.setswitchinterval(1e-5)`, stacks in the commit): the
collector ran a dropped publisher's finalizer on the running channel's own loop
thread, inside httpcore's `import sniffio` (not installed: every attempt searches
again and holds the import lock); the finalizer waited 5 s for the dropped loop
to close its client and 5 s for its thread, while that loop waited for the same
import lock to close its connections. Here a plain lock stands for the import
lock: the thread that drops the publisher holds it, and the publisher's loop
needs it.
"""

from __future__ import annotations

import gc
import threading

from fakes.telegram_server import FakeTelegram

from outreach.networks.telegram import TelegramChannel
from outreach.post import Post
from outreach.publishers.loop_thread import LoopThread
from outreach.publishers.telegram import TelegramPublisher

TOKEN = "123456:SECRET-TOKEN-xyz"


def _loop_threads(name: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == name and t.is_alive()]


def test_dropping_a_publisher_does_not_wait_for_its_loop(monkeypatch):
    # A stop that waits would wait this long twice (for the cleanup, then for the thread):
    # far beyond the bound below, so no load can make the two look alike.
    monkeypatch.setattr(LoopThread, "stop_wait", 600.0)
    with FakeTelegram() as tg:
        channel = TelegramChannel(
            id="dropped", kind="telegram", chat="@freeales_ru", api_base_url=tg.url
        )
        pub = TelegramPublisher(channel, TOKEN, timeout=5)
        pub.publish(Post("dropped", "telegram", "<b>hi</b>", "ru"), "k")  # its loop runs
        [loop_thread] = _loop_threads("telegram-dropped")

        held = threading.Lock()  # what the dropping thread holds (there: the import lock)
        holding, on_loop, dropped, done = (threading.Event() for _ in range(4))

        async def needs_the_lock() -> None:  # the loop's next step needs what is held
            on_loop.set()
            with held:
                pass

        def drop() -> None:
            nonlocal pub
            with held:
                holding.set()
                on_loop.wait()
                del pub  # the last reference: its finalizer runs here, as the collector's would
                gc.collect()
                dropped.set()
            done.set()

        dropper = threading.Thread(target=drop, name="dropper", daemon=True)
        dropper.start()
        assert holding.wait(10)
        loop = pub._loop  # the publisher's own loop thread, to put it where the import was
        threading.Thread(target=loop.run, args=(needs_the_lock(),), daemon=True).start()
        del loop
        # Before: the finalizer waited stop_wait for the cleanup, then for the loop's thread;
        # now it hands both to the loop and returns at once.
        assert dropped.wait(60), "dropping the publisher waited for its loop"
        assert done.wait(10)
        # ... and the loop, free again, still closes the client and ends its thread.
        loop_thread.join(10)
        assert not loop_thread.is_alive()
        assert _loop_threads("telegram-dropped") == []
