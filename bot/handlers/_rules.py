"""Checking a keyword rule as a user typed it, and previewing what it would have matched."""

from __future__ import annotations

import asyncio
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.i18n import Markup, Translator, quote
from bot.matching import MatchInput, QueryLimits, RuleIndex, RuleSyntaxError, parse_query
from storage.repositories.search import StorySearchRepository, StoryText

LIMITS = QueryLimits()
PREVIEW_DAYS = 7
# The newest stories only, read through the first_seen_at index: a preview costs at most this
# many rows (about 1 MB) whatever the archive holds, so a flood of /keywords add stays cheap.
PREVIEW_MAX_STORIES = 500
PREVIEW_EXAMPLES = 3
CONTEXT = 30  # characters shown either side of a syntax error
_LINE_BREAKS = re.compile(r"[\t\r\n]+")


class RuleRefused(Exception):
    """The rule cannot be saved; ``text`` says why, in the chat's language."""

    def __init__(self, text: Markup) -> None:
        super().__init__(text)
        self.text = text


@dataclass(frozen=True, slots=True)
class Preview:
    matched: int
    scanned: int
    capped: bool
    examples: tuple[StoryText, ...]


def _mark(text: str, position: int) -> Markup:
    """The rule around ``position``, with the character there underlined."""
    start = max(0, position - CONTEXT)
    before = ("…" if start else "") + text[start:position]
    at = text[position : position + 1]
    end = position + 1 + CONTEXT
    after = text[position + 1 : end] + ("…" if end < len(text) else "")
    if not at.strip():
        return Markup(f"{quote(before)}<u><b>␣</b></u>{quote(after)}")
    return Markup(f"{quote(before)}<u><b>{quote(at)}</b></u>{quote(after)}")


def check_rule(raw: str, tr: Translator, *, syntax: str = "kw.syntax") -> str:
    """The rule ready to store (parsed once to prove it), or ``RuleRefused``; ``syntax`` is
    the catalogue key of the positional error (a /search query gets its own wording)."""
    # Matching sees the NFKC form, so the limits count it: one character may expand to
    # several words (U+FDFA is 18 characters, 4 words).
    text = unicodedata.normalize("NFKC", _LINE_BREAKS.sub(" ", raw)).strip()
    if len(text) > LIMITS.max_length:
        raise RuleRefused(tr("kw.too_long", length=len(text), limit=LIMITS.max_length))
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in text):
        raise RuleRefused(tr("kw.control"))
    try:
        parse_query(text, LIMITS)
    except RuleSyntaxError as exc:
        position = min(max(exc.position, 0), len(text))
        raise RuleRefused(
            tr(syntax, message=exc.message(tr.lang), marked=_mark(text, position))
        ) from None
    return text


def _match(rule: str, stories: list[StoryText]) -> list[StoryText]:
    index = RuleIndex(LIMITS)
    index.add(0, rule)
    return [s for s in stories if index.match(MatchInput(s.title, s.summary))]


async def preview(rule: str, stories: StorySearchRepository, now: datetime) -> Preview:
    """How many of the last days' stories ``rule`` matches, matched off the event loop."""
    recent = await stories.recent(now - timedelta(days=PREVIEW_DAYS), limit=PREVIEW_MAX_STORIES)
    hits = await asyncio.to_thread(_match, rule, recent)
    return Preview(
        matched=len(hits),
        scanned=len(recent),
        capped=len(recent) >= PREVIEW_MAX_STORIES,
        examples=tuple(hits[:PREVIEW_EXAMPLES]),
    )
