"""/start, /stop, /forget, /status, /help and the command menu, in Russian and English."""

from __future__ import annotations

import pytest

from bot.callbacks import ForgetAction, ForgetChoice
from storage.repositories.chats import ChatRepository
from tests.handlers.conftest import BotDriver

pytestmark = pytest.mark.asyncio(loop_scope="module")

CYRILLIC = set("абвгдеёжзийклмнопрстуфхцчшщыэюя")


def has_cyrillic(text: str) -> bool:
    return any(ch in CYRILLIC for ch in text.lower())


async def test_polling_asks_only_for_the_update_types_handled(driver: BotDriver) -> None:
    assert sorted(driver.tg.allowed_updates or []) == [
        "callback_query",
        "message",
        "my_chat_member",
    ]


async def test_command_menu_is_set_in_russian_and_english(driver: BotDriver) -> None:
    await driver.tg.wait_for(lambda: driver.tg.commands_for("en") is not None)
    ru = driver.tg.commands_for("ru") or []
    en = driver.tg.commands_for("en") or []
    names = [c["command"] for c in en]
    for command in ("start", "topics", "keywords", "mode", "digest", "timezone", "lang"):
        assert command in names
    assert [c["command"] for c in ru] == names
    assert has_cyrillic(" ".join(c["description"] for c in ru))
    assert not has_cyrillic(" ".join(c["description"] for c in en))
    assert "feeds" not in names
    admin = driver.tg.commands_for("", scope="chat:777") or []
    assert {"feeds", "addfeed", "stats"} <= {c["command"] for c in admin}


@pytest.mark.parametrize(("code", "expect_ru"), [("ru", True), ("en", False), (None, False)])
async def test_start_subscribes_to_both_topics_in_the_users_language(
    driver: BotDriver, code: str | None, expect_ru: bool
) -> None:
    chat = driver.new_chat()
    reply = await driver.say(chat, "/start", language_code=code)
    assert "C5+1" in reply.plain_text
    assert has_cyrillic(reply.plain_text) is expect_ru
    assert "/topics" in reply.plain_text and "/keywords" in reply.plain_text
    stored = await ChatRepository(driver.sessions).get(chat)
    assert stored is not None
    assert stored.topics == {"critical_minerals", "c5plus1"}
    assert stored.mode == "instant" and stored.active
    assert stored.language == ("ru" if expect_ru else "en")


@pytest.mark.parametrize(
    ("code", "paused", "back"), [("ru", "приостановлены", "снова"), ("en", "paused", "on again")]
)
async def test_stop_keeps_settings_and_start_restores_them(
    driver: BotDriver, code: str, paused: str, back: str
) -> None:
    chat = driver.new_chat()
    await driver.say(chat, "/start", language_code=code)
    await driver.say(chat, "/mode digest", language_code=code)
    reply = await driver.say(chat, "/stop", language_code=code)
    assert paused in reply.plain_text
    stored = await ChatRepository(driver.sessions).get(chat)
    assert stored is not None and not stored.active and stored.mode == "digest"
    reply = await driver.say(chat, "/start", language_code=code)
    assert back in reply.plain_text
    stored = await ChatRepository(driver.sessions).get(chat)
    assert stored is not None and stored.active and stored.mode == "digest"


async def test_commands_before_start_ask_for_start(driver: BotDriver) -> None:
    chat = driver.new_chat()
    reply = await driver.say(chat, "/topics", language_code="en")
    assert "/start" in reply.plain_text
    reply = await driver.say(chat, "/status", language_code="ru")
    assert "/start" in reply.plain_text and has_cyrillic(reply.plain_text)


@pytest.mark.parametrize("code", ["ru", "en"])
async def test_forget_deletes_only_after_confirmation(driver: BotDriver, code: str) -> None:
    chat = driver.new_chat()
    await driver.say(chat, "/start", language_code=code)
    ask = await driver.say(chat, "/forget", language_code=code)
    labels = [label for label, _ in driver.buttons(chat, ask.message_id)]
    assert len(labels) == 2 and labels[0].startswith("🗑")
    cancel = ForgetChoice(action=ForgetAction.CANCEL).pack()
    await driver.press(chat, ask.message_id, cancel, language_code=code)
    assert await ChatRepository(driver.sessions).get(chat) is not None
    ask = await driver.say(chat, "/forget", language_code=code)
    confirm = ForgetChoice(action=ForgetAction.CONFIRM).pack()
    await driver.press(chat, ask.message_id, confirm, language_code=code)
    assert await ChatRepository(driver.sessions).get(chat) is None
    assert "/start" in driver.shown(chat, ask.message_id)


@pytest.mark.parametrize(("code", "word"), [("ru", "Режим"), ("en", "Mode")])
async def test_status_shows_topics_mode_and_next_digest(
    driver: BotDriver, code: str, word: str
) -> None:
    chat = driver.new_chat()
    await driver.say(chat, "/start", language_code=code)
    await driver.say(chat, "/mode both", language_code=code)
    await driver.say(chat, "/digest 08:15", language_code=code)
    reply = await driver.say(chat, "/status", language_code=code)
    text = reply.plain_text
    assert word in text and "C5+1" in text and "Asia/Almaty" in text
    # 09:30 UTC is 14:30 in Almaty (UTC+5): the next 08:15 there is tomorrow.
    assert "2025-11-07 08:15" in text


@pytest.mark.parametrize(("code", "word"), [("ru", "подписаться"), ("en", "subscribe")])
async def test_help_lists_commands_and_admin_part_only_for_admins(
    driver: BotDriver, code: str, word: str
) -> None:
    chat = driver.new_chat()
    reply = await driver.say(chat, "/help", language_code=code)
    assert word in reply.plain_text and "/keywords" in reply.plain_text
    assert "/feeds" not in reply.plain_text
    reply = await driver.say(777, "/help", language_code=code)
    assert "/feeds" in reply.plain_text


async def test_start_twice_keeps_choices_and_says_alerts_are_on(driver: BotDriver) -> None:
    chat = driver.new_chat()
    await driver.say(chat, "/start", language_code="en")
    await driver.say(chat, "/lang ru", language_code="en")
    reply = await driver.say(chat, "/start", language_code="en")
    assert "Оповещения включены" in reply.plain_text  # the chat chose Russian
