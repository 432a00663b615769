"""/mode, /digest, /timezone and /lang: each with an argument or with buttons."""

from __future__ import annotations

import re
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot.callbacks import (
    TIMEZONE_CHOICES,
    DigestChoice,
    LanguageChoice,
    ModeChoice,
    TimezoneChoice,
)
from bot.clock import Clock
from bot.handlers._common import local_time, mode_name, show
from bot.i18n import Markup, Translator, cut, translator
from bot.keyboards import (
    digest_keyboard,
    hhmm,
    language_keyboard,
    mode_keyboard,
    timezone_keyboard,
)
from storage.models import DeliveryMode
from storage.repositories.chats import ChatRepository, ChatSettings

GUARDED = {"admin": True, "subscribed": True}
SHOWN_INPUT = 40  # how much of a refused argument is echoed back
MODE_WORDS = {
    "instant": DeliveryMode.INSTANT,
    "сразу": DeliveryMode.INSTANT,
    "digest": DeliveryMode.DIGEST,
    "сводка": DeliveryMode.DIGEST,
    "both": DeliveryMode.BOTH,
    "оба": DeliveryMode.BOTH,
}
TIME_RE = re.compile(r"(\d{1,2})[:.](\d{2})")


def parse_time(text: str) -> int | None:
    """Minutes after midnight for ``HH:MM`` (00:00 to 23:59), else None."""
    match = TIME_RE.fullmatch(text.strip())
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2])
    return hour * 60 + minute if hour < 24 and minute < 60 else None


@lru_cache(maxsize=1)
def _zones_by_folded_name() -> dict[str, str]:
    return {zone.casefold(): zone for zone in available_timezones()}


def parse_zone(text: str) -> str | None:
    """The IANA name for ``text`` (case does not matter), or None if there is no such zone."""
    name = _zones_by_folded_name().get(text.strip().casefold())
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


# --- /mode ---------------------------------------------------------------------------------
def mode_set_text(tr: Translator, chat: ChatSettings, mode: DeliveryMode) -> Markup:
    text = tr("mode.set", mode=mode_name(tr, mode.value))
    if mode != DeliveryMode.INSTANT:
        note = tr("mode.digest_note", time=hhmm(chat.digest_minute), zone=chat.timezone)
        text = Markup(text + note)
    return text


async def mode_command(
    message: Message,
    command: CommandObject,
    chat_settings: ChatSettings,
    chats: ChatRepository,
    tr: Translator,
    clock: Clock,
) -> None:
    if not command.args:
        await message.answer(
            tr("mode.menu", mode=mode_name(tr, chat_settings.mode)),
            reply_markup=mode_keyboard(tr, chat_settings.mode),
        )
        return
    mode = MODE_WORDS.get(command.args.strip().casefold())
    if mode is None:
        await message.answer(tr("mode.bad", value=cut(command.args.strip(), SHOWN_INPUT)))
        return
    await chats.set_mode(chat_settings.id, mode, now=clock())
    await message.answer(mode_set_text(tr, chat_settings, mode))


async def mode_choice(
    callback: CallbackQuery,
    callback_data: ModeChoice,
    chat_settings: ChatSettings,
    chats: ChatRepository,
    tr: Translator,
    clock: Clock,
) -> None:
    mode = DeliveryMode(callback_data.mode.value)
    await chats.set_mode(chat_settings.id, mode, now=clock())
    await show(callback, mode_set_text(tr, chat_settings, mode), mode_keyboard(tr, mode.value))
    await callback.answer()


# --- /digest -------------------------------------------------------------------------------
def digest_set_text(tr: Translator, chat: ChatSettings, minute: int) -> Markup:
    text = tr("digest.set", time=hhmm(minute), zone=chat.timezone)
    if chat.mode == DeliveryMode.INSTANT.value:
        text = Markup(text + tr("digest.mode_note", mode=mode_name(tr, chat.mode)))
    return text


async def digest_command(
    message: Message,
    command: CommandObject,
    chat_settings: ChatSettings,
    chats: ChatRepository,
    tr: Translator,
    clock: Clock,
) -> None:
    if not command.args:
        await message.answer(
            tr("digest.menu", time=hhmm(chat_settings.digest_minute), zone=chat_settings.timezone),
            reply_markup=digest_keyboard(chat_settings.digest_minute),
        )
        return
    minute = parse_time(command.args)
    if minute is None:
        await message.answer(tr("digest.bad", value=cut(command.args.strip(), SHOWN_INPUT)))
        return
    await chats.set_digest_minute(chat_settings.id, minute, now=clock())
    await message.answer(digest_set_text(tr, chat_settings, minute))


async def digest_choice(
    callback: CallbackQuery,
    callback_data: DigestChoice,
    chat_settings: ChatSettings,
    chats: ChatRepository,
    tr: Translator,
    clock: Clock,
) -> None:
    minute = callback_data.minute
    if not 0 <= minute < 24 * 60:
        await callback.answer(tr.label("callback.stale"))
        return
    await chats.set_digest_minute(chat_settings.id, minute, now=clock())
    await show(callback, digest_set_text(tr, chat_settings, minute), digest_keyboard(minute))
    await callback.answer()


# --- /timezone -----------------------------------------------------------------------------
async def timezone_command(
    message: Message,
    command: CommandObject,
    chat_settings: ChatSettings,
    chats: ChatRepository,
    tr: Translator,
    clock: Clock,
) -> None:
    now = clock()
    if not command.args:
        zone = chat_settings.timezone
        await message.answer(
            tr("tz.menu", zone=zone, time=local_time(now, zone)),
            reply_markup=timezone_keyboard(zone),
        )
        return
    found = parse_zone(command.args)
    if found is None:
        await message.answer(tr("tz.bad", value=cut(command.args.strip(), SHOWN_INPUT)))
        return
    await chats.set_timezone(chat_settings.id, found, now=now)
    await message.answer(tr("tz.set", zone=found, time=local_time(now, found)))


async def timezone_choice(
    callback: CallbackQuery,
    callback_data: TimezoneChoice,
    chat_settings: ChatSettings,
    chats: ChatRepository,
    tr: Translator,
    clock: Clock,
) -> None:
    if not 0 <= callback_data.index < len(TIMEZONE_CHOICES):
        await callback.answer(tr.label("callback.stale"))
        return
    zone, now = TIMEZONE_CHOICES[callback_data.index], clock()
    await chats.set_timezone(chat_settings.id, zone, now=now)
    await show(
        callback, tr("tz.set", zone=zone, time=local_time(now, zone)), timezone_keyboard(zone)
    )
    await callback.answer()


# --- /lang ---------------------------------------------------------------------------------
async def lang_command(
    message: Message,
    command: CommandObject,
    chat_settings: ChatSettings,
    chats: ChatRepository,
    tr: Translator,
    clock: Clock,
) -> None:
    if not command.args:
        await message.answer(
            tr("lang.menu"), reply_markup=language_keyboard(tr, chat_settings.language)
        )
        return
    wanted = command.args.strip().casefold()
    if wanted not in ("ru", "en"):
        await message.answer(tr("lang.bad"))
        return
    await chats.set_language(chat_settings.id, wanted, now=clock())
    await message.answer(translator(wanted)("lang.set"))


async def lang_choice(
    callback: CallbackQuery,
    callback_data: LanguageChoice,
    chat_settings: ChatSettings,
    chats: ChatRepository,
    clock: Clock,
) -> None:
    lang = callback_data.lang.value
    await chats.set_language(chat_settings.id, lang, now=clock())
    tr = translator(lang)
    await show(callback, tr("lang.set"), language_keyboard(tr, lang))
    await callback.answer()


def make_router() -> Router:
    router = Router(name=__name__)
    router.message.register(mode_command, Command("mode"), flags=GUARDED)
    router.message.register(digest_command, Command("digest"), flags=GUARDED)
    router.message.register(timezone_command, Command("timezone"), flags=GUARDED)
    router.message.register(lang_command, Command("lang"), flags=GUARDED)
    router.callback_query.register(mode_choice, ModeChoice.filter(), flags=GUARDED)
    router.callback_query.register(digest_choice, DigestChoice.filter(), flags=GUARDED)
    router.callback_query.register(timezone_choice, TimezoneChoice.filter(), flags=GUARDED)
    router.callback_query.register(lang_choice, LanguageChoice.filter(), flags=GUARDED)
    return router
