"""Incremental grouping of reports into events.

An item joins the open event whose keys it shares most (weighted by rarity, and by how many of
the event's reports carry each key), if that is enough and the event is close in time;
otherwise it opens an event of its own. Candidates come only from the postings of the item's
rare keys, so placing an item costs in proportion to the events that share them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.events._features import ItemKeys, KeyExtractor

# A key carried by more open events than this is no longer rare: it is not looked up.
MAX_POSTING = 400
# How many of an item's heaviest keys are looked up.
LOOKUP_KEYS = 12
# Score an item needs to join an event, and keys it must share with it.
JOIN_SCORE = 7.0
JOIN_SHARED = 2


@dataclass(frozen=True, slots=True)
class EventItem:
    id: str  # caller's id (story id as str in the bot)
    title: str
    summary: str
    published: datetime  # aware UTC
    lang: str | None = None
    url: str | None = None
    source: str | None = None  # outlet (host or feed title)


@dataclass(slots=True)
class _Event:
    key: str
    first: datetime
    newest: datetime
    size: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # key -> reports that carry it
    weights: dict[str, float] = field(default_factory=dict)  # key -> heaviest weight seen


def event_key(item_id: str) -> str:
    """A short stable key derived from the id of an event's first item."""
    return "e" + hashlib.blake2b(item_id.encode("utf-8"), digest_size=6).hexdigest()


class EventGrouper:
    """Places items into events as they arrive; the same items in the same order give the
    same keys."""

    def __init__(
        self, window: timedelta = timedelta(hours=72), extractor: KeyExtractor | None = None
    ) -> None:
        self.window = window
        self._extractor = extractor if extractor is not None else KeyExtractor()
        self._events: dict[str, _Event] = {}
        self._postings: dict[str, dict[str, None]] = {}  # key -> event keys, in order added

    def __len__(self) -> int:
        return len(self._events)

    def place(self, item: EventItem) -> str:
        """The event key for this item (a new or an existing event); deterministic: the same
        items in the same order give the same keys. Cost proportional to the candidate events
        sharing the item's rare entities, not to all events."""
        keys = self._extractor.keys(item.title, item.summary)
        chosen = self._best_event(keys, item.published)
        if chosen is None:
            chosen = self._new_key(item.id)
        self._add(chosen, keys, item.published)
        return chosen

    def restore(self, item: EventItem, key: str) -> None:
        """Add an item already assigned to `key` (used to rebuild state after a restart from
        stored stories of the last window, in their original order)."""
        self._add(key, self._extractor.keys(item.title, item.summary), item.published)

    def expire(self, before: datetime) -> None:
        """Forget events whose newest item is older than `before`."""
        old = [e for e in self._events.values() if e.newest < before]
        for event in old:
            del self._events[event.key]
            for key in event.counts:
                posting = self._postings.get(key)
                if posting is not None:
                    posting.pop(event.key, None)
                    if not posting:
                        del self._postings[key]

    def _new_key(self, item_id: str) -> str:
        key = event_key(item_id)
        n = 1
        while key in self._events:  # the same id placed twice: still two events
            n += 1
            key = f"{event_key(item_id)}-{n}"
        return key

    def _best_event(self, keys: ItemKeys, published: datetime) -> str | None:
        scores: dict[str, float] = {}
        shared: dict[str, int] = {}
        weights = keys.weights
        for key in keys.strongest(LOOKUP_KEYS):
            posting = self._postings.get(key)
            if posting is None or len(posting) > MAX_POSTING:
                continue
            weight = weights[key]
            for candidate in posting:
                event = self._events[candidate]
                share = event.counts[key] / event.size
                scores[candidate] = scores.get(candidate, 0.0) + weight * share**0.5
                shared[candidate] = shared.get(candidate, 0) + 1
        best: str | None = None
        best_score = 0.0
        for candidate, score in scores.items():
            event = self._events[candidate]
            if shared[candidate] < JOIN_SHARED or not self._near(event, published):
                continue
            if score >= JOIN_SCORE and score > best_score:
                best, best_score = candidate, score
        return best

    def _near(self, event: _Event, published: datetime) -> bool:
        return event.first - self.window <= published <= event.newest + self.window

    def _add(self, key: str, keys: ItemKeys, published: datetime) -> None:
        event = self._events.get(key)
        if event is None:
            event = self._events[key] = _Event(key, published, published)
        event.first = min(event.first, published)
        event.newest = max(event.newest, published)
        event.size += 1
        for term, weight in keys.weights.items():
            if term not in event.counts:
                self._postings.setdefault(term, {})[key] = None
            event.counts[term] = event.counts.get(term, 0) + 1
            event.weights[term] = max(event.weights.get(term, 0.0), weight)
