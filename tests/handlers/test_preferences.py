"""/topics, /mode, /digest, /timezone and /lang: arguments, buttons and refused input."""

from __future__ import annotations

import pytest

from bot.callbacks import (
    TIMEZONE_CHOICES,
    DigestChoice,
    Language,
    LanguageChoice,
    Mode,
    ModeChoice,
    TimezoneChoice,
    Topic,
    TopicToggle,
)
from storage.repositories.chats import ChatRepository, ChatSettings
from tests.handlers.conftest import BotDriver

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def subscribed(driver: BotDriver, code: str) -> int:
    chat = driver.new_chat()
    await driver.say(chat, "/start", language_code=code)
    return chat


async def stored(driver: BotDriver, chat: int) -> ChatSettings:
    found = await ChatRepository(driver.sessions).get(chat)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("code", "name"), [("ru", "Критически важные минералы"), ("en", "Critical minerals")]
)
async def test_topics_toggle_in_place(driver: BotDriver, code: str, name: str) -> None:
    chat = await subscribed(driver, code)
    menu = await driver.say(chat, "/topics", language_code=code)
    assert driver.buttons(chat, menu.message_id)[0][0] == f"✅ {name}"
    off = TopicToggle(topic=Topic.CRITICAL_MINERALS).pack()
    await driver.press(chat, menu.message_id, off, language_code=code)
    assert (await stored(driver, chat)).topics == {"c5plus1"}
    assert driver.buttons(chat, menu.message_id)[0][0] == f"▫️ {name}"
    edits = driver.tg.messages_to(chat, "editMessageText")
    assert edits and edits[-1].message_id == menu.message_id  # edited, not a new message
    await driver.press(chat, menu.message_id, TopicToggle(topic=Topic.C5PLUS1).pack())
    assert (await stored(driver, chat)).topics == set()
    assert "/keywords" in driver.shown(chat, menu.message_id)
    await driver.press(chat, menu.message_id, off, language_code=code)
    assert (await stored(driver, chat)).topics == {"critical_minerals"}


@pytest.mark.parametrize(("code", "word"), [("ru", "сводка"), ("en", "digest")])
async def test_mode_by_argument_and_by_button(driver: BotDriver, code: str, word: str) -> None:
    chat = await subscribed(driver, code)
    reply = await driver.say(chat, "/mode digest", language_code=code)
    assert word in reply.plain_text and "09:00" in reply.plain_text
    assert (await stored(driver, chat)).mode == "digest"
    bad = await driver.say(chat, "/mode sometimes", language_code=code)
    assert "sometimes" in bad.plain_text and "/mode both" in bad.plain_text
    assert (await stored(driver, chat)).mode == "digest"
    menu = await driver.say(chat, "/mode", language_code=code)
    assert len(driver.buttons(chat, menu.message_id)) == 3
    await driver.press(chat, menu.message_id, ModeChoice(mode=Mode.BOTH).pack(), language_code=code)
    assert (await stored(driver, chat)).mode == "both"


@pytest.mark.parametrize(("code", "word"), [("ru", "не время"), ("en", "not a time")])
async def test_digest_time_validated(driver: BotDriver, code: str, word: str) -> None:
    chat = await subscribed(driver, code)
    reply = await driver.say(chat, "/digest 07:45", language_code=code)
    assert "07:45" in reply.plain_text
    for bad in ("25:99", "24:00", "7", "noon", "<b>8</b>"):
        refused = await driver.say(chat, f"/digest {bad}", language_code=code)
        assert word in refused.plain_text and bad in refused.plain_text
    assert (await stored(driver, chat)).digest_minute == 7 * 60 + 45
    menu = await driver.say(chat, "/digest", language_code=code)
    await driver.press(chat, menu.message_id, DigestChoice(minute=18 * 60).pack())
    assert (await stored(driver, chat)).digest_minute == 18 * 60
    assert "18:00" in driver.shown(chat, menu.message_id)


@pytest.mark.parametrize(("code", "word"), [("ru", "Не знаю"), ("en", "don't know")])
async def test_timezone_validated_and_chosen_by_button(
    driver: BotDriver, code: str, word: str
) -> None:
    chat = await subscribed(driver, code)
    reply = await driver.say(chat, "/timezone asia/tashkent", language_code=code)
    assert "Asia/Tashkent" in reply.plain_text
    for bad in ("Mars/Olympus", "../../etc/passwd", "Asia/", "x" * 300):
        refused = await driver.say(chat, f"/timezone {bad}", language_code=code)
        assert word in refused.plain_text and len(refused.plain_text) < 500
    assert (await stored(driver, chat)).timezone == "Asia/Tashkent"
    menu = await driver.say(chat, "/timezone", language_code=code)
    labels = [label for label, _ in driver.buttons(chat, menu.message_id)]
    for zone in ("Asia/Almaty", "Asia/Bishkek", "Asia/Dushanbe", "Asia/Ashgabat", "UTC"):
        assert any(zone.replace("_", " ") in label for label in labels)
    index = TIMEZONE_CHOICES.index("America/New_York")
    await driver.press(chat, menu.message_id, TimezoneChoice(index=index).pack())
    assert (await stored(driver, chat)).timezone == "America/New_York"
    stale = "tz1:99"  # no such button: the index cannot even be packed any more
    answer = await driver.press(chat, menu.message_id, stale, language_code=code)
    assert answer.get("text")
    assert (await stored(driver, chat)).timezone == "America/New_York"


async def test_lang_switches_the_chats_language(driver: BotDriver) -> None:
    chat = await subscribed(driver, "ru")
    reply = await driver.say(chat, "/lang en")
    assert "English" in reply.plain_text
    reply = await driver.say(chat, "/help")  # the user's client is still Russian
    assert "subscribe" in reply.plain_text
    bad = await driver.say(chat, "/lang de")
    assert "/lang ru" in bad.plain_text
    menu = await driver.say(chat, "/lang")
    await driver.press(chat, menu.message_id, LanguageChoice(lang=Language.RU).pack())
    assert "русский" in driver.shown(chat, menu.message_id)
    assert (await stored(driver, chat)).language == "ru"
