"""Catalogues agree between languages and are valid Telegram HTML; callback data fits 64 bytes."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from aiogram.filters.callback_data import CallbackData

from bot import callbacks
from bot.callbacks import (
    TIMEZONE_CHOICES,
    AlertMute,
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
    SearchPage,
    TimezoneChoice,
    Topic,
    TopicToggle,
)
from bot.i18n import CATALOGUES, Lang, Markup, cut, quote, translator
from tests.fakes._telegram_html import parse_html

HANDLERS = Path(__file__).parents[2] / "bot" / "handlers"
BIG_ID = 2**31 - 1  # the largest row id buttons carry (an integer column on PostgreSQL)


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_catalogues_have_the_same_keys_and_fields() -> None:
    ru, en = CATALOGUES["ru"], CATALOGUES["en"]
    assert set(ru) == set(en)
    for key in ru:
        assert fields(ru[key]) == fields(en[key]), key


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_every_message_is_valid_telegram_html_with_hostile_values(lang: Lang) -> None:
    tr = translator(lang)
    for key, template in CATALOGUES[lang].items():
        values = {name: "<b>&x</b>" for name in fields(template)}
        text = tr(key, **values)
        plain, _ = parse_html(text)
        if values:
            assert "<b>&x</b>" in plain, key
        if key.startswith("cmd."):
            assert 1 <= len(template) <= 256 and "<" not in template


def test_every_key_the_handlers_use_exists() -> None:
    used: set[str] = set()
    for path in HANDLERS.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""tr(?:\.label)?\(\s*"([a-z_.]+)\"""", source))
        used |= set(re.findall(r""""([a-z_]+\.[a-z_.]+)" if""", source))
        used |= set(re.findall(r"""else "([a-z_]+\.[a-z_.]+)\"""", source))
    assert used, "the scan found nothing"
    missing = used - set(CATALOGUES["en"])
    assert not missing
    for topic in callbacks.TOPICS:
        assert f"topic.{topic}" in CATALOGUES["en"] and f"topic.{topic}.about" in CATALOGUES["en"]
    for mode in Mode:
        assert {f"mode.{mode.value}", f"btn.mode.{mode.value}"} <= set(CATALOGUES["ru"])


def test_outside_values_are_escaped_and_cleaned() -> None:
    assert quote("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y"
    assert quote("a\x00b\u202ec\td") == "abc d"
    assert quote(Markup("<b>ok</b>")) == "<b>ok</b>"
    assert cut("abcdef", 4) == "abc…" and cut("abc", 4) == "abc"


LONGEST: list[CallbackData] = [
    TopicToggle(topic=max(Topic, key=len)),
    KeywordDraftAction(action=KeywordAction.CANCEL, draft_id=BIG_ID),
    KeywordRemove(rule_id=BIG_ID),
    KeywordPrompt(),
    ForgetChoice(action=ForgetAction.CONFIRM),
    ModeChoice(mode=max(Mode, key=len)),
    TimezoneChoice(index=len(TIMEZONE_CHOICES) - 1),
    DigestChoice(minute=23 * 60 + 59),
    LanguageChoice(lang=Language.EN),
    AlertMute(),
    SearchPage(search_id=BIG_ID, page=BIG_ID),
]


@pytest.mark.parametrize("value", LONGEST, ids=lambda v: type(v).__name__)
def test_longest_callback_data_fits_64_bytes_and_round_trips(value: CallbackData) -> None:
    packed = value.pack()
    assert len(packed.encode()) <= 64
    assert type(value).unpack(packed) == value


def test_every_factory_is_covered_and_prefixes_are_unique_and_versioned() -> None:
    factories = {
        obj
        for obj in vars(callbacks).values()
        if isinstance(obj, type) and issubclass(obj, CallbackData) and obj is not CallbackData
    }
    assert factories == {type(v) for v in LONGEST}
    prefixes = [f.__prefix__ for f in factories]
    assert len(set(prefixes)) == len(prefixes)
    assert all(re.fullmatch(r"[a-z]{2}\d", p) for p in prefixes)
