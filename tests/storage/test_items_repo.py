"""Item repository on SQLite and PostgreSQL: dedup, story joining, sources, retention."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from storage.db import SessionFactory
from storage.models import Chat, Delivery, Item, Match, Story
from storage.repositories.feeds import FeedRepository, FeedSuccess
from storage.repositories.items import ItemRepository, NewItem, StoryCandidate
from storage.repositories.retention import RetentionRepository

NOW = datetime(2025, 11, 6, 12, 0, tzinfo=UTC)


def new(n: int, **changes: object) -> NewItem:
    base = NewItem(
        guid=f"g{n}",
        url=f"https://example.kz/{n}",
        canonical_url=f"https://example.kz/{n}",
        title=f"Title {n}",
        summary=f"Summary {n}",
        published_at=NOW,
        title_key=f"key{n}",
        fingerprint=n,
        is_backlog=False,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def same_title(item: NewItem, story: StoryCandidate) -> bool:
    return True  # candidates already share the title key


def never(item: NewItem, story: StoryCandidate) -> bool:
    return False


async def setup(sessions: SessionFactory) -> tuple[ItemRepository, int, int]:
    feeds = FeedRepository(sessions)
    a = await feeds.add("https://a.example/rss", now=NOW, first_poll_at=NOW)
    b = await feeds.add("https://b.example/rss", now=NOW, first_poll_at=NOW)
    return ItemRepository(sessions, reprint_window=timedelta(days=14)), a.id, b.id


def ok(feed_id: int, now: datetime = NOW) -> FeedSuccess:
    return FeedSuccess(feed_id=feed_id, now=now, next_poll_at=now + timedelta(minutes=5))


async def test_dedup_by_feed_and_guid(sessions: SessionFactory) -> None:
    repo, a, _ = await setup(sessions)
    first = await repo.store(ok(a), [new(1), new(2)], never)
    assert (first.new_items, first.new_stories) == (2, 2)
    again = await repo.store(ok(a), [new(1), new(2), new(3)], never)
    assert (again.new_items, again.new_stories) == (1, 1)


async def test_same_canonical_url_or_reprint_joins_one_story(sessions: SessionFactory) -> None:
    repo, a, b = await setup(sessions)
    await repo.store(ok(a), [new(1)], never)
    # Same canonical URL from another feed: joins, whatever the predicate says.
    same_url = await repo.store(ok(b), [new(1, guid="other", url="https://example.kz/1?x")], never)
    assert (same_url.new_stories, same_url.joined) == (0, 1)
    # Another URL, same title key, predicate accepts: a reprint.
    reprint = new(9, title_key="key1", canonical_url="https://mirror.ru/9")
    assert (await repo.store(ok(b), [reprint], same_title)).joined == 1
    # Predicate refuses: a story of its own.
    assert (await repo.store(ok(b), [new(10, title_key="key1")], never)).new_stories == 1
    async with sessions() as s:
        story_id = await s.scalar(select(Story.id).where(Story.title == "Title 1"))
    assert story_id is not None
    sources = await repo.story_sources(story_id)
    assert [(x.feed_id, x.url) for x in sources] == [
        (a, "https://example.kz/1"),
        (b, "https://example.kz/1?x"),
        (b, "https://example.kz/9"),
    ]
    assert sources[1].feed_url == "https://b.example/rss"


async def test_backlog_stories_are_marked_matched(sessions: SessionFactory) -> None:
    repo, a, _ = await setup(sessions)
    await repo.store(ok(a), [new(1, is_backlog=True), new(2)], never)
    async with sessions() as s:
        rows = {r.title: r for r in (await s.scalars(select(Story))).all()}
    assert rows["Title 1"].is_backlog and rows["Title 1"].matched_at == NOW
    assert not rows["Title 2"].is_backlog and rows["Title 2"].matched_at is None


async def test_prune_keeps_what_is_still_owed(sessions: SessionFactory) -> None:
    repo, a, _ = await setup(sessions)
    old = NOW - timedelta(days=100)
    await repo.store(ok(a, old), [new(n, is_backlog=True) for n in range(1, 5)], never)
    await repo.store(ok(a, old), [new(5)], never)  # never matched yet: owed
    await repo.store(ok(a), [new(6, is_backlog=True)], never)  # recent
    async with sessions() as s:
        ids = {t: i for t, i in (await s.execute(select(Story.title, Story.id))).all()}
        s.add_all(
            [
                Chat(id=1, timezone="UTC", mode="digest", created_at=NOW, updated_at=NOW),
                Chat(id=2, timezone="UTC", mode="instant", created_at=NOW, updated_at=NOW),
            ]
        )
        await s.flush()
        s.add_all(
            [
                Delivery(chat_id=2, story_id=ids["Title 2"], status="pending",
                         next_attempt_at=NOW, created_at=NOW),
                Match(chat_id=1, story_id=ids["Title 3"], why={}, matched_at=old),
                Match(chat_id=2, story_id=ids["Title 4"], why={}, matched_at=old),
            ]
        )  # fmt: skip
        await s.commit()
    report = await RetentionRepository(sessions).prune(NOW - timedelta(days=90))
    assert (report.items, report.stories) == (2, 2)
    async with sessions() as s:
        left = set((await s.scalars(select(Story.title))).all())
        items = await s.scalar(select(func.count()).select_from(Item))
    assert left == {"Title 2", "Title 3", "Title 5", "Title 6"}
    assert items == 4
