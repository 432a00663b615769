"""/status and /help: what this chat receives, and how to use the bot."""

from __future__ import annotations

from aiogram import Router
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.types import Message

from bot.clock import Clock
from bot.config import Settings
from bot.handlers._common import status_text
from bot.i18n import Markup, Translator
from storage.repositories.chats import ChatSettings


async def status(
    message: Message, chat_settings: ChatSettings | None, tr: Translator, clock: Clock
) -> None:
    if chat_settings is None:
        await message.answer(tr("not_subscribed"))
        return
    await message.answer(status_text(tr, chat_settings, clock()))


async def help_command(message: Message, tr: Translator, settings: Settings) -> None:
    text = tr("help.text", usage=tr("kw.usage"))
    if message.chat.type != ChatType.PRIVATE:
        text = Markup(text + tr("help.group"))
    if message.from_user and message.from_user.id in settings.admin_ids:
        text = Markup(text + tr("help.admin"))
    await message.answer(text)


def make_router() -> Router:
    router = Router(name=__name__)
    router.message.register(status, Command("status"))
    router.message.register(help_command, Command("help"))
    return router
