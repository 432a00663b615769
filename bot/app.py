"""The composition root: builds every long-lived object once and closes them in reverse."""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode

from bot.clock import Clock, utc_now
from bot.config import Settings
from bot.database import open_database
from bot.handlers import setup_dispatcher

log = logging.getLogger(__name__)


def make_bot(settings: Settings) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    return Bot(
        token=settings.require_token(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


async def run_bot(settings: Settings, *, clock: Clock = utc_now) -> int:
    """Long polling plus the scheduler until interrupted."""
    bot = make_bot(settings)
    try:
        async with open_database(settings.database_url) as sessions:
            dispatcher = Dispatcher(sessions=sessions, settings=settings, clock=clock)
            setup_dispatcher(dispatcher, settings)
            me = await bot.get_me()
            log.info("bot @%s started; polling %s", me.username, settings.telegram_api_url)
            await bot.delete_webhook(drop_pending_updates=False)
            await dispatcher.start_polling(bot, handle_signals=True)
    finally:
        await bot.session.close()
    return 0
