"""AlertComposer: pending alerts of one chat into as few HTML messages as fit (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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
from storage.repositories.deliveries import PendingAlert
from storage.repositories.matches import StoryView

TITLE_LIMIT = 400
SOURCES_SHOWN = 5
TERMS_SHOWN = 12

LABELS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "sources": "Sources",
        "source": "Source",
        "matched": "Matched",
        "new": "new stories",
        "keywords": "your keywords",
    },
    "ru": {
        "sources": "Источники",
        "source": "Источник",
        "matched": "Совпадения",
        "new": "новых материалов",
        "keywords": "ваши ключевые слова",
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


class AlertComposer:
    """Renders alerts; a chat's pending alerts share messages of at most 4096 characters."""

    def __init__(self, limit: int = MAX_MESSAGE) -> None:
        self.limit = limit

    def block(self, alert: PendingAlert, *, timezone: str, language: str) -> str:
        story, why = alert.story, alert.why
        lang = labels(language)
        lines = [f"<b>{link(story.url, cut(story.title, TITLE_LIMIT))}</b>"]
        if src := sources_line(story, language):
            lines.append(src)
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
