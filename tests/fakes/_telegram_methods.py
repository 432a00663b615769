"""Bot API methods of the fake Telegram server, on plain state (no HTTP, no waiting)."""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

from tests.fakes._telegram_html import EntityParseError, parse_html, utf16_len
from tests.fakes._telegram_state import (
    JSON,
    ApiCall,
    RateLimiter,
    RateLimits,
    SentMessage,
    chat_json,
    chat_member_json,
    default_chat_type,
    user_json,
)

MAX_TEXT_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "commands",
        "scope",
        "entities",
        "link_preview_options",
        "reply_parameters",
    }
)
INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "message_thread_id",
        "reply_to_message_id",
        "cache_time",
    }
)
BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "show_alert",
        "disable_web_page_preview",
        "allow_sending_without_reply",
    }
)


class ApiError(Exception):
    """An error answer: HTTP status = error_code, Telegram's description and parameters."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def decode_params(raw: dict[str, Any]) -> JSON:
    """Give form fields (all strings, as aiogram sends them) the JSON types they stand for."""
    params: JSON = {}
    for key, value in raw.items():
        if isinstance(value, str):
            if key in JSON_FIELDS:
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
            elif key in INT_FIELDS and re.fullmatch(r"-?\d+", value):
                value = int(value)
            elif key in BOOL_FIELDS and value in ("true", "false", "True", "False"):
                value = value.lower() == "true"
        params[key] = value
    return params


def scope_key(scope: JSON | None) -> str:
    """``default``, ``all_private_chats``, ``chat:-100123``, ``chat_member:-100123:42``..."""
    if not scope:
        return "default"
    parts = [str(scope.get("type", "default"))]
    parts += [str(scope[k]) for k in ("chat_id", "user_id") if k in scope]
    return ":".join(parts)


class TelegramState:
    """Everything the fake remembers, and the methods that read and change it."""

    def __init__(
        self,
        token: str,
        *,
        bot_username: str,
        bot_first_name: str,
        rate_limits: RateLimits | None,
        clock: Callable[[], float],
        strict_ampersand: bool,
    ) -> None:
        self.token = token
        self.bot_user = user_json(
            int(token.partition(":")[0]),
            first_name=bot_first_name,
            username=bot_username,
            is_bot=True,
        )
        self.clock = clock
        self.strict_ampersand = strict_ampersand
        self.limiter = RateLimiter(rate_limits) if rate_limits else None
        self._lock = threading.Lock()
        # records for assertions
        self.calls: list[ApiCall] = []
        self.sent: list[SentMessage] = []
        self.rate_limited: Counter[int] = Counter()
        self.callback_answers: dict[str, JSON] = {}
        self.my_commands: dict[tuple[str, str], list[JSON]] = {}
        self.allowed_updates: list[str] | None = None
        self.webhook_url = ""
        # world state
        self.messages: dict[tuple[int, int], JSON] = {}
        self.chats: dict[int, JSON] = {}
        self.users: dict[int, JSON] = {}
        self.chat_members: dict[tuple[int, int], str] = {}
        self.default_member_status = "member"
        self.blocked: dict[int, str] = {}
        self.migrated: dict[int, int] = {}
        self._failures: dict[str, deque[ApiError]] = {}
        self._callback_ids: set[str] = set()
        self._next_message_id: dict[int, int] = {}

    # --- configuration used by tests -------------------------------------------------------
    def block(
        self, chat_id: int, description: str = "Forbidden: bot was blocked by the user"
    ) -> None:
        self.blocked[chat_id] = description

    def unblock(self, chat_id: int) -> None:
        self.blocked.pop(chat_id, None)

    def migrate(self, chat_id: int, new_chat_id: int) -> None:
        self.migrated[chat_id] = new_chat_id

    def add_channel(self, chat_id: int, username: str | None, title: str) -> JSON:
        """A channel the bot can be asked about (getChat, getChatMember by @username)."""
        channel = chat_json(chat_id, "channel", title)
        if username:
            channel["username"] = username
        self.chats[chat_id] = channel
        return channel

    def _by_username(self, username: str) -> int:
        for chat_id, chat in self.chats.items():
            if str(chat.get("username", "")).casefold() == username.casefold():
                return chat_id
        raise ApiError(400, "Bad Request: chat not found")

    def get_chat(self, params: JSON) -> JSON:
        chat_id = self._chat_id(params, for_sending=False)
        if chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        gifts = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription")
        accepted = {name: False for name in (*gifts, "gifts_from_channels")}
        full = {"accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": accepted}
        return {**self.chats[chat_id], **full}

    def set_chat_member(self, chat_id: int, user_id: int, status: str) -> None:
        """What getChatMember reports: creator, administrator, member, restricted, left, kicked."""
        chat_member_json(user_json(user_id), status)  # validates the status
        self.chat_members[(chat_id, user_id)] = status

    def fail_next(
        self,
        method: str,
        status: int = 500,
        description: str = "Internal Server Error",
        count: int = 1,
        parameters: JSON | None = None,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` with this error instead."""
        queue = self._failures.setdefault(method.lower(), deque())
        queue.extend(ApiError(status, description, parameters) for _ in range(count))

    # --- helpers ---------------------------------------------------------------------------
    def take_failure(self, method: str) -> ApiError | None:
        queue = self._failures.get(method.lower())
        return queue.popleft() if queue else None

    def next_message_id(self, chat_id: int) -> int:
        with self._lock:
            value = self._next_message_id.get(chat_id, 0) + 1
            self._next_message_id[chat_id] = value
            return value

    def chat(self, chat_id: int) -> JSON:
        return self.chats.get(chat_id) or chat_json(chat_id, default_chat_type(chat_id))

    def user(self, user_id: int) -> JSON:
        return self.users.get(user_id) or user_json(user_id)

    def _chat_id(self, params: JSON, *, for_sending: bool = True) -> int:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            chat_id = self._by_username(chat_id[1:])
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        if for_sending and chat_id in self.blocked:
            raise ApiError(403, self.blocked[chat_id])
        if for_sending and chat_id in self.migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrated[chat_id]},
            )
        return chat_id

    def _text(self, params: JSON) -> tuple[str, str, list[JSON]]:
        text = params.get("text")
        if not isinstance(text, str) or not text:
            raise ApiError(400, "Bad Request: message text is empty")
        parse_mode = params.get("parse_mode")
        entities: list[JSON] = list(params.get("entities") or [])
        plain = text
        if isinstance(parse_mode, str) and parse_mode:
            mode = parse_mode.lower()
            if mode == "html":
                try:
                    plain, entities = parse_html(text, strict_ampersand=self.strict_ampersand)
                except EntityParseError as exc:
                    raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
            elif mode not in ("markdown", "markdownv2"):
                raise ApiError(400, "Bad Request: unsupported parse_mode")
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        return text, plain, entities

    @staticmethod
    def _markup(params: JSON) -> JSON | None:
        markup = params.get("reply_markup")
        if not isinstance(markup, dict):
            return None
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if not button.get("text"):
                    raise ApiError(
                        400, "Bad Request: text buttons are unallowed in the inline keyboard"
                    )
        return markup

    def _record(self, method: str, chat_id: int, message: JSON, params: JSON) -> None:
        self.sent.append(
            SentMessage(
                method=method,
                chat_id=chat_id,
                message_id=message["message_id"],
                text=params["text"],
                parse_mode=params.get("parse_mode"),
                reply_markup=message.get("reply_markup"),
                time=self.clock(),
                plain_text=message["text"],
                entities=tuple(message.get("entities", ())),
                params=params,
            )
        )

    # --- Bot API methods -------------------------------------------------------------------
    def get_me(self, params: JSON) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def send_message(self, params: JSON) -> JSON:
        chat_id = self._chat_id(params)
        _, plain, entities = self._text(params)
        markup = self._markup(params)
        if self.limiter is not None:
            retry_after = self.limiter.acquire(chat_id, self.clock())
            if retry_after is not None:
                self.rate_limited[chat_id] += 1
                raise ApiError(
                    429,
                    f"Too Many Requests: retry after {retry_after}",
                    {"retry_after": retry_after},
                )
        message: JSON = {
            "message_id": self.next_message_id(chat_id),
            "from": self.bot_user,
            "chat": self.chat(chat_id),
            "date": int(time.time()),
            "text": plain,
        }
        if entities:
            message["entities"] = entities
        if markup:
            message["reply_markup"] = markup
        self.messages[(chat_id, message["message_id"])] = message
        self._record("sendMessage", chat_id, message, params)
        return message

    def edit_message_text(self, params: JSON) -> JSON | bool:
        if params.get("inline_message_id"):
            self._text(params)
            return True
        chat_id = self._chat_id(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise ApiError(400, "Bad Request: message identifier is not specified")
        _, plain, entities = self._text(params)
        markup = self._markup(params)
        old = self.messages.get((chat_id, message_id))
        if old is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if old.get("from", {}).get("id") != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        if (old["text"], old.get("entities", []), old.get("reply_markup")) == (
            plain,
            entities,
            markup,
        ):
            raise ApiError(400, NOT_MODIFIED)
        new = {**old, "text": plain, "edit_date": int(time.time())}
        new.pop("entities", None)
        new.pop("reply_markup", None)
        if entities:
            new["entities"] = entities
        if markup:
            new["reply_markup"] = markup
        self.messages[(chat_id, message_id)] = new
        self._record("editMessageText", chat_id, new, params)
        return new

    def answer_callback_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._callback_ids or query_id in self.callback_answers:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self.callback_answers[query_id] = params
        return True

    def set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: commands must be an array")
        for command in commands:
            if not _COMMAND_RE.fullmatch(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = (scope_key(params.get("scope")), str(params.get("language_code", "")))
        self.my_commands[key] = commands
        return True

    def get_my_commands(self, params: JSON) -> list[JSON]:
        key = (scope_key(params.get("scope")), str(params.get("language_code", "")))
        return self.my_commands.get(key, [])

    def delete_my_commands(self, params: JSON) -> bool:
        key = (scope_key(params.get("scope")), str(params.get("language_code", "")))
        self.my_commands.pop(key, None)
        return True

    def get_chat_member(self, params: JSON) -> JSON:
        chat_id = self._chat_id(params, for_sending=False)
        user_id = params.get("user_id")
        if not isinstance(user_id, int):
            raise ApiError(400, "Bad Request: invalid user_id specified")
        status = self.chat_members.get((chat_id, user_id))
        if status is None:
            status = "member" if chat_id == user_id else self.default_member_status
        return chat_member_json(self.user(user_id), status)

    def send_chat_action(self, params: JSON) -> bool:
        self._chat_id(params)
        return True

    def set_webhook(self, params: JSON) -> bool:
        self.webhook_url = str(params.get("url", ""))
        return True

    def get_webhook_info(self, params: JSON) -> JSON:
        return {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": 0}
