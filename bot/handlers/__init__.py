"""Routers, one per feature; ``setup_dispatcher`` adds middlewares and the command menu."""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.config import Settings
from bot.delivery.pacing import SendPacer
from bot.delivery.replies import PacedReplies
from bot.handlers import (
    admin,
    alerts,
    channels,
    fallback,
    keywords,
    membership,
    preferences,
    search,
    start,
    status,
    topics,
)
from bot.i18n import LANGUAGES, translator
from bot.middlewares import ChatContextMiddleware, ChatGuardMiddleware, UpdateThrottle

log = logging.getLogger(__name__)

USER_COMMANDS = (
    "start", "topics", "keywords", "mode", "digest", "timezone", "lang", "status", "help",
    "stop", "forget", "channel", "search",
)  # fmt: skip
ADMIN_COMMANDS = ("feeds", "addfeed", "stats")


def get_routers(settings: Settings) -> list[Router]:
    """Feature routers in the order they are tried; the fallback comes last."""
    return [
        membership.make_router(),
        start.make_router(),
        topics.make_router(),
        keywords.make_router(),
        search.make_router(),
        alerts.make_router(),
        preferences.make_router(),
        status.make_router(),
        channels.make_router(),
        admin.make_router(settings.admin_ids),
        fallback.make_router(),
    ]


def menu(lang: str, names: tuple[str, ...]) -> list[BotCommand]:
    tr = translator(lang)
    return [BotCommand(command=name, description=tr.label(f"cmd.{name}")) for name in names]


async def set_commands(bot: Bot, settings: Settings) -> None:
    """The command menu in Russian and English (English for every other language).

    A menu Telegram will not take now is logged, not fatal: the bot works without it and the
    next start sets it again.
    """
    try:
        for lang in LANGUAGES:
            await bot.set_my_commands(
                menu(lang, USER_COMMANDS), scope=BotCommandScopeDefault(), language_code=lang
            )
        await bot.set_my_commands(menu("en", USER_COMMANDS), scope=BotCommandScopeDefault())
    except TelegramAPIError as exc:
        log.warning("command menu not set: %s", exc)
    for admin_id in sorted(settings.admin_ids):
        scope = BotCommandScopeChat(chat_id=admin_id)
        try:
            for code in (*LANGUAGES, None):
                commands = menu(code or "en", USER_COMMANDS + ADMIN_COMMANDS)
                await bot.set_my_commands(commands, scope=scope, language_code=code)
        except TelegramAPIError as exc:  # the admin has not opened a chat with the bot yet
            log.warning("admin command menu not set for %s: %s", admin_id, exc)


def pace_replies(bot: Bot, pacer: SendPacer) -> None:
    """Replies to users share ``pacer`` with alerts, and wait out a 429 instead of failing.

    ``bot`` must be the one serving updates, not the alert sender's (which paces itself)."""
    bot.session.middleware(PacedReplies(pacer))


def setup_dispatcher(dispatcher: Dispatcher, settings: Settings) -> None:
    """Middlewares, routers and start-up hooks of the Telegram side.

    Polling is left to ask for ``resolve_used_update_types()``: messages, callback queries
    and my_chat_member, the types these routers handle.
    """
    dispatcher.update.outer_middleware(
        UpdateThrottle(
            burst=settings.chat_update_burst,
            per_second=settings.chat_updates_per_second,
            concurrency=settings.update_concurrency,
        )
    )
    context = ChatContextMiddleware()
    for observer in (dispatcher.message, dispatcher.callback_query, dispatcher.my_chat_member):
        observer.outer_middleware(context)
    guard = ChatGuardMiddleware()
    dispatcher.message.middleware(guard)
    dispatcher.callback_query.middleware(guard)
    dispatcher.errors.register(fallback.on_error)
    dispatcher.startup.register(set_commands)
    dispatcher.include_routers(*get_routers(settings))
    # /addfeed checks sources through the address guard; tests pass their own resolver.
    dispatcher.workflow_data.setdefault("sources", admin.chat_sources(settings))
