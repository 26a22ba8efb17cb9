"""The Bot and its HTTP client one Telegram publisher keeps for the life of the process.

Made on first use on the publisher's loop (PTB's Bot and its httpx client are
bound to the loop they first ran on); nothing here refers back to the
publisher, so a publisher dropped unclosed can still be shut down by its
finalizer. The request records the HTTP status of each answer: PTB's errors
alone do not tell a 500 from a connection that broke.

An answer that is not JSON (a proxy's error page in front of the Bot API, a
body cut short) is not logged: python-telegram-bot's `parse_json_payload`
logs the whole body at ERROR with a traceback, and puts it whole in its
error's message too; a proxy's page of tens of thousands of characters then
filled an organiser's terminal and the reason kept for the post. Its
docstring invites overriding it; the error says "Invalid server response"
as PTB's does, and telegram_errors.py quotes the status alone.
"""

from __future__ import annotations

import functools
from typing import Any

from .loop_thread import LoopThread

NOT_JSON = "Invalid server response"
"""PTB's words for an answer that is not JSON (kept, so its message reads as before)."""


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

        @staticmethod
        def parse_json_payload(payload: bytes) -> Any:
            import json

            from telegram.error import TelegramError

            try:
                return json.loads(payload.decode("utf-8", "replace"))
            except ValueError:
                raise TelegramError(NOT_JSON) from None

    return RecordingRequest(
        httpx_kwargs={"verify": _ssl_context()},
        connection_pool_size=2,
        read_timeout=timeout,
        write_timeout=timeout,
        connect_timeout=timeout,
        pool_timeout=timeout,
        media_write_timeout=timeout,
    )
