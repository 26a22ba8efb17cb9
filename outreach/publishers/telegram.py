"""Telegram channels through python-telegram-bot: HTML text or a photo with caption.

How its errors are worded, and which are unknown, transient or permanent:
telegram_errors.py (a 5xx answer to a send is `unknown`: Telegram has no
idempotency key). The Bot and its HTTP client: telegram_client.py.

A group upgraded to a supergroup gets a new id; Telegram refuses a send to the
old one (400, parameters.migrate_to_chat_id), which proves nothing was sent.
The post is sent to the new id at once and the publisher keeps to it for the
rest of the process; a warning says to put the new id in the config, and
`check` (doctor, the credential alerts) keeps saying so while the config
names the old group. A post sent to the group before the upgrade cannot be
edited or deleted by the bot any more (the old chat refuses every call, and
the supergroup's copy has another id): the organiser is told to do it by hand.

Corrections use editMessageText, or editMessageCaption for a photo, with the
post's buttons sent again (an edit without reply_markup removes them).
Takedowns use deleteMessage; the Bot API lets a bot delete a message only
within 48 hours of sending it ("message can't be deleted"), and a message
already deleted answers "message to delete not found", raised as Gone ("chat
not found" is not: the post may still be there, so it is a permanent failure).
The Bot API cannot read a channel's history, so a post of unknown outcome
cannot be looked up.

PTB is async; each publisher keeps one Bot and its HTTP client (so its
open connections, and against the real API its TLS sessions) for the life of
the process, on an event loop of its own thread (loop_thread.py). Callers are
plain threads: calls on one publisher are taken one at a time. `close()` (the
App calls it on exit) shuts the client and the loop down.
"""

from __future__ import annotations

import logging
import re
import threading
import weakref
from pathlib import Path
from typing import Any

from ..clock import Clock, SystemClock
from ..errors import PermanentError, PublishError
from ..networks.telegram import TelegramChannel
from ..post import Post
from ..said import Quoted, Said, kind_word, said_of
from .base import Check, Done, LookUp, Publisher, Receipt, SentPost
from .loop_thread import LoopThread
from .telegram_client import Client, shut_down
from .telegram_errors import TelegramErrors

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
        self._client = Client()
        self._loop = LoopThread(f"telegram-{channel.id}")
        self._calls = threading.Lock()
        # Also on exit or when dropped unclosed: the client is closed on its own loop,
        # handed to it without waiting (a finalizer runs wherever the collector does).
        self._closer = weakref.finalize(self, shut_down, self._loop, self._client)
        self._errors = TelegramErrors(
            channel.id,
            str(self.chat),
            token_name,
            channel.api_base_url or DEFAULT_BASE_URL,
            self.redact,
            self.clock,
        )

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
            raise self._errors.translate(exc, doing, sending, request.last_status) from None
        except httpx.InvalidURL as exc:  # raised before PTB's request wrapper sees it
            raise self._errors.unusable_address(exc) from None

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
        except t.ChatMigrated as exc:
            raise self._migrated(exc, sent, Said("telegram.verb.correct")) from None
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
        except t.ChatMigrated as exc:
            raise self._migrated(exc, sent, Said("telegram.verb.remove")) from None
        except (t.BadRequest, t.Forbidden) as exc:
            raise self._refused(exc, sent, Said("telegram.verb.remove")) from None
        return Done(Said("done.removed"))

    def _migrated(self, exc: Any, sent: SentPost, verb: Said) -> PublishError:
        # Sent to the group before it became a supergroup: the old chat takes no more
        # calls, and the supergroup's messages have other ids, so no setting helps (the
        # send's advice, to set the new id, would leave this refused the same way).
        answer = Quoted(self.redact(str(exc.message)))
        return PermanentError(
            Said("telegram.refused_action", verb=verb, link=sent.link, answer=answer)
        )

    def _refused(self, exc: Any, sent: SentPost, verb: Said) -> PublishError:
        return self._errors.refused(exc, sent, verb, str(self._where(sent)))

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


def _local_image(path: str) -> bytes:
    """A local image's bytes; unreadable, it is a permanent failure before anything is sent
    (left to the delivery loop, an unexpected error on Telegram is `unknown`)."""
    where = Path(path).expanduser()
    try:
        return where.read_bytes()
    except OSError as exc:
        error = Quoted(str(exc.strerror or type(exc).__name__))
        raise PermanentError(Said("image.unreadable", path=str(where), error=error)) from None
