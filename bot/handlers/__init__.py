"""Routers, one per feature; ``get_routers`` adds the audience filters."""

from __future__ import annotations

from aiogram import Dispatcher, Router

from bot.config import Settings
from bot.handlers import start


def get_routers(settings: Settings) -> list[Router]:
    return [start.router]


def setup_dispatcher(dispatcher: Dispatcher, settings: Settings) -> None:
    """Middlewares, routers and start-up hooks of the Telegram side."""
    dispatcher.include_routers(*get_routers(settings))
