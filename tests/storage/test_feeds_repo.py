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
