"""/stop holds through membership changes; /start and Save are idempotent under races."""

from __future__ import annotations

import pytest

from storage.repositories.chats import ChatRepository, ChatSettings
from storage.repositories.rules import RuleRepository
from tests.handlers.conftest import START, BotDriver, eventually

pytestmark = pytest.mark.asyncio(loop_scope="module")

ADMIN = 601


async def stored(driver: BotDriver, chat: int) -> ChatSettings | None:
    return await ChatRepository(driver.sessions).get(chat)


async def test_private_chat_stopped_then_blocked_and_unblocked_stays_stopped(
    driver: BotDriver,
) -> None:
    chat = driver.new_chat()
    await driver.say(chat, "/start", language_code="en")
    await driver.say(chat, "/stop", language_code="en")
    driver.tg.inject_my_chat_member(chat, old_status="member", new_status="kicked")

    async def blocked() -> bool:
        found = await stored(driver, chat)
        return found is not None and found.blocked

    await eventually(blocked)
    driver.tg.inject_my_chat_member(chat, old_status="kicked", new_status="member")

    async def unblocked() -> bool:
        found = await stored(driver, chat)
        return found is not None and not found.blocked

    await eventually(unblocked)
    found = await stored(driver, chat)
    assert found is not None and not found.active and found.stopped
    reply = await driver.say(chat, "/start", language_code="en")
    assert "on again" in reply.plain_text
    found = await stored(driver, chat)
    assert found is not None and found.active and not found.stopped


@pytest.mark.parametrize(("code", "word"), [("en", "paused"), ("ru", "приостановленными")])
async def test_group_stopped_kicked_and_added_back_stays_stopped_and_says_so(
    driver: BotDriver, code: str, word: str
) -> None:
    group = driver.new_group()
    driver.tg.set_chat_member(group, ADMIN, "administrator")
    await driver.say(group, "/start", from_user=ADMIN, language_code=code)
    await driver.say(group, "/stop", from_user=ADMIN, language_code=code)
    before = len(driver.tg.messages_to(group))
    driver.tg.inject_my_chat_member(group, old_status="member", new_status="kicked")
    driver.tg.inject_my_chat_member(
        group, old_status="kicked", new_status="member", from_user=ADMIN, language_code=code
    )
    notice = (await driver.tg.wait_for_messages(group, before + 1))[before]
    assert word in notice.plain_text and "/start" in notice.plain_text
    found = await stored(driver, group)
    assert found is not None and not found.active and not found.blocked


async def test_two_starts_at_once_from_a_new_user_both_answered(driver: BotDriver) -> None:
    for _ in range(3):
        chat = driver.new_chat()
        driver.tg.inject_message(chat, "/start", language_code="en")
        driver.tg.inject_message(chat, "/start", language_code="en")
        replies = await driver.tg.wait_for_messages(chat, 2)
        assert all("went wrong" not in r.plain_text for r in replies[:2])
        assert any("C5+1" in r.plain_text for r in replies[:2])


async def test_save_pressed_twice_at_once_saves_once_and_answers_both_with_its_number(
    driver: BotDriver,
) -> None:
    chat = driver.new_chat()
    await driver.say(chat, "/start", language_code="en")
    await RuleRepository(driver.sessions).add(chat, "вольфрам", now=START, max_rules=50)
    preview = await driver.say(chat, "/keywords add литий OR уран", language_code="en")
    [(_, save), *_] = driver.buttons(chat, preview.message_id)
    first = driver.tg.inject_callback(chat, preview.message_id, save, language_code="en")
    second = driver.tg.inject_callback(chat, preview.message_id, save, language_code="en")
    ids = [u["callback_query"]["id"] for u in (first, second)]
    await driver.tg.wait_for(lambda: all(i in driver.tg.callback_answers for i in ids))
    assert [r.query for r in await RuleRepository(driver.sessions).list(chat)] == [
        "вольфрам",
        "литий OR уран",
    ]
    assert "number 0" not in driver.shown(chat, preview.message_id)
    assert "2" in driver.shown(chat, preview.message_id)
