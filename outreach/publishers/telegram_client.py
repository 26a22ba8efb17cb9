"""The Bot and its HTTP client one Telegram publisher keeps for the life of the process.

Made on first use on the publisher's loop (PTB's Bot and its httpx client are
bound to the loop they first ran on); nothing here refers back to the
publisher, so a publisher dropped unclosed can still be shut down by its
finalizer. The request records the HTTP status of each answer: PTB's errors
alone do not tell a 500 from a connection that broke.
"""

from __future__ import annotations

import functools
from typing import Any

from .loop_thread import LoopThread


class Client:
    """The Bot and its request, made on first use on the loop."""

    def __init__(self) -> None:
        self.bot: Any = None
        self.request: Any = None

    def get(self, token: str, base_url: str, timeout: float) -> tuple[Any, Any]:
        if self.bot is None:
            from telegram import Bot

            self.request = _recording_request(timeout)
            self.bot = Bot(
                token, base_url=base_url, request=self.request, get_updates_request=self.request
            )
        return self.bot, self.request

    async def shutdown(self) -> None:
        request, self.bot, self.request = self.request, None, None
        if request is not None:
            await request.shutdown()


def shut_down(loop: LoopThread, client: Client) -> None:
    """The finalizer's: hand the client's shutdown and the loop's end to the loop, no wait."""
    loop.stop(client.shutdown, wait=False)


@functools.cache
def _ssl_context() -> Any:
    # Loading the CA bundle takes ~20 ms; every channel's client shares one context.
    import httpx

    return httpx.create_ssl_context()


def _recording_request(timeout: float) -> Any:
    from telegram.request import HTTPXRequest

    class RecordingRequest(HTTPXRequest):
        """Remembers the HTTP status of the last answer: errors alone do not tell."""

        last_status: int | None = None

        async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
            self.last_status = None
            code, payload = await super().do_request(*args, **kwargs)
            self.last_status = code
            return code, payload

    return RecordingRequest(
        httpx_kwargs={"verify": _ssl_context()},
        connection_pool_size=2,
        read_timeout=timeout,
        write_timeout=timeout,
        connect_timeout=timeout,
        pool_timeout=timeout,
        media_write_timeout=timeout,
    )
