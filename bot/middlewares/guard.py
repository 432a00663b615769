"""Inner middleware: refuses, with a clear answer, what a handler's flags forbid.

``flags={"admin": True}``: in a group only its administrators may use the handler.
``flags={"subscribed": True}``: the chat must have run /start (its settings exist).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.dispatcher.flags import get_flag
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, User

from bot.i18n import Translator

ADMIN_STATUSES = frozenset({ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR})
# A group's 20 messages a minute are shared with its alerts: a member who keeps sending admin
# commands is told once a minute, and the rest are ignored in silence.
REFUSAL_EVERY = 60.0
MAX_REMEMBERED_REFUSALS = 10_000


async def is_group_admin(bot: Bot, chat: Chat, user: User | None, event: TelegramObject) -> bool:
    """True in private chats; in groups, when getChatMember says creator or administrator.

    A message an anonymous administrator sends comes "from" the group itself.
    """
    if chat.type == ChatType.PRIVATE:
        return True
    if isinstance(event, Message) and event.sender_chat and event.sender_chat.id == chat.id:
        return True
    if user is None:
        return False
    member = await bot.get_chat_member(chat_id=chat.id, user_id=user.id)
    return member.status in ADMIN_STATUSES


async def _refuse(event: TelegramObject, text: str, alert: str) -> None:
    if isinstance(event, Message):
        await event.answer(text)
    elif isinstance(event, CallbackQuery):
        await event.answer(alert, show_alert=True)


class ChatGuardMiddleware(BaseMiddleware):
    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._refused: dict[tuple[int, int], float] = {}

    def _may_refuse(self, chat: Chat, user: User | None, event: TelegramObject) -> bool:
        """Button presses are answered privately; group messages once a minute per member."""
        if chat.type == ChatType.PRIVATE or not isinstance(event, Message):
            return True
        now = self._monotonic()
        key = (chat.id, user.id if user else 0)
        if now - self._refused.get(key, -REFUSAL_EVERY) < REFUSAL_EVERY:
            return False
        if len(self._refused) >= MAX_REMEMBERED_REFUSALS:
            self._refused = {k: t for k, t in self._refused.items() if now - t < REFUSAL_EVERY}
        self._refused[key] = now
        return True

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        chat: Chat | None = data.get("event_chat")
        tr: Translator = data["tr"]
        if get_flag(data, "admin") and chat is not None:
            bot: Bot = data["bot"]
            user = data.get("event_from_user")
            if not await is_group_admin(bot, chat, user, event):
                if self._may_refuse(chat, user, event):
                    text = tr("group.admins_only")
                    await _refuse(event, text, tr.label("group.admins_only"))
                return None
        if get_flag(data, "subscribed") and data.get("chat_settings") is None:
            await _refuse(event, tr("not_subscribed"), tr.label("not_subscribed"))
            return None
        return await handler(event, data)
