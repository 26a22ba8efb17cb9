"""python-telegram-bot's errors -> ours, in words an organiser can act on.

Telegram has no idempotency key, so a send whose outcome cannot be known (a
timeout, a connection that broke after the request left, a gateway error, any
5xx: the Bot API documents none of them as "nothing was done") is
UnknownOutcome, never retried blindly. Only failures that prove nothing was
delivered (the connection could not be opened, 429 flood control) are
transient. An API address the HTTP client cannot use at all (no http(s), no
host) fails before any request leaves: a permanent failure naming the
setting, never UnknownOutcome. Edits, deletions and checks are idempotent, so
their failures are transient or permanent, never unknown.

Every text that comes from the library or Telegram is passed through the
publisher's redaction before it is quoted: PTB puts the token in every URL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..clock import Clock, clock_seconds
from ..errors import (
    Gone,
    PermanentError,
    PublishError,
    RateLimited,
    TransientError,
    UnknownOutcome,
)
from ..networks.telegram import Telegram
from ..redact import Redactor
from ..said import Quoted, Said
from .base import SentPost

MARGIN = dt.timedelta(hours=1)
"""A post this close to the 48 hours may have passed them on Telegram's clock."""


@dataclass(frozen=True)
class TelegramErrors:
    """What one channel's publisher needs to word Telegram's errors."""

    channel_id: str
    chat: str
    """The chat as the config names it."""
    token_name: str
    address: str
    """The Bot API address in use (a self-hosted server's, or Telegram's)."""
    redact: Redactor
    clock: Clock

    def translate(
        self, exc: Exception, doing: str, sending: bool, status: int | None
    ) -> PublishError:
        """A failed call; `sending`: it was a send (not idempotent); `status`: the HTTP
        status of the answer, None when none came."""
        import httpx
        from telegram import error as t

        desc = self.redact(not_json(getattr(exc, "message", "") or str(exc)))
        chat, answer, channel = self.chat, Quoted(desc), self.channel_id
        if isinstance(exc, t.RetryAfter):
            wait = retry_after_seconds(exc)
            return RateLimited(
                Said("telegram.flood", seconds=f"{wait:.0f}", chat=chat),
                retry_after=clock_seconds(self.clock, wait),
            )
        if isinstance(exc, t.InvalidToken):
            return PermanentError(
                Said("telegram.bad_token", name=self.token_name, channel=channel, answer=answer)
            )
        if isinstance(exc, t.ChatMigrated):
            return PermanentError(
                Said("telegram.migrated", chat=chat, new=exc.new_chat_id, channel=channel)
            )
        if isinstance(exc, (t.Forbidden, t.BadRequest)):
            low = desc.lower()
            if "chat not found" in low:
                return PermanentError(Said("telegram.no_chat", chat=chat, channel=channel))
            if isinstance(exc, t.Forbidden) or "rights" in low or "not a member" in low:
                return PermanentError(Said("telegram.may_not_post", chat=chat, answer=answer))
            return PermanentError(Said("telegram.refused_message", chat=chat, answer=answer))
        if status is not None:
            # The server answered, with an error. Edits, deletions and reads are idempotent:
            # asked again. A send is not: the Bot API documents no status that proves a
            # failed request did nothing (error_code "is subject to change"), and no
            # idempotency key, so after a 5xx the post may be out (429 alone says to repeat).
            if not sending or status == 429:
                return TransientError(
                    Said("telegram.http", status=status, answer=answer, doing=doing)
                )
            if status < 300:
                # Something answered OK, but not as the Bot API does (a proxy's page, a
                # body cut short): the post may be out, and asking again could post it twice.
                return UnknownOutcome(
                    Said("telegram.server_error", status=status, answer=answer, chat=chat)
                )
            if status in (502, 504):  # a gateway's: the backend behind it may have posted
                return UnknownOutcome(Said("telegram.gateway", status=status, chat=chat))
            if status >= 500:
                return UnknownOutcome(
                    Said("telegram.server_error", status=status, answer=answer, chat=chat)
                )
            # Another refusal (413: too big, 409): nothing was done, and asking again
            # would get the same answer.
            return PermanentError(Said("telegram.refused_message", chat=chat, answer=answer))
        cause = exc.__cause__
        if isinstance(cause, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
            return self.unusable_address(cause)
        error = type(cause or exc).__name__
        if not sending or isinstance(
            cause, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
        ):
            return TransientError(Said("telegram.unreachable", error=error, doing=doing))
        if isinstance(exc, t.TimedOut):
            return UnknownOutcome(Said("telegram.timed_out", chat=chat))
        return UnknownOutcome(Said("telegram.dropped", error=error, chat=chat))

    def unusable_address(self, cause: Exception) -> PermanentError:
        """The HTTP client refused the address itself: nothing left."""
        detail = Quoted(self.redact(str(cause)))
        return PermanentError(
            Said(
                "telegram.bad_address",
                address=self.redact(self.address),
                error=type(cause).__name__,
                detail=detail,
                channel=self.channel_id,
            )
        )

    def refused(self, exc: Any, sent: SentPost, verb: Said, where: str) -> PublishError:
        """Telegram's refusal to edit or delete `sent` (BadRequest, Forbidden), posted in
        the chat `where`."""
        from telegram import error as t

        desc = self.redact(not_json(exc.message))
        low = desc.lower()
        link, chat, answer = sent.link, self.chat, Quoted(desc)
        if "chat not found" in low:  # the chat, not the message: the post may well be there
            return PermanentError(Said("telegram.no_chat", chat=where, channel=self.channel_id))
        if "not found" in low:
            return Gone(Said("telegram.gone", link=link, chat=chat, answer=answer))
        if isinstance(exc, t.Forbidden) or "rights" in low or "not enough" in low:
            return PermanentError(
                Said("telegram.may_not", verb=verb, link=link, answer=answer, chat=chat)
            )
        if verb.key == "telegram.verb.remove" and "can't be deleted" in low:
            # "...for everyone" is the 48-hour refusal; a bare "message can't be deleted" is
            # also what a bot without the right to delete gets, so the post's age tells.
            within = Telegram.delete_within or dt.timedelta(0)
            hours = f"{within.total_seconds() / 3600:.0f}"
            fresh = sent.sent_at is not None and self.clock.now() - sent.sent_at < within - MARGIN
            if fresh and "for everyone" not in low:
                return PermanentError(
                    Said(
                        "telegram.no_right_to_delete",
                        link=link,
                        answer=answer,
                        hours=hours,
                        chat=chat,
                    )
                )
            return PermanentError(
                Said("telegram.too_old", link=link, answer=answer, hours=hours, chat=chat)
            )
        return PermanentError(Said("telegram.refused_action", verb=verb, link=link, answer=answer))


def not_json(message: str) -> str:
    """PTB's message for an answer that was not JSON without the body it appends
    ("Service Unavailable (503). Parsing the server response b'<html>...' failed"): a
    proxy's page says nothing an organiser can use, and can be any length."""
    return message.split(". Parsing the server response ", 1)[0]


def retry_after_seconds(exc: Any) -> float:
    # The public attribute warns about its future type (PTB 22.2); the private one is a timedelta.
    value = getattr(exc, "_retry_after", None)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value or 1)
