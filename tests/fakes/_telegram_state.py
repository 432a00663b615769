"""Records, rate limiting and object builders behind :class:`FakeTelegramServer`."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiogram.types import ChatMemberAdministrator, ChatMemberRestricted

from tests.fakes._telegram_html import utf16_len

JSON = dict[str, Any]

CHAT_MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")


@dataclass(frozen=True)
class ApiCall:
    """One request the bot made: method name, decoded parameters and the fake's clock time."""

    method: str
    params: JSON
    time: float


@dataclass(frozen=True)
class SentMessage:
    """A successful sendMessage or editMessageText, as the bot sent it."""

    method: str
    chat_id: int
    message_id: int
    text: str
    parse_mode: str | None
    reply_markup: JSON | None
    time: float
    plain_text: str = ""
    entities: tuple[JSON, ...] = ()
    params: JSON = field(default_factory=dict)


@dataclass(frozen=True)
class RateLimits:
    """Telegram's documented send limits; pass ``rate_limits=None`` to the server to disable."""

    global_per_second: int = 30
    private_per_second: int = 1
    group_per_minute: int = 20


class _SlidingWindow:
    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self.times: deque[float] = deque()

    def wait(self, now: float) -> float:
        while self.times and self.times[0] <= now - self.window:
            self.times.popleft()
        if len(self.times) < self.limit:
            return 0.0
        return self.times[0] + self.window - now

    def add(self, now: float) -> None:
        self.times.append(now)


class RateLimiter:
    """Sliding windows: one overall, one per chat (private chats per second, groups per minute)."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._global = _SlidingWindow(limits.global_per_second, 1.0)
        self._chats: dict[int, _SlidingWindow] = {}

    def _chat_window(self, chat_id: int) -> _SlidingWindow:
        window = self._chats.get(chat_id)
        if window is None:
            if chat_id < 0:
                window = _SlidingWindow(self.limits.group_per_minute, 60.0)
            else:
                window = _SlidingWindow(self.limits.private_per_second, 1.0)
            self._chats[chat_id] = window
        return window

    def acquire(self, chat_id: int, now: float) -> int | None:
        """Count one message and return None, or return the whole seconds to wait."""
        chat = self._chat_window(chat_id)
        wait = max(self._global.wait(now), chat.wait(now))
        if wait > 0:
            return max(1, math.ceil(wait))
        self._global.add(now)
        chat.add(now)
        return None


def user_json(
    user_id: int,
    *,
    first_name: str | None = None,
    username: str | None = None,
    language_code: str | None = None,
    is_bot: bool = False,
) -> JSON:
    user: JSON = {"id": user_id, "is_bot": is_bot, "first_name": first_name or f"User{user_id}"}
    if username:
        user["username"] = username
    if language_code:
        user["language_code"] = language_code
    return user


def chat_json(chat_id: int, chat_type: str, title: str | None = None) -> JSON:
    chat: JSON = {"id": chat_id, "type": chat_type}
    if chat_type == "private":
        chat["first_name"] = title or f"User{chat_id}"
    else:
        chat["title"] = title or f"Chat {chat_id}"
    return chat


def default_chat_type(chat_id: int) -> str:
    if chat_id > 0:
        return "private"
    return "supergroup" if str(chat_id).startswith("-100") else "group"


def chat_member_json(user: JSON, status: str, until_date: int = 0) -> JSON:
    """A ChatMember object of the given status, with every field Telegram always sends."""
    if status not in CHAT_MEMBER_STATUSES:
        raise ValueError(f"unknown chat member status {status!r}")
    member: JSON = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        for name in ChatMemberAdministrator.model_fields:
            if name.startswith("can_"):
                member[name] = name != "can_be_edited"
        member["is_anonymous"] = False
    elif status == "restricted":
        for name in ChatMemberRestricted.model_fields:
            if name.startswith("can_"):
                member[name] = False
        member.update(is_member=True, until_date=until_date)
    elif status == "kicked":
        member["until_date"] = until_date
    return member


def bot_command_entities(text: str) -> list[JSON]:
    """The bot_command entity Telegram attaches to a message that starts with a command."""
    if not text.startswith("/"):
        return []
    end = 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return (
        [{"type": "bot_command", "offset": 0, "length": utf16_len(text[:end])}] if end > 1 else []
    )
