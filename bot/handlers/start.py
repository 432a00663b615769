from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import CommandStart
from aiogram.types import Message

from bot.clock import utc_now
from bot.config import Settings
from storage.db import SessionFactory
from storage.repositories.chats import ChatRepository

router = Router(name=__name__)

CURATED_TOPICS = ("critical_minerals", "c5plus1")


@router.message(CommandStart(), F.chat.type == "private")
async def start(message: Message, sessions: SessionFactory, settings: Settings) -> None:
    lang = "ru" if message.from_user and message.from_user.language_code == "ru" else "en"
    await ChatRepository(sessions).subscribe(
        message.chat.id,
        chat_type=message.chat.type,
        language=lang,
        timezone=settings.default_timezone,
        topics=CURATED_TOPICS,
        now=utc_now(),
    )
    if lang == "ru":
        await message.answer("Подписка оформлена: критически важные минералы и C5+1.")
    else:
        await message.answer("Subscribed: critical minerals and C5+1.")
