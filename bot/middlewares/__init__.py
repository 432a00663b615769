"""Middlewares of the Telegram side: chat context (outer) and the chat guard (inner)."""

from bot.middlewares.chat_context import ChatContextMiddleware, HandlerData
from bot.middlewares.guard import ChatGuardMiddleware, is_group_admin
from bot.middlewares.throttle import UpdateThrottle

__all__ = [
    "ChatContextMiddleware",
    "ChatGuardMiddleware",
    "HandlerData",
    "UpdateThrottle",
    "is_group_admin",
]
