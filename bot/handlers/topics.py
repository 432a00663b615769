"""/topics: the curated topics as inline toggles, edited in place."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.callbacks import TopicToggle
from bot.handlers._common import show, topic_names
from bot.i18n import Markup, Translator
from bot.keyboards import topics_keyboard
from storage.repositories.chats import ChatRepository, ChatSettings

GUARDED = {"admin": True, "subscribed": True}


def menu_text(tr: Translator, topics: Iterable[str]) -> Markup:
    names = topic_names(tr, topics)
    state = tr("topics.state_some", names=names) if names else tr("topics.state_none")
    return tr("topics.menu", state=state)


async def topics_menu(message: Message, chat_settings: ChatSettings, tr: Translator) -> None:
    await message.answer(
        menu_text(tr, chat_settings.topics),
        reply_markup=topics_keyboard(tr, chat_settings.topics),
    )


async def toggle(
    callback: CallbackQuery,
    callback_data: TopicToggle,
    chat_settings: ChatSettings,
    chats: ChatRepository,
    tr: Translator,
) -> None:
    topic = callback_data.topic.value
    enabled = topic not in chat_settings.topics
    topics = await chats.set_topic(chat_settings.id, topic, enabled=enabled)
    await show(callback, menu_text(tr, topics), topics_keyboard(tr, topics))
    name = tr.label(f"topic.{topic}")
    await callback.answer(
        tr.label("topics.toggled_on" if enabled else "topics.toggled_off", name=name)
    )


def make_router() -> Router:
    router = Router(name=__name__)
    router.message.register(topics_menu, Command("topics"), flags=GUARDED)
    router.callback_query.register(toggle, TopicToggle.filter(), flags=GUARDED)
    return router
