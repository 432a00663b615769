"""Delivery fixtures: a fake clock shared by sender and fake Bot API; seeding helpers."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.delivery import (
    DigestScheduler,
    MatchStage,
    OutboxSender,
    SendPacer,
    TelegramGateway,
)
from bot.matching import TopicClassifier
from storage.db import SessionFactory
from storage.models import Chat, Feed, Item, KeywordRule, Story, TopicSubscription
from storage.repositories.deliveries import DeliveryRepository
from storage.repositories.digests import DigestRepository
from storage.repositories.matches import MatchRepository
from tests.fakes._telegram_html import parse_html
from tests.fakes.telegram_api import FakeTelegramServer

T0 = datetime(2025, 11, 6, 12, 0, tzinfo=UTC)
BOTH_TOPICS = ("critical_minerals", "c5plus1")
SEED_TITLE = "США расширяют влияние на ключевого союзника Китая и России"
SEED_SUMMARY = (
    "Казахстан может вступить в американский клуб критически важных минералов. В преддверии "
    "саммита C5+1 в Белом доме администрация США намерена расширить сотрудничество с регионом."
)


class FakeClock:
    """Wall clock and monotonic clock that only move when told (or when someone sleeps)."""

    def __init__(self, start: datetime = T0) -> None:
        self._now = start
        self._mono = 1000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._mono += seconds

    def set(self, moment: datetime) -> None:
        """Jump the wall clock (even backwards); the monotonic clock still only moves on."""
        self._mono += abs((moment - self._now).total_seconds())
        self._now = moment

    async def sleep(self, seconds: float) -> None:
        self.advance(max(seconds, 0.0))
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def tg(clock: FakeClock) -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(clock=clock.monotonic) as server:
        yield server


@pytest.fixture
async def bot(tg: FakeTelegramServer) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url))
    b = Bot(tg.token, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    try:
        yield b
    finally:
        await b.session.close()


def make_gateway(bot: Bot, clock: FakeClock, *, rate: float = 30.0) -> TelegramGateway:
    pacer = SendPacer(global_per_second=rate, monotonic=clock.monotonic, sleep=clock.sleep)
    return TelegramGateway(bot, pacer)


class Pipeline:
    """Matching, outbox and digests wired to the fake Bot API with the fake clock."""

    def __init__(
        self,
        sessions: SessionFactory,
        bot: Bot,
        clock: FakeClock,
        *,
        rate: float = 30.0,
        concurrency: int = 4,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.gateway = make_gateway(bot, clock, rate=rate)
        self.outbox = DeliveryRepository(sessions)
        self.matcher = MatchStage(MatchRepository(sessions), TopicClassifier())
        self.sender = OutboxSender(
            self.outbox, self.gateway, owner="test:1:a", clock=clock.now, concurrency=concurrency
        )
        self.digests = DigestScheduler(
            DigestRepository(sessions), self.outbox, self.gateway, owner="test:1:a", clock=clock.now
        )

    async def tick(self) -> None:
        await self.matcher.run_once(self.clock.now())
        await self.sender.run_once(self.clock.now())


@pytest.fixture
def pipeline(sessions: SessionFactory, bot: Bot, clock: FakeClock) -> Pipeline:
    return Pipeline(sessions, bot, clock)


_ids = itertools.count(1)


async def add_chat(
    sessions: SessionFactory,
    chat_id: int,
    *,
    mode: str = "instant",
    topics: Sequence[str] = BOTH_TOPICS,
    timezone: str = "Asia/Almaty",
    digest_minute: int = 9 * 60,
    empty_note: bool = False,
    language: str = "en",
    rules: Sequence[str] = (),
) -> None:
    async with sessions() as session, session.begin():
        session.add(
            Chat(
                id=chat_id,
                type="private" if chat_id > 0 else "group",
                language=language,
                timezone=timezone,
                mode=mode,
                digest_minute=digest_minute,
                digest_empty_note=empty_note,
                active=True,
                blocked=False,
                created_at=T0,
                updated_at=T0,
            )
        )
        await session.flush()
        session.add_all(TopicSubscription(chat_id=chat_id, topic=t) for t in topics)
        session.add_all(KeywordRule(chat_id=chat_id, query=q, created_at=T0) for q in rules)


async def add_story(
    sessions: SessionFactory,
    title: str,
    summary: str = "",
    *,
    sources: Sequence[tuple[str, str]] = (("Feed A", "https://a.example/1"),),
    published_at: datetime = T0,
    seen_at: datetime = T0,
) -> int:
    """A new (unmatched) story carried by ``sources`` (feed title, item url)."""
    n = next(_ids)
    async with sessions() as session, session.begin():
        story = Story(
            canonical_url=sources[0][1] if sources else None,
            title=title,
            summary=summary,
            lang=None,
            title_key=f"k{n}",
            fingerprint=n,
            published_at=published_at,
            first_seen_at=seen_at,
            is_backlog=False,
        )
        session.add(story)
        await session.flush()
        for k, (feed_title, url) in enumerate(sources):
            feed = Feed(
                url=f"https://feeds.example/{n}/{k}",
                title=feed_title,
                added_at=T0,
                next_poll_at=T0,
                error_count=0,
                backlog_done=True,
            )
            session.add(feed)
            await session.flush()
            session.add(
                Item(
                    feed_id=feed.id,
                    story_id=story.id,
                    guid=url,
                    url=url,
                    canonical_url=url,
                    title=title,
                    published_at=published_at,
                    fetched_at=seen_at,
                )
            )
        return story.id


def assert_valid_html(texts: Sequence[str]) -> None:
    """Every text parses as Telegram HTML and fits in one message."""
    for text in texts:
        plain, _ = parse_html(text, strict_ampersand=True)
        assert 0 < len(plain.encode("utf-16-le")) // 2 <= 4096, len(plain)
