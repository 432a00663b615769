"""The "🔕 Mute" button under an alert: the message is edited no more as later reports of
its event come in; that coverage is dropped for the chat."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.callbacks import AlertMute
from bot.clock import Clock
from bot.i18n import Translator
from storage.db import SessionFactory
from storage.repositories.edits import EditRepository


async def mute_button(
    callback: CallbackQuery, sessions: SessionFactory, tr: Translator, clock: Clock
) -> None:
    message = callback.message
    if not isinstance(message, Message):
        await callback.answer(tr.label("callback.stale"))
        return
    muted = await EditRepository(sessions).stop_updates(
        message.chat.id, message.message_id, clock()
    )
    await callback.answer(tr.label("alert.muted" if muted else "alert.muted_already"))


def make_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(mute_button, AlertMute.filter(), flags={"admin": True})
    return router
