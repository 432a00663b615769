"""FeedPoller.run, the long-lived pool: each feed on its own schedule, in real time.

These tests run the pool against the real clock for a few seconds with a 1-2 s interval,
because what they check is time: a stalled feed must not hold back the others.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

from sqlalchemy import select

from bot.clock import utc_now
from bot.ingest import FeedPolled, FeedPoller
from storage.db import SessionFactory
from storage.models import Feed
from tests.fakes.feed_server import FeedServer, make_rss
from tests.ingest.conftest import MakePoller, add_feed, feed_by_id, wait_for_request

SECOND = timedelta(seconds=1)


def body(n: int) -> bytes:
    return make_rss([{"title": f"Новость {n} о вольфраме", "link": f"https://x.kz/{n}"}])


@asynccontextmanager
async def running(poller: FeedPoller) -> AsyncIterator[asyncio.Task[None]]:
    """The pool running in the background; closed (and checked to end) on exit."""
    task = asyncio.create_task(poller.run(utc_now))
    try:
        yield task
    finally:
        await asyncio.wait_for(poller.close(), timeout=10)
        await asyncio.wait_for(task, timeout=1)


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(times)]


async def test_healthy_feed_is_fetched_on_time_while_a_stalled_one_hangs(
    sessions: SessionFactory, feeds: FeedServer, make_poller: MakePoller
) -> None:
    stalled = await add_feed(sessions, feeds.slow("/stalled.xml", body(0), delay=60), at=utc_now())
    healthy = await add_feed(sessions, feeds.add("/healthy.xml", body(1)), at=utc_now())
    poller = make_poller(interval=SECOND, timeout=30.0, idle_check=0.2, shutdown_grace=0.5)
    async with running(poller):
        await asyncio.sleep(4.2)
        # The stalled request is still hanging: it was asked once and never answered.
        assert feeds.hits("/stalled.xml") == 1
        times = [r.time for r in feeds.requests_for("/healthy.xml")]
    # Due every 0.9-1.0 s: four or five fetches in 4.2 s, none more than 1.5 s apart.
    assert len(times) >= 4, times
    assert max(gaps(times)) < 1.5, gaps(times)
    info = await feed_by_id(sessions, healthy.id)
    assert info.lateness_seconds is not None and info.lateness_seconds < 0.5
    # Closing gave the hung claim back: due again at once, for the next process.
    info = await feed_by_id(sessions, stalled.id)
    assert info.last_success_at is None and info.next_poll_at <= utc_now()


async def test_a_dripping_body_ends_at_the_whole_request_deadline(
    sessions: SessionFactory, feeds: FeedServer, make_poller: MakePoller
) -> None:
    # 100 chunks, one every 0.1 s: each read is quick, the whole body takes 10 s.
    drip = feeds.slow("/drip.xml", body(0) * 40, trickle=0.1, chunk_size=100)
    feed = await add_feed(sessions, drip, at=utc_now())
    poller = make_poller(interval=timedelta(seconds=30), timeout=1.0, idle_check=0.2)
    async with running(poller):
        for _ in range(40):
            await asyncio.sleep(0.1)
            if (await feed_by_id(sessions, feed.id)).error_count:
                break
    info = await feed_by_id(sessions, feed.id)
    assert info.last_error == "timed out after 1 s"
    assert info.last_error_at is not None and info.lateness_seconds is not None
    assert info.last_error_at - utc_now() < timedelta(seconds=2.5)


async def test_feed_added_while_running_is_picked_up_and_reported(
    sessions: SessionFactory, feeds: FeedServer, make_poller: MakePoller
) -> None:
    polled: list[FeedPolled] = []
    poller = make_poller(interval=timedelta(seconds=60), idle_check=0.2, on_polled=polled.append)
    async with running(poller):
        await asyncio.sleep(0.3)
        feed = await add_feed(sessions, feeds.add("/late.xml", body(1)), at=utc_now())
        await wait_for_request(feeds, "/late.xml")
        await _until(lambda: bool(polled))
    [report] = polled
    assert (report.feed_id, report.outcome) == (feed.id, "ok")
    assert report.lateness is not None and report.lateness < 1.0
    assert report.new_items == 0  # its first fetch: backlog, nothing to match


async def test_two_pools_fetch_each_feed_once_per_due_time(
    sessions: SessionFactory, feeds: FeedServer, make_poller: MakePoller
) -> None:
    paths = [f"/p{n}.xml" for n in range(10)]
    now = utc_now()
    for n, path in enumerate(paths):
        await add_feed(sessions, feeds.slow(path, body(n), delay=0.05), at=now)
    interval = timedelta(seconds=2)
    one = make_poller(interval=interval, concurrency=2, idle_check=0.1)
    two = make_poller(interval=interval, concurrency=2, idle_check=0.1)
    async with running(one), running(two):
        await asyncio.sleep(3.0)
    # Due at start and again 1.8-2.0 s after the first fetch: exactly twice in 3 s.
    assert [feeds.hits(p) for p in paths] == [2] * len(paths)


async def test_close_waits_for_the_fetch_in_flight_and_cancel_releases_claims(
    sessions: SessionFactory, feeds: FeedServer, make_poller: MakePoller
) -> None:
    slow = await add_feed(sessions, feeds.slow("/slow.xml", body(1), delay=0.4), at=utc_now())
    poller = make_poller(idle_check=0.1)
    task = asyncio.create_task(poller.run(utc_now))
    await wait_for_request(feeds, "/slow.xml")
    await poller.close()
    assert task.done() and (await feed_by_id(sessions, slow.id)).last_success_at is not None
    await poller.close()

    hung = await add_feed(sessions, feeds.slow("/hung.xml", body(2), delay=30), at=utc_now())
    other = make_poller(idle_check=0.1, timeout=30.0)
    task = asyncio.create_task(other.run(utc_now))
    await wait_for_request(feeds, "/hung.xml")
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    async with sessions() as s:
        row = (await s.scalars(select(Feed).where(Feed.id == hung.id))).one()
    assert row.lease_owner is None and row.next_poll_at <= utc_now()  # due again at once


async def _until(check: Callable[[], bool], seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")
