"""The repositories behind the handlers, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from storage.db import SessionFactory
from storage.models import Delivery, DeliveryMode, KeywordRule, Story
from storage.repositories.chats import ChatRepository
from storage.repositories.rules import RuleRepository, SaveStatus
from storage.repositories.search import StorySearchRepository
from storage.repositories.stats import StatsRepository

NOW = datetime(2025, 11, 6, 12, 0, tzinfo=UTC)
TOPICS = ("critical_minerals", "c5plus1")


async def new_chat(sessions: SessionFactory, chat_id: int = 1) -> None:
    await ChatRepository(sessions).subscribe(
        chat_id, chat_type="private", language="ru", timezone="Asia/Almaty", topics=TOPICS, now=NOW
    )


async def add_story(sessions: SessionFactory, title: str, seen: datetime) -> int:
    async with sessions() as session:
        story = Story(
            title=title, summary="", title_key=title, fingerprint=0, published_at=seen,
            first_seen_at=seen, is_backlog=False,
        )  # fmt: skip
        session.add(story)
        await session.commit()
        return story.id


async def test_settings_updates_and_membership(sessions: SessionFactory) -> None:
    chats = ChatRepository(sessions)
    await new_chat(sessions)
    assert await chats.set_topic(1, "c5plus1", enabled=False) == {"critical_minerals"}
    assert await chats.set_topic(1, "c5plus1", enabled=True) == set(TOPICS)
    assert await chats.set_mode(1, DeliveryMode.BOTH, now=NOW)
    assert await chats.set_digest_minute(1, 8 * 60 + 30, now=NOW)
    assert await chats.set_timezone(1, "Asia/Tashkent", now=NOW)
    assert await chats.set_language(1, "en", now=NOW)
    chat = await chats.get(1)
    assert chat is not None
    assert (chat.mode, chat.digest_minute, chat.timezone, chat.language) == (
        "both", 510, "Asia/Tashkent", "en",
    )  # fmt: skip
    assert await chats.set_membership(1, present=False, now=NOW)
    chat = await chats.get(1)
    assert chat is not None and not chat.active and chat.blocked
    assert not await chats.set_membership(999, present=True, now=NOW)
    _, created = await new_chat_again(chats)
    assert not created


async def new_chat_again(chats: ChatRepository) -> tuple[object, bool]:
    return await chats.subscribe(
        1, chat_type="private", language="ru", timezone="UTC", topics=(), now=NOW
    )


async def test_stop_cancels_pending_alerts_and_forget_deletes_everything(
    sessions: SessionFactory,
) -> None:
    chats, rules = ChatRepository(sessions), RuleRepository(sessions)
    await new_chat(sessions)
    await rules.add(1, "уран", now=NOW, max_rules=5)
    story = await add_story(sessions, "Уран", NOW)
    async with sessions() as session:
        session.add(Delivery(chat_id=1, story_id=story, next_attempt_at=NOW, created_at=NOW))
        await session.commit()
    assert await chats.stop(1, now=NOW)
    assert not await chats.stop(1, now=NOW)
    async with sessions() as session:
        assert await session.scalar(select(Delivery.status)) == "cancelled"
    assert await chats.forget(1)
    assert await chats.get(1) is None
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(KeywordRule)) == 0
        assert await session.scalar(select(func.count()).select_from(Delivery)) == 0


async def test_rules_limits_duplicates_and_drafts(sessions: SessionFactory) -> None:
    rules = RuleRepository(sessions)
    await new_chat(sessions)
    await new_chat(sessions, 2)
    assert (await rules.add(1, "a", now=NOW, max_rules=2)).status == SaveStatus.SAVED
    dup = await rules.add(1, "a", now=NOW, max_rules=2)
    assert (dup.status, dup.number) == (SaveStatus.DUPLICATE, 1)
    assert (await rules.add(1, "b", now=NOW, max_rules=2)).number == 2
    assert (await rules.add(1, "c", now=NOW, max_rules=2)).status == SaveStatus.LIMIT
    draft = await rules.create_draft(1, "c", now=NOW, keep_after=NOW - timedelta(days=1))
    assert (await rules.save_draft(2, draft, now=NOW, max_rules=2)).status == SaveStatus.MISSING
    assert (await rules.save_draft(1, draft, now=NOW, max_rules=2)).status == SaveStatus.LIMIT
    assert await rules.get_draft(draft) is None  # a draft is used once
    removed = await rules.remove_number(1, 1)
    assert removed is not None and removed.query == "a"
    assert await rules.remove_number(1, 5) is None
    assert [r.query for r in await rules.list(1)] == ["b"]
    old = await rules.create_draft(1, "x", now=NOW - timedelta(days=3), keep_after=NOW)
    fresh = await rules.create_draft(1, "y", now=NOW, keep_after=NOW - timedelta(days=1))
    assert await rules.get_draft(old) is None and await rules.get_draft(fresh) is not None
    assert await rules.discard_draft(1, fresh)
    assert await rules.count(1) == 1


async def test_recent_stories_and_stats(sessions: SessionFactory) -> None:
    await new_chat(sessions)
    for days in (0, 1, 1, 8):
        await add_story(sessions, f"story {days}", NOW - timedelta(days=days, hours=1))
    recent = await StorySearchRepository(sessions).recent(NOW - timedelta(days=7), limit=2)
    assert [s.title for s in recent] == ["story 0", "story 1"]
    stats = await StatsRepository(sessions).overview(now=NOW, days=7)
    assert (stats.chats_total, stats.chats_active, stats.outbox_pending) == (1, 1, 0)
    assert [d.stories for d in stats.days[:3]] == [1, 2, 0]
    assert len(stats.days) == 7


async def test_stop_holds_through_membership_changes(sessions: SessionFactory) -> None:
    chats = ChatRepository(sessions)
    await new_chat(sessions, 5)
    assert await chats.stop(5, now=NOW)
    await chats.set_membership(5, present=False, now=NOW)
    await chats.set_membership(5, present=True, now=NOW)
    found = await chats.get(5)
    assert found is not None and not found.active and not found.blocked and found.stopped
    await new_chat(sessions, 5)  # /start
    found = await chats.get(5)
    assert found is not None and found.active and not found.stopped


async def test_subscribe_racing_itself_creates_the_chat_once(sessions: SessionFactory) -> None:
    chats = ChatRepository(sessions)
    results = await asyncio.gather(
        *(
            chats.subscribe(
                6, chat_type="private", language="en", timezone="UTC", topics=TOPICS, now=NOW
            )
            for _ in range(4)
        )
    )
    assert sorted(created for _, created in results) == [False, False, False, True]
    assert all(found.topics == set(TOPICS) for found, _ in results)


async def test_save_racing_itself_saves_once_with_one_number(sessions: SessionFactory) -> None:
    await new_chat(sessions, 7)
    rules = RuleRepository(sessions)
    draft = await rules.create_draft(7, "графит", now=NOW, keep_after=NOW)
    outcomes = await asyncio.gather(
        *(rules.save_draft(7, draft, now=NOW, max_rules=50) for _ in range(3))
    )
    assert [r.query for r in await rules.list(7)] == ["графит"]
    saved = [o for o in outcomes if o.status == SaveStatus.SAVED]
    assert saved and all(o.number == 1 for o in saved)
    assert all(o.status in (SaveStatus.SAVED, SaveStatus.MISSING) for o in outcomes)


async def test_a_private_chat_points_at_the_channel_it_manages(sessions: SessionFactory) -> None:
    chats = ChatRepository(sessions)
    await new_chat(sessions, 8)
    await chats.subscribe(
        -1_001_234, chat_type="channel", language="en", timezone="UTC", topics=TOPICS, now=NOW
    )
    assert await chats.set_managing(8, -1_001_234, now=NOW)
    assert (await chats.get(8)).managing == -1_001_234  # type: ignore[union-attr]
    await chats.set_managing(8, None, now=NOW)
    assert (await chats.get(8)).managing is None  # type: ignore[union-attr]
