"""FeedPoller over real HTTP and a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.ingest import FeedPoller
from bot.ingest.schedule import MAX_BACKOFF
from storage.db import SessionFactory
from storage.models import Feed, Item, Story
from tests.fakes.feed_server import FeedServer, make_rss
from tests.ingest.conftest import (
    INTERVAL,
    NOW,
    SNAPSHOTS,
    MakePoller,
    add_feed,
    feed_by_id,
    wait_for_request,
)


def item(n: int, *, date: datetime | None = None, title: str | None = None) -> dict[str, str]:
    entry = {
        "title": title or f"Новость номер {n} о добыче урана",
        "link": f"https://example.kz/news/{n}?utm_source=rss",
        "guid": f"https://example.kz/news/{n}",
        "description": f"Текст новости {n}: подробности о месторождении и добыче.",
    }
    if date is not None:
        entry["pubDate"] = date.strftime("%a, %d %b %Y %H:%M:%S +0000")
    return entry


async def stories(sessions: SessionFactory) -> list[Story]:
    async with sessions() as s:
        return list((await s.scalars(select(Story).order_by(Story.id))).all())


async def count_items(sessions: SessionFactory) -> int:
    async with sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(Item)) or 0)


async def test_backlog_then_news_then_48h_rule(
    sessions: SessionFactory, feeds: FeedServer, make_poller: MakePoller
) -> None:
    url = feeds.add("/rss.xml", make_rss([item(1), item(2)]))
    await add_feed(sessions, url)
    poller = make_poller()

    report = await poller.run_once(NOW)
    assert (report.ok, report.new_items, report.backlog_items) == (1, 2, 2)
    first = await stories(sessions)
    assert all(s.is_backlog and s.matched_at is not None for s in first)

    later = NOW + INTERVAL
    old = later - timedelta(hours=49)
    feeds.update("/rss.xml", make_rss([item(1), item(2), item(3, date=NOW), item(4, date=old)]))
    report = await poller.run_once(later)
    assert (report.new_items, report.backlog_items) == (2, 1)
    by_title = {s.title: s for s in await stories(sessions)}
    news = by_title["Новость номер 3 о добыче урана"]
    assert not news.is_backlog and news.matched_at is None
    stale = by_title["Новость номер 4 о добыче урана"]
    assert stale.is_backlog and stale.matched_at is not None
    assert await count_items(sessions) == 4


async def test_conditional_get_304_is_success(
    sessions: SessionFactory, feeds: FeedServer, make_poller: MakePoller
) -> None:
    url = feeds.add("/rss.xml", make_rss([item(1)]))
    feed = await add_feed(sessions, url)
    poller = make_poller()
    await poller.run_once(NOW)
    report = await poller.run_once(NOW + INTERVAL)
    assert (report.ok, report.not_modified, report.new_items) == (1, 1, 0)
    second = feeds.requests_for("/rss.xml")[1]
    assert second.if_none_match == feeds.etag("/rss.xml")
    assert second.user_agent and second.user_agent.startswith("c5watch/0.1")
    info = await feed_by_id(sessions, feed.id)
    assert info.last_success_at == NOW + INTERVAL and info.error_count == 0


async def test_every_feed_polled_within_the_interval(
    sessions: SessionFactory, feeds: FeedServer, make_poller: MakePoller
) -> None:
    url = feeds.add("/rss.xml", make_rss([item(1)]))
    feed = await add_feed(sessions, url)
    poller = make_poller()
    await poller.run_once(NOW)
    assert (await poller.run_once(NOW + INTERVAL / 2)).feeds == 0
    info = await feed_by_id(sessions, feed.id)
    assert NOW < info.next_poll_at <= NOW + INTERVAL
    assert (await poller.run_once(NOW + INTERVAL)).feeds == 1


async def test_feed_added_later_is_picked_up(
    sessions: SessionFactory, feeds: FeedServer, make_poller: MakePoller
) -> None:
    poller = make_poller()
    assert (await poller.run_once(NOW)).feeds == 0
    await add_feed(sessions, feeds.add("/late.xml", make_rss([item(1)])), at=NOW)
    assert (await poller.run_once(NOW + timedelta(seconds=1))).ok == 1


async def test_errors_back_off_and_are_recorded(
    sessions: SessionFactory, feeds: FeedServer, make_poller: MakePoller
) -> None:
    bad = await add_feed(sessions, feeds.broken("/500", 500))
    poller = make_poller()
    now = NOW
    for expected in (1, 2, 3):
        report = await poller.run_once(now)
        assert report.failed == 1
        info = await feed_by_id(sessions, bad.id)
        assert info.error_count == expected
        assert info.last_error == "HTTP 500 Internal Server Error"
        assert info.next_poll_at == now + INTERVAL * 2 ** (expected - 1)
        now = info.next_poll_at
    # Recovery resets the count.
    feeds.add("/500", make_rss([item(1)]))
    await poller.run_once(now)
    assert (await feed_by_id(sessions, bad.id)).error_count == 0


async def test_retry_after_sets_the_backoff(
    sessions: SessionFactory, feeds: FeedServer, make_poller: MakePoller
) -> None:
    busy = await add_feed(sessions, feeds.broken("/busy", 429, retry_after=3600))
    await make_poller().run_once(NOW)
    assert (await feed_by_id(sessions, busy.id)).next_poll_at == NOW + timedelta(hours=1)


async def test_absurd_retry_after_is_a_clamped_backoff_not_an_internal_error(
    sessions: SessionFactory, feeds: FeedServer, make_poller: MakePoller
) -> None:
    huge = await add_feed(sessions, feeds.broken("/huge", 503, retry_after=10**400))
    far = await add_feed(sessions, feeds.add("/far", b"busy", status=503,
                         headers={"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"}))  # fmt: skip
    junk = await add_feed(sessions, feeds.add("/junk", b"busy", status=429,
                          headers={"Retry-After": "soon, honestly"}))  # fmt: skip
    report = await make_poller().run_once(NOW)
    assert report.failed == 3
    for feed in (huge, far):
        info = await feed_by_id(sessions, feed.id)
        assert info.last_error == "HTTP 503 Service Unavailable"
        assert info.next_poll_at == NOW + MAX_BACKOFF
    info = await feed_by_id(sessions, junk.id)
    assert info.last_error == "HTTP 429 Too Many Requests"
    assert info.next_poll_at == NOW + INTERVAL  # unreadable: the ordinary back-off


async def test_one_bad_feed_does_not_delay_others(
    sessions: SessionFactory, feeds: FeedServer, make_poller: MakePoller
) -> None:
    slow = await add_feed(sessions, feeds.slow("/slow.xml", make_rss([item(0)]), delay=10))
    bozo = await add_feed(sessions, feeds.broken("/bozo.xml", "invalid"))
    broken = await add_feed(sessions, feeds.broken("/broken.xml", "invalid", body=b"{}"))
    html = await add_feed(sessions, feeds.html_page("/page.html", "/nowhere.xml"))
    good = [await add_feed(sessions, feeds.add(f"/{n}.xml", make_rss([item(n)]))) for n in range(6)]
    poller = make_poller(timeout=1.0, concurrency=4)
    report = await asyncio.wait_for(poller.run_once(NOW), timeout=5)
    assert report.ok == len(good) + 1
    assert [w.feed_id for w in report.warnings] == [bozo.id]  # malformed, but has an entry
    errors = {e.feed_id: e.message for e in report.errors}
    assert errors[slow.id].startswith("timed out")
    assert errors[broken.id].startswith("not a readable feed")
    assert errors[html.id] == "not a feed: the URL serves an HTML page"


async def test_oversize_and_entity_tricks_are_recorded(
    sessions: SessionFactory, feeds: FeedServer, make_poller: MakePoller
) -> None:
    huge = await add_feed(sessions, feeds.huge("/huge.xml", megabytes=3))
    bomb_body = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(b'<!ENTITY %s "%s">' % (c, b"&a;" * 10) for c in (b"b", b"c"))
        + b']><rss version="2.0"><channel><item><guid>1</guid><title>&c;</title></item>'
        b"</channel></rss>"
    )
    bomb = await add_feed(sessions, feeds.add("/bomb.xml", bomb_body))
    await make_poller(max_bytes=1024 * 1024).run_once(NOW)
    assert "larger than" in ((await feed_by_id(sessions, huge.id)).last_error or "")
    info = await feed_by_id(sessions, bomb.id)
    assert info.error_count == 1 or "entity" in (info.last_warning or "")


async def test_permanent_redirect_updates_the_url(
    sessions: SessionFactory, feeds: FeedServer, make_poller: MakePoller
) -> None:
    feeds.add("/new.xml", make_rss([item(1)]))
    moved = await add_feed(sessions, feeds.redirect("/old.xml", "/new.xml", status=301))
    await make_poller().run_once(NOW)
    assert (await feed_by_id(sessions, moved.id)).url == feeds.url("/new.xml")


async def test_redirect_to_an_existing_feed_keeps_the_url(
    sessions: SessionFactory, feeds: FeedServer, make_poller: MakePoller
) -> None:
    await add_feed(sessions, feeds.add("/new.xml", make_rss([item(1)])))
    moved = await add_feed(sessions, feeds.redirect("/old.xml", "/new.xml", status=308))
    await make_poller().run_once(NOW)
    info = await feed_by_id(sessions, moved.id)
    assert info.url == feeds.url("/old.xml")
    assert "already feed" in (info.last_warning or "")


async def test_reprint_in_two_feeds_is_one_story_with_two_items(
    sessions: SessionFactory, feeds: FeedServer, make_poller: MakePoller
) -> None:
    feeds.serve_directory(SNAPSHOTS, "/snap")
    await add_feed(sessions, feeds.url("/snap/news-mail-ru.rss.xml"))
    await add_feed(sessions, feeds.url("/snap/centralasia-media-ru.atom.xml"))
    report = await make_poller().run_once(NOW)
    assert report.ok == 2 and report.joined == 1
    async with sessions() as s:
        rows = (
            await s.execute(
                select(Item.story_id, func.count()).group_by(Item.story_id).having(func.count() > 1)
            )
        ).all()
        assert len(rows) == 1
        story = await s.get(Story, rows[0][0])
        assert story is not None
        assert story.title == "США расширяют влияние на ключевого союзника Китая и России"


async def test_late_reprint_joins_without_a_new_unmatched_story(
    sessions: SessionFactory, feeds: FeedServer, make_poller: MakePoller
) -> None:
    text = "Казахстан и США подписали соглашение о совместной разработке месторождения вольфрама"
    original = {"title": "США и Казахстан: вольфрамовая сделка года", "guid": "a1",
                "link": "https://outlet-a.kz/1", "description": text}  # fmt: skip
    reprint = {**original, "guid": "b1", "link": "https://outlet-b.ru/77"}
    a = feeds.add("/a.xml", make_rss([item(1)]))
    b = feeds.add("/b.xml", make_rss([item(2)]))
    await add_feed(sessions, a)
    await add_feed(sessions, b)
    poller = make_poller()
    await poller.run_once(NOW)  # backlog
    feeds.update("/a.xml", make_rss([item(1), original]))
    await poller.run_once(NOW + INTERVAL)
    feeds.update("/b.xml", make_rss([item(2), reprint]))
    report = await poller.run_once(NOW + 2 * INTERVAL)
    assert (report.new_items, report.new_stories, report.joined) == (1, 0, 1)
    unmatched = [s for s in await stories(sessions) if s.matched_at is None]
    assert [s.title for s in unmatched] == [original["title"]]


async def test_cancelled_cycle_then_rerun_loses_and_duplicates_nothing(
    sessions: SessionFactory, feeds: FeedServer, make_poller: MakePoller
) -> None:
    fast = [await add_feed(sessions, feeds.add(f"/{n}.xml", make_rss([item(n)]))) for n in range(4)]
    slow = await add_feed(sessions, feeds.slow("/slow.xml", make_rss([item(99)]), delay=0.6))
    poller = make_poller(timeout=5.0)
    task = asyncio.create_task(poller.run_once(NOW))
    await wait_for_request(feeds, "/slow.xml")
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert (await feed_by_id(sessions, slow.id)).next_poll_at == NOW  # released, due again
    # A new process (another poller) carries on.
    report = await make_poller(timeout=5.0).run_once(NOW)
    assert slow.id not in {e.feed_id for e in report.errors}
    assert report.ok >= 1
    assert await count_items(sessions) == len(fast) + 1
    async with sessions() as s:
        guids = (await s.scalars(select(Item.guid))).all()
    assert len(guids) == len(set(guids))


async def test_two_pollers_never_fetch_the_same_feed_in_one_cycle(
    sessions: SessionFactory, feeds: FeedServer, make_poller: MakePoller
) -> None:
    paths = [f"/p{n}.xml" for n in range(12)]
    for n, path in enumerate(paths):
        await add_feed(sessions, feeds.slow(path, make_rss([item(n)]), delay=0.05))
    one, two = make_poller(concurrency=3), make_poller(concurrency=3)
    r1, r2 = await asyncio.gather(one.run_once(NOW), two.run_once(NOW))
    assert r1.feeds + r2.feeds == len(paths)
    assert all(feeds.hits(p) == 1 for p in paths)
    assert await count_items(sessions) == len(paths)


async def test_close_stops_claiming_waits_and_is_idempotent(
    sessions: SessionFactory, feeds: FeedServer, make_poller: MakePoller
) -> None:
    await add_feed(sessions, feeds.slow("/slow.xml", make_rss([item(1)]), delay=0.3))
    poller: FeedPoller = make_poller()
    task = asyncio.create_task(poller.run_once(NOW))
    await wait_for_request(feeds, "/slow.xml")
    await poller.close()
    assert task.done() and task.result().ok == 1  # the fetch in flight finished
    await poller.close()
    assert (await poller.run_once(NOW + INTERVAL)).feeds == 0


async def test_feed_health_reports_items_per_day(
    sessions: SessionFactory, feeds: FeedServer, make_poller: MakePoller
) -> None:
    from storage.repositories.feeds import FeedRepository

    dated = [item(n, date=NOW - timedelta(days=n)) for n in range(14)]
    await add_feed(sessions, feeds.add("/rss.xml", make_rss(dated)))
    await make_poller().run_once(NOW)
    [health] = await FeedRepository(sessions).health(now=NOW)
    assert health.items_per_day == 8 / 7  # n = 0..7: seven days back, inclusive
    assert health.backing_off_until is None
    async with sessions() as s:
        feed = (await s.scalars(select(Feed))).one()
    assert feed.title == "Test feed" and feed.backlog_done
