"""Channels as alert destinations: linked and managed from the admin's private chat."""

from __future__ import annotations

import itertools

import pytest

from storage.repositories.chats import ChatRepository, ChatSettings
from storage.repositories.deliveries import ChatForSend
from storage.repositories.rules import RuleRepository
from tests.handlers.conftest import BotDriver, eventually

pytestmark = pytest.mark.asyncio(loop_scope="module")

_channel_ids = itertools.count(-1_009_000_000_000, -1)


async def stored(driver: BotDriver, chat: int) -> ChatSettings | None:
    return await ChatRepository(driver.sessions).get(chat)


def new_channel(driver: BotDriver, name: str, *, bot_admin: bool = True) -> int:
    channel = next(_channel_ids)
    driver.tg.add_channel(channel, name, f"Channel {name}")
    if bot_admin:
        driver.tg.set_chat_member(channel, driver.tg.bot_user["id"], "administrator")
    return channel


async def test_linking_needs_the_user_and_the_bot_to_be_channel_admins(driver: BotDriver) -> None:
    admin = driver.new_chat()
    await driver.say(admin, "/start", language_code="en")
    channel = new_channel(driver, "c5alerts_a", bot_admin=False)

    reply = await driver.say(admin, "/channel @c5alerts_a", language_code="en")
    assert "Only an administrator" in reply.plain_text
    driver.tg.set_chat_member(channel, admin, "creator")
    reply = await driver.say(admin, "/channel https://t.me/c5alerts_a", language_code="en")
    assert "Make me an administrator" in reply.plain_text
    assert await stored(driver, channel) is None

    driver.tg.set_chat_member(channel, driver.tg.bot_user["id"], "administrator")
    reply = await driver.say(admin, "/channel @c5alerts_a", language_code="en")
    assert "is linked" in reply.plain_text
    linked = await stored(driver, channel)
    assert linked is not None and linked.type == "channel" and linked.active
    assert linked.topics == {"critical_minerals", "c5plus1"}
    assert ChatForSend(channel, linked.type, linked.timezone, linked.language).is_group


@pytest.mark.parametrize("name", ["@no_such_channel", "not a channel!", "https://t.me/nobody_here"])
async def test_an_unknown_channel_gets_a_clear_answer(driver: BotDriver, name: str) -> None:
    admin = driver.new_chat()
    await driver.say(admin, "/start", language_code="en")
    reply = await driver.say(admin, f"/channel {name}", language_code="en")
    assert "can't find" in reply.plain_text or "/channel @name" in reply.plain_text
    assert "went wrong" not in reply.plain_text


async def test_commands_in_private_set_up_the_linked_channel_until_off(driver: BotDriver) -> None:
    admin = driver.new_chat()
    await driver.say(admin, "/start", language_code="en")
    channel = new_channel(driver, "c5alerts_b")
    driver.tg.set_chat_member(channel, admin, "administrator")
    await driver.say(admin, f"/channel {channel}", language_code="en")

    await driver.say(admin, "/mode digest", language_code="en")
    preview = await driver.say(admin, "/keywords add графит", language_code="en")
    [(_, save), *_] = driver.buttons(admin, preview.message_id)
    await driver.press(admin, preview.message_id, save, language_code="en")
    assert (await stored(driver, channel)).mode == "digest"  # type: ignore[union-attr]
    assert (await stored(driver, admin)).mode == "instant"  # type: ignore[union-attr]
    assert [r.query for r in await RuleRepository(driver.sessions).list(channel)] == ["графит"]
    status = await driver.say(admin, "/status", language_code="en")
    assert "Rules: 1" in status.plain_text or "1" in status.plain_text

    reply = await driver.say(admin, "/channel off", language_code="en")
    assert "this chat again" in reply.plain_text
    await driver.say(admin, "/mode both", language_code="en")
    assert (await stored(driver, admin)).mode == "both"  # type: ignore[union-attr]
    assert (await stored(driver, channel)).mode == "digest"  # type: ignore[union-attr]


async def test_a_user_no_longer_admin_of_the_channel_loses_its_settings(driver: BotDriver) -> None:
    admin = driver.new_chat()
    await driver.say(admin, "/start", language_code="en")
    channel = new_channel(driver, "c5alerts_c")
    driver.tg.set_chat_member(channel, admin, "administrator")
    await driver.say(admin, "/channel @c5alerts_c", language_code="en")
    driver.tg.set_chat_member(channel, admin, "member")
    await driver.say(admin, "/mode digest", language_code="en")
    assert (await stored(driver, channel)).mode == "instant"  # type: ignore[union-attr]
    assert (await stored(driver, admin)).mode == "digest"  # type: ignore[union-attr]


async def test_added_to_a_channel_posts_nothing_there_and_tells_the_admin_how(
    driver: BotDriver,
) -> None:
    admin = driver.new_chat()
    await driver.say(admin, "/start", language_code="en")
    channel = new_channel(driver, "c5alerts_d")
    before = len(driver.tg.messages_to(admin))
    driver.tg.inject_my_chat_member(
        channel, old_status="left", new_status="administrator", from_user=admin,
        chat_type="channel", language_code="en",
    )  # fmt: skip
    [notice] = (await driver.tg.wait_for_messages(admin, before + 1))[before:]
    assert f"/channel {channel}" in notice.plain_text
    assert driver.tg.messages_to(channel) == []

    async def unknown() -> bool:
        return await stored(driver, channel) is None

    await eventually(unknown)
