from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage.db import SessionFactory
from storage.repositories.feeds import FeedExistsError, FeedRepository

NOW = datetime(2025, 11, 6, 12, 0, tzinfo=UTC)


async def test_add_list_find_remove(sessions: SessionFactory) -> None:
    repo = FeedRepository(sessions)
    feed = await repo.add("https://example.org/feed.xml", now=NOW, first_poll_at=NOW)
    assert feed.id > 0
    listed = await repo.list()
    assert [f.url for f in listed] == ["https://example.org/feed.xml"]
    # Datetimes come back aware and in UTC whatever the backend.
    assert listed[0].added_at == NOW
    assert (await repo.find(str(feed.id))) == feed
    assert (await repo.find("https://example.org/feed.xml")) == feed
    assert await repo.remove(feed.id)
    assert await repo.list() == []
    assert not await repo.remove(feed.id)


async def test_same_url_twice_is_refused(sessions: SessionFactory) -> None:
    repo = FeedRepository(sessions)
    await repo.add("https://example.org/a", now=NOW, first_poll_at=NOW)
    with pytest.raises(FeedExistsError):
        await repo.add("https://example.org/a", now=NOW, first_poll_at=NOW + timedelta(seconds=1))
    assert len(await repo.list()) == 1


async def test_shorter_interval_after_restart_brings_healthy_feeds_forward(
    sessions: SessionFactory,
) -> None:
    repo = FeedRepository(sessions)
    far = NOW + timedelta(hours=1)
    healthy = await repo.add("https://example.org/healthy", now=NOW, first_poll_at=far)
    soon = await repo.add(
        "https://example.org/soon", now=NOW, first_poll_at=NOW + timedelta(seconds=30)
    )
    failing = await repo.add("https://example.org/failing", now=NOW, first_poll_at=far)
    from sqlalchemy import update

    from storage.models import Feed

    async with sessions() as session:
        await session.execute(update(Feed).where(Feed.id == failing.id).values(error_count=3))
        await session.commit()

    moved = await repo.clamp_schedule(now=NOW, interval=timedelta(seconds=60))

    assert moved == 1
    by_url = {f.url: f for f in await repo.list()}
    assert by_url[healthy.url].next_poll_at == NOW
    assert by_url[soon.url].next_poll_at == NOW + timedelta(seconds=30)
    # A feed in error back-off keeps its wait.
    assert by_url[failing.url].next_poll_at == far
