"""A reprint found after its story's alert went out: the sent message is edited, never resent.

Feeds are served over HTTP by the fake feed server and polled by the real poller; alerts and
edits go through the fake Bot API, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.delivery import AlertEditor
from bot.delivery._text import length, to_plain
from bot.ingest import FeedPoller, PollerConfig
from storage.db import SessionFactory
from storage.models import Chat, Delivery
from storage.repositories.edits import EditRepository
from storage.repositories.feeds import FeedRepository
from tests.delivery.conftest import (
    SEED_SUMMARY,
    SEED_TITLE,
    FakeClock,
    Pipeline,
    add_chat,
    assert_valid_html,
)
from tests.fakes.feed_server import FeedServer, make_rss
from tests.fakes.telegram_api import FakeTelegramServer

CHAT = 31
EDIT = "editMessageText"
SEED = {
    "title": SEED_TITLE,
    "link": "https://agency-a.example/news/1?a=1&b=2",
    "guid": "a1",
    "description": SEED_SUMMARY,
    "pubDate": "Thu, 06 Nov 2025 11:30:00 +0000",
}
REPRINT = {
    **SEED,
    "link": "https://paper-b.example/2025/11/06/usa-kz",
    "guid": "b1",
    "description": SEED_SUMMARY + " Подробности позже.",
}
URANIUM = {
    "title": "Казахстан увеличил добычу урана и вольфрама",
    "link": "https://agency-a.example/news/2",
    "guid": "a2",
    "description": "Национальная компания сообщила о росте добычи урана на месторождениях юга "
    "страны; экспорт критически важных минералов в этом году вырос на треть.",
    "pubDate": "Thu, 06 Nov 2025 11:40:00 +0000",
}
FEED_A, FEED_B = "Agency A & Co", "Paper B"


@dataclass
class World:
    """Two feeds (A, B) polled over HTTP, the delivery pipeline and the editor."""

    feeds: FeedServer
    poller: FeedPoller
    pipeline: Pipeline
    editor: AlertEditor
    clock: FakeClock
    tg: FakeTelegramServer

    async def publish(self, path: str, items: list[Mapping[str, str]]) -> None:
        """``items`` appear in feed ``path``; a poll, a match and a send follow."""
        title = FEED_A if path == "/a.xml" else FEED_B
        self.feeds.update(path, make_rss(items, title=title))
        self.clock.advance(61)
        await self.poller.run_once(self.clock.now())
        await self.pipeline.tick()

    async def edit(self) -> bool:
        return bool(await self.editor.run_once(self.clock.now()))

    def edits(self) -> list[str]:
        return [m.plain_text for m in self.tg.messages_to(CHAT, EDIT)]


@pytest.fixture
async def world(
    sessions: SessionFactory, tg: FakeTelegramServer, pipeline: Pipeline, clock: FakeClock
) -> AsyncIterator[World]:
    await add_chat(sessions, CHAT)
    editor = AlertEditor(
        EditRepository(sessions), pipeline.outbox, pipeline.gateway, owner="test:1:a",
        clock=clock.now,
    )  # fmt: skip
    async with FeedServer() as feeds:
        repo = FeedRepository(sessions)
        for path, title in (("/a.xml", FEED_A), ("/b.xml", FEED_B)):
            url = feeds.add(path, make_rss([], title=title))
            await repo.add(url, now=clock.now(), first_poll_at=clock.now())
        poller = FeedPoller(sessions, PollerConfig(interval=timedelta(seconds=60)))
        try:
            await poller.run_once(clock.now())  # first fetch of each: backlog
            yield World(feeds, poller, pipeline, editor, clock, tg)
        finally:
            await poller.close()
    assert_valid_html([m.text for m in tg.sent if m.parse_mode])


async def _rows(sessions: SessionFactory) -> list[Delivery]:
    async with sessions() as session:
        return list((await session.scalars(select(Delivery).order_by(Delivery.id))).all())


async def test_reprint_edits_the_sent_alert_once(world: World, sessions: SessionFactory) -> None:
    await world.publish("/a.xml", [SEED])
    [alert] = world.tg.messages_to(CHAT)
    assert FEED_A in alert.plain_text and FEED_B not in alert.plain_text
    await world.publish("/b.xml", [REPRINT])  # joins the story: nothing new to send
    assert await world.edit()
    [edited] = world.tg.messages_to(CHAT, EDIT)
    assert edited.message_id == alert.message_id
    assert "Sources: " in edited.plain_text
    assert FEED_A in edited.plain_text and FEED_B in edited.plain_text
    assert edited.plain_text.count(SEED_TITLE) == 1
    assert REPRINT["link"] in edited.text
    assert len(world.tg.messages_to(CHAT)) == 1
    # Done once: neither the editor nor the pipeline does anything more.
    assert not await world.edit()
    await world.pipeline.tick()
    world.clock.advance(3600)
    assert not await world.edit()
    assert len(world.tg.calls_to(EDIT)) == 1 and len(world.tg.messages_to(CHAT)) == 1
    [row] = await _rows(sessions)
    assert row.edited_at is not None and row.sources_rev == 1


async def test_combined_message_is_recomposed_whole(world: World) -> None:
    await world.publish("/a.xml", [SEED, URANIUM])
    [alert] = world.tg.messages_to(CHAT)
    assert "2 new stories" in alert.plain_text
    await world.publish("/b.xml", [REPRINT])
    assert await world.edit()
    [edited] = world.edits()
    assert "2 new stories" in edited
    assert SEED_TITLE in edited and URANIUM["title"] in edited and FEED_B in edited
    # The other alert keeps its single source.
    uranium_block = edited.split(URANIUM["title"])[1]
    assert f"Source: {FEED_A}" in uranium_block
    assert len(world.tg.messages_to(CHAT)) == 1
    assert not await world.edit()


async def test_a_chat_that_blocked_the_bot(world: World, sessions: SessionFactory) -> None:
    await world.publish("/a.xml", [SEED])
    world.tg.block(CHAT)
    await world.publish("/b.xml", [REPRINT])
    assert await world.edit()  # tried, and learnt the chat is gone
    assert world.edits() == []
    async with sessions() as session:
        chat = await session.get(Chat, CHAT)
        assert chat is not None and chat.blocked
    assert not await world.edit()
    assert len(world.tg.calls_to(EDIT)) == 1


async def test_rate_limited_edit_waits_then_goes(world: World) -> None:
    await world.publish("/a.xml", [SEED])
    await world.publish("/b.xml", [REPRINT])
    world.tg.fail_next(EDIT, 429, "Too Many Requests: retry after 7", parameters={"retry_after": 7})
    assert await world.edit()
    assert world.edits() == []
    world.clock.advance(3)
    assert not await world.edit()  # not before Telegram said
    world.clock.advance(5)
    assert await world.edit()
    assert len(world.edits()) == 1 and FEED_B in world.edits()[0]


async def test_message_gone_or_unchanged_is_left_alone(world: World) -> None:
    await world.publish("/a.xml", [SEED])
    await world.publish("/b.xml", [REPRINT])
    world.tg.fail_next(EDIT, 400, "Bad Request: message to edit not found")
    assert await world.edit()
    assert world.edits() == [] and not await world.edit()
    assert len(world.tg.messages_to(CHAT)) == 1


async def test_edit_that_no_longer_fits_leaves_the_message(
    world: World, sessions: SessionFactory
) -> None:
    await world.publish("/a.xml", [SEED, URANIUM])
    [alert] = world.tg.messages_to(CHAT)
    # Room for the two alerts as sent (as the composer counts), not for one more source.
    blocks = to_plain(alert.text).split("\n\n")[1:]
    world.editor.composer.limit = sum(length(b) + 2 for b in blocks) + 40 + 2
    await world.publish("/b.xml", [REPRINT])
    assert await world.edit()
    assert world.tg.calls_to(EDIT) == [] and not await world.edit()
    rows = await _rows(sessions)
    assert [r.edited_at for r in rows] == [None, None]
    assert all("no longer fit" in (r.last_error or "") for r in rows)


async def test_reprint_before_the_send_needs_no_edit(world: World) -> None:
    world.feeds.update("/a.xml", make_rss([SEED], title=FEED_A))
    await world.publish("/b.xml", [REPRINT])  # both polled, then matched and sent
    [alert] = world.tg.messages_to(CHAT)
    assert FEED_A in alert.plain_text and FEED_B in alert.plain_text
    assert not await world.edit()
    assert world.tg.calls_to(EDIT) == []
