"""Read-side test API of the fake Telegram server: what the bot sent, and waiting for it."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from tests.fakes._telegram_state import JSON, ApiCall, SentMessage


class FastCloseSession(AiohttpSession):
    """aiogram's session without its 250 ms TLS grace period on close (the fake is plain HTTP)."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def make_bot(base_url: str, token: str, parse_mode: str | None = "HTML") -> Bot:
    """A real aiogram Bot talking to a fake server at ``base_url``; close its ``session``."""
    session = FastCloseSession(api=TelegramAPIServer.from_base(base_url))
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=parse_mode))


class TelegramRecords:
    """Mixed into the server; reads the records :class:`TelegramState` keeps."""

    sent: list[SentMessage]
    calls: list[ApiCall]
    messages: dict[tuple[int, int], JSON]
    my_commands: dict[tuple[str, str], list[JSON]]
    updates: list[JSON]
    rate_limited: Counter[int]

    # --- test API: reading what the bot did ------------------------------------------------
    def messages_to(self, chat_id: int, method: str = "sendMessage") -> list[SentMessage]:
        return [m for m in self.sent if m.chat_id == chat_id and m.method == method]

    def texts(self, chat_id: int) -> list[str]:
        """Texts (as sent, markup included) of the messages sent to ``chat_id``."""
        return [m.text for m in self.messages_to(chat_id)]

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def message(self, chat_id: int, message_id: int) -> JSON:
        """The message as it stands now (edits applied)."""
        return self.messages[(chat_id, message_id)]

    def commands_for(self, language_code: str = "", scope: str = "default") -> list[JSON] | None:
        """Commands set for a scope key (``default``, ``all_private_chats``, ``chat:ID``...)."""
        return self.my_commands.get((scope, language_code))

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by a getUpdates offset."""
        return len(self.updates)

    @property
    def rate_limited_total(self) -> int:
        return sum(self.rate_limited.values())

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 (a plain deadline is the point here)
        what: str = "condition",
    ) -> None:
        """Poll ``predicate`` until true (works from any loop, also with thread mode)."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() >= deadline:
                raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
            await asyncio.sleep(0.01)

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
        method: str = "sendMessage",
    ) -> list[SentMessage]:
        """Wait until ``count`` messages were sent to ``chat_id``; returns all sent so far."""
        await self.wait_for(
            lambda: len(self.messages_to(chat_id, method)) >= count,
            timeout,
            f"{count} {method} to {chat_id} (got {self.texts(chat_id)!r})",
        )
        return self.messages_to(chat_id, method)

    async def wait_for_calls(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[ApiCall]:
        await self.wait_for(
            lambda: len(self.calls_to(method)) >= count, timeout, f"{count} call(s) of {method}"
        )
        return self.calls_to(method)

    def wait_for_messages_sync(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 5.0,
        method: str = "sendMessage",
    ) -> list[SentMessage]:
        """Blocking variant for thread mode (the server must not run in this thread's loop)."""
        deadline = time.monotonic() + timeout
        while len(self.messages_to(chat_id, method)) < count:
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"timed out after {timeout} s waiting for {count} {method} "
                    f"to {chat_id} (got {self.texts(chat_id)!r})"
                )
            time.sleep(0.01)
        return self.messages_to(chat_id, method)
