"""Fixtures for ingestion tests: the local feed server and pollers on the test database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.ingest import FeedPolled, FeedPoller, PollerConfig
from storage.db import SessionFactory
from storage.repositories.feeds import FeedInfo, FeedRepository
from tests.fakes.feed_server import FeedServer

NOW = datetime(2025, 11, 6, 18, 0, tzinfo=UTC)
INTERVAL = timedelta(seconds=300)
SNAPSHOTS = Path(__file__).resolve().parents[2] / "seeds" / "snapshots"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

MakePoller = Callable[..., FeedPoller]


@pytest.fixture
async def feeds() -> AsyncIterator[FeedServer]:
    async with FeedServer() as server:
        yield server


@pytest.fixture
async def make_poller(sessions: SessionFactory) -> AsyncIterator[MakePoller]:
    """Pollers with short timeouts; all closed at the end of the test."""
    made: list[FeedPoller] = []

    def make(
        *, on_polled: Callable[[FeedPolled], None] | None = None, **overrides: Any
    ) -> FeedPoller:
        config = PollerConfig(
            **{"interval": INTERVAL, "timeout": 2.0, "concurrency": 8, "per_host": 8, **overrides}
        )
        poller = FeedPoller(sessions, config, on_polled=on_polled)
        made.append(poller)
        return poller

    yield make
    for poller in made:
        await poller.close()


async def add_feed(sessions: SessionFactory, url: str, *, at: datetime = NOW) -> FeedInfo:
    return await FeedRepository(sessions).add(url, now=at, first_poll_at=at)


async def feed_by_id(sessions: SessionFactory, feed_id: int) -> FeedInfo:
    found = await FeedRepository(sessions).find(str(feed_id))
    assert found is not None
    return found


async def wait_for_request(feeds: FeedServer, path: str) -> None:
    """Return once the server has seen a request for ``path`` (at most 5 s)."""
    for _ in range(500):
        if feeds.hits(path):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"no request for {path} within 5 s")
