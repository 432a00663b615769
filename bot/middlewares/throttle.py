"""Outer update middleware: bounds what one chat can cost the bot.

- A token bucket per chat: a burst of ``burst`` commands, then ``per_second``. Updates beyond
  it are dropped before they touch the database; the chat gets one polite "slow down" (not
  one per message) and is told again only after it has slowed down.
- One update at a time per chat, so a chat's backlog queues behind itself.
- At most ``concurrency`` updates handled at once over all chats; since a chat holds at most
  one of those places, one chat's backlog cannot starve the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Chat, TelegramObject, Update, User

from bot.i18n import pick_language, translator

log = logging.getLogger(__name__)

BURST = 8
PER_SECOND = 0.5
CONCURRENCY = 8
MAX_TRACKED_CHATS = 20_000


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class _ChatTurns:
    """One lock per chat with updates in flight; the lock goes when the last one is done."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def turn(self, chat_id: int) -> Any:
        lock, users = self._locks.get(chat_id, (asyncio.Lock(), 0))
        self._locks[chat_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[chat_id]
            if users == 1:
                del self._locks[chat_id]
            else:
                self._locks[chat_id] = (lock, users - 1)


class UpdateThrottle(BaseMiddleware):
    def __init__(
        self,
        *,
        burst: int = BURST,
        per_second: float = PER_SECOND,
        concurrency: int = CONCURRENCY,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst = burst
        self.per_second = per_second
        self._monotonic = monotonic
        self._buckets: dict[int, _Bucket] = {}
        self._turns = _ChatTurns()
        self._slots = asyncio.Semaphore(concurrency)
        self.dropped = 0

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        chat: Chat | None = data.get("event_chat")
        if chat is None:
            async with self._slots:
                return await handler(event, data)
        # Membership changes are Telegram's doing, not the user's: never dropped.
        user_driven = not (isinstance(event, Update) and event.my_chat_member is not None)
        if user_driven and not self._admit(chat.id):
            self.dropped += 1
            await self._slow_down(event, chat, data)
            return None
        async with self._turns.turn(chat.id), self._slots:
            return await handler(event, data)

    def _admit(self, chat_id: int) -> bool:
        now = self._monotonic()
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            if len(self._buckets) >= MAX_TRACKED_CHATS:
                self._forget_idle(now)
            bucket = self._buckets[chat_id] = _Bucket(float(self.burst), now)
        bucket.tokens = min(
            float(self.burst), bucket.tokens + (now - bucket.updated) * self.per_second
        )
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            if bucket.tokens >= self.burst / 2:
                bucket.warned = False  # slowed down: a later flood is told again
            return True
        return False

    def _forget_idle(self, now: float) -> None:
        """Chats whose bucket has refilled need no memory: they start full again."""
        refill = self.burst / self.per_second
        self._buckets = {c: b for c, b in self._buckets.items() if now - b.updated < refill}

    async def _slow_down(self, event: TelegramObject, chat: Chat, data: dict[str, Any]) -> None:
        bucket = self._buckets[chat.id]
        if bucket.warned:
            return
        bucket.warned = True
        user: User | None = data.get("event_from_user")
        tr = translator(pick_language(user.language_code if user else None))
        bot: Bot | None = data.get("bot")
        if bot is None:
            return
        try:
            if isinstance(event, Update) and event.callback_query is not None:
                await event.callback_query.answer(tr.label("throttle.slow_down_short"))
            else:
                await bot.send_message(chat.id, tr("throttle.slow_down"))
        except TelegramAPIError as exc:
            log.warning("chat %s: slow-down notice not sent: %s", chat.id, exc)
