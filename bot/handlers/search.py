"""/search QUERY: the last 30 days of stored stories, grouped by event, 5 to a page (◀ ▶)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, LinkPreviewOptions, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import SearchPage
from bot.clock import Clock
from bot.handlers._common import show
from bot.handlers._rules import LIMITS, RuleRefused, check_rule
from bot.i18n import Markup, Translator, cut, quote
from bot.search import EventHit, Search, page_of
from storage.repositories.chats import ChatSettings
from storage.repositories.search import StorySearchRepository

SEARCH_DAYS = 30
# The newest stories holding a needed term that are matched; enough for 100,000 stored.
MAX_CANDIDATES = 20_000
SHOWN_TITLE = 200
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def _title(hit: EventHit) -> Markup:
    story = hit.best
    text = quote(cut(story.title, SHOWN_TITLE))
    url = story.url or ""
    if url.startswith(("http://", "https://")):
        return Markup(f'<a href="{quote(url).replace(chr(34), "&quot;")}">{text}</a>')
    return text


async def _results(query: str, stories: StorySearchRepository, now: datetime) -> list[EventHit]:
    search = Search(query, LIMITS)
    found = await stories.holding(
        now - timedelta(days=SEARCH_DAYS), search.keys, search.prefixes, limit=MAX_CANDIDATES
    )
    return await asyncio.to_thread(search.run, found)


async def render(
    tr: Translator,
    query: str,
    search_id: int,
    page: int,
    stories: StorySearchRepository,
    now: datetime,
    timezone: str,
) -> tuple[Markup, InlineKeyboardMarkup | None]:
    hits = await _results(query, stories, now)
    if not hits:
        return tr("search.none", query=query), None
    shown, page, pages = page_of(hits, page)
    zone = ZoneInfo(timezone)
    lines = [tr("search.header", query=query, count=len(hits), page=page + 1, pages=pages)]
    for n, hit in enumerate(shown, start=page * 5 + 1):
        when = hit.latest.astimezone(zone).strftime("%d.%m.%Y %H:%M")
        more = len(hit.stories) - 1
        key = "search.more" if more else "search.event"
        lines.append(tr(key, n=n, title=_title(hit), when=when, more=more))
    keyboard = None
    if pages > 1:
        builder = InlineKeyboardBuilder()
        if page > 0:
            builder.button(text="◀", callback_data=SearchPage(search_id=search_id, page=page - 1))
        if page < pages - 1:
            builder.button(text="▶", callback_data=SearchPage(search_id=search_id, page=page + 1))
        keyboard = builder.as_markup()
    return Markup("\n\n".join(lines)), keyboard


async def search_command(
    message: Message,
    command: CommandObject,
    chat_settings: ChatSettings,
    stories: StorySearchRepository,
    tr: Translator,
    clock: Clock,
) -> None:
    raw = (command.args or "").strip()
    if not raw:
        await message.answer(tr("search.usage"))
        return
    try:
        query = check_rule(raw, tr, syntax="search.syntax")
    except RuleRefused as refused:
        await message.answer(refused.text)
        return
    now = clock()
    search_id = await stories.save_search(chat_settings.id, query, now)
    text, keyboard = await render(tr, query, search_id, 0, stories, now, chat_settings.timezone)
    await message.answer(text, reply_markup=keyboard, link_preview_options=NO_PREVIEW)


async def page_button(
    callback: CallbackQuery,
    callback_data: SearchPage,
    chat_settings: ChatSettings,
    stories: StorySearchRepository,
    tr: Translator,
    clock: Clock,
) -> None:
    saved = await stories.get_search(chat_settings.id, callback_data.search_id)
    if saved is None:
        await callback.answer(tr.label("callback.stale"))
        return
    text, keyboard = await render(
        tr, saved.query, saved.id, callback_data.page, stories, clock(), chat_settings.timezone
    )
    await show(callback, text, keyboard)
    await callback.answer()


def make_router() -> Router:
    router = Router(name=__name__)
    router.message.register(search_command, Command("search"), flags={"subscribed": True})
    router.callback_query.register(page_button, SearchPage.filter(), flags={"subscribed": True})
    return router
