"""/search over stored stories grouped by event, with page buttons; and the alert's 🔕 button."""

from __future__ import annotations

from datetime import timedelta

import pytest
import pytest_asyncio
from sqlalchemy import select

from bot.callbacks import AlertMute
from bot.delivery.events import EventAssigner
from storage.models import Delivery, Feed, Item, Story
from storage.repositories.events import EventRepository
from tests.handlers.conftest import BotDriver

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def add_story(driver: BotDriver, title: str, summary: str, age_days: float) -> int:
    seen = driver.clock.now - timedelta(days=age_days)
    async with driver.sessions() as session:
        story = Story(
            title=title, summary=summary, title_key=title[:64], fingerprint=0,
            canonical_url=f"https://news.example/{len(title)}-{age_days}?a=1&b=2",
            published_at=seen, first_seen_at=seen, is_backlog=False,
        )  # fmt: skip
        session.add(story)
        await session.commit()
        return story.id


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stories(driver: BotDriver) -> None:
    """Seven tungsten events four days apart (one of them reported twice), a story older
    than 30 days, and one about something else."""
    for n in range(7):
        await add_story(
            driver,
            f"Kazakhstan tungsten output report number {n} <prices> & supply",
            f"Kazakhstan's tungsten miners published their report number {n}.",
            age_days=1 + 4 * n,
        )
    await add_story(
        driver,
        "Kazakhstan tungsten output report number 0, reprinted",
        "Kazakhstan's tungsten miners published their report number 0.",
        age_days=0.9,
    )
    await add_story(driver, "Вольфрам: старая новость", "Вольфрамовый концентрат", age_days=40)
    await add_story(driver, "Uzbekistan gold reserves grow", "The central bank said.", 2)
    await EventAssigner(EventRepository(driver.sessions), owner="t:1:a").run_once(driver.clock.now)


async def subscribed(driver: BotDriver, code: str = "en") -> int:
    chat = driver.new_chat()
    await driver.say(chat, "/start", language_code=code)
    return chat


@pytest.mark.usefixtures("stories")
async def test_results_are_grouped_by_event_newest_first_five_to_a_page(
    driver: BotDriver,
) -> None:
    chat = await subscribed(driver)
    first = await driver.say(chat, "/search tungsten OR вольфрам")
    assert "7 events" in first.plain_text and "page 1 of 2" in first.plain_text
    lines = [line for line in first.plain_text.splitlines() if line[:2] in {"1.", "5."}]
    assert "number 0 <prices> & supply" in lines[0] and "number 4" in lines[1]
    assert "+1 more reports of this event" in first.plain_text  # number 0: two reports
    assert "&lt;prices&gt; &amp; supply" in first.text
    assert "старая новость" not in first.plain_text and "gold" not in first.plain_text
    assert [label for label, _ in driver.buttons(chat, first.message_id)] == ["▶"]
    [(_, forward)] = driver.buttons(chat, first.message_id)
    await driver.press(chat, first.message_id, forward)
    second = driver.shown(chat, first.message_id)
    assert "page 2 of 2" in second and "6. " in second and "7. " in second
    assert [label for label, _ in driver.buttons(chat, first.message_id)] == ["◀"]


@pytest.mark.usefixtures("stories")
async def test_bad_query_gets_the_positional_error_of_keywords(driver: BotDriver) -> None:
    chat = await subscribed(driver, "ru")
    refused = await driver.say(chat, "/search вольфрам AND (уран", language_code="ru")
    rule = await driver.say(chat, "/keywords add вольфрам AND (уран", language_code="ru")
    marked = [line for line in refused.text.splitlines() if line.startswith("› ")]
    assert marked and marked == [ln for ln in rule.text.splitlines() if ln.startswith("› ")]
    assert "<u><b>" in marked[0]
    none = await driver.say(chat, "/search литий", language_code="ru")
    assert "ничего не найдено" in none.plain_text
    usage = await driver.say(chat, "/search", language_code="ru")
    assert "/search вольфрам OR tungsten" in usage.plain_text


async def test_mute_button_stops_updates_of_that_message(driver: BotDriver) -> None:
    chat = await subscribed(driver)
    story_id = await add_story(driver, "Muted story", "", age_days=0)
    async with driver.sessions() as session, session.begin():
        feed = Feed(url="https://feeds.example/mute", added_at=driver.clock.now,
                    next_poll_at=driver.clock.now, error_count=0, backlog_done=True)  # fmt: skip
        session.add(feed)
        await session.flush()
        session.add(Item(feed_id=feed.id, story_id=story_id, guid="m", title="Muted story",
                         published_at=driver.clock.now, fetched_at=driver.clock.now))  # fmt: skip
        session.add(Delivery(chat_id=chat, story_id=story_id, status="sent", attempts=1,
                             next_attempt_at=driver.clock.now, created_at=driver.clock.now,
                             message_id=900, sent_at=driver.clock.now))  # fmt: skip
    data = AlertMute().pack()
    answer = await driver.press(chat, 900, data)
    assert answer["text"] == "🔕 This alert will not be updated any more."
    async with driver.sessions() as session:
        muted = await session.scalar(select(Delivery.muted_at).where(Delivery.chat_id == chat))
    assert muted is not None
    again = await driver.press(chat, 900, data)
    assert again["text"] == "Updates of this alert are already off."
