"""The organisers' Telegram bot: python-telegram-bot 22 wired to the admin console.

Only this module knows Telegram. outreach/admin/console.py decides what each
command does and says; here updates become calls and answers become messages.

Who may talk to it: the user ids in `admin.allowed_users`, in a private chat
with the bot. A gate in front of every handler turns anyone else away with
one polite sentence (in a group only commands get it, so the bot does not
chatter), and logs the attempt by user id without the message text: what a
stranger typed to a campaign's bot may endanger them, and is not ours to keep.

Answers are plain text (reasons and titles are never read as markup); a
`/preview` shows each Telegram post as Telegram HTML with its buttons, as
subscribers would see it. A `/schedule` asks for confirmation with two inline
buttons whose callback data is only an opaque id of the request kept by the
console. Edited messages are ignored: editing an old `/cancel 12` must not
cancel anything again.

The bot also does its rounds (`Rounds`): it sends pending alerts to
`admin.alert_chat` (a pause needs no rounds: the ledger queues held while paused).

    app = build_application(config, console, token, rounds=rounds)
    app.run_polling()                                   # `outreach adminbot`
    await app.process_update(Update.de_json(data, app.bot))   # tests
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..publishers.telegram import bot_base_url
from ..redact import Redactor, install_log_redaction

# Rounds lives with the alerts it sends: `run` uses it without this module (issue 15).
from .alerts import Rounds as Rounds

if TYPE_CHECKING:
    from telegram import Message, Update
    from telegram.ext import Application, ContextTypes

    from ..config import Config
    from .console import Console
    from .views import Reply

log = logging.getLogger("outreach.adminbot")

REFUSAL = "Sorry, this bot only works for the campaign's organisers."
GROUP_REFUSAL = "I take commands only in a private chat with an organiser."
UNKNOWN_COMMAND = "I do not know {command}. /help lists what I can do."
NOT_A_COMMAND = "I only understand commands. /help lists them."
BROKEN = "Something went wrong and this command may not have finished; the details are in the bot's log. Check with /status or /queue."  # fmt: skip
TEXT_LIMIT = 4000
"""Characters per message (Telegram allows 4096 UTF-16 units; room for safety)."""
CHOICE = re.compile(r"([st]):([A-Za-z0-9_-]{1,16}):([yn])")
"""s: a scheduling question; t: a takedown or correction question."""

COMMANDS: tuple[tuple[str, str], ...] = (
    ("queue", "What is queued and scheduled next, per channel"),
    ("history", "Recent deliveries with links and reasons"),
    ("preview", "A page or news item as each channel would get it"),
    ("schedule", "Schedule an announcement: <when> <template> [page]"),
    ("cancel", "Cancel a queued delivery or an announcement"),
    ("retry", "Send a failed, unknown or missed delivery again"),
    ("resolve", "Record an unknown delivery as sent or failed"),
    ("takedown", "Remove everything about a subject, on every channel"),
    ("correct", "Correct sent posts in place"),
    ("pause", "Hold everything (or a channel) queued, maybe until a time"),
    ("resume", "Release what was held (everything, or a channel)"),
    ("web", "A one-time link to sign in to the web console"),
    ("status", "Service, feeds, credentials, alerts"),
    ("help", "What the bot can do"),
)


# -- sending answers -------------------------------------------------------------------


def chunks(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split at line ends into pieces Telegram accepts; a very long line is cut."""
    out: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                out.append(current)
                current = ""
            out.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            out.append(current)
            candidate = line
        current = candidate
    if current or not out:
        out.append(current)
    return out


async def send(message: Message, replies: Sequence[Reply]) -> None:
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
    from telegram.constants import ParseMode

    for r in replies:
        markup = None
        if r.choices:
            row = [InlineKeyboardButton(label, callback_data=data) for label, data in r.choices]
            markup = InlineKeyboardMarkup([row])
        elif r.links:
            markup = InlineKeyboardMarkup([[InlineKeyboardButton(t, url=u)] for t, u in r.links])
        preview = LinkPreviewOptions(is_disabled=not r.link_preview)
        if r.html:
            await message.reply_text(
                r.text, parse_mode=ParseMode.HTML, reply_markup=markup, link_preview_options=preview
            )
            continue
        pieces = chunks(r.text)
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            await message.reply_text(
                piece, reply_markup=markup if last else None, link_preview_options=preview
            )


# -- the application ---------------------------------------------------------------------


def _who(user: Any) -> str:
    return f"@{user.username}" if user.username else f"user {user.id}"


def _name(user: Any) -> str:
    """How other organisers will see who scheduled something: 'Anna K (@anna)'."""
    name = " ".join((user.full_name or "").split())[:120]
    if user.username:
        return f"{name} (@{user.username})" if name else f"@{user.username}"
    return name or f"user {user.id}"


def _kind(update: Update) -> str:
    for name in ("message", "edited_message", "callback_query", "channel_post", "inline_query"):
        if getattr(update, name, None) is not None:
            return name
    return "update"


def build_application(
    config: Config,
    console: Console,
    token: str,
    *,
    polling: bool = True,
    rounds: Rounds | None = None,
    timeout: float = 20.0,
) -> Application:
    """The bot, ready to run_polling() (or, with polling=False, to be fed updates)."""
    from telegram import Update
    from telegram.ext import (
        ApplicationBuilder,
        ApplicationHandlerStop,
        CallbackQueryHandler,
        CommandHandler,
        MessageHandler,
        TypeHandler,
        filters,
    )

    # PTB puts the token in every request URL and httpx logs those URLs.
    install_log_redaction(Redactor([token]))
    allowed = frozenset(config.admin.allowed_users)
    new_messages = filters.UpdateType.MESSAGE
    tasks: list[asyncio.Task[None]] = []

    async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user, chat = update.effective_user, update.effective_chat
        private = chat is not None and chat.type == "private"
        if user is not None and private and user.id in allowed:
            return
        who = f"{user.id} ({_who(user)})" if user else "unknown"
        log.warning(
            "refused a %s from user %s in a %s chat",
            _kind(update), who, chat.type if chat else "unknown",
        )  # fmt: skip
        if update.callback_query is not None:
            await update.callback_query.answer(REFUSAL)
        elif update.message is not None:
            if private:
                await update.message.reply_text(REFUSAL)
            elif (update.message.text or "").startswith("/"):
                await update.message.reply_text(GROUP_REFUSAL)
        raise ApplicationHandlerStop

    def command(name: str) -> Callable[..., Any]:
        async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            user, message = update.effective_user, update.effective_message
            assert user is not None and message is not None
            args = list(context.args or [])
            log.info("organiser %s: /%s", user.id, name)
            if name == "schedule":
                replies = await asyncio.to_thread(console.schedule, args, user.id, _name(user))
            elif name == "cancel":
                replies = await asyncio.to_thread(console.cancel, args, user.id, _who(user))
            elif name in ("takedown", "correct"):
                by = f"Telegram user {user.id} ({_name(user)})"
                replies = await asyncio.to_thread(getattr(console, name), args, user.id, by)
            elif name in ("pause", "resume", "retry", "resolve"):
                replies = await asyncio.to_thread(getattr(console, name), args, _who(user))
            elif name == "web":
                replies = await asyncio.to_thread(console.web_link, user.id, _name(user))
            else:
                replies = await asyncio.to_thread(getattr(console, name), args)
            await send(message, replies)

        return handler

    async def choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, user = update.callback_query, update.effective_user
        assert query is not None and user is not None
        m = CHOICE.fullmatch(query.data or "")
        if m is None:
            await query.answer("This button is not one of mine.")
            return
        answer = console.confirm if m[1] == "s" else console.confirm_change
        text, settled = await asyncio.to_thread(answer, m[2], user.id, m[3] == "y")
        log.info("organiser %s answered a question (%s)", user.id, m[1])
        if not settled:
            await query.answer(text, show_alert=True)
            return
        await query.answer()
        await query.edit_message_text(text)

    async def unknown(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        word = (message.text or "").split()[0].split("@")[0]
        await message.reply_text(UNKNOWN_COMMAND.format(command=word))

    async def chatter(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(NOT_A_COMMAND)

    async def failed(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # The log redaction (outreach.redact) keeps the token out of this traceback.
        log.error("a command failed", exc_info=context.error)
        if isinstance(update, Update) and update.effective_message is not None:
            user = update.effective_user
            if user is not None and user.id in allowed:
                await update.effective_message.reply_text(BROKEN)

    async def start_rounds(app: Application) -> None:
        try:
            await publish_commands(app)
        except Exception as exc:  # only the menu in Telegram's clients is missing
            log.warning("the command menu could not be set: %s", type(exc).__name__)
        for name, every, job in rounds.jobs() if rounds else ():
            tasks.append(asyncio.create_task(_every(name, every, job)))

    async def stop_rounds(app: Application) -> None:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        tasks.clear()

    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(bot_base_url(config.admin.api_base_url))
        .connect_timeout(timeout)
        .read_timeout(timeout)
        .write_timeout(timeout)
        .pool_timeout(timeout)
        .job_queue(None)
        .post_init(start_rounds)
        .post_stop(stop_rounds)
    )
    if not polling:
        builder = builder.updater(None)
    app = builder.build()
    app.add_handler(TypeHandler(Update, gate), group=-1)
    app.add_handler(CommandHandler("start", command("help"), filters=new_messages))
    for name, _ in COMMANDS:
        app.add_handler(CommandHandler(name, command(name), filters=new_messages))
    app.add_handler(CallbackQueryHandler(choice))
    app.add_handler(MessageHandler(new_messages & filters.COMMAND, unknown))
    app.add_handler(MessageHandler(new_messages & ~filters.COMMAND, chatter))
    app.add_error_handler(failed)
    return app


async def _every(name: str, seconds: float, job: Callable[[], object]) -> None:
    while True:
        try:
            await asyncio.to_thread(job)
        except Exception:
            log.exception("the bot's %s round failed; trying again in %.0f s", name, seconds)
        await asyncio.sleep(seconds)


async def publish_commands(app: Application) -> None:
    """The command menu Telegram clients show (setMyCommands)."""
    from telegram import BotCommand

    await app.bot.set_my_commands([BotCommand(n, d) for n, d in COMMANDS])
