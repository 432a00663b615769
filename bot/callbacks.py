"""Every inline button's callback data: short versioned prefixes, ids and str enums only.

Telegram allows 64 bytes of callback data; ``tests/handlers/test_callbacks.py`` packs the
longest value of each factory. A new shape gets a new prefix (``kw2``), so buttons on old
messages fall through to the "out of date" answer instead of doing something else.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

TOPICS: tuple[str, ...] = ("critical_minerals", "c5plus1")

# Time zones offered as buttons (Central Asia first); the index is what the button carries.
TIMEZONE_CHOICES: tuple[str, ...] = (
    "Asia/Almaty",
    "Asia/Tashkent",
    "Asia/Bishkek",
    "Asia/Dushanbe",
    "Asia/Ashgabat",
    "Europe/Moscow",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "UTC",
)

# Digest times offered as buttons, in minutes after local midnight.
DIGEST_CHOICES: tuple[int, ...] = (7 * 60, 8 * 60, 9 * 60, 12 * 60, 18 * 60, 21 * 60)

# Anyone can send any callback data: a value out of range must fail to unpack (the button is
# then "out of date"), never reach the database or an index. Row ids fit PostgreSQL's integer.
RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class Topic(StrEnum):
    CRITICAL_MINERALS = "critical_minerals"
    C5PLUS1 = "c5plus1"


class Mode(StrEnum):
    INSTANT = "instant"
    DIGEST = "digest"
    BOTH = "both"


class Language(StrEnum):
    RU = "ru"
    EN = "en"


class KeywordAction(StrEnum):
    SAVE = "s"
    CANCEL = "c"


class ForgetAction(StrEnum):
    CONFIRM = "y"
    CANCEL = "n"


class TopicToggle(CallbackData, prefix="tp1"):
    topic: Topic


class KeywordDraftAction(CallbackData, prefix="kw1"):
    action: KeywordAction
    draft_id: RowId


class KeywordRemove(CallbackData, prefix="kr1"):
    rule_id: RowId


class KeywordPrompt(CallbackData, prefix="ka1"):
    """ "Add a rule" button: the next message of this chat is taken as a rule."""


class ForgetChoice(CallbackData, prefix="fg1"):
    action: ForgetAction


class ModeChoice(CallbackData, prefix="md1"):
    mode: Mode


class TimezoneChoice(CallbackData, prefix="tz1"):
    index: Annotated[int, Field(ge=0, lt=len(TIMEZONE_CHOICES))]


class DigestChoice(CallbackData, prefix="dg1"):
    minute: Annotated[int, Field(ge=0, lt=24 * 60)]  # minutes after local midnight


class LanguageChoice(CallbackData, prefix="lg1"):
    lang: Language


class AlertMute(CallbackData, prefix="mu1"):
    """ "🔕 Mute" under an alert: the pressed message is edited no more."""


class SearchPage(CallbackData, prefix="sp1"):
    """◀ ▶ under /search results: a saved query's id and the page to show."""

    search_id: int
    page: int
