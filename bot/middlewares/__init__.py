"""Middlewares of the Telegram side: chat context (outer) and the chat guard (inner)."""

from bot.middlewares.chat_context import ChatContextMiddleware, HandlerData
from bot.middlewares.guard import ChatGuardMiddleware, is_group_admin

__all__ = ["ChatContextMiddleware", "ChatGuardMiddleware", "HandlerData", "is_group_admin"]
