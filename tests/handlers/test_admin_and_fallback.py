"""Admin commands for ADMIN_IDS; unknown commands, free text, old buttons and errors."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from storage.models import Feed
from storage.repositories.feeds import FeedRepository
from tests.handlers.conftest import ADMIN_ID, BotDriver

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_admin_adds_and_lists_feeds(driver: BotDriver) -> None:
    reply = await driver.say(ADMIN_ID, "/feeds", language_code="en")
    assert "/addfeed" in reply.plain_text
    for bad in ("ftp://example.org/rss", "not a url", "javascript:alert(1)"):
        refused = await driver.say(ADMIN_ID, f"/addfeed {bad}", language_code="en")
        assert "not an http(s) URL" in refused.plain_text
    usage = await driver.say(ADMIN_ID, "/addfeed", language_code="en")
    assert "/addfeed https://" in usage.plain_text
    added = await driver.say(ADMIN_ID, "/addfeed https://example.org/rss?a=1&b=<2>")
    assert "https://example.org/rss?a=1&b=<2>" in added.plain_text
    [feed] = await FeedRepository(driver.sessions).list()
    assert feed.next_poll_at == driver.clock.now  # the first poll is due now
    again = await driver.say(ADMIN_ID, "/addfeed https://example.org/rss?a=1&b=<2>")
    assert "уже добавлена" in again.plain_text
    async with driver.sessions() as session:
        await session.execute(
            update(Feed).values(error_count=3, last_error="HTTP 503 <Service Unavailable>")
        )
        await session.commit()
    listing = await driver.say(ADMIN_ID, "/feeds", language_code="en")
    assert "⚠️" in listing.plain_text and "<Service Unavailable>" in listing.plain_text


@pytest.mark.parametrize(("code", "word"), [("ru", "Статистика"), ("en", "Statistics")])
async def test_admin_stats(driver: BotDriver, code: str, word: str) -> None:
    await driver.say(driver.new_chat(), "/start", language_code=code)
    reply = await driver.say(ADMIN_ID, "/stats", language_code=code)
    text = reply.plain_text
    assert word in text and "2025-11-06" in text and "2025-10-31" in text


async def test_admin_commands_are_unknown_to_others(driver: BotDriver) -> None:
    chat = driver.new_chat()
    for command in ("/feeds", "/stats", "/addfeed https://evil.example/rss"):
        reply = await driver.say(chat, command, language_code="en")
        assert "don't know the command" in reply.plain_text
    assert all("evil" not in f.url for f in await FeedRepository(driver.sessions).list())


@pytest.mark.parametrize(("code", "word"), [("ru", "Не знаю команды"), ("en", "don't know")])
async def test_unknown_command_and_free_text_get_help(
    driver: BotDriver, code: str, word: str
) -> None:
    chat = driver.new_chat()
    reply = await driver.say(chat, "/frobnicate <now>", language_code=code)
    assert word in reply.plain_text and "/frobnicate" in reply.plain_text
    assert "/help" in reply.plain_text
    reply = await driver.say(chat, "what is this <b>bot</b>?", language_code=code)
    assert "/help" in reply.plain_text and "/keywords add" in reply.plain_text


async def test_old_or_foreign_buttons_are_answered(driver: BotDriver) -> None:
    chat = driver.new_chat()
    note = await driver.say(chat, "/help", language_code="en")
    for data in ("zz9:1", "tp1:not_a_topic", "kw1:s:notanumber"):
        answer = await driver.press(chat, note.message_id, data, language_code="en")
        assert "out of date" in answer.get("text", "")


async def test_a_failure_is_answered_without_a_traceback(driver: BotDriver) -> None:
    group = driver.new_group()
    driver.tg.fail_next("getChatMember", 500, "Internal Server Error")
    reply = await driver.say(group, "/start", from_user=42, language_code="en")
    assert "went wrong" in reply.plain_text
    assert "Traceback" not in reply.plain_text
