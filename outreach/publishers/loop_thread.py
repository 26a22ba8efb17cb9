"""One asyncio event loop on a daemon thread, for an async client kept for a process's life.

PTB's Bot and its httpx client are bound to the loop they first ran on, so a
publisher that keeps them (and their open connections) between posts needs a
loop that outlives each call; the delivery loop calls publishers from plain
threads. Hand-written because it is twenty lines around
asyncio.run_coroutine_threadsafe; anyio's blocking portal would do the same
with a new dependency.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class LoopThread:
    """Runs coroutines on its own loop; started on first use, stopped by `stop()`."""

    stop_wait: float = 5.0
    """How long a waiting stop() gives the cleanup, then the thread, before letting go."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._thread is not None

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` on the loop and wait for it, from any thread but the loop's own."""
        loop = self._start()
        return asyncio.run_coroutine_threadsafe(coro, loop).result()

    def stop(
        self, cleanup: Callable[[], Awaitable[Any]] | None = None, *, wait: bool = True
    ) -> None:
        """Await `cleanup` on the loop (closing clients), then end the loop and its thread.

        `wait=False`, for a finalizer: the cleanup and the stop are handed to the loop,
        which ends by itself, and nothing waits for it. The collector runs finalizers in
        whichever thread allocates, at any point: one that waited here stalled a channel's
        post for 10 s (tests/test_publisher_dropped.py), run on another publisher's loop
        thread inside an import whose lock the dropped loop needed to close its client.
        """
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        if not wait or threading.current_thread() is thread:
            # From the loop itself, waiting would block it: the cleanup, then the stop,
            # are scheduled there (its thread closes the loop, _run).
            async def last() -> None:
                with contextlib.suppress(Exception):
                    if cleanup is not None:
                        await cleanup()
                loop.stop()

            with contextlib.suppress(RuntimeError):  # its thread ended already: loop closed
                loop.call_soon_threadsafe(lambda: loop.create_task(last()))
            return
        try:
            if cleanup is not None and thread.is_alive():
                asyncio.run_coroutine_threadsafe(_awaited(cleanup), loop).result(
                    timeout=self.stop_wait
                )
        except Exception:  # closing is best effort: a connection that will not close is dropped
            pass
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=self.stop_wait)
            if not thread.is_alive():
                loop.close()

    def _start(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=_run, args=(loop,), name=self.name, daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop


def _run(loop: asyncio.AbstractEventLoop) -> None:
    """The loop's thread: until stop(), then the loop closed (a stop that did not wait)."""
    try:
        loop.run_forever()
    finally:
        loop.close()


async def _awaited(fn: Callable[[], Awaitable[Any]]) -> Any:
    return await fn()
