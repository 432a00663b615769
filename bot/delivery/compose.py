"""AlertComposer: pending alerts of one chat into as few HTML messages as fit (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import AlertMute
from bot.delivery._text import (
    MAX_MESSAGE,
    cut,
    length,
    link,
    local_time,
    quote,
    to_plain,
    topic_tag,
    zone,
)
from bot.delivery.snippet import snippet
from storage.repositories.deliveries import PendingAlert
from storage.repositories.matches import SourceRef, StoryView

TITLE_LIMIT = 400
SOURCES_SHOWN = 5
TERMS_SHOWN = 12
# Later reports of the same event listed under an alert, as links.
COVERAGE_SHOWN = 8

LABELS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "sources": "Sources",
        "source": "Source",
        "matched": "Matched",
        "new": "new stories",
        "keywords": "your keywords",
        "mute": "🔕 Mute",
    },
    "ru": {
        "sources": "Источники",
        "source": "Источник",
        "matched": "Совпадения",
        "new": "новых материалов",
        "keywords": "ваши ключевые слова",
        "mute": "🔕 Без обновлений",
    },
}


def labels(language: str) -> Mapping[str, str]:
    return LABELS.get(language, LABELS["en"])


@dataclass(frozen=True, slots=True)
class ComposedMessage:
    """One message to send and the outbox rows it carries."""

    html: str
    plain: str
    delivery_ids: tuple[int, ...]


def matched_terms(why: Mapping[str, Any]) -> list[str]:
    """Every term that made the match, each once, in the order found."""
    seen: dict[str, None] = {}
    terms = why.get("terms") or {}
    if isinstance(terms, Mapping):
        for values in terms.values():
            for term in values or ():
                if not str(term).startswith("~"):  # internal alias-group names
                    seen.setdefault(str(term), None)
    return list(seen)


def sources_line(story: StoryView, lang: str) -> str:
    refs = story.sources[:SOURCES_SHOWN]
    if not refs:
        return ""
    label = labels(lang)["sources" if len(refs) > 1 else "source"]
    more = f" +{len(story.sources) - SOURCES_SHOWN}" if len(story.sources) > SOURCES_SHOWN else ""
    return f"{label}: " + ", ".join(link(r.url, cut(r.name, 80)) for r in refs) + more


def mute_markup(language: str) -> InlineKeyboardMarkup:
    """The alert's one button: stop editing it as later reports of its event come in."""
    builder = InlineKeyboardBuilder()
    builder.button(text=labels(language)["mute"], callback_data=AlertMute())
    return builder.as_markup()


def coverage_line(coverage: tuple[SourceRef, ...]) -> str:
    """ "+3: Kazinform, Reuters, Kursiv": other outlets that reported the event, as links."""
    if not coverage:
        return ""
    shown = ", ".join(link(r.url, cut(r.name, 60)) for r in coverage[:COVERAGE_SHOWN])
    more = " …" if len(coverage) > COVERAGE_SHOWN else ""
    return f"+{len(coverage)}: {shown}{more}"


class AlertComposer:
    """Renders alerts; a chat's pending alerts share messages of at most 4096 characters."""

    def __init__(self, limit: int = MAX_MESSAGE) -> None:
        self.limit = limit

    def block(self, alert: PendingAlert, *, timezone: str, language: str) -> str:
        story, why = alert.story, alert.why
        lang = labels(language)
        lines = [f"<b>{link(story.url, cut(story.title, TITLE_LIMIT))}</b>"]
        if text := snippet(story.summary, story.title):
            lines.append(quote(text))
        if src := sources_line(story, language):
            lines.append(src)
        if more := coverage_line(alert.coverage):
            lines.append(more)
        tz = zone(timezone)
        lines.append(f"🕒 {local_time(story.published_at, tz)} ({quote(tz.key)})")
        tags = [topic_tag(t) for t in why.get("topics") or ()]
        if why.get("rules"):
            tags.append(f"🔑 {lang['keywords']}")
        if tags:
            lines.append(" ".join(tags))
        if terms := matched_terms(why)[:TERMS_SHOWN]:
            lines.append(f"{lang['matched']}: <i>{quote(', '.join(terms))}</i>")
        return "\n".join(lines)

    def compose(
        self, alerts: Sequence[PendingAlert], *, timezone: str, language: str
    ) -> list[ComposedMessage]:
        blocks = [
            (a.delivery_id, self.block(a, timezone=timezone, language=language)) for a in alerts
        ]
        return list(self._pack(blocks, language))

    def _pack(self, blocks: Iterable[tuple[int, str]], language: str) -> Iterable[ComposedMessage]:
        room = self.limit - 40  # the "N new stories" header
        group: list[tuple[int, str]] = []
        size = 0
        for delivery_id, block in blocks:
            block_size = length(to_plain(block)) + 2
            if group and size + block_size > room:
                yield self._message(group, language)
                group, size = [], 0
            group.append((delivery_id, block))
            size += block_size
        if group:
            yield self._message(group, language)

    @staticmethod
    def _message(group: list[tuple[int, str]], language: str) -> ComposedMessage:
        body = "\n\n".join(block for _, block in group)
        if len(group) > 1:
            body = f"🔔 <b>{len(group)} {labels(language)['new']}</b>\n\n{body}"
        else:
            body = f"🔔 {body}"
        return ComposedMessage(body, to_plain(body), tuple(i for i, _ in group))
