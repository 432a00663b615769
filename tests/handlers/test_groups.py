"""Groups: only administrators change settings; the bot removed, blocked or re-added."""

from __future__ import annotations

import time

import pytest

from bot.callbacks import Topic, TopicToggle
from storage.repositories.chats import ChatRepository, ChatSettings
from tests.handlers.conftest import BotDriver, eventually

pytestmark = pytest.mark.asyncio(loop_scope="module")

ADMIN, MEMBER = 501, 502


async def stored(driver: BotDriver, chat: int) -> ChatSettings | None:
    return await ChatRepository(driver.sessions).get(chat)


def group_with_admin(driver: BotDriver, status: str = "administrator") -> int:
    group = driver.new_group()
    driver.tg.set_chat_member(group, ADMIN, status)
    driver.tg.set_chat_member(group, MEMBER, "member")
    return group


@pytest.mark.parametrize(("code", "refusal"), [("ru", "администраторы"), ("en", "administrators")])
async def test_only_administrators_change_group_settings(
    driver: BotDriver, code: str, refusal: str
) -> None:
    group = group_with_admin(driver)
    reply = await driver.say(group, "/start", from_user=MEMBER, language_code=code)
    assert refusal in reply.plain_text
    assert await stored(driver, group) is None
    reply = await driver.say(group, "/start", from_user=ADMIN, language_code=code)
    assert "C5+1" in reply.plain_text
    chat = await stored(driver, group)
    assert chat is not None and chat.type == "supergroup" and chat.active
    # Told once a minute: the group's 20 messages a minute are kept for its alerts.
    before = len(driver.tg.messages_to(group))
    driver.tg.inject_message(group, "/mode digest", from_user=MEMBER, language_code=code)
    await driver.settle()
    assert len(driver.tg.messages_to(group)) == before
    assert (await stored(driver, group)).mode == "instant"  # type: ignore[union-attr]
    status = await driver.say(group, "/status", from_user=MEMBER, language_code=code)
    assert "C5+1" in status.plain_text  # reading is open to everyone
    menu = await driver.say(group, "/topics", from_user=ADMIN, language_code=code)
    toggle = TopicToggle(topic=Topic.C5PLUS1).pack()
    answer = await driver.press(group, menu.message_id, toggle, from_user=MEMBER)
    assert answer.get("show_alert") and answer.get("text")
    assert (await stored(driver, group)).topics == {"critical_minerals", "c5plus1"}  # type: ignore[union-attr]
    await driver.press(group, menu.message_id, toggle, from_user=ADMIN)
    assert (await stored(driver, group)).topics == {"critical_minerals"}  # type: ignore[union-attr]


async def test_group_creator_may_change_settings(driver: BotDriver) -> None:
    group = group_with_admin(driver, "creator")
    await driver.say(group, "/start", from_user=ADMIN, language_code="en")
    reply = await driver.say(group, "/keywords add uranium", from_user=ADMIN, language_code="en")
    assert "✅ Save" in str(driver.buttons(group, reply.message_id))


async def test_anonymous_administrator_is_an_administrator(driver: BotDriver) -> None:
    group = group_with_admin(driver)
    await driver.say(group, "/start", from_user=ADMIN, language_code="en")
    chat = driver.tg.chat(group)
    driver.tg.inject_update(
        {
            "message": {
                "message_id": driver.tg.next_message_id(group),
                "from": {"id": 1087968824, "is_bot": True, "first_name": "Group"},
                "sender_chat": chat,
                "chat": chat,
                "date": int(time.time()),
                "text": "/mode both",
                "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
            }
        }
    )
    await eventually(lambda: _mode_is(driver, group, "both"))


async def _mode_is(driver: BotDriver, chat: int, mode: str) -> bool:
    found = await stored(driver, chat)
    return found is not None and found.mode == mode


async def test_blocked_by_a_user_then_unblocked(driver: BotDriver) -> None:
    chat = driver.new_chat()
    await driver.say(chat, "/start", language_code="en")
    driver.tg.inject_my_chat_member(chat, old_status="member", new_status="kicked")

    async def inactive() -> bool:
        found = await stored(driver, chat)
        return found is not None and not found.active and found.blocked

    await eventually(inactive)
    driver.tg.inject_my_chat_member(chat, old_status="kicked", new_status="member")

    async def active() -> bool:
        found = await stored(driver, chat)
        return found is not None and found.active and not found.blocked

    await eventually(active)
    found = await stored(driver, chat)
    assert found is not None and found.topics == {"critical_minerals", "c5plus1"}


@pytest.mark.parametrize(("code", "word"), [("ru", "Администратор"), ("en", "administrator")])
async def test_added_to_a_group_greets_then_removal_deactivates(
    driver: BotDriver, code: str, word: str
) -> None:
    group = group_with_admin(driver)
    driver.tg.inject_my_chat_member(
        group, old_status="left", new_status="member", from_user=ADMIN, language_code=code
    )
    [greeting] = await driver.tg.wait_for_messages(group, 1)
    assert word in greeting.plain_text and "/start" in greeting.plain_text
    await driver.say(group, "/start", from_user=ADMIN, language_code=code)
    driver.tg.inject_my_chat_member(group, old_status="member", new_status="left", from_user=ADMIN)

    async def inactive() -> bool:
        found = await stored(driver, group)
        return found is not None and not found.active

    await eventually(inactive)
    driver.tg.inject_my_chat_member(group, old_status="left", new_status="administrator")
    await eventually(lambda: _active(driver, group))


async def _active(driver: BotDriver, chat: int) -> bool:
    found = await stored(driver, chat)
    return found is not None and found.active


async def test_group_chatter_and_other_bots_commands_are_ignored(driver: BotDriver) -> None:
    group = group_with_admin(driver)
    await driver.say(group, "/start", from_user=ADMIN, language_code="en")
    before = len(driver.tg.messages_to(group))
    driver.tg.inject_message(group, "hello everyone", from_user=MEMBER)
    driver.tg.inject_message(group, "/weather@other_bot", from_user=MEMBER)
    await driver.settle()
    assert len(driver.tg.messages_to(group)) == before
    reply = await driver.say(group, "/nope@c5watch_test_bot", from_user=MEMBER, language_code="en")
    assert "/nope" in reply.plain_text and "/help" in reply.plain_text


async def test_group_upgraded_to_supergroup_keeps_its_settings(driver: BotDriver) -> None:
    old = -4_000_000_000 - driver.new_chat()  # a basic group id
    new = driver.new_group()
    driver.tg.set_chat_member(old, ADMIN, "administrator")
    await driver.say(old, "/start", from_user=ADMIN, language_code="en")
    await driver.say(old, "/mode digest", from_user=ADMIN, language_code="en")
    chat = driver.tg.chat(old)
    driver.tg.inject_update(
        {
            "message": {
                "message_id": driver.tg.next_message_id(old),
                "from": {"id": ADMIN, "is_bot": False, "first_name": "Admin"},
                "chat": chat,
                "date": int(time.time()),
                "migrate_to_chat_id": new,
            }
        }
    )
    await eventually(lambda: _mode_is(driver, new, "digest"))
    assert await stored(driver, old) is None
