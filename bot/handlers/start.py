"""/start, /stop and /forget: a chat's subscription from beginning to end."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, Message

from bot.callbacks import TOPICS, ForgetAction, ForgetChoice
from bot.clock import Clock
from bot.config import Settings
from bot.handlers._common import show, status_text
from bot.i18n import Markup, Translator, pick_language, translator
from bot.keyboards import forget_keyboard
from storage.repositories.chats import ChatRepository, ChatSettings

ADMIN = {"admin": True}
ADMIN_SUBSCRIBED = {"admin": True, "subscribed": True}


def welcome(tr: Translator, topics: frozenset[str]) -> Markup:
    lines = [
        tr("start.topic_line", name=tr.label(f"topic.{t}"), about=tr.label(f"topic.{t}.about"))
        for t in TOPICS
        if t in topics
    ]
    return tr("start.new", topics=Markup("\n".join(lines)))


async def start(
    message: Message,
    chats: ChatRepository,
    own_settings: ChatSettings | None,
    settings: Settings,
    clock: Clock,
) -> None:
    user = message.from_user
    language = (
        own_settings.language
        if own_settings is not None
        else pick_language(user.language_code if user else None)
    )
    now = clock()
    chat, created = await chats.subscribe(
        message.chat.id,
        chat_type=message.chat.type,
        language=language,
        timezone=settings.default_timezone,
        topics=TOPICS,
        now=now,
        title=message.chat.title,
    )
    tr = translator(chat.language)
    if created:
        await message.answer(welcome(tr, chat.topics))
    else:
        was_active = own_settings is not None and own_settings.active
        key = "start.active" if was_active else "start.back"
        await message.answer(tr(key, status=status_text(tr, chat, now)))


async def stop(message: Message, chats: ChatRepository, tr: Translator, clock: Clock) -> None:
    stopped = await chats.stop(message.chat.id, now=clock())
    await message.answer(tr("stop.done" if stopped else "stop.already"))


async def forget(message: Message, own_settings: ChatSettings | None, tr: Translator) -> None:
    if own_settings is None:
        await message.answer(tr("forget.nothing"))
        return
    await message.answer(tr("forget.ask"), reply_markup=forget_keyboard(tr))


async def forget_choice(
    callback: CallbackQuery, callback_data: ForgetChoice, chats: ChatRepository, tr: Translator
) -> None:
    if callback.message is None:
        await callback.answer(tr.label("callback.stale"))
        return
    if callback_data.action == ForgetAction.CONFIRM:
        await chats.forget(callback.message.chat.id)
        await show(callback, tr("forget.done"))
    else:
        await show(callback, tr("forget.cancelled"))
    await callback.answer()


def make_router() -> Router:
    router = Router(name=__name__)
    router.message.register(start, CommandStart(), flags=ADMIN)
    router.message.register(stop, Command("stop"), flags=ADMIN_SUBSCRIBED)
    router.message.register(forget, Command("forget"), flags=ADMIN)
    router.callback_query.register(forget_choice, ForgetChoice.filter(), flags=ADMIN)
    return router


__all__ = ["make_router", "welcome"]
