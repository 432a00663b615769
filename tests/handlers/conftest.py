"""One real dispatcher per test module, polling the fake Bot API over HTTP.

The dispatcher is built exactly as ``bot/app.py`` builds it (``Dispatcher(sessions=...,
settings=..., clock=...)`` plus ``setup_dispatcher``) on a SQLite copy of the migrated
template. Tests take a fresh chat id each (``bot.new_chat()``), so they share the module's
dispatcher without seeing each other's state.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiogram import Bot, Dispatcher

from bot.config import Settings
from bot.handlers import setup_dispatcher
from bot.ingest.netguard import AddressGuard
from bot.ingest.resolve import SourceResolver
from storage.db import SessionFactory, create_engine, session_factory
from tests.fakes.dns import StaticResolver
from tests.fakes.telegram_api import FakeTelegramServer, SentMessage

ADMIN_ID = 777
START = datetime(2025, 11, 6, 9, 30, tzinfo=UTC)


class FrozenClock:
    """The dispatcher's clock; tests move it by assigning ``now``."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class BotDriver:
    tg: FakeTelegramServer
    sessions: SessionFactory
    settings: Settings
    clock: FrozenClock
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(10_000))

    def new_chat(self) -> int:
        return next(self._ids)

    def new_group(self) -> int:
        return -1_000_000_000_000 - next(self._ids)

    async def say(self, chat_id: int, text: str, **kwargs: Any) -> SentMessage:
        """Send ``text`` as a user in ``chat_id``; returns the bot's first reply to it."""
        before = len(self.tg.messages_to(chat_id))
        self.tg.inject_message(chat_id, text, **kwargs)
        sent = await self.tg.wait_for_messages(chat_id, before + 1)
        return sent[before]

    async def press(
        self, chat_id: int, message_id: int, data: str, **kwargs: Any
    ) -> dict[str, Any]:
        """Press an inline button; returns the bot's answerCallbackQuery parameters."""
        update = self.tg.inject_callback(chat_id, message_id, data, **kwargs)
        query_id = update["callback_query"]["id"]
        await self.tg.wait_for(lambda: query_id in self.tg.callback_answers, what="answer")
        return self.tg.callback_answers[query_id]

    def shown(self, chat_id: int, message_id: int) -> str:
        """The message's text as the user sees it now (edits applied, markup parsed)."""
        return str(self.tg.message(chat_id, message_id)["text"])

    def buttons(self, chat_id: int, message_id: int) -> list[tuple[str, str]]:
        markup = self.tg.message(chat_id, message_id).get("reply_markup") or {}
        return [
            (b["text"], b.get("callback_data", ""))
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]

    async def settle(self) -> None:
        """Give updates that answer nothing time to be processed."""
        await self.tg.wait_for(lambda: self.tg.pending_updates == 0, what="updates taken")
        await asyncio.sleep(0.3)


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.02)


def copy_of_template(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory, name: str
) -> str:
    """A database URL for a fresh copy of the migrated template, in a folder named ``name``."""
    target = tmp_path_factory.mktemp(name) / "c5watch.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


@asynccontextmanager
async def polling(
    tg: FakeTelegramServer, bot: Bot, dispatcher: Dispatcher, settings: Settings
) -> AsyncIterator[None]:
    """The dispatcher set up as ``bot/app.py`` sets it up and polling the fake Bot API until
    the block ends; then polling stops and the bot's HTTP session closes."""
    setup_dispatcher(dispatcher, settings)
    task = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, polling_timeout=1)
    )
    try:
        await tg.wait_for_calls("getUpdates")
        yield
    finally:
        await dispatcher.stop_polling()
        await asyncio.wait_for(task, 10)
        await bot.session.close()


@pytest.fixture(scope="module")
def module_db(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    return copy_of_template(sqlite_template, tmp_path_factory, "handlers")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def driver(module_db: str) -> AsyncIterator[BotDriver]:
    engine = create_engine(module_db)
    sessions = session_factory(engine)
    clock = FrozenClock(START)
    async with FakeTelegramServer(rate_limits=None) as tg:
        settings = Settings(
            bot_token=tg.token,
            telegram_api_url=tg.base_url,
            database_url=module_db,
            admin_ids=frozenset({ADMIN_ID}),
            default_timezone="Asia/Almaty",
            # Tests reuse chats quickly; the per-chat limits have tests of their own.
            chat_update_burst=10_000,
        )
        bot = tg.make_bot()
        # /addfeed resolves names only through a DNS the tests control: none, here.
        sources = SourceResolver(
            telegram_web_url=settings.telegram_web_url,
            timeout=2.0,
            max_bytes=1 << 20,
            guard=AddressGuard(StaticResolver()),
        )
        dispatcher = Dispatcher(sessions=sessions, settings=settings, clock=clock, sources=sources)
        try:
            async with polling(tg, bot, dispatcher, settings):
                yield BotDriver(tg, sessions, settings, clock)
        finally:
            await engine.dispose()
