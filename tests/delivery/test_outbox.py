"""The pipeline and the outbox through the fake Bot API over HTTP, driven tick by tick."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from aiogram import Bot
from sqlalchemy import select

from storage.db import SessionFactory
from storage.models import Chat, Delivery, KeywordRule, Match, TopicSubscription
from tests.delivery.conftest import (
    SEED_SUMMARY,
    SEED_TITLE,
    T0,
    FakeClock,
    Pipeline,
    add_chat,
    add_story,
    assert_valid_html,
)
from tests.fakes.telegram_api import FakeTelegramServer


async def statuses(sessions: SessionFactory) -> Counter[str]:
    async with sessions() as session:
        return Counter((await session.scalars(select(Delivery.status))).all())


async def test_matching_story_reaches_subscribers_once_and_others_never(
    sessions: SessionFactory, tg: FakeTelegramServer, pipeline: Pipeline
) -> None:
    await add_chat(sessions, 1)
    await add_chat(sessions, 2, topics=("c5plus1",))
    await add_chat(sessions, 3, topics=(), rules=["вольфрам"])
    await add_chat(sessions, 4, mode="digest")
    await add_story(
        sessions, SEED_TITLE, SEED_SUMMARY,
        sources=[("Charter97 <ru>", "https://a.example/s?x=1&y=2"), ("Mail.ru", "https://b.example/s")],
    )  # fmt: skip
    await add_story(sessions, "Футбол: «Урал» сыграл вничью", "Матч 20-го тура первой лиги")
    await pipeline.tick()
    await pipeline.tick()  # nothing new: nothing sent again
    assert len(tg.texts(1)) == 1 and len(tg.texts(2)) == 1
    assert tg.texts(3) == [] and tg.texts(4) == []
    plain = tg.messages_to(1)[0].plain_text
    assert SEED_TITLE in plain and "Charter97 <ru>" in plain and "Mail.ru" in plain
    assert "#critical_minerals" in plain and "#c5plus1" in plain
    assert_valid_html([m.text for m in tg.sent])
    async with sessions() as session:
        matches = (await session.scalars(select(Match.chat_id))).all()
    assert sorted(matches) == [1, 2, 4]  # the digest chat accumulates
    assert await statuses(sessions) == {"sent": 2}


async def test_keyword_rule_added_at_runtime_is_picked_up(
    sessions: SessionFactory, tg: FakeTelegramServer, pipeline: Pipeline
) -> None:
    await add_chat(sessions, 5, topics=())
    await pipeline.tick()
    async with sessions() as session, session.begin():
        session.add(
            KeywordRule(chat_id=5, query="tungsten OR вольфрам", created_at=pipeline.clock.now())
        )
    await add_story(
        sessions,
        "Cove Capital will mine Kazakhstan tungsten",
        "A deal announced in the White House",
    )
    await pipeline.tick()
    [message] = tg.messages_to(5)
    assert "tungsten" in message.plain_text and "your keywords" in message.plain_text


async def test_alerts_piling_up_for_one_chat_share_a_message(
    sessions: SessionFactory, tg: FakeTelegramServer, pipeline: Pipeline
) -> None:
    await add_chat(sessions, 6)
    for n in range(5):  # a month apart, beyond later coverage: five events, not one
        await add_story(
            sessions,
            f"{SEED_TITLE} {n}",
            SEED_SUMMARY,
            sources=[("F", f"https://u/{n}")],
            published_at=T0 - timedelta(days=31 * n),
        )
    await pipeline.tick()
    [message] = tg.messages_to(6)
    assert message.plain_text.count(SEED_TITLE) == 5
    async with sessions() as session:
        ids = set((await session.scalars(select(Delivery.message_id))).all())
    assert ids == {message.message_id}


async def test_429_storm_delivers_everything_once(
    sessions: SessionFactory, bot: Bot, clock: FakeClock, tg: FakeTelegramServer
) -> None:
    greedy = Pipeline(sessions, bot, clock, rate=1000.0)  # ignores the limits on purpose
    chats = list(range(100, 160))
    for chat_id in chats:
        await add_chat(sessions, chat_id)
    await add_story(sessions, SEED_TITLE, SEED_SUMMARY)
    await greedy.matcher.run_once(clock.now())
    for _ in range(30):
        await greedy.sender.run_once(clock.now())
        if (await statuses(sessions)) == {"sent": len(chats)}:
            break
        clock.advance(1.0)
    assert tg.rate_limited_total > 0
    assert await statuses(sessions) == {"sent": len(chats)}
    assert Counter(m.chat_id for m in tg.sent) == dict.fromkeys(chats, 1)


async def test_pacer_keeps_under_telegrams_limits(
    sessions: SessionFactory, bot: Bot, clock: FakeClock, tg: FakeTelegramServer
) -> None:
    # One worker: with simulated time, concurrent sleepers would bunch their sends up.
    pipeline = Pipeline(sessions, bot, clock, concurrency=1)
    start = clock.monotonic()
    for chat_id in range(200, 290):
        await add_chat(sessions, chat_id)
    await add_story(sessions, SEED_TITLE, SEED_SUMMARY)
    await pipeline.tick()
    assert tg.rate_limited_total == 0
    assert len(tg.sent) == 90
    assert 89 / 30 - 1e-6 <= clock.monotonic() - start <= 89 / 30 / 0.97  # about 30/s


async def test_blocked_chat_is_flagged_and_its_rows_cancelled(
    sessions: SessionFactory, tg: FakeTelegramServer, pipeline: Pipeline
) -> None:
    await add_chat(sessions, 7)
    await add_chat(sessions, 8)
    tg.block(7)
    await add_story(sessions, SEED_TITLE, SEED_SUMMARY)
    await pipeline.tick()
    async with sessions() as session:
        chat = await session.get(Chat, 7)
        assert chat is not None and chat.blocked
    assert await statuses(sessions) == {"sent": 1, "cancelled": 1}
    await add_story(
        sessions,
        SEED_TITLE + " 2",
        SEED_SUMMARY,
        sources=[("F", "https://u/2")],
        published_at=T0 - timedelta(days=31),  # another event: beyond later coverage
    )
    await pipeline.tick()
    assert tg.texts(7) == [] and len(tg.texts(8)) == 2


async def test_migrated_group_moves_with_everything_it_owns(
    sessions: SessionFactory, tg: FakeTelegramServer, pipeline: Pipeline
) -> None:
    await add_chat(sessions, -42, rules=["tungsten"])
    tg.migrate(-42, -100042)
    await add_story(sessions, SEED_TITLE, SEED_SUMMARY)
    await pipeline.tick()
    assert len(tg.texts(-100042)) == 1 and tg.texts(-42) == []
    async with sessions() as session:
        assert await session.get(Chat, -42) is None
        assert (await session.get(Chat, -100042)) is not None
        topics = (await session.scalars(select(TopicSubscription.chat_id))).all()
        rules = (await session.scalars(select(KeywordRule.chat_id))).all()
    assert set(topics) == {-100042} and rules == [-100042]
    assert await statuses(sessions) == {"sent": 1}


async def test_bad_html_is_resent_as_plain_text(
    sessions: SessionFactory, tg: FakeTelegramServer, pipeline: Pipeline
) -> None:
    await add_chat(sessions, 9)
    tg.fail_next("sendMessage", 400, "Bad Request: can't parse entities: Unsupported start tag")
    await add_story(sessions, SEED_TITLE, SEED_SUMMARY, sources=[("F", "https://u/9")])
    await pipeline.tick()
    [message] = tg.messages_to(9)
    assert message.parse_mode is None and SEED_TITLE in message.text
    assert "https://u/9" in message.text  # the link survives as text
    assert await statuses(sessions) == {"sent": 1}


async def test_server_errors_are_retried_with_backoff(
    sessions: SessionFactory, tg: FakeTelegramServer, pipeline: Pipeline, clock: FakeClock
) -> None:
    await add_chat(sessions, 10)
    tg.fail_next("sendMessage", 502, "Bad Gateway", count=2)
    await add_story(sessions, SEED_TITLE, SEED_SUMMARY)
    await pipeline.tick()
    assert tg.texts(10) == [] and await statuses(sessions) == {"pending": 1}
    await pipeline.tick()  # not due yet
    clock.advance(6)
    await pipeline.tick()
    clock.advance(11)
    await pipeline.tick()
    assert len(tg.texts(10)) == 1 and await statuses(sessions) == {"sent": 1}
