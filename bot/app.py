"""The composition root: builds every long-lived object once and closes them in reverse."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode

from bot.clock import Clock, utc_now
from bot.config import Settings
from bot.database import open_database
from bot.delivery import (
    DigestScheduler,
    MatchStage,
    OutboxSender,
    SendPacer,
    TelegramGateway,
    dead_here,
    new_owner,
)
from bot.handlers import setup_dispatcher
from bot.ingest import BacklogPolicy, FeedPoller, PollerConfig
from bot.jobs import JobSpec, build_scheduler
from bot.matching import TopicClassifier
from storage.db import SessionFactory
from storage.repositories.deliveries import DeliveryRepository
from storage.repositories.digests import DigestRepository
from storage.repositories.matches import MatchRepository

log = logging.getLogger(__name__)

MATCH_EVERY = 2.0
SEND_EVERY = 1.0
DIGEST_EVERY = 30.0


def make_bot(settings: Settings) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    return Bot(
        token=settings.require_token(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def make_poller(
    sessions: SessionFactory, settings: Settings, *, backlog: BacklogPolicy | None = None
) -> FeedPoller:
    config = PollerConfig(
        interval=timedelta(seconds=settings.poll_interval_seconds),
        concurrency=settings.fetch_concurrency,
        per_host=settings.fetch_per_host,
        timeout=settings.fetch_timeout_seconds,
        max_bytes=settings.fetch_max_bytes,
        retention=timedelta(days=settings.retention_days),
        backlog=backlog or BacklogPolicy(),
    )
    return FeedPoller(sessions, config)


def make_pacer(settings: Settings) -> SendPacer:
    return SendPacer(
        global_per_second=settings.send_rate_global,
        chat_per_second=settings.send_rate_per_chat,
        group_per_minute=settings.send_rate_per_group_per_minute,
    )


@dataclass(frozen=True, slots=True)
class Delivery:
    """The stages after ingestion, sharing one pacer so alerts and digests share the limits."""

    matcher: MatchStage
    sender: OutboxSender
    digests: DigestScheduler


def make_delivery(
    sessions: SessionFactory, settings: Settings, bot: Bot, *, clock: Clock, owner: str
) -> Delivery:
    gateway = TelegramGateway(bot, make_pacer(settings))
    outbox = DeliveryRepository(sessions)
    return Delivery(
        matcher=MatchStage(MatchRepository(sessions), TopicClassifier()),
        sender=OutboxSender(outbox, gateway, owner=owner, clock=clock),
        digests=DigestScheduler(
            DigestRepository(sessions), outbox, gateway, owner=owner, clock=clock
        ),
    )


async def resume_owed(sessions: SessionFactory, clock: Clock) -> None:
    """Free the leases a dead process on this host left, so its work is taken up at once.

    Nothing else is needed to resume: unmatched stories, pending outbox rows and unfinished
    digest runs are all rows that the next ticks claim again once no live lease holds them.
    """
    repo = DeliveryRepository(sessions)
    dead = [o for o in await repo.lease_owners(clock()) if dead_here(o)]
    if dead:
        await repo.release_leases(dead)
        log.info("took over the work of %d stopped process(es)", len(dead))


def jobs(poller: FeedPoller, delivery: Delivery, settings: Settings) -> list[JobSpec]:
    poll_every = float(min(settings.poll_interval_seconds, 10))
    return [
        JobSpec("poll", poll_every, poller, wakes="match"),
        JobSpec("match", MATCH_EVERY, delivery.matcher, wakes="send"),
        JobSpec("send", SEND_EVERY, delivery.sender),
        JobSpec("digest", DIGEST_EVERY, delivery.digests),
    ]


async def run_bot(settings: Settings, *, clock: Clock = utc_now) -> int:
    """Long polling plus the scheduler until interrupted."""
    bot = make_bot(settings)
    try:
        async with open_database(settings.database_url) as sessions:
            owner = new_owner()
            await resume_owed(sessions, clock)
            poller = make_poller(sessions, settings)
            delivery = make_delivery(sessions, settings, bot, clock=clock, owner=owner)
            scheduler = build_scheduler(jobs(poller, delivery, settings), clock)
            try:
                dispatcher = Dispatcher(sessions=sessions, settings=settings, clock=clock)
                setup_dispatcher(dispatcher, settings)
                me = await bot.get_me()
                log.info("bot @%s started; polling %s", me.username, settings.telegram_api_url)
                await bot.delete_webhook(drop_pending_updates=False)
                scheduler.start()
                await dispatcher.start_polling(bot, handle_signals=True)
            finally:
                if scheduler.running:
                    scheduler.shutdown(wait=False)
                await poller.close()
    finally:
        await bot.session.close()
    return 0
