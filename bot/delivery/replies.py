"""PacedReplies: answers to users go through the same pacer as alerts, and a 429 is waited
out and retried instead of losing the answer.

Installed on the session of the Bot that serves updates (``bot.session.middleware(...)``);
the alert gateway has its own Bot, so a send is never paced twice.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.delivery.pacing import SendPacer

log = logging.getLogger(__name__)

# Methods that put or change a message in a chat: Telegram counts them against its limits.
PACED_METHODS = frozenset(
    {
        "sendMessage", "editMessageText", "editMessageReplyMarkup", "sendPhoto",
        "sendDocument", "copyMessage", "forwardMessage",
    }
)  # fmt: skip
# A reply waits out this many 429s before the error reaches the handler; with Telegram's
# retry_after of a few seconds each, that is minutes of patience for one answer.
MAX_RETRIES = 8
MAX_RETRY_AFTER = 120.0


def _chat_id(method: TelegramMethod[Any]) -> int | None:
    chat_id = getattr(method, "chat_id", None)
    return chat_id if isinstance(chat_id, int) else None


class PacedReplies(BaseRequestMiddleware):
    def __init__(self, pacer: SendPacer) -> None:
        self.pacer = pacer

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        chat_id = _chat_id(method)
        paced = chat_id is not None and method.__api_method__ in PACED_METHODS
        for attempt in range(MAX_RETRIES + 1):
            try:
                if not paced or chat_id is None:
                    return await make_request(bot, method)
                # Chat ids of groups, supergroups and channels are negative.
                async with self.pacer.slot(chat_id, is_group=chat_id < 0):
                    return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if attempt == MAX_RETRIES or exc.retry_after > MAX_RETRY_AFTER:
                    raise
                wait = float(exc.retry_after)
                log.info(
                    "%s to chat %s: 429, retrying in %.0f s", method.__api_method__, chat_id, wait
                )
                if paced and chat_id is not None:
                    self.pacer.hold(chat_id, wait)  # the next slot for this chat waits
                else:
                    await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover
