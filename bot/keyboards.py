"""Inline keyboards. Labels come from the catalogue; callback data from ``bot.callbacks``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import (
    DIGEST_CHOICES,
    TIMEZONE_CHOICES,
    DigestChoice,
    ForgetAction,
    ForgetChoice,
    KeywordAction,
    KeywordDraftAction,
    KeywordPrompt,
    KeywordRemove,
    Language,
    LanguageChoice,
    Mode,
    ModeChoice,
    TimezoneChoice,
    Topic,
    TopicToggle,
)
from bot.i18n import Translator


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def topics_keyboard(tr: Translator, enabled: Iterable[str]) -> InlineKeyboardMarkup:
    on = set(enabled)
    builder = InlineKeyboardBuilder()
    for topic in Topic:
        key = "btn.topic_on" if topic.value in on else "btn.topic_off"
        builder.button(
            text=tr.label(key, name=tr.label(f"topic.{topic.value}")),
            callback_data=TopicToggle(topic=topic),
        )
    builder.adjust(1)
    return builder.as_markup()


def draft_keyboard(tr: Translator, draft_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=tr.label("btn.save"),
        callback_data=KeywordDraftAction(action=KeywordAction.SAVE, draft_id=draft_id),
    )
    builder.button(
        text=tr.label("btn.cancel"),
        callback_data=KeywordDraftAction(action=KeywordAction.CANCEL, draft_id=draft_id),
    )
    return builder.as_markup()


def keywords_keyboard(tr: Translator, rule_ids: Sequence[int]) -> InlineKeyboardMarkup:
    """A 🗑 button per rule (by number, five to a row) and "Add a rule"."""
    builder = InlineKeyboardBuilder()
    for number, rule_id in enumerate(rule_ids, start=1):
        builder.button(
            text=tr.label("btn.remove_rule", n=number), callback_data=KeywordRemove(rule_id=rule_id)
        )
    builder.adjust(5)
    builder.row()
    add = InlineKeyboardBuilder()
    add.button(text=tr.label("btn.add_rule"), callback_data=KeywordPrompt())
    builder.attach(add)
    return builder.as_markup()


def forget_keyboard(tr: Translator) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=tr.label("btn.forget_confirm"), callback_data=ForgetChoice(action=ForgetAction.CONFIRM)
    )
    builder.button(
        text=tr.label("btn.cancel"), callback_data=ForgetChoice(action=ForgetAction.CANCEL)
    )
    return builder.as_markup()


def mode_keyboard(tr: Translator, current: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for mode in Mode:
        label = tr.label(f"btn.mode.{mode.value}")
        builder.button(
            text=f"• {label} •" if mode.value == current else label,
            callback_data=ModeChoice(mode=mode),
        )
    builder.adjust(3)
    return builder.as_markup()


def timezone_keyboard(current: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for index, zone in enumerate(TIMEZONE_CHOICES):
        label = zone.replace("_", " ")
        builder.button(
            text=f"• {label} •" if zone == current else label,
            callback_data=TimezoneChoice(index=index),
        )
    builder.adjust(2)
    return builder.as_markup()


def digest_keyboard(current: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for minute in DIGEST_CHOICES:
        label = hhmm(minute)
        builder.button(
            text=f"• {label} •" if minute == current else label,
            callback_data=DigestChoice(minute=minute),
        )
    builder.adjust(3)
    return builder.as_markup()


def language_keyboard(tr: Translator, current: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for lang in Language:
        name = tr.label(f"btn.lang.{lang.value}")
        builder.button(
            text=f"• {name} •" if lang.value == current else name,
            callback_data=LanguageChoice(lang=lang),
        )
    builder.adjust(2)
    return builder.as_markup()
