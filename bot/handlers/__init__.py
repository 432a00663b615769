"""Routers, one per feature; ``get_routers`` adds the audience filters."""

from __future__ import annotations

from aiogram import Router

from bot.config import Settings
from bot.handlers import start


def get_routers(settings: Settings) -> list[Router]:
    return [start.router]
