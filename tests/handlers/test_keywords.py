"""/keywords: add with preview and Save/Cancel, list, remove, limits and bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
import pytest_asyncio

from bot.callbacks import KeywordAction, KeywordDraftAction, KeywordPrompt, KeywordRemove
from storage.models import Story
from storage.repositories.rules import RuleRepository
from tests.handlers.conftest import BotDriver

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def add_story(driver: BotDriver, title: str, summary: str = "", age_days: float = 1) -> None:
    seen = driver.clock.now - timedelta(days=age_days)
    async with driver.sessions() as session:
        session.add(
            Story(
                title=title,
                summary=summary,
                title_key=title[:64],
                fingerprint=0,
                published_at=seen,
                first_seen_at=seen,
                is_backlog=False,
            )
        )
        await session.commit()


async def subscribed(driver: BotDriver, code: str) -> int:
    chat = driver.new_chat()
    await driver.say(chat, "/start", language_code=code)
    return chat


async def rules_of(driver: BotDriver, chat: int) -> list[str]:
    return [r.query for r in await RuleRepository(driver.sessions).list(chat)]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def tungsten_stories(driver: BotDriver) -> None:
    await add_story(driver, "Казахстан нарастил добычу вольфрама", "Новое месторождение")
    await add_story(driver, "Tungsten <prices> & supply", "A mine in Kazakhstan")
    await add_story(driver, "Вольфрамовый концентрат: старая новость", age_days=9)


@pytest.mark.usefixtures("tungsten_stories")
@pytest.mark.parametrize(
    ("code", "save", "word"), [("ru", "✅ Сохранить", "Сохранено"), ("en", "✅ Save", "Saved")]
)
async def test_add_previews_last_week_then_saves_by_button(
    driver: BotDriver, code: str, save: str, word: str
) -> None:
    chat = await subscribed(driver, code)
    preview = await driver.say(chat, "/keywords add вольфрам OR tungsten", language_code=code)
    # Two of the last 7 days' stories match; the 9-day-old one is not looked at.
    assert "<b>2</b>" in preview.text
    assert "Tungsten <prices> & supply" in preview.plain_text
    assert "&lt;prices&gt; &amp;" in preview.text
    buttons = driver.buttons(chat, preview.message_id)
    assert buttons[0][0] == save
    assert await rules_of(driver, chat) == []  # nothing saved before the button
    await driver.press(chat, preview.message_id, buttons[0][1], language_code=code)
    assert await rules_of(driver, chat) == ["вольфрам OR tungsten"]
    assert word in driver.shown(chat, preview.message_id)
    listing = await driver.say(chat, "/keywords", language_code=code)
    assert "1. вольфрам OR tungsten" in listing.plain_text


async def test_cancel_saves_nothing_and_an_old_draft_is_gone(driver: BotDriver) -> None:
    chat = await subscribed(driver, "en")
    preview = await driver.say(chat, "/keywords add lithium", language_code="en")
    draft_id = KeywordDraftAction.unpack(driver.buttons(chat, preview.message_id)[1][1]).draft_id
    await driver.press(chat, preview.message_id, driver.buttons(chat, preview.message_id)[1][1])
    assert await rules_of(driver, chat) == []
    assert "nothing saved" in driver.shown(chat, preview.message_id)
    again = KeywordDraftAction(action=KeywordAction.SAVE, draft_id=draft_id).pack()
    answer = await driver.press(chat, preview.message_id, again, language_code="en")
    assert await rules_of(driver, chat) == []
    assert "out of date" in answer["text"] and answer.get("show_alert")
    assert "nothing saved" in driver.shown(chat, preview.message_id)  # left as it was


async def test_a_draft_cannot_be_saved_from_another_chat(driver: BotDriver) -> None:
    owner = await subscribed(driver, "en")
    other = await subscribed(driver, "en")
    preview = await driver.say(owner, "/keywords add cobalt", language_code="en")
    save = driver.buttons(owner, preview.message_id)[0][1]
    note = await driver.say(other, "/help", language_code="en")
    await driver.press(other, note.message_id, save, language_code="en")
    assert await rules_of(driver, other) == []
    assert await rules_of(driver, owner) == []


@pytest.mark.parametrize(("code", "word"), [("ru", "Удалено"), ("en", "Removed")])
async def test_remove_by_number_and_by_button(driver: BotDriver, code: str, word: str) -> None:
    chat = await subscribed(driver, code)
    repo = RuleRepository(driver.sessions)
    for rule in ("уран", "литий", "графит"):
        await repo.add(chat, rule, now=driver.clock.now, max_rules=50)
    reply = await driver.say(chat, "/keywords remove 2", language_code=code)
    assert "литий" in reply.plain_text
    assert await rules_of(driver, chat) == ["уран", "графит"]
    missing = await driver.say(chat, "/keywords remove 9", language_code=code)
    assert "9" in missing.plain_text
    bad = await driver.say(chat, "/keywords remove two", language_code=code)
    assert "/keywords remove 2" in bad.plain_text
    assert await rules_of(driver, chat) == ["уран", "графит"]
    listing = await driver.say(chat, "/keywords", language_code=code)
    first = next(d for _, d in driver.buttons(chat, listing.message_id) if d.startswith("kr1"))
    answer = await driver.press(chat, listing.message_id, first, language_code=code)
    assert answer.get("text") == word
    assert await rules_of(driver, chat) == ["графит"]
    assert "1. графит" in driver.shown(chat, listing.message_id)


async def test_add_button_takes_the_next_message_as_the_rule(driver: BotDriver) -> None:
    chat = await subscribed(driver, "ru")
    listing = await driver.say(chat, "/keywords")
    prompt = await driver.press(chat, listing.message_id, KeywordPrompt().pack())
    assert prompt is not None
    await driver.tg.wait_for_messages(chat, 3)
    preview = await driver.say(chat, "редкоземельные металлы")
    assert "редкоземельные металлы" in preview.plain_text
    save = driver.buttons(chat, preview.message_id)[0][1]
    await driver.press(chat, preview.message_id, save)
    assert await rules_of(driver, chat) == ["редкоземельные металлы"]


BAD_RULES = [
    ("(уран OR литий", "позиция"),
    ("x" * 10_000, "10000"),
    ("уран\x00\x07литий", "управляющие"),
    ("уран\u202eлитий", "управляющие"),
    ("OR", "позиция"),
]


@pytest.mark.parametrize(
    ("rule", "expect"), BAD_RULES, ids=["unbalanced", "long", "c0", "bidi", "bare-or"]
)
async def test_bad_rules_are_refused_clearly_and_nothing_saved_is_lost(
    driver: BotDriver, rule: str, expect: str
) -> None:
    chat = await subscribed(driver, "ru")
    await RuleRepository(driver.sessions).add(chat, "уран", now=driver.clock.now, max_rules=50)
    reply = await driver.say(chat, f"/keywords add {rule}")
    assert expect in reply.plain_text
    assert "Ничего не сохранено" in reply.plain_text
    assert len(reply.plain_text) < 1000
    assert driver.buttons(chat, reply.message_id) == []
    assert await rules_of(driver, chat) == ["уран"]


async def test_syntax_error_in_english_says_where(driver: BotDriver) -> None:
    chat = await subscribed(driver, "en")
    reply = await driver.say(chat, "/keywords add (uranium OR lithium", language_code="en")
    assert "position" in reply.plain_text and "Nothing was saved" in reply.plain_text


async def test_html_looking_keyword_is_shown_escaped(driver: BotDriver) -> None:
    chat = await subscribed(driver, "en")
    preview = await driver.say(chat, "/keywords add <b>x</b> uranium", language_code="en")
    assert "<b>x</b> uranium" in preview.plain_text
    assert "&lt;b&gt;x&lt;/b&gt;" in preview.text
    await driver.press(chat, preview.message_id, driver.buttons(chat, preview.message_id)[0][1])
    listing = await driver.say(chat, "/keywords", language_code="en")
    assert "<b>x</b> uranium" in listing.plain_text


async def test_duplicate_and_limit(driver: BotDriver) -> None:
    chat = await subscribed(driver, "en")
    repo = RuleRepository(driver.sessions)
    for n in range(50):
        await repo.add(chat, f"word{n}", now=driver.clock.now, max_rules=50)
    dup = await driver.say(chat, "/keywords add word7", language_code="en")
    assert "number 8" in dup.plain_text
    full = await driver.say(chat, "/keywords add fresh", language_code="en")
    assert "50" in full.plain_text and "remove" in full.plain_text
    listing = await driver.say(chat, "/keywords", language_code="en")
    assert "50. word49" in listing.plain_text
    assert len(await rules_of(driver, chat)) == 50


async def test_unknown_subcommand_and_bare_add_explain_usage(driver: BotDriver) -> None:
    chat = await subscribed(driver, "en")
    reply = await driver.say(chat, "/keywords frobnicate", language_code="en")
    assert "frobnicate" in reply.plain_text and "/keywords add" in reply.plain_text
    reply = await driver.say(chat, "/keywords add", language_code="en")
    assert "/keywords add" in reply.plain_text
    stale = KeywordRemove(rule_id=999_999).pack()
    answer = await driver.press(chat, reply.message_id, stale, language_code="en")
    assert "out of date" in answer.get("text", "")


async def test_cancel_ends_the_add_prompt(driver: BotDriver) -> None:
    chat = await subscribed(driver, "en")
    listing = await driver.say(chat, "/keywords", language_code="en")
    await driver.press(chat, listing.message_id, KeywordPrompt().pack(), language_code="en")
    await driver.tg.wait_for_messages(chat, 3)
    reply = await driver.say(chat, "/cancel", language_code="en")
    assert "Cancelled" in reply.plain_text
    reply = await driver.say(chat, "uranium please", language_code="en")
    assert "/help" in reply.plain_text  # free text again, not a rule
    assert await rules_of(driver, chat) == []
