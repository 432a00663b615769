"""Operator commands for ADMIN_IDS: /feeds (health), /addfeed URL, /stats."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.clock import Clock
from bot.config import Settings
from bot.handlers._common import chunks
from bot.i18n import Markup, Translator, cut
from bot.ingest.netguard import AddressGuard, parse_networks
from bot.ingest.resolve import SourceRefusedError, SourceResolver
from bot.ingest.sources import InvalidSourceError, SourceKind, read_source
from bot.ingest.urls import MAX_FEED_URL, UrlProblem, feed_url_problem, mask_credentials
from storage.db import SessionFactory
from storage.repositories.feeds import FeedExistsError, FeedInfo, FeedRepository
from storage.repositories.stats import StatsRepository

SHOWN_NAME = 60
SHOWN_ERROR = 120


def feed_line(tr: Translator, feed: FeedInfo) -> Markup:
    name = cut(mask_credentials(feed.title or feed.url), SHOWN_NAME)
    if feed.error_count:
        error = cut(mask_credentials(feed.last_error or "?"), SHOWN_ERROR)
        return tr("admin.feed_failing", id=feed.id, name=name, errors=feed.error_count, error=error)
    if feed.last_success_at is None:
        return tr("admin.feed_new", id=feed.id, name=name)
    when = feed.last_success_at.strftime("%Y-%m-%d %H:%M UTC")
    return tr("admin.feed_ok", id=feed.id, name=name, when=when)


async def feeds(message: Message, sessions: SessionFactory, tr: Translator) -> None:
    found = await FeedRepository(sessions).list()
    if not found:
        await message.answer(tr("admin.feeds_none"))
        return
    lines = [feed_line(tr, f) for f in found]
    parts = chunks(lines)
    await message.answer(tr("admin.feeds", count=len(found), lines=Markup(parts[0])))
    for part in parts[1:]:
        await message.answer(part)


def chat_sources(settings: Settings) -> SourceResolver:
    """Sources added from Telegram go through the address guard (ADDFEED_ALLOW_NETWORKS widens
    it for a private deployment)."""
    return SourceResolver(
        telegram_web_url=settings.telegram_web_url,
        timeout=settings.fetch_timeout_seconds,
        max_bytes=settings.fetch_max_bytes,
        guard=AddressGuard(allow=parse_networks(settings.addfeed_allow_networks)),
    )


async def addfeed(
    message: Message,
    command: CommandObject,
    sessions: SessionFactory,
    tr: Translator,
    clock: Clock,
    sources: SourceResolver,
) -> None:
    text = (command.args or "").strip()
    if not text:
        await message.answer(tr("admin.addfeed_usage"))
        return
    # A channel (@name, t.me/name) is no URL, so only the URL problems with their own message
    # are taken from feed_url_problem; read_source decides what is a source at all.
    problem = feed_url_problem(text)
    shown = cut(mask_credentials(text), SHOWN_NAME)
    if problem == UrlProblem.TOO_LONG:
        await message.answer(tr("admin.addfeed_too_long", length=len(text), limit=MAX_FEED_URL))
        return
    if problem == UrlProblem.BAD_PORT:
        await message.answer(tr("admin.addfeed_bad_port", url=shown))
        return
    try:
        read_source(text)
    except InvalidSourceError:
        await message.answer(tr("admin.addfeed_bad", url=shown))
        return
    now = clock()
    try:
        source = await sources.resolve(text, now=now)
    except SourceRefusedError as exc:
        await message.answer(tr("admin.addfeed_refused", reason=cut(str(exc), SHOWN_ERROR * 2)))
        return
    try:
        feed = await FeedRepository(sessions).add(
            source.url,
            now=now,
            first_poll_at=now,
            title=source.title,
            kind=source.kind,
            # A channel is read from TELEGRAM_WEB_URL, the operator's choice, not the user's.
            guarded=source.kind is not SourceKind.CHANNEL,
        )
    except FeedExistsError:
        await message.answer(tr("admin.addfeed_exists"))
        return
    done = tr("admin.addfeed_done", id=feed.id, url=mask_credentials(feed.url))
    if source.note:
        note = cut(mask_credentials(source.note), SHOWN_ERROR * 2)
        done = Markup(f"{done}\n{tr('admin.addfeed_note', note=note)}")
    await message.answer(done)


async def stats(message: Message, sessions: SessionFactory, tr: Translator, clock: Clock) -> None:
    data = await StatsRepository(sessions).overview(now=clock())
    days = "\n".join(
        tr(
            "admin.stats_day",
            day=d.day.isoformat(),
            stories=d.stories,
            matches=d.matches,
            sent=d.sent,
        )
        for d in data.days
    )
    await message.answer(
        tr(
            "admin.stats",
            chats=data.chats_total,
            active=data.chats_active,
            blocked=data.chats_blocked,
            groups=data.groups,
            feeds=data.feeds_total,
            failing=data.feeds_failing,
            pending=data.outbox_pending,
            retrying=data.outbox_retrying,
            errors=data.send_errors,
            days=Markup(days),
        )
    )


def make_router(admin_ids: frozenset[int]) -> Router:
    """Only ADMIN_IDS reach these handlers; anyone else gets the unknown-command answer."""
    router = Router(name=__name__)
    router.message.filter(F.from_user.id.in_(admin_ids))
    router.message.register(feeds, Command("feeds"))
    router.message.register(addfeed, Command("addfeed"))
    router.message.register(stats, Command("stats"))
    return router
