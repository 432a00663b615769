"""What nothing else handled: unknown commands, free text, old buttons, and errors."""

from __future__ import annotations

import contextlib
import logging

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import CallbackQuery, ErrorEvent, Message

from bot.i18n import Translator, cut, pick_language, translator

log = logging.getLogger(__name__)
SHOWN_COMMAND = 40


async def unknown_command(message: Message, bot: Bot, tr: Translator) -> None:
    word = (message.text or "").split(maxsplit=1)[0]
    name, _, mention = word.partition("@")
    if mention and mention.casefold() != ((await bot.me()).username or "").casefold():
        return  # a command for another bot in the same group
    await message.answer(tr("fallback.command", command=cut(name, SHOWN_COMMAND)))


async def free_text(message: Message, tr: Translator) -> None:
    await message.answer(tr("fallback.text"))


async def stale_button(callback: CallbackQuery, tr: Translator) -> None:
    await callback.answer(tr.label("callback.stale"), show_alert=True)


async def on_error(event: ErrorEvent) -> None:
    """Log the failure and tell the user something went wrong, never a traceback."""
    if isinstance(event.exception, TelegramRetryAfter | TelegramForbiddenError):
        # A reply Telegram refused (still 429 after the waits, or blocked): one line, and no
        # error reply, which would be refused the same way.
        log.warning(
            "update %s: reply refused: %s: %s",
            event.update.update_id,
            type(event.exception).__name__,
            event.exception.message,
        )
        return
    log.exception("update %s failed", event.update.update_id, exc_info=event.exception)
    update = event.update
    message = update.message or (update.callback_query.message if update.callback_query else None)
    user = update.message.from_user if update.message else None
    if update.callback_query:
        user = update.callback_query.from_user
    tr = translator(pick_language(user.language_code if user else None))
    with contextlib.suppress(TelegramAPIError):
        if update.callback_query:
            await update.callback_query.answer(tr.label("error.internal"), show_alert=True)
        elif isinstance(message, Message):
            await message.answer(tr("error.internal"))


def make_router() -> Router:
    router = Router(name=__name__)
    router.message.register(unknown_command, F.text.startswith("/"))
    router.message.register(free_text, F.chat.type == ChatType.PRIVATE)
    router.callback_query.register(stale_button)
    return router
