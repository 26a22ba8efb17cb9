"""A fake Telegram Bot API server: /bot<token>/<method> for what outreach calls.

getMe, getChat, getChatMember, sendMessage, sendPhoto, editMessageText,
editMessageCaption and deleteMessage as the Bot API documents them ("message
is not modified" when what readers see, the text and its entities, would not
change; "message to edit not found", "message to delete not found", "message
can't be deleted for everyone" after 48 hours; 403 for a bot that left or was
kicked). Who may post: in a channel an administrator with can_post_messages
("need administrator rights in the channel chat" otherwise), in a group or
supergroup any member not restricted; a bot deletes its own messages in a
group or supergroup without any right, in a channel with the right to post or
to delete. For the admin bot also answerCallbackQuery, setMyCommands
and deleteWebhook, and
private chats with users (`add_user`). Any token is accepted
(`tokens_seen` records which); chats are known by @name or id with the bot's
membership in each. Errors are shaped like Telegram's:
{"ok": false, "error_code": 429, "description": ..., "parameters": {"retry_after": N}}.

As the Bot API documents them, too: an HTML-mode text is parsed as Telegram's
"HTML style" ("can't parse entities" for a tag outside the subset, an
unclosed or stray tag, an entity other than &lt; &gt; &amp; &quot; and
numeric ones) and its limits apply to the text after parsing, in UTF-16
code units ("message is too long" over 4096, "message caption is too long"
over 1024); a group upgraded to a supergroup (`migrate`) answers every call
naming its old id with 400 and parameters.migrate_to_chat_id; deleteMessage
in a channel needs the bot to be allowed to post (its own messages) or to
delete messages ("message can't be deleted" otherwise, as after 48 hours).

    with FakeTelegram() as t:
        t.fail_next(1, "reply", reply=t.flood(retry_after=1))
        t.fail_next(1, "slow", delay=2, path="sendMessage")   # posts, answers too late
        t.fail_next(1, "reply_after", reply=t.error(500))     # posts, then answers 500
        t.messages  # what was posted, in order (a deleted one stays, with "deleted": True)
        t.live("@freeales_ru")  # what the chat still shows, as it reads now
        t.make_old(message_id, hours=49)  # sent that long ago (deleteMessage refuses after 48)
        t.add_user(111)  # a private chat with user 111; t.texts("111") is what the bot said there
        t.callback_answers, t.edits  # answerCallbackQuery and editMessageText calls
        t.limit_chats(20, minute=3.0)  # flood control: the 21st message to a chat within
        t.flood_refusals, t.accepted_at  # a (scaled) minute is refused with 429 + retry_after
        t.migrate(-4001, Chat(-1004001, None, "Group", type="supergroup"))  # group upgraded
        t.messages[0]["shown"]  # the text as readers see it (HTML parsed, entities decoded)
        t.fail_next(1, "reply", reply=t.proxy_error(502))  # nginx's HTML page, not JSON

docs/platform_conformance.md compares this fake, the Bot API's documentation and
outreach item by item.
"""

from __future__ import annotations

import html
import itertools
import json
import math
import re
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from ._server import FakeServer, Reply, Request

BOT = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Outreach",
    "username": "outreach_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class Chat:
    id: int
    username: str | None
    title: str
    type: str = "channel"
    bot_status: str = "administrator"
    can_post: bool = True
    can_delete: bool = True
    """can_delete_messages: delete any message (without it, a channel's bot that may post
    still deletes its own, as the Bot API's deleteMessage says)."""


MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
# Telegram's HTML style: these tags (and <span class="tg-spoiler">), these entities.
HTML_TAGS = frozenset(
    [
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    ]
)
_TAG = re.compile(
    r"""<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[A-Za-z-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*>"""
)
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")


class EntityError(ValueError):
    """What Telegram says after "Bad Request: can't parse entities: "."""


_KIND = {"strong": "b", "em": "i", "ins": "u", "strike": "s", "del": "s", "tg-spoiler": "spoiler"}
"""Tags Telegram reads as the same entity (<b> and <strong> are both "bold")."""


def parse_html(text: str) -> tuple[str, tuple[tuple[str, str, int, int], ...]]:
    """An HTML-mode text as Telegram keeps it: the text readers see (tags out, entities
    decoded, trimmed) and its entities (kind, attributes, start, end).

    Written from the Bot API's "HTML style" rules, independently of outreach's own
    counting (textlimits.py), so that a test comparing the two can fail."""
    out: list[str] = []
    open_tags: list[tuple[str, str, int]] = []
    entities: list[tuple[str, str, int, int]] = []
    i = 0
    while i < len(text):
        offset = len(text[:i].encode("utf-8"))
        if text[i] == "<":
            m = _TAG.match(text, i)
            if m is None:
                raise EntityError(f"Unexpected start tag at byte offset {offset}")
            closing, name = m.group(1), m.group(2).lower()
            if name not in HTML_TAGS:
                raise EntityError(f'Unsupported start tag "{name}" at byte offset {offset}')
            if closing:
                if not open_tags or open_tags[-1][0] != name:
                    raise EntityError(f"Unexpected end tag at byte offset {offset}")
                _, attrs, start = open_tags.pop()
                kind = "spoiler" if name == "span" else _KIND.get(name, name)
                attrs = "" if kind == "spoiler" else attrs
                entities.append((kind, attrs, start, len("".join(out))))
            else:
                open_tags.append((name, " ".join(m.group(3).split()), len("".join(out))))
            i = m.end()
        elif text[i] == "&":
            m = _ENTITY.match(text, i)
            if m is None:
                raise EntityError(f"Unsupported HTML entity at byte offset {offset}")
            out.append(html.unescape(m.group(0)))
            i = m.end()
        else:
            out.append(text[i])
            i += 1
    if open_tags:
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{open_tags[-1][0]}"')
    whole = "".join(out)
    shown = whole.strip()
    lead = len(whole) - len(whole.lstrip())
    kept = tuple(
        sorted((k, a, max(0, b - lead), min(len(shown), e - lead)) for k, a, b, e in entities)
    )
    return shown, tuple(e for e in kept if e[2] < e[3])


def shown_text(text: str) -> str:
    """An HTML-mode text as Telegram shows it: tags out, entities decoded, trimmed."""
    return parse_html(text)[0]


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FakeTelegram(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.chats: dict[str, Chat] = {}
        self.messages: list[dict[str, Any]] = []
        """sendMessage and sendPhoto calls that posted, in order (method, chat, text/caption, ...)."""
        self.tokens_seen: list[str] = []
        self.callback_answers: list[dict[str, Any]] = []
        """answerCallbackQuery calls: callback_query_id, text, show_alert."""
        self.edits: list[dict[str, Any]] = []
        """editMessageText/Caption calls that changed a message: chat, message_id, text,
        reply_markup, method."""
        self.deletions: list[dict[str, Any]] = []
        """deleteMessage calls that deleted a message: chat, message_id."""
        self.commands: list[dict[str, Any]] = []
        """setMyCommands calls, the last one last."""
        self._ids = itertools.count(1)
        self._flood: tuple[int, float] | None = None
        self._arrivals: dict[str, deque[float]] = {}
        self.flood_refusals = 0
        """Messages refused by flood control (limit_chats)."""
        self.accepted_at: list[float] = []
        """time.monotonic() of each message posted, in order."""
        self.migrated: dict[str, int] = {}
        """Old group id -> the supergroup it became (`migrate`)."""
        self.add_chat(Chat(-1001000000001, "freeales_ru", "Free Ales (ru)"))
        self.add_chat(Chat(-1001000000002, "freeales_be", "Free Ales (be)"))

    def limit_chats(self, per_minute: int = 20, minute: float = 60.0) -> None:
        """Flood control as Telegram applies it to a bot in one chat: a message that
        would be the (per_minute + 1)th within `minute` seconds (scaled down in tests)
        is refused with 429 and parameters.retry_after, whole seconds as the Bot API
        gives them."""
        self._flood = (per_minute, minute)

    def migrate(self, old_id: int, supergroup: Chat) -> Chat:
        """The group `old_id` became `supergroup`: calls naming the old id are refused with
        migrate_to_chat_id, as the Bot API's ResponseParameters document."""
        with self.lock:
            self.migrated[str(old_id)] = supergroup.id
        return self.add_chat(supergroup)

    @staticmethod
    def moved(new_id: int) -> Reply:
        return Reply(400, {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: group chat was upgraded to a supergroup chat",
            "parameters": {"migrate_to_chat_id": new_id},
        })  # fmt: skip

    def add_user(self, user_id: int, first_name: str = "User") -> Chat:
        """A private chat with a user (its id is the user's id), as after the user wrote /start."""
        return self.add_chat(Chat(user_id, None, first_name, type="private"))

    def add_chat(self, chat: Chat) -> Chat:
        with self.lock:
            self.chats[str(chat.id)] = chat
            if chat.username:
                self.chats[f"@{chat.username}"] = chat
        return chat

    @staticmethod
    def flood(retry_after: int = 1) -> Reply:
        return Reply(429, {
            "ok": False,
            "error_code": 429,
            "description": f"Too Many Requests: retry after {retry_after}",
            "parameters": {"retry_after": retry_after},
        })  # fmt: skip

    @staticmethod
    def error(status: int, description: str = "") -> Reply:
        defaults = {
            400: "Bad Request: chat not found",
            401: "Unauthorized",
            403: "Forbidden: bot is not a member of the channel chat",
            500: "Internal Server Error",
            502: "Bad Gateway",
            503: "Service Unavailable",
        }
        desc = description or defaults.get(status, "Error")
        return Reply(status, {"ok": False, "error_code": status, "description": desc})

    def texts(self, chat: str | None = None) -> list[str]:
        with self.lock:
            return [m["text"] for m in self.messages if chat is None or m["chat"] == chat]

    def live(self, chat: str | None = None) -> list[dict[str, Any]]:
        """The messages still there (not deleted), as they read now."""
        with self.lock:
            return [
                m for m in self.messages if not m["deleted"] and (chat is None or m["chat"] == chat)
            ]

    def make_old(self, message_id: int, hours: float) -> None:
        """Pretend the message was sent `hours` ago."""
        with self.lock:
            for m in self.messages:
                if m["message_id"] == message_id:
                    m["date"] = int(time.time() - hours * 3600)

    # -- routes -----------------------------------------------------------------

    def route(self, req: Request) -> Reply:
        parts = req.path.split("/")
        if len(parts) != 3 or not parts[1].startswith("bot"):
            return self.error(404, "Not Found")
        token, method = parts[1][3:], parts[2]
        with self.lock:
            self.tokens_seen.append(token)
        params = dict(req.form)
        if req.json:
            params.update(req.json)
        if method == "getMe":
            return _ok(BOT)
        if method in ("answerCallbackQuery", "setMyCommands", "deleteWebhook"):
            return self._record_call(method, params)
        new_id = self.migrated.get(str(params.get("chat_id", "")))
        if new_id is not None:
            return self.moved(new_id)
        chat = self.chats.get(str(params.get("chat_id", "")))
        if chat is None:
            return self.error(400, "Bad Request: chat not found")
        if method == "getChat":
            return _ok(self._chat_full(chat))
        if method == "getChatMember":
            return _ok(self._member(chat))
        if method in ("sendMessage", "sendPhoto"):
            return self._send(method, chat, params, req, token)
        if method in ("editMessageText", "editMessageCaption"):
            return self._edit(method, chat, params)
        if method == "deleteMessage":
            return self._delete(chat, params)
        return self.error(404, "Not Found: method not found")

    def _record_call(self, method: str, params: dict[str, Any]) -> Reply:
        with self.lock:
            if method == "answerCallbackQuery":
                self.callback_answers.append({
                    "callback_query_id": params.get("callback_query_id"),
                    "text": params.get("text"),
                    "show_alert": params.get("show_alert") in (True, "true", "True"),
                })  # fmt: skip
            elif method == "setMyCommands":
                self.commands.append({"commands": _maybe_json(params.get("commands"))})
        return _ok(True)

    def _find(self, chat: Chat, params: dict[str, Any]) -> dict[str, Any] | None:
        ref = f"@{chat.username}" if chat.username else str(chat.id)
        message_id = int(params.get("message_id") or 0)
        return next(
            (
                m
                for m in self.messages
                if m["chat"] == ref and m["message_id"] == message_id and not m["deleted"]
            ),
            None,
        )

    @staticmethod
    def _not_in(chat: Chat) -> Reply | None:
        """403 for a bot no longer in the chat (left, or thrown out), as Telegram words it."""
        if chat.type == "private":
            return None
        if chat.bot_status == "kicked":
            return FakeTelegram.error(403, f"Forbidden: bot was kicked from the {chat.type} chat")
        if chat.bot_status == "left":
            return FakeTelegram.error(
                403, f"Forbidden: bot is not a member of the {chat.type} chat"
            )
        return None

    @staticmethod
    def _may_not_post(chat: Chat) -> Reply | None:
        """Why the bot may not post in `chat`; None: it may. In a channel only an
        administrator allowed to post may; in a group or supergroup any member the
        group has not restricted (a bot need not be an administrator there)."""
        gone = FakeTelegram._not_in(chat)
        if gone is not None:
            return gone
        if chat.type == "channel" and (chat.bot_status != "administrator" or not chat.can_post):
            return FakeTelegram.error(
                400, "Bad Request: need administrator rights in the channel chat"
            )
        if chat.type != "channel" and not chat.can_post:
            return FakeTelegram.error(
                400, "Bad Request: not enough rights to send text messages to the chat"
            )
        return None

    def _edit(self, method: str, chat: Chat, params: dict[str, Any]) -> Reply:
        # A bot edits its own messages wherever it still is (in a channel, as an
        # administrator allowed to post: the one way it posted there).
        refused = self._may_not_post(chat) if chat.type == "channel" else self._not_in(chat)
        if refused is not None:
            return refused
        with self.lock:
            found = self._find(chat, params)
            if found is None:
                return self.error(400, "Bad Request: message to edit not found")
            photo = found["method"] == "sendPhoto"
            if method == "editMessageText" and photo:
                return self.error(400, "Bad Request: there is no text in the message to edit")
            if method == "editMessageCaption" and not photo:
                return self.error(400, "Bad Request: there is no caption in the message to edit")
            text = params.get("text") if method == "editMessageText" else params.get("caption")
            refused = _refusal(text, params.get("parse_mode"), caption=photo)
            if refused is not None:
                return refused
            markup = _maybe_json(params.get("reply_markup"))
            # Telegram compares what readers would see (the text and its entities), not
            # how the HTML was written: '&quot;' for '"', <strong> for <b> change nothing.
            same = _kept(text, params.get("parse_mode")) == _kept(
                found["text"], found["parse_mode"]
            )
            if same and markup == found["reply_markup"]:
                return self.error(
                    400,
                    "Bad Request: message is not modified: specified new message content and "
                    "reply markup are exactly the same as a current content and reply markup "
                    "of the message",
                )
            edit = {
                "chat": found["chat"],
                "message_id": found["message_id"],
                "text": text,
                "parse_mode": params.get("parse_mode"),
                "reply_markup": markup,
                "method": method,
            }
            self.edits.append(edit)
            found["text"], found["reply_markup"] = text, markup
            found["parse_mode"] = params.get("parse_mode")
            found["shown"] = _shown(text, params.get("parse_mode"))
            date = found["date"]
        message: dict[str, Any] = {
            "message_id": edit["message_id"],
            "date": date,
            "edit_date": int(time.time()),
            "chat": self._chat_json(chat),
        }
        message["caption" if photo else "text"] = text
        if photo:
            message["photo"] = [{"file_id": "p1", "file_unique_id": "u1", "width": 1, "height": 1}]
        return _ok(message)

    def _delete(self, chat: Chat, params: dict[str, Any]) -> Reply:
        gone = self._not_in(chat)
        if gone is not None:
            return gone
        with self.lock:
            found = self._find(chat, params)
            if found is None:
                return self.error(400, "Bad Request: message to delete not found")
            if time.time() - found["date"] >= 48 * 3600:
                return self.error(400, "Bad Request: message can't be deleted for everyone")
            # Every message here is the bot's own: in a private chat, a group or a
            # supergroup it deletes those as any member may; in a channel it needs the
            # right to post (its own) or to delete (any).
            may = chat.type != "channel" or (
                chat.bot_status == "administrator" and (chat.can_post or chat.can_delete)
            )
            if not may:
                return self.error(400, "Bad Request: message can't be deleted")
            found["deleted"] = True
            self.deletions.append({"chat": found["chat"], "message_id": found["message_id"]})
        return _ok(True)

    def _chat_json(self, chat: Chat) -> dict[str, Any]:
        out: dict[str, Any] = {"id": chat.id, "type": chat.type, "title": chat.title}
        if chat.username:
            out["username"] = chat.username
        return out

    def _chat_full(self, chat: Chat) -> dict[str, Any]:
        gifts = dict.fromkeys(
            ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
             "gifts_from_channels"), False,
        )  # fmt: skip
        return {
            **self._chat_json(chat),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }

    def _member(self, chat: Chat) -> dict[str, Any]:
        if chat.bot_status == "restricted":  # ChatMemberRestricted: its permissions listed
            perms = dict.fromkeys(
                ("can_send_audios", "can_send_documents", "can_send_photos", "can_send_videos",
                 "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
                 "can_send_other_messages", "can_add_web_page_previews", "can_change_info",
                 "can_invite_users", "can_pin_messages", "can_manage_topics"),
                chat.can_post,
            )  # fmt: skip
            return {"status": "restricted", "user": BOT, "is_member": True, "until_date": 0,
                    "can_send_messages": chat.can_post, **perms}  # fmt: skip
        if chat.bot_status != "administrator":
            return {"status": chat.bot_status, "user": BOT}
        rights = dict.fromkeys(
            ("can_manage_chat", "can_delete_messages", "can_manage_video_chats",
             "can_restrict_members", "can_promote_members", "can_change_info",
             "can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories"),
            True,
        )  # fmt: skip
        return {
            "status": "administrator",
            "user": BOT,
            "can_be_edited": False,
            "is_anonymous": False,
            **rights,
            "can_delete_messages": chat.can_delete,
            "can_post_messages": chat.can_post,
            "can_edit_messages": True,
        }

    def _send(
        self, method: str, chat: Chat, params: dict[str, Any], req: Request, token: str
    ) -> Reply:
        refused = self._may_not_post(chat)
        if refused is not None:
            return refused
        if self._flood is not None:
            limit, minute = self._flood
            with self.lock:
                now = time.monotonic()
                seen = self._arrivals.setdefault(str(chat.id), deque())
                while seen and seen[0] <= now - minute:
                    seen.popleft()
                if len(seen) >= limit:
                    self.flood_refusals += 1
                    return self.flood(max(1, math.ceil(seen[0] + minute - now)))
                seen.append(now)
                self.accepted_at.append(now)
        text = params.get("text") if method == "sendMessage" else params.get("caption")
        refused = _refusal(text, params.get("parse_mode"), caption=method == "sendPhoto")
        if refused is not None:
            return refused
        photo = params.get("photo")
        if "photo" in req.files:
            photo = ("upload", req.files["photo"][1])
        markup = params.get("reply_markup")
        record = {
            "method": method,
            "chat": f"@{chat.username}" if chat.username else str(chat.id),
            "text": text,
            "shown": _shown(text, params.get("parse_mode")),
            "parse_mode": params.get("parse_mode"),
            "disable_notification": params.get("disable_notification") in (True, "true", "True"),
            "link_preview_options": _maybe_json(params.get("link_preview_options")),
            "reply_markup": _maybe_json(markup),
            "photo": photo,
            "token": token,
            "date": int(time.time()),
            "deleted": False,
        }
        with self.lock:
            message_id = next(self._ids)
            record["message_id"] = message_id
            self.messages.append(record)
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": record["date"],
            "chat": self._chat_json(chat),
        }
        if method == "sendMessage":
            message["text"] = record["text"]
        else:
            message["caption"] = record["text"]
            message["photo"] = [{"file_id": "p1", "file_unique_id": "u1", "width": 1, "height": 1}]
        return _ok(message)


def _shown(text: str | None, parse_mode: str | None) -> str:
    return shown_text(text or "") if parse_mode == "HTML" else (text or "").strip()


def _kept(text: str | None, parse_mode: str | None) -> tuple[str, tuple[Any, ...]]:
    """What Telegram keeps of a text: what readers see and its entities."""
    if parse_mode == "HTML":
        return parse_html(text or "")
    return (text or "").strip(), ()


def _refusal(text: str | None, parse_mode: str | None, *, caption: bool) -> Reply | None:
    """Telegram's 400 for a text it will not take, after entity parsing; None: it takes it."""
    try:
        shown = _shown(text, parse_mode)
    except EntityError as exc:
        return FakeTelegram.error(400, f"Bad Request: can't parse entities: {exc}")
    if caption and utf16_units(shown) > CAPTION_LIMIT:
        return FakeTelegram.error(400, "Bad Request: message caption is too long")
    if not caption and not shown:
        return FakeTelegram.error(400, "Bad Request: message text is empty")
    if not caption and utf16_units(shown) > MESSAGE_LIMIT:
        return FakeTelegram.error(400, "Bad Request: message is too long")
    return None


def _ok(result: Any) -> Reply:
    return Reply(200, {"ok": True, "result": result})


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
