"""Incremental grouping of reports into events.

Candidates for an item come only from the postings of its rare keys, so placing it costs in
proportion to the events that share them. Each candidate event close enough in time is then
scored report by report with a small learned pairwise model (``bot.events._pair``); the item
joins the event whose best-matching report scores highest, if that clears the model's
threshold, and otherwise opens an event of its own.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.events._features import ItemKeys, KeyExtractor
from bot.events._pair import PairModel, event_cosine, load_model, pair_features

# A key carried by more open events than this is no longer rare: it is not looked up.
MAX_POSTING = 100
# Keys an item must share with an event for the event to be scored at all.
JOIN_SHARED = 2
DF_PRIOR = 200
DF_SCALE = math.log(50)
# Reports of an event an item is scored against one by one (the first ones).
MAX_MEMBERS = 8
# Candidate events scored in full, those sharing most weight with the item first.
MAX_COMPARED = 12
# Later coverage of a happening (an explainer, an expert's comment) may come weeks after it;
# the pairwise model lets it join only when it shares the event's specific names.
FOLLOW_UP = timedelta(days=30)


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
    sums: dict[str, float] = field(default_factory=dict)  # key -> summed weight over reports
    square: float = 0.0  # squared length of ``sums``
    members: list[_Member] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Member:
    keys: ItemKeys
    published: datetime
    source: str | None


def event_key(item_id: str) -> str:
    """A short stable key derived from the id of an event's first item."""
    return "e" + hashlib.blake2b(item_id.encode("utf-8"), digest_size=6).hexdigest()


class EventGrouper:
    """Places items into events as they arrive; the same items in the same order give the
    same keys."""

    def __init__(
        self,
        window: timedelta = timedelta(hours=72),
        extractor: KeyExtractor | None = None,
        model: PairModel | None = None,
    ) -> None:
        self.window = window
        self._extractor = extractor if extractor is not None else KeyExtractor()
        self._model = model if model is not None else load_model()
        self._events: dict[str, _Event] = {}
        self._postings: dict[str, dict[str, None]] = {}  # key -> event keys, in order added
        self._seen: dict[str, int] = {}  # key -> reports seen that carry it
        self._total = 0

    def __len__(self) -> int:
        return len(self._events)

    @property
    def horizon(self) -> timedelta:
        """How long an event must be kept after its newest report for later items to still
        join it: callers pass ``now - horizon`` to ``expire``."""
        return max(2 * self.window, self.window + FOLLOW_UP)

    def place(self, item: EventItem) -> str:
        """The event key for this item (a new or an existing event); deterministic: the same
        items in the same order give the same keys. Cost proportional to the candidate events
        sharing the item's rare entities, not to all events."""
        keys = self._weighted(self._extractor.keys(item.title, item.summary))
        chosen = self._best_event(keys, item)
        if chosen is None:
            chosen = self._new_key(item.id)
        self._add(chosen, keys, item)
        return chosen

    def restore(self, item: EventItem, key: str) -> None:
        """Add an item already assigned to `key` (used to rebuild state after a restart from
        stored stories of the last window, in their original order)."""
        keys = self._weighted(self._extractor.keys(item.title, item.summary))
        self._add(key, keys, item)

    def weigh(self, item: EventItem) -> ItemKeys:
        """The item's keys weighted by the reports seen so far, counting it as seen (what
        ``place`` does before choosing an event; the training script reads pairs through it)."""
        return self._weighted(self._extractor.keys(item.title, item.summary))

    def expire(self, before: datetime) -> None:
        """Forget events whose newest item is older than `before`."""
        old = [e for e in self._events.values() if e.newest < before]
        for event in old:
            del self._events[event.key]
            for key in event.sums:
                posting = self._postings.get(key)
                if posting is not None:
                    posting.pop(event.key, None)
                    if not posting:
                        del self._postings[key]

    def _weighted(self, keys: ItemKeys) -> ItemKeys:
        """Keys weighted down by how many reports seen so far carry them: in a stream about
        Central Asia, "Kazakhstan" tells little about which event an item reports."""
        seen = self._seen
        total = self._total + DF_PRIOR
        for key in keys.weights:
            seen[key] = seen.get(key, 0) + 1
        self._total += 1
        weights = {
            key: weight * min(1.0, math.log(total / seen[key]) / DF_SCALE)
            for key, weight in keys.weights.items()
        }
        return replace(keys, weights=weights)

    def _new_key(self, item_id: str) -> str:
        key = event_key(item_id)
        n = 1
        while key in self._events:  # the same id placed twice: still two events
            n += 1
            key = f"{event_key(item_id)}-{n}"
        return key

    def _best_event(self, keys: ItemKeys, item: EventItem) -> str | None:
        """The open event whose best-matching report the pairwise model scores highest, if
        that clears its threshold; ties go to the event met first."""
        dots: dict[str, float] = {}
        shared: dict[str, int] = {}
        for key, weight in keys.weights.items():
            posting = self._postings.get(key)
            if posting is None or len(posting) > MAX_POSTING:
                continue
            for candidate in posting:
                summed = self._events[candidate].sums[key]
                dots[candidate] = dots.get(candidate, 0.0) + weight * summed
                shared[candidate] = shared.get(candidate, 0) + 1
        events = self._events
        published = item.published
        # sorted() is stable, so ties keep the order in which the events were met.
        ranked = sorted(
            (c for c in dots if shared[c] >= JOIN_SHARED and self._near(events[c], published)),
            key=dots.__getitem__,
            reverse=True,
        )
        model = self._model
        best: str | None = None
        best_score = model.threshold
        for candidate in ranked[:MAX_COMPARED]:
            event = events[candidate]
            similarity = event_cosine(keys, event.sums, event.square)
            scores = []
            for member in event.members:
                gap = (published - member.published).total_seconds() / 3600.0
                same_source = item.source is not None and item.source == member.source
                features = pair_features(keys, member.keys, gap, similarity, same_source)
                scores.append(model.probability(features))
            score = combine(scores)
            if score >= best_score and (best is None or score > best_score):
                best, best_score = candidate, score
        return best

    def _near(self, event: _Event, published: datetime) -> bool:
        return event.first - self.window <= published <= event.newest + FOLLOW_UP

    def _add(self, key: str, keys: ItemKeys, item: EventItem) -> None:
        published = item.published
        event = self._events.get(key)
        if event is None:
            event = self._events[key] = _Event(key, published, published)
        event.first = min(event.first, published)
        event.newest = max(event.newest, published)
        for term, weight in keys.weights.items():
            before = event.sums.get(term)
            if before is None:
                self._postings.setdefault(term, {})[key] = None
                before = 0.0
            event.sums[term] = before + weight
            event.square += (before + weight) ** 2 - before**2
        if len(event.members) < MAX_MEMBERS:
            event.members.append(_Member(keys, published, item.source))


def combine(scores: list[float]) -> float:
    """An event's score: the mean of its reports' scores against the item, so that one report
    close to it cannot pull in an item the rest of the event does not support."""
    return sum(scores) / len(scores)
