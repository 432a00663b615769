"""What one chat may cost: a per-chat update rate with one "slow down", bounded concurrency,
replies paced like alerts and retried after a 429, refusals in groups at most once a minute.

The fake Bot API enforces Telegram's limits here (1 message a second to a private chat, 20 a
minute to a group), as the real service does.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiogram import Dispatcher

from bot.config import Settings
from bot.delivery.pacing import SendPacer
from bot.handlers import pace_replies
from storage.db import create_engine, session_factory
from tests.fakes.telegram_api import FakeTelegramServer, RateLimits
from tests.handlers.conftest import START, BotDriver, FrozenClock, copy_of_template, polling

pytestmark = pytest.mark.asyncio(loop_scope="module")

BURST = 6
ADMIN, MEMBER = 901, 902


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def paced(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BotDriver]:
    url = copy_of_template(sqlite_template, tmp_path_factory, "cost")
    engine = create_engine(url)
    sessions = session_factory(engine)
    clock = FrozenClock(START)
    # Groups at 10 a second rather than 20 a minute keep the group test short.
    async with FakeTelegramServer(rate_limits=RateLimits(group_per_minute=600)) as tg:
        settings = Settings(
            bot_token=tg.token,
            telegram_api_url=tg.base_url,
            database_url=url,
            chat_update_burst=BURST,
            chat_updates_per_second=0.5,
        )
        bot = tg.make_bot()
        pace_replies(bot, SendPacer(group_per_minute=600))
        dispatcher = Dispatcher(sessions=sessions, settings=settings, clock=clock)
        try:
            async with polling(tg, bot, dispatcher, settings):
                yield BotDriver(tg, sessions, settings, clock)
        finally:
            await engine.dispose()


async def test_four_quick_commands_all_get_their_answer(paced: BotDriver) -> None:
    chat = paced.new_chat()
    for text in ("/start", "/status", "/help", "/status"):
        paced.tg.inject_message(chat, text, language_code="en")
    replies = await paced.tg.wait_for_messages(chat, 4, timeout=15)
    assert "C5+1" in replies[0].plain_text
    assert paced.tg.rate_limited[chat] == 0  # paced, so Telegram never had to refuse


async def test_a_reply_refused_with_429_is_sent_after_the_wait(paced: BotDriver) -> None:
    chat = paced.new_chat()
    paced.tg.fail_next(
        "sendMessage", 429, "Too Many Requests: retry after 1", parameters={"retry_after": 1}
    )
    started = time.monotonic()
    paced.tg.inject_message(chat, "/start", language_code="en")
    [reply] = await paced.tg.wait_for_messages(chat, 1, timeout=15)
    assert "C5+1" in reply.plain_text
    assert time.monotonic() - started >= 1.0
    assert all("went wrong" not in m.plain_text for m in paced.tg.messages_to(chat))


async def test_a_flood_gets_one_slow_down_and_others_are_answered_meanwhile(
    paced: BotDriver,
) -> None:
    flooder, other = paced.new_chat(), paced.new_chat()
    await paced.say(flooder, "/start", language_code="en")
    await paced.say(other, "/start", language_code="en")
    for n in range(40):
        paced.tg.inject_message(flooder, f"/keywords add уран{n} OR литий", language_code="en")
    started = time.monotonic()
    status = await paced.say(other, "/status", language_code="en")
    assert time.monotonic() - started < 3.0
    assert "C5+1" in status.plain_text
    await paced.settle()
    await asyncio.sleep(BURST + 1)  # the admitted ones are answered at one a second
    texts = [m.plain_text for m in paced.tg.messages_to(flooder)]
    slow_downs = [t for t in texts if "slow" in t]
    assert len(slow_downs) == 1
    previews = [t for t in texts if "уран" in t]
    assert BURST - 1 <= len(previews) <= BURST + 2  # the burst, then what refilled meanwhile
    assert paced.tg.rate_limited_total == 0


async def test_a_non_admin_in_a_group_is_refused_once_a_minute(paced: BotDriver) -> None:
    group = paced.new_group()
    paced.tg.set_chat_member(group, ADMIN, "administrator")
    paced.tg.set_chat_member(group, MEMBER, "member")
    await paced.say(group, "/start", from_user=ADMIN, language_code="en")
    for _ in range(5):
        paced.tg.inject_message(group, "/mode digest", from_user=MEMBER, language_code="en")
    await paced.settle()
    await asyncio.sleep(1)
    refusals = [m for m in paced.tg.messages_to(group) if "administrators" in m.plain_text]
    assert len(refusals) == 1


async def test_a_reply_telegram_keeps_refusing_costs_one_log_line_and_no_error_reply(
    paced: BotDriver, caplog: pytest.LogCaptureFixture
) -> None:
    chat = paced.new_chat()
    paced.tg.fail_next(
        "sendMessage", 429, "Too Many Requests: retry after 500", parameters={"retry_after": 500}
    )
    with caplog.at_level(logging.INFO):
        paced.tg.inject_message(chat, "/help", language_code="en")
        await paced.settle()
    attempts = [c for c in paced.tg.calls_to("sendMessage") if c.params.get("chat_id") == chat]
    assert len(attempts) == 1  # no "something went wrong" sent after it
    assert "Traceback" not in caplog.text
    assert "reply refused: TelegramRetryAfter" in caplog.text
