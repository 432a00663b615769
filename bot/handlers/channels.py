"""/channel: a channel as an alert destination, set up from a private chat.

A channel never sends the bot commands, so its administrator links it here
(``/channel @name``, a t.me link or its numeric id). Both the user and the bot must be its
administrators, the bot one who may post. From then on /topics, /keywords, /mode, /digest,
/timezone, /lang and /status in this private chat apply to the channel (the chat context
middleware swaps the settings, re-checking the user's rights each time), until
``/channel off``. /start, /stop and /forget always act on the chat they are sent in.
"""

from __future__ import annotations

import re

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import ChatMemberAdministrator, Message

from bot.callbacks import TOPICS
from bot.clock import Clock
from bot.handlers._common import status_text
from bot.i18n import Translator, cut
from bot.middlewares.guard import ADMIN_STATUSES
from storage.repositories.chats import ChatRepository, ChatSettings

SHOWN_NAME = 60
OFF_WORDS = frozenset({"off", "выкл", "выключить", "stop"})
# @name, t.me/name, https://t.me/name, or a channel's numeric id (-100…).
_TARGET = re.compile(
    r"(?:@|(?:https?://)?(?:t|telegram)\.me/)?(?P<name>[A-Za-z][A-Za-z0-9_]{3,31})"
    r"|(?P<id>-100\d{5,15})"
)


def channel_target(text: str) -> str | int | None:
    """What getChat takes for what the user typed, or None if it names no channel."""
    found = _TARGET.fullmatch(text.strip().rstrip("/"))
    if found is None:
        return None
    return int(found["id"]) if found["id"] else f"@{found['name']}"


async def channel(
    message: Message,
    command: CommandObject,
    bot: Bot,
    chats: ChatRepository,
    own_settings: ChatSettings,
    chat_settings: ChatSettings,
    tr: Translator,
    clock: Clock,
) -> None:
    arg = (command.args or "").strip()
    if not arg:
        if own_settings.managing is not None and chat_settings.id != own_settings.id:
            name = cut(chat_settings.title or str(chat_settings.id), SHOWN_NAME)
            await message.answer(tr("channel.current", name=name))
        else:
            await message.answer(tr("channel.usage"))
        return
    if arg.casefold() in OFF_WORDS:
        await chats.set_managing(own_settings.id, None, now=clock())
        await message.answer(tr("channel.off"))
        return
    target = channel_target(arg)
    if target is None:
        await message.answer(tr("channel.usage"))
        return
    try:
        found = await bot.get_chat(target)
    except TelegramAPIError:
        await message.answer(tr("channel.not_found", name=cut(arg, SHOWN_NAME)))
        return
    name = cut(found.title or arg, SHOWN_NAME)
    if found.type != ChatType.CHANNEL:
        await message.answer(tr("channel.not_a_channel", name=name))
        return
    if not await _user_is_admin(bot, found.id, message):
        await message.answer(tr("channel.not_your_channel", name=name))
        return
    if not await _bot_may_post(bot, found.id):
        await message.answer(tr("channel.bot_not_admin", name=name))
        return
    now = clock()
    linked, _ = await chats.subscribe(
        found.id,
        chat_type=ChatType.CHANNEL,
        language=own_settings.language,
        timezone=own_settings.timezone,
        topics=TOPICS,
        now=now,
        title=found.title,
    )
    await chats.set_managing(own_settings.id, found.id, now=now)
    await message.answer(tr("channel.linked", name=name, status=status_text(tr, linked, now)))


async def _user_is_admin(bot: Bot, channel_id: int, message: Message) -> bool:
    if message.from_user is None:
        return False
    try:
        member = await bot.get_chat_member(channel_id, message.from_user.id)
    except TelegramAPIError:
        return False
    return member.status in ADMIN_STATUSES


async def _bot_may_post(bot: Bot, channel_id: int) -> bool:
    try:
        member = await bot.get_chat_member(channel_id, bot.id)
    except TelegramAPIError:
        return False
    return isinstance(member, ChatMemberAdministrator) and bool(member.can_post_messages)


def make_router() -> Router:
    router = Router(name=__name__)
    router.message.register(
        channel, Command("channel"), F.chat.type == ChatType.PRIVATE, flags={"subscribed": True}
    )
    return router
