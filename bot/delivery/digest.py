"""DigestComposer and the digest clock: what a chat's digest holds and when it is due (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from bot.delivery._text import MAX_MESSAGE, cut, length, link, quote, to_plain, zone
from bot.delivery.compose import matched_terms
from storage.repositories.digests import DigestEntry

KEYWORDS_GROUP = "_keywords"
TOPIC_ORDER = ("critical_minerals", "c5plus1")
TOPIC_NAMES: Mapping[str, Mapping[str, str]] = {
    "en": {
        "critical_minerals": "Critical minerals",
        "c5plus1": "C5+1",
        KEYWORDS_GROUP: "Your keywords",
    },
    "ru": {
        "critical_minerals": "Критически важные минералы",
        "c5plus1": "C5+1",
        KEYWORDS_GROUP: "Ваши ключевые слова",
    },
}
HEADINGS = {
    "en": ("Daily digest", "stories", "Nothing new matched your topics today.", "cont."),
    "ru": ("Дайджест за день", "материалов", "Сегодня ничего нового по вашим темам.", "продолж."),
}
TITLE_LIMIT = 300


def digest_date_due(now: datetime, timezone: str, digest_minute: int) -> date | None:
    """The local date whose digest is due at ``now``, or None before today's digest time.

    The digest time is a wall-clock time in the chat's zone: across a daylight-saving change it
    stays at the same local time (a time that does not exist that day falls just after the gap).
    """
    tz = zone(timezone)
    today = now.astimezone(tz).date()
    minute = max(0, min(digest_minute, 24 * 60 - 1))
    at = datetime.combine(today, time(minute // 60, minute % 60), tzinfo=tz)
    return today if now >= at.astimezone(UTC) else None


def primary_group(why: Mapping[str, Any]) -> str:
    """The one group a story is listed under: its strongest topic, else the keywords group."""
    topics = why.get("topics") or ()
    if not topics:
        return KEYWORDS_GROUP
    if len(topics) == 1:
        return str(topics[0])
    scores = why.get("topic_scores") or {}
    best: str = max(topics, key=lambda t: (float(scores.get(t, 0.0)), -_order(t)))
    return best


def _order(group: str) -> int:
    if group in TOPIC_ORDER:
        return TOPIC_ORDER.index(group)
    return len(TOPIC_ORDER) + (1 if group == KEYWORDS_GROUP else 0)


def rank_key(entry: DigestEntry) -> tuple[float, float, float, int]:
    """More sources first, then newer, then stronger match."""
    story = entry.story
    return (-len(story.sources), -story.published_at.timestamp(), -entry.score, story.id)


class DigestComposer:
    """Composes digests; each story's line is rendered once per zone and language and reused."""

    def __init__(self, limit: int = MAX_MESSAGE, cache_size: int = 50_000) -> None:
        self.limit = limit
        self._cache: dict[tuple[object, ...], tuple[str, int]] = {}
        self._cache_size = cache_size

    def _line(self, entry: DigestEntry, timezone: str, language: str) -> tuple[str, int]:
        why = entry.why
        # Terms follow from the story and from which topics and rules matched it.
        key = (
            entry.story.id,
            timezone,
            language,
            *why.get("topics", ()),
            "|",
            *why.get("rules", ()),
        )
        found = self._cache.get(key)
        if found is None:
            terms = matched_terms(why)[:6]
            story = entry.story
            tz = zone(timezone)
            names = ", ".join(quote(cut(s.name, 60)) for s in story.sources[:3])
            if len(story.sources) > 3:
                names += f" +{len(story.sources) - 3}"
            when = story.published_at.astimezone(tz).strftime("%d.%m %H:%M")
            line = f"• <b>{link(story.url, cut(story.title, TITLE_LIMIT))}</b>\n   {when}"
            if names:
                line += f" · {names}"
            if terms:
                line += f" · <i>{quote(', '.join(terms))}</i>"
            found = (line, length(to_plain(line)) + 1)
            if len(self._cache) >= self._cache_size:
                self._cache.clear()
            self._cache[key] = found
        return found

    def compose(
        self,
        entries: Sequence[DigestEntry],
        *,
        timezone: str,
        language: str,
        local_date: date,
    ) -> list[str]:
        """Messages of the digest, split at story boundaries; [] when there is nothing."""
        if not entries:
            return []
        lang = language if language in HEADINGS else "en"
        title, stories_word, _, cont = HEADINGS[lang]
        names = TOPIC_NAMES[lang]
        groups: dict[str, list[DigestEntry]] = {}
        seen: set[int] = set()
        for entry in sorted(entries, key=rank_key):
            if entry.story.id not in seen:
                seen.add(entry.story.id)
                groups.setdefault(primary_group(entry.why), []).append(entry)
        header = f"📰 <b>{title} · {local_date:%d.%m.%Y}</b> · {len(seen)} {stories_word}"
        room = self.limit - 16  # room for the " (k/n)" part counter
        parts: list[list[str]] = [[header]]
        size = length(to_plain(header))
        for group in sorted(groups, key=lambda g: (_order(g), g)):
            heading = f"\n<b>{quote(names.get(group, group))}</b>"
            heading_size = length(to_plain(heading)) + 1
            first = True
            for entry in groups[group]:
                line, line_size = self._line(entry, timezone, lang)
                need = line_size + (heading_size if first else 0)
                if size + need > room and parts[-1]:
                    parts.append([])
                    size = 0
                    if not first:
                        cont_heading = f"<b>{quote(names.get(group, group))}</b> ({cont})"
                        parts[-1].append(cont_heading)
                        size += length(to_plain(cont_heading)) + 1
                if first:
                    parts[-1].append(heading)
                    size += heading_size
                    first = False
                parts[-1].append(line)
                size += line_size
        texts = ["\n".join(p).strip() for p in parts]
        if len(texts) > 1:
            texts = [f"{t}\n({i}/{len(texts)})" for i, t in enumerate(texts, 1)]
        return texts

    @staticmethod
    def empty_note(*, language: str, local_date: date) -> str:
        title, _, note, _ = HEADINGS.get(language, HEADINGS["en"])
        return f"📰 <b>{title} · {local_date:%d.%m.%Y}</b>\n{note}"
