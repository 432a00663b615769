"""The composition root: builds every long-lived object once and closes them in reverse."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock, utc_now
from bot.config import Settings
from bot.database import open_database
from bot.delivery import (
    AlertEditor,
    DigestScheduler,
    MatchStage,
    OutboxSender,
    SendPacer,
    TelegramGateway,
    new_owner,
)
from bot.delivery.pacing import SHARED_RATE_SHARE, SharedSlot
from bot.errors import C5watchError
from bot.handlers import pace_replies, setup_dispatcher
from bot.ingest import BacklogPolicy, FeedPolled, FeedPoller, PollerConfig
from bot.ingest.netguard import AddressGuard, parse_networks
from bot.jobs import JobSpec, Tickable, build_scheduler, wake
from bot.matching import TopicClassifier
from bot.ops import Metrics, OpsServer, build_ops_app
from bot.ops.webhook import mount_webhook, new_secret
from bot.reaper import LeaseReaper
from storage.db import SessionFactory, is_sqlite
from storage.repositories import health, ratelimit
from storage.repositories.deliveries import DeliveryRepository
from storage.repositories.digests import DigestRepository
from storage.repositories.edits import EditRepository
from storage.repositories.feeds import FeedRepository
from storage.repositories.matches import MatchRepository

log = logging.getLogger(__name__)

MATCH_EVERY = 2.0
SEND_EVERY = 1.0
DIGEST_EVERY = 30.0
EDIT_EVERY = 5.0


def make_bot(settings: Settings) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    return Bot(
        token=settings.require_token(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def make_poller(
    sessions: SessionFactory,
    settings: Settings,
    *,
    backlog: BacklogPolicy | None = None,
    owner: str | None = None,
    on_polled: Callable[[FeedPolled], None] | None = None,
) -> FeedPoller:
    config = PollerConfig(
        interval=timedelta(seconds=settings.poll_interval_seconds),
        concurrency=settings.fetch_concurrency,
        per_host=settings.fetch_per_host,
        timeout=settings.fetch_timeout_seconds,
        max_bytes=settings.fetch_max_bytes,
        retention=timedelta(days=settings.retention_days),
        backlog=backlog or BacklogPolicy(),
        telegram_web_url=settings.telegram_web_url,
        guard=AddressGuard(allow=parse_networks(settings.addfeed_allow_networks)),
    )
    return FeedPoller(sessions, config, owner=owner, on_polled=on_polled)


def make_pacer(settings: Settings, shared: SharedSlot | None = None) -> SendPacer:
    return SendPacer(
        global_per_second=settings.send_rate_global,
        chat_per_second=settings.send_rate_per_chat,
        group_per_minute=settings.send_rate_per_group_per_minute,
        shared=shared,
    )


@dataclass(frozen=True, slots=True)
class Delivery:
    """The stages after ingestion, sharing one pacer so alerts and digests share the limits."""

    matcher: MatchStage
    sender: OutboxSender
    digests: DigestScheduler
    editor: AlertEditor


def make_delivery(
    sessions: SessionFactory,
    settings: Settings,
    bot: Bot,
    *,
    clock: Clock,
    owner: str,
    metrics: Metrics | None = None,
    shared: SharedSlot | None = None,
    pacer: SendPacer | None = None,
) -> Delivery:
    gateway = TelegramGateway(
        bot, pacer or make_pacer(settings, shared), metrics.record_send if metrics else None
    )
    outbox = DeliveryRepository(sessions)
    return Delivery(
        matcher=MatchStage(MatchRepository(sessions), TopicClassifier()),
        sender=OutboxSender(outbox, gateway, owner=owner, clock=clock),
        digests=DigestScheduler(
            DigestRepository(sessions), outbox, gateway, owner=owner, clock=clock
        ),
        editor=AlertEditor(EditRepository(sessions), outbox, gateway, owner=owner, clock=clock),
    )


REAP_EVERY = 15.0


def jobs(delivery: Delivery, reaper: Tickable) -> list[JobSpec]:
    """The ticking jobs; feed polling is a pool of its own (``FeedPoller.run``), not a tick."""
    return [
        JobSpec("reap", REAP_EVERY, reaper, wakes="send"),
        JobSpec("match", MATCH_EVERY, delivery.matcher, wakes="send"),
        JobSpec("send", SEND_EVERY, delivery.sender),
        JobSpec("digest", DIGEST_EVERY, delivery.digests),
        JobSpec("edit", EDIT_EVERY, delivery.editor),
    ]


class Role(StrEnum):
    """What one process does: several processes on PostgreSQL split the work."""

    ALL = "all"  # Telegram updates and every job
    UPDATES = "updates"  # only Telegram updates (polling or webhook): run exactly one
    WORKER = "worker"  # only the jobs: polling feeds, matching, sending, digests


class _PollObserver:
    """Counts each polled feed for /metrics and wakes matching when one brought news."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics
        self.scheduler: AsyncIOScheduler | None = None

    def __call__(self, polled: FeedPolled) -> None:
        self._metrics.record_polled(polled.outcome, polled.lateness)
        if polled.new_items and self.scheduler is not None and self.scheduler.running:
            wake(self.scheduler, "match")


def shared_send_budget(sessions: SessionFactory, settings: Settings) -> SharedSlot:
    """The global send rate as a budget in the database, shared by every worker process
    (at ``SHARED_RATE_SHARE`` of the limit)."""

    async def next_slot() -> float:
        slots = await ratelimit.reserve(
            sessions,
            "telegram:global",
            rate=settings.send_rate_global * SHARED_RATE_SHARE,
            n=1,
            now=time.time(),
        )
        return slots[0]

    return next_slot


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def run_bot(
    settings: Settings,
    *,
    role: Role = Role.ALL,
    webhook_url: str | None = None,
    clock: Clock = utc_now,
) -> int:
    """Serve Telegram updates and/or run the jobs, as ``role`` says, until interrupted."""
    bot = make_bot(settings)
    # Replies go through their own Bot whose session paces them with the alerts' pacer; the
    # alert gateway paces its own sends, so no message is paced twice.
    reply_bot = make_bot(settings)
    metrics = Metrics()
    try:
        async with open_database(settings.database_url) as sessions, AsyncExitStack() as stack:
            await _check_telegram(bot, settings, role)
            shared = (
                shared_send_budget(sessions, settings)
                if not is_sqlite(settings.database_url)
                else None
            )
            pacer = make_pacer(settings, shared)
            pace_replies(reply_bot, pacer)
            ops_app = build_ops_app(
                metrics,
                lambda: health.ping(sessions),
                lambda: _refresh_metrics(sessions, metrics, clock),
            )
            if role is not Role.UPDATES:
                await _start_jobs(stack, sessions, settings, bot, metrics, clock, pacer)
            if role is Role.WORKER:
                await _start_ops(stack, ops_app, settings, default_port=None)
                await _until_signalled()
                return 0
            dispatcher = Dispatcher(sessions=sessions, settings=settings, clock=clock)
            setup_dispatcher(dispatcher, settings)
            if webhook_url:
                secret = (
                    settings.webhook_secret.get_secret_value()
                    if settings.webhook_secret
                    else new_secret()
                )
                mount_webhook(
                    ops_app, dispatcher, reply_bot, webhook_url=webhook_url, secret=secret
                )
                await _start_ops(stack, ops_app, settings, default_port=8080)
                await _serve_webhook(dispatcher, reply_bot, webhook_url, secret)
            else:
                await _start_ops(stack, ops_app, settings, default_port=None)
                await reply_bot.delete_webhook(drop_pending_updates=False)
                await dispatcher.start_polling(reply_bot, handle_signals=True)
    finally:
        await reply_bot.session.close()
        await bot.session.close()
    return 0


async def _check_telegram(bot: Bot, settings: Settings, role: Role) -> None:
    """Fail at start, in one line, if the Bot API cannot be reached or refuses the token."""
    try:
        me = await bot.get_me()
    except TelegramUnauthorizedError:
        raise C5watchError("Telegram refused BOT_TOKEN (401 Unauthorized)") from None
    except TelegramAPIError as exc:
        raise C5watchError(
            f"cannot reach the Bot API at {settings.telegram_api_url}: {type(exc).__name__}"
        ) from None
    log.info("bot @%s started as %s; API %s", me.username, role, settings.telegram_api_url)


async def _start_jobs(
    stack: AsyncExitStack,
    sessions: SessionFactory,
    settings: Settings,
    bot: Bot,
    metrics: Metrics,
    clock: Clock,
    pacer: SendPacer,
) -> None:
    owner = new_owner()
    # Resume at once whatever a previous process on this host left owed; later ticks of the
    # same job take over from workers that die while this one runs.
    reaper = LeaseReaper(sessions)
    await reaper.run_once(clock())
    observer = _PollObserver(metrics)
    poller = make_poller(sessions, settings, owner=owner, on_polled=observer)
    await FeedRepository(sessions).clamp_schedule(
        now=clock(), interval=timedelta(seconds=settings.poll_interval_seconds)
    )
    polling = asyncio.create_task(poller.run(clock), name="feed-poller")
    polling.add_done_callback(_log_if_failed)
    stack.push_async_callback(_stop_polling, poller, polling)
    delivery = make_delivery(
        sessions, settings, bot, clock=clock, owner=owner, metrics=metrics, pacer=pacer
    )
    scheduler = build_scheduler(jobs(delivery, reaper), clock)
    observer.scheduler = scheduler
    scheduler.start()
    stack.callback(lambda: scheduler.shutdown(wait=False) if scheduler.running else None)


async def _stop_polling(poller: FeedPoller, polling: asyncio.Task[None]) -> None:
    """Stop claiming, let fetches in flight finish, then close the HTTP session."""
    await poller.close()
    await asyncio.gather(polling, return_exceptions=True)


def _log_if_failed(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("feed polling stopped: %r", task.exception())


async def _start_ops(
    stack: AsyncExitStack, app: web.Application, settings: Settings, *, default_port: int | None
) -> None:
    port = settings.http_port if settings.http_port is not None else default_port
    if port is None:
        return
    server = OpsServer(app, settings.http_host, port)
    await server.start()
    stack.push_async_callback(server.close)


async def _serve_webhook(dispatcher: Dispatcher, bot: Bot, url: str, secret: str) -> None:
    await dispatcher.emit_startup(bot=bot, **dispatcher.workflow_data)
    try:
        await bot.set_webhook(
            url,
            secret_token=secret,
            allowed_updates=dispatcher.resolve_used_update_types(),
            drop_pending_updates=False,
        )
        log.info("webhook set; serving updates at %s", url)
        await _until_signalled()
    finally:
        await dispatcher.emit_shutdown(bot=bot, **dispatcher.workflow_data)


async def _refresh_metrics(sessions: SessionFactory, metrics: Metrics, clock: Clock) -> None:
    metrics.observe_snapshot(await health.snapshot(sessions, clock()))
