"""DigestComposer and the digest clock: what a chat's digest holds and when it is due (pure).

A digest lists events, not stories: the reports of one happening share a line, under the
title most outlets carried, with links to up to three of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from bot.delivery._text import MAX_MESSAGE, cut, length, link, quote, to_plain, zone
from bot.delivery.compose import matched_terms
from storage.repositories.digests import DigestEntry
from storage.repositories.matches import SourceRef

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
    "en": ("Daily digest", "events", "Nothing new matched your topics today.", "cont."),
    "ru": ("Дайджест за день", "событий", "Сегодня ничего нового по вашим темам.", "продолж."),
}
TITLE_LIMIT = 300
LINKS_SHOWN = 3


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


@dataclass(frozen=True, slots=True)
class EventEntry:
    """The digest's line for one event: every matched story of it, and the one shown."""

    key: str
    entries: tuple[DigestEntry, ...]
    best: DigestEntry
    outlets: tuple[SourceRef, ...]  # distinct outlets across its stories, first found first
    latest: datetime

    @property
    def story_ids(self) -> tuple[int, ...]:
        return tuple(sorted(e.story.id for e in self.entries))


def _best(entries: Sequence[DigestEntry]) -> DigestEntry:
    """The title shown for an event: the story most outlets carried, then the first one."""
    return min(
        entries,
        key=lambda e: (-len(e.story.sources), e.story.published_at, -e.score, e.story.id),
    )


def group_events(entries: Sequence[DigestEntry]) -> list[EventEntry]:
    """Entries grouped by event, ranked by independent sources (distinct outlets), then by
    recency (the event's newest report), then by match strength."""
    groups: dict[str, dict[int, DigestEntry]] = {}
    for entry in entries:
        key = entry.story.event_key or f"s{entry.story.id}"
        groups.setdefault(key, {}).setdefault(entry.story.id, entry)
    ranked: list[tuple[tuple[int, float, float, int], EventEntry]] = []
    for key, by_story in groups.items():
        if len(by_story) == 1:
            # Most events of a digest are one story: no ordering or choosing to do.
            (only,) = by_story.values()
            found: list[DigestEntry] = [only]
            best, latest, score = only, only.story.published_at, only.score
        else:
            found = sorted(by_story.values(), key=lambda e: (e.story.published_at, e.story.id))
            best = _best(found)
            latest = max(e.story.published_at for e in found)
            score = max(e.score for e in found)
        outlets: dict[str, SourceRef] = {}
        for entry in found:
            for ref in entry.story.sources:
                outlets.setdefault(ref.name, ref)
        event = EventEntry(key, tuple(found), best, tuple(outlets.values()), latest)
        ranked.append(((-len(outlets), -latest.timestamp(), -score, best.story.id), event))
    ranked.sort(key=lambda pair: pair[0])
    return [event for _, event in ranked]


class DigestComposer:
    """Composes digests; each event's line is rendered once per zone and language and reused."""

    def __init__(self, limit: int = MAX_MESSAGE, cache_size: int = 50_000) -> None:
        self.limit = limit
        self._cache: dict[tuple[object, ...], tuple[str, int]] = {}
        self._cache_size = cache_size

    def _line(self, event: EventEntry, timezone: str, language: str) -> tuple[str, int]:
        why = event.best.why
        # Terms follow from the stories and from which topics and rules matched the one shown.
        key = (
            event.story_ids,
            timezone,
            language,
            *why.get("topics", ()),
            "|",
            *why.get("rules", ()),
        )
        found = self._cache.get(key)
        if found is None:
            terms = matched_terms(why)[:6]
            story = event.best.story
            tz = zone(timezone)
            shown = event.outlets[:LINKS_SHOWN]
            names = ", ".join(link(s.url, cut(s.name, 60)) for s in shown)
            if len(event.outlets) > LINKS_SHOWN:
                names += f" +{len(event.outlets) - LINKS_SHOWN}"
            when = event.latest.astimezone(tz).strftime("%d.%m %H:%M")
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
        """Messages of the digest, one line per event, split between lines; [] when empty."""
        if not entries:
            return []
        lang = language if language in HEADINGS else "en"
        title, stories_word, _, cont = HEADINGS[lang]
        names = TOPIC_NAMES[lang]
        groups: dict[str, list[EventEntry]] = {}
        events = group_events(entries)
        for event in events:
            groups.setdefault(primary_group(event.best.why), []).append(event)
        header = f"📰 <b>{title} · {local_date:%d.%m.%Y}</b> · {len(events)} {stories_word}"
        room = self.limit - 16  # room for the " (k/n)" part counter
        parts: list[list[str]] = [[header]]
        size = length(to_plain(header))
        for group in sorted(groups, key=lambda g: (_order(g), g)):
            heading = f"\n<b>{quote(names.get(group, group))}</b>"
            heading_size = length(to_plain(heading)) + 1
            first = True
            for event in groups[group]:
                line, line_size = self._line(event, timezone, lang)
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
