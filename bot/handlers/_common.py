"""Helpers shared by the feature routers: replying in place, times in the chat's zone."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.callbacks import TOPICS
from bot.i18n import Markup, Translator
from bot.keyboards import hhmm
from storage.models import DeliveryMode
from storage.repositories.chats import ChatSettings

# Telegram allows 4096 characters; leave room for what the entities add back.
MESSAGE_BUDGET = 3800


async def show(
    callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace the pressed message's text and buttons, or send a new message if it is gone."""
    message = callback.message
    if isinstance(message, Message):
        # Pressing a button that leads to the same state changes nothing: not an error.
        with contextlib.suppress(TelegramBadRequest):
            await message.edit_text(text, reply_markup=markup)
    elif message is not None and callback.bot is not None:
        await callback.bot.send_message(message.chat.id, text, reply_markup=markup)


def chunks(lines: Iterable[str], budget: int = MESSAGE_BUDGET) -> list[str]:
    """Join lines into as few messages as fit the budget each."""
    out: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > budget:
            out.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        out.append(current)
    return out


def local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def local_time(now: datetime, zone: str) -> str:
    return local(now, zone).strftime("%H:%M")


def next_digest(chat: ChatSettings, now: datetime) -> datetime:
    """The next moment the chat's local clock shows its digest time."""
    here = local(now, chat.timezone)
    at = here.replace(hour=chat.digest_minute // 60, minute=chat.digest_minute % 60, second=0)
    at = at.replace(microsecond=0)
    return at if at > here else at + timedelta(days=1)


def topic_names(tr: Translator, topics: Iterable[str]) -> str:
    chosen = set(topics)
    return ", ".join(tr.label(f"topic.{t}") for t in TOPICS if t in chosen)


def mode_name(tr: Translator, mode: str) -> str:
    known = {m.value for m in DeliveryMode}
    return tr.label(f"mode.{mode if mode in known else DeliveryMode.INSTANT.value}")


def status_text(tr: Translator, chat: ChatSettings, now: datetime) -> Markup:
    if chat.mode == DeliveryMode.INSTANT.value:
        digest = tr.label("status.no_digest")
    else:
        digest = next_digest(chat, now).strftime("%Y-%m-%d %H:%M")
    last = (
        local(chat.last_alert_at, chat.timezone).strftime("%Y-%m-%d %H:%M")
        if chat.last_alert_at
        else tr.label("status.never")
    )
    return tr(
        "status.text",
        state=tr("status.on" if chat.active else "status.paused"),
        topics=topic_names(tr, chat.topics) or tr.label("status.none"),
        rules=chat.rules_count,
        mode=mode_name(tr, chat.mode),
        digest=digest,
        zone=f"{chat.timezone} ({local_time(now, chat.timezone)})",
        last=last,
    )


__all__ = [
    "MESSAGE_BUDGET",
    "chunks",
    "hhmm",
    "local",
    "local_time",
    "mode_name",
    "next_digest",
    "show",
    "status_text",
    "topic_names",
]
