"""Telegram channels through python-telegram-bot: HTML text or a photo with caption.

Telegram has no idempotency key, so a send whose outcome cannot be known (a
timeout, a connection that broke after the request left, a gateway error) is
UnknownOutcome, never retried blindly; a 5xx answer to a send too (500, 503:
the Bot API documents none of them as "nothing was done"), with words asking
the organiser to look at the channel. Only failures that prove nothing was
delivered (the connection could not be opened, 429 flood control) are
transient. An API address the HTTP client cannot use at all (no http(s),
no host) fails before any request leaves: a permanent failure naming the
setting, never UnknownOutcome.

A group upgraded to a supergroup gets a new id; Telegram refuses a send to the
old one (400, parameters.migrate_to_chat_id), which proves nothing was sent.
The post is sent to the new id at once and the publisher keeps to it for the
rest of the process; a warning says to put the new id in the config, and
`check` (doctor, the credential alerts) keeps saying so while the config
names the old group.

Corrections use editMessageText, or editMessageCaption for a photo, with the
post's buttons sent again (an edit without reply_markup removes them).
Takedowns use deleteMessage; the Bot API lets a bot delete a message only
within 48 hours of sending it ("message can't be deleted"), and a message
already deleted answers "message to delete not found", raised as Gone ("chat
not found" is not: the post may still be there, so it is a permanent failure). Edits
and deletions are idempotent, so their failures are transient or permanent,
never unknown. The Bot API cannot read a channel's history, so a post of
unknown outcome cannot be looked up.

PTB is async; each publisher keeps one Bot and its HTTP client (so its
open connections, and against the real API its TLS sessions) for the life of
the process, on an event loop of its own thread (loop_thread.py). Callers are
plain threads: calls on one publisher are taken one at a time. `close()` (the
App calls it on exit) shuts the client and the loop down.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import threading
import weakref
from pathlib import Path
from typing import Any

from ..clock import Clock, SystemClock, clock_seconds
from ..errors import (
    Gone,
    PermanentError,
    PublishError,
    RateLimited,
    TransientError,
    UnknownOutcome,
)
from ..networks.telegram import Telegram, TelegramChannel
from ..post import Post
from ..said import Quoted, Said, kind_word, said_of
from .base import Check, Done, LookUp, Publisher, Receipt, SentPost
from .loop_thread import LoopThread

log = logging.getLogger(__name__)
DEFAULT_BASE_URL = "https://api.telegram.org/bot"


def bot_base_url(api_base_url: str | None) -> str:
    """PTB's base_url for a Bot API server root (e.g. a self-hosted http://host:8081)."""
    if not api_base_url:
        return DEFAULT_BASE_URL
    url = api_base_url.rstrip("/")
    return url if "{token}" in url or url.endswith("/bot") else url + "/bot"


def chat_ref(chat: str | int) -> str | int:
    """Numeric ids as int (-100...), @names as they are."""
    if isinstance(chat, str) and re.fullmatch(r"-?\d+", chat.strip()):
        return int(chat)
    return chat


class TelegramPublisher(Publisher):
    network = "telegram"

    def __init__(
        self,
        channel: TelegramChannel,
        token: str,
        *,
        token_name: str = "the token",
        timeout: float = 20.0,
        clock: Clock | None = None,
    ) -> None:
        """`clock`: the application's; a flood-control wait is given in its seconds."""
        super().__init__(channel.id, token)
        self.clock: Clock = clock or SystemClock()
        self.channel = channel
        self.chat = chat_ref(channel.chat)
        """The chat as the config names it (what `check` verifies)."""
        self._moved_to: int | None = None
        """The supergroup the configured group became, once Telegram said so."""
        self._token = token
        self.token_name = token_name
        self.timeout = timeout
        self.base_url = bot_base_url(channel.api_base_url)
        self._client = _Client()
        self._loop = LoopThread(f"telegram-{channel.id}")
        self._calls = threading.Lock()
        # Also on exit or when dropped unclosed: the client is closed on its own loop,
        # handed to it without waiting (a finalizer runs wherever the collector does).
        self._closer = weakref.finalize(self, _shut_down, self._loop, self._client)

    @property
    def account(self) -> str:
        # The bot id (before the colon) is public: getMe returns it.
        return f"telegram-bot:{self._token.split(':', 1)[0]}"

    def publish(self, post: Post, delivery_key: str) -> Receipt:
        return self._run(
            Said("telegram.doing.sending"), lambda bot: self._send(bot, post), sending=True
        )

    def edit(self, sent: SentPost, text: str) -> Done:
        return self._run(
            Said("telegram.doing.correcting"),
            lambda bot: self._edit(bot, sent, text),
            sending=False,
        )

    def delete(self, sent: SentPost) -> Done:
        return self._run(
            Said("telegram.doing.removing"), lambda bot: self._delete(bot, sent), sending=False
        )

    def look_up(self, sent: SentPost) -> LookUp:
        return LookUp(
            False,
            note="the Telegram Bot API offers no way to read a channel's messages, so outreach "
            f"cannot look; open {self.chat} and look for the post by its time and text",
        )

    def check(self) -> Check:
        try:
            return self._run(Said("telegram.doing.checking"), self._check, sending=False)
        except PublishError as exc:
            return Check(self.channel_id, self.network, False, problems=(said_of(exc),))

    def close(self) -> None:
        """Close the client and end its loop; returns once they are."""
        if self._closer.detach() is not None:
            self._loop.stop(self._client.shutdown)

    def warm(self) -> None:
        with self._calls:
            self._loop.run(self._warm())

    async def _warm(self) -> None:
        # What the first post would otherwise do on its way: import PTB (what _send
        # uses too), make the Bot and its HTTP client.
        from telegram import InlineKeyboardButton  # noqa: F401
        from telegram.constants import ParseMode  # noqa: F401

        _, request = self._client.get(self._token, self.base_url, self.timeout)
        await request.initialize()
        # httpx's first connection loads anyio's asyncio backend (about 30 ms of imports):
        # left to the first post, a fan-out's Telegram threads all waited for it on the
        # import lock, and their posts left some 300 ms after the Mastodon ones.
        import anyio  # httpx's own dependency

        await anyio.sleep(0)

    # -- the calls --------------------------------------------------------------

    def _run(self, doing: str, fn: Any, sending: bool) -> Any:
        """Await `fn(bot)` on the publisher's loop; Telegram's errors become ours."""
        with self._calls:
            return self._loop.run(self._call(doing, fn, sending))

    async def _call(self, doing: str, fn: Any, sending: bool) -> Any:
        import httpx
        from telegram.error import TelegramError

        bot, request = self._client.get(self._token, self.base_url, self.timeout)
        try:
            return await fn(bot)
        except TelegramError as exc:
            raise self._translate(exc, doing, sending, request.last_status) from None
        except httpx.InvalidURL as exc:  # raised before PTB's request wrapper sees it
            raise self._unusable_address(exc) from None

    async def _send(self, bot: Any, post: Post) -> Receipt:
        from telegram.error import ChatMigrated

        try:
            return await self._send_to(bot, post, self._moved_to or self.chat)
        except ChatMigrated as exc:
            # Refused, so nothing went out: send it where the group went, and say so.
            new = int(exc.new_chat_id)
            moved = Said("telegram.migrated", chat=str(self.chat), new=new, channel=self.channel_id)
            log.warning("channel %s: %s; posting there", self.channel_id, moved)
            self._moved_to = new
            return await self._send_to(bot, post, new)

    async def _send_to(self, bot: Any, post: Post, chat: int | str) -> Receipt:
        from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
        from telegram.constants import ParseMode

        markup = None
        if post.buttons:
            markup = InlineKeyboardMarkup(
                [[InlineKeyboardButton(b.text, url=b.url)] for b in post.buttons]
            )
        common: dict[str, Any] = dict(
            chat_id=chat,
            parse_mode=ParseMode.HTML,
            disable_notification=post.silent,
            reply_markup=markup,
        )
        if post.image_url:
            photo: Any = post.image_url
            if not post.image_url.startswith(("http://", "https://")):
                photo = _local_image(post.image_url)
            message = await bot.send_photo(photo=photo, caption=post.text, **common)
        else:
            preview = LinkPreviewOptions(is_disabled=not post.link_preview)
            message = await bot.send_message(text=post.text, link_preview_options=preview, **common)
        return Receipt(
            remote_id=str(message.message_id), url=message.link, place=str(message.chat.id)
        )

    def _where(self, sent: SentPost) -> int | str:
        # The chat Telegram answered with when it was sent: the config may name it otherwise now.
        return chat_ref(sent.place) if sent.place else self.chat

    async def _edit(self, bot: Any, sent: SentPost, text: str) -> Done:
        from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
        from telegram import error as t
        from telegram.constants import ParseMode

        post = sent.post
        markup = None
        if post.buttons:
            markup = InlineKeyboardMarkup(
                [[InlineKeyboardButton(b.text, url=b.url)] for b in post.buttons]
            )
        common: dict[str, Any] = dict(
            chat_id=self._where(sent),
            message_id=int(sent.remote_id),
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )
        try:
            if post.image_url:
                await bot.edit_message_caption(caption=text, **common)
            else:
                preview = LinkPreviewOptions(is_disabled=not post.link_preview)
                await bot.edit_message_text(text=text, link_preview_options=preview, **common)
        except (t.BadRequest, t.Forbidden) as exc:
            desc = self.redact(exc.message).lower()
            if "not modified" in desc:
                return Done(Said("done.already_read_so"))
            raise self._refused(exc, sent, Said("telegram.verb.correct")) from None
        return Done(Said("done.edited"))

    async def _delete(self, bot: Any, sent: SentPost) -> Done:
        from telegram import error as t

        try:
            await bot.delete_message(chat_id=self._where(sent), message_id=int(sent.remote_id))
        except (t.BadRequest, t.Forbidden) as exc:
            raise self._refused(exc, sent, Said("telegram.verb.remove")) from None
        return Done(Said("done.removed"))

    def _refused(self, exc: Any, sent: SentPost, verb: Said) -> PublishError:
        from telegram import error as t

        desc = self.redact(exc.message)
        low = desc.lower()
        link, chat, answer = sent.link, str(self.chat), Quoted(desc)
        if "chat not found" in low:  # the chat, not the message: the post may well be there
            where = str(self._where(sent))
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
            fresh = sent.sent_at is not None and self.clock.now() - sent.sent_at < within - _MARGIN
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

    async def _check(self, bot: Any) -> Check:
        facts: list[str] = []
        problems: list[str] = []
        me = await bot.get_me()
        facts.append(Said("telegram.bot_ok", username=str(me.username), id=me.id))
        chat = await bot.get_chat(self.chat)
        chat_at, kind = str(self.chat), kind_word("telegram.kind", str(chat.type))
        title = str(chat.title or chat.username or chat.id)
        facts.append(Said("telegram.chat_is", chat=chat_at, kind=kind, title=title))
        member = await bot.get_chat_member(self.chat, me.id)
        status = kind_word("telegram.status", str(member.status))
        fix = Said("telegram.fix_admin", chat=chat_at, username=str(me.username))
        if chat.type == "channel":
            if member.status != "administrator":
                problems.append(Said("telegram.not_admin", status=status, chat=chat_at, fix=fix))
            elif not getattr(member, "can_post_messages", False):
                problems.append(Said("telegram.admin_cannot_post", chat=chat_at, fix=fix))
            else:
                facts.append(Said("telegram.admin_may_post"))
        elif (
            member.status in ("left", "kicked")
            or getattr(member, "can_send_messages", True) is False
        ):
            problems.append(Said("telegram.cannot_post", status=status, chat=chat_at))
        else:
            facts.append(Said("telegram.member_may_post", status=status, kind=kind))
        return Check(self.channel_id, self.network, not problems, tuple(facts), tuple(problems))

    # -- errors -----------------------------------------------------------------

    def _translate(
        self, exc: Exception, doing: str, sending: bool, status: int | None
    ) -> PublishError:
        import httpx
        from telegram import error as t

        desc = self.redact(getattr(exc, "message", "") or str(exc))
        chat, answer, channel = str(self.chat), Quoted(desc), self.channel_id
        if isinstance(exc, t.RetryAfter):
            wait = _retry_after_seconds(exc)
            return RateLimited(
                Said("telegram.flood", seconds=f"{wait:.0f}", chat=chat),
                retry_after=clock_seconds(self.clock, wait),
            )
        if isinstance(exc, t.InvalidToken):
            return PermanentError(Said("telegram.bad_token", name=self.token_name, channel=channel))
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
            return self._unusable_address(cause)
        error = type(cause or exc).__name__
        if not sending or isinstance(
            cause, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
        ):
            return TransientError(Said("telegram.unreachable", error=error, doing=doing))
        if isinstance(exc, t.TimedOut):
            return UnknownOutcome(Said("telegram.timed_out", chat=chat))
        return UnknownOutcome(Said("telegram.dropped", error=error, chat=chat))

    def _unusable_address(self, cause: Exception) -> PermanentError:
        where = self.redact(self.channel.api_base_url or DEFAULT_BASE_URL)
        detail = Quoted(self.redact(str(cause)))
        return PermanentError(
            Said(
                "telegram.bad_address",
                address=where,
                error=type(cause).__name__,
                detail=detail,
                channel=self.channel_id,
            )
        )


class _Client:
    """The Bot and its request, made on first use on the loop; nothing here refers back
    to the publisher, so a dropped publisher can still be shut down."""

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


def _local_image(path: str) -> bytes:
    """A local image's bytes; unreadable, it is a permanent failure before anything is sent
    (left to the delivery loop, an unexpected error on Telegram is `unknown`)."""
    where = Path(path).expanduser()
    try:
        return where.read_bytes()
    except OSError as exc:
        error = Quoted(str(exc.strerror or type(exc).__name__))
        raise PermanentError(Said("image.unreadable", path=str(where), error=error)) from None


_MARGIN = dt.timedelta(hours=1)
"""A post this close to the 48 hours may have passed them on Telegram's clock."""


def _shut_down(loop: LoopThread, client: _Client) -> None:
    loop.stop(client.shutdown, wait=False)


def _retry_after_seconds(exc: Any) -> float:
    # The public attribute warns about its future type (PTB 22.2); the private one is a timedelta.
    value = getattr(exc, "_retry_after", None)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value or 1)


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
