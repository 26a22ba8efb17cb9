"""Drives the real python-telegram-bot Application against the fake Bot API.

Updates are built as Telegram would send them and fed through
`application.process_update`; what the bot answered is what the fake server
received. The console's clock and the ledger's are one ManualClock.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from fakes import ManualClock
from fakes.telegram_server import FakeTelegram
from servicekit import campaign

from outreach.admin.bot import build_application
from outreach.admin.console import Console
from outreach.ledger import Ledger, open_ledger

TOKEN = "777000:ADMIN-BOT-SECRET-token"
ANNA, BORIS = 111, 222
"""Organisers (allowed)."""
STRANGER = 999
ORGANISERS_GROUP = -1009000000001


class Harness:
    def __init__(
        self,
        folder: Path,
        tg: FakeTelegram,
        *,
        checker: Callable[[], Sequence[Any]] | None = None,
        **sections: Any,
    ) -> None:
        admin = {
            "token_env": "OUTREACH_ADMIN_TOKEN",
            "allowed_users": [ANNA, BORIS],
            "alert_chat": ORGANISERS_GROUP,
            "api_base_url": tg.url,
        }
        self.config = campaign(folder, admin=admin, **sections)
        self.tg = tg
        for user in (ANNA, BORIS, STRANGER):
            tg.add_user(user)
        self.clock = ManualClock()  # Sunday 1 March 2026, 09:00 UTC = 12:00 in Minsk
        self.ledger: Ledger = open_ledger(f"sqlite:///{folder / 'ledger.sqlite3'}", self.clock)
        self.console = Console(self.config, self.ledger, self.clock, checker=checker)
        self.app = build_application(self.config, self.console, TOKEN, polling=False, timeout=5)
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(self.app.initialize())
        self._ids = itertools.count(1)

    def close(self) -> None:
        self.loop.run_until_complete(self.app.shutdown())
        self.loop.close()
        self.ledger.close()

    # -- updates ---------------------------------------------------------------------

    def _feed(self, data: dict[str, Any]) -> None:
        from telegram import Update

        data["update_id"] = next(self._ids)
        self.loop.run_until_complete(self.app.process_update(Update.de_json(data, self.app.bot)))

    @staticmethod
    def _user(user_id: int) -> dict[str, Any]:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": f"U{user_id}",
            "username": f"u{user_id}",
        }

    def _message(self, user_id: int, text: str, chat: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": 10_000 + next(self._ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self._user(user_id),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return message

    def say(self, user_id: int, text: str, *, edited: bool = False) -> list[dict[str, Any]]:
        """A private message from `user_id`; returns the messages the bot sent in reply."""
        chat = {"id": user_id, "type": "private", "first_name": f"U{user_id}"}
        before = len(self.tg.messages)
        key = "edited_message" if edited else "message"
        message = self._message(user_id, text, chat)
        if edited:
            message["edit_date"] = int(time.time())
        self._feed({key: message})
        return self.tg.messages[before:]

    def say_in_group(self, user_id: int, text: str) -> list[dict[str, Any]]:
        chat = {"id": ORGANISERS_GROUP, "type": "supergroup", "title": "Organisers"}
        before = len(self.tg.messages)
        self._feed({"message": self._message(user_id, text, chat)})
        return self.tg.messages[before:]

    def texts(self, user_id: int, text: str) -> str:
        """What the bot answered, all messages joined."""
        return "\n".join(m["text"] for m in self.say(user_id, text))

    def press(self, user_id: int, question: dict[str, Any], data: str) -> None:
        """`user_id` presses the button with callback `data` under the bot's message `question`."""
        bot_message = {
            "message_id": question["message_id"],
            "date": int(time.time()),
            "chat": {"id": int(question["chat"]), "type": "private", "first_name": "U"},
            "from": {"id": 123456, "is_bot": True, "first_name": "Outreach"},
            "text": question["text"],
        }
        self._feed({
            "callback_query": {
                "id": f"cb{next(self._ids)}",
                "from": self._user(user_id),
                "chat_instance": "ci",
                "message": bot_message,
                "data": data,
            }
        })  # fmt: skip


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]
