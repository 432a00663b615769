"""From a feed item to a delivered alert, and a `c5watch run` killed with -9 mid-send."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.delivery.outbox import SEND_WORKERS
from bot.ingest import FeedPoller, PollerConfig
from storage.db import SessionFactory, create_engine, session_factory, upgrade_to_head
from storage.models import Delivery
from storage.repositories.feeds import FeedRepository
from tests.delivery.conftest import (
    SEED_SUMMARY,
    SEED_TITLE,
    FakeClock,
    Pipeline,
    add_chat,
    add_story,
    assert_valid_html,
)
from tests.fakes.feed_server import FeedServer, make_rss
from tests.fakes.telegram_api import FakeTelegramServer

TRAP = {
    "title": "Футбол: «Урал» сыграл вничью",
    "link": "https://news.example/ural",
    "guid": "t1",
    "description": "Матч первой лиги",
    "pubDate": "Thu, 06 Nov 2025 11:00:00 +0000",
}
SEED = {
    "title": SEED_TITLE + " & 5 > 3",
    "link": "https://news.example/seed?a=1&b=2",
    "guid": "s1",
    "description": SEED_SUMMARY,
    "pubDate": "Thu, 06 Nov 2025 11:30:00 +0000",
}


async def test_feed_item_to_delivered_alert(
    sessions: SessionFactory, tg: FakeTelegramServer, pipeline: Pipeline, clock: FakeClock
) -> None:
    await add_chat(sessions, 31)
    async with FeedServer() as feeds:
        url = feeds.add("/rss.xml", make_rss([TRAP], title="Новости & Mail"))
        await FeedRepository(sessions).add(url, now=clock.now(), first_poll_at=clock.now())
        poller = FeedPoller(sessions, PollerConfig(interval=timedelta(seconds=60)))
        try:
            await poller.run_once(clock.now())  # first fetch: backlog, never alerted
            await pipeline.tick()
            assert tg.sent == []
            feeds.update("/rss.xml", make_rss([SEED, TRAP], title="Новости & Mail"))
            clock.advance(61)
            await poller.run_once(clock.now())
        finally:
            await poller.close()
    await pipeline.tick()
    [alert] = tg.messages_to(31)
    assert SEED["title"] in alert.plain_text and "Новости & Mail" in alert.plain_text
    assert "Урал" not in alert.plain_text
    assert_valid_html([alert.text])
    await pipeline.tick()
    assert len(tg.sent) == 1


CHATS = list(range(1000, 1090))


async def _seed(url: str) -> None:
    engine = create_engine(url)
    await upgrade_to_head(engine)
    sessions = session_factory(engine)
    for chat_id in CHATS:
        await add_chat(sessions, chat_id)
    await add_story(sessions, SEED_TITLE, SEED_SUMMARY)
    await engine.dispose()


async def _statuses(url: str) -> Counter[str]:
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        found = Counter((await session.scalars(select(Delivery.status))).all())
    await engine.dispose()
    return found


async def _recorded_sent(url: str) -> set[int]:
    """The chats whose alert the database records as sent."""
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        query = select(Delivery.chat_id).where(Delivery.status == "sent")
        found = set((await session.scalars(query)).all())
    await engine.dispose()
    return found


def _start(tg: FakeTelegramServer, url: str, tmp_path: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_"))}
    env.update(BOT_TOKEN=tg.token, TELEGRAM_API_URL=tg.base_url, DATABASE_URL=url,
               POLL_INTERVAL_SECONDS="3600", LOG_LEVEL="INFO")  # fmt: skip
    log = (tmp_path / "run.log").open("ab")
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env,
                            stdout=log, stderr=subprocess.STDOUT)  # fmt: skip


def _wait(predicate: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.005)


@pytest.mark.slow
def test_kill_9_mid_send_then_restart_delivers_each_alert_once(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/c5.db"
    asyncio.run(_seed(url))
    with FakeTelegramServer() as tg:
        proc = _start(tg, url, tmp_path)
        try:
            _wait(lambda: len(tg.sent) >= 30, 60, "first sends")
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait()
        time.sleep(0.5)  # lets the fake finish answering a request that reached it before the kill
        accepted = {m.chat_id for m in tg.sent}
        assert len(accepted) < len(CHATS), "killed too late to test anything"
        recorded = asyncio.run(_recorded_sent(url))
        # The database never records as sent what Telegram did not get; what Telegram got and
        # the database had not yet recorded was in flight at the kill: at most one message per
        # sender worker.
        assert recorded <= accepted
        in_flight = accepted - recorded
        assert len(in_flight) <= SEND_WORKERS
        proc = _start(tg, url, tmp_path)
        try:
            _wait(lambda: {m.chat_id for m in tg.sent} >= set(CHATS), 60, "every alert")
            time.sleep(1.5)  # anything sent twice would show up by now
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(30)
        counts = Counter(m.chat_id for m in tg.sent)
        # Exactly the messages in flight at the kill arrive a second time; nothing recorded does.
        assert {chat for chat, n in counts.items() if n > 1} == in_flight
        assert max(counts.values()) <= 2
        assert tg.rate_limited_total == 0
    assert asyncio.run(_statuses(url)) == {"sent": len(CHATS)}
