"""Incremental grouping of reports into events.

An item joins the open event whose keys it shares most (weighted by rarity, and by how many of
the event's reports carry each key), if that is enough, the event is close in time, and they
share a key rare in the stream (or the item rewrites the event's report within hours);
otherwise it opens an event of its own. Reports naming different kinds of happening, different
people, or quoting different speakers are two happenings. Later coverage that reports nothing
new (an explainer, an expert's comment) may join an event weeks after it, if it names the
event's specific, rare entities. Candidates come only from the postings of the item's rare
keys, so placing an item costs in proportion to the events that share them.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.events._features import ItemKeys, KeyExtractor, entity_roles
from bot.matching.aliases import ALIAS_MARK

# A key carried by more open events than this is no longer rare: it is not looked up.
MAX_POSTING = 100
# How far from an event's reports (before its first, after its newest) an item can be one of
# them; beyond it, only later coverage that reports nothing new joins (FOLLOW_UP below).
WINDOW = timedelta(hours=72)
# Score an item needs to join an event, and keys it must share with it.
JOIN_SCORE = 0.3
JOIN_SHARED = 2
EVE = timedelta(hours=36)
DF_PRIOR = 200
# An item sharing no key rare in the stream with an event joins it only as a close rewrite:
# this similar, within this long of the event's first report.
REWRITE_SCORE = 0.5
REWRITE_WITHIN = timedelta(hours=12)
# ...and this similar over the keys narrower than a country: ledes that list the five states of
# Central Asia are alike whatever happened.
REWRITE_NARROW = 0.3
# Reports of an event an item is compared with one by one (the first ones).
MAX_MEMBERS = 8
PAIR_FACTOR = 0.4
# Candidate events compared in full with an item, those sharing most weight with it first.
MAX_COMPARED = 16
DF_SCALE = math.log(50)
# Later coverage of a happening that reports nothing new (an explainer, an expert's comment
# days later) still joins its event this long after the event's newest report...
FOLLOW_UP = timedelta(days=30)
# ...if it shares at least this many specific keys with the event: keys that weigh at least
# SPECIFIC_WEIGHT in the report and in the event, and that at most one report in
# SPECIFIC_RARITY carries ("Cove Capital", the deposit's name; not "Trump" or "summit")...
FOLLOW_UP_SPECIFIC = 4
SPECIFIC_WEIGHT = 1.0
SPECIFIC_RARITY = 40
# ...is at least this similar to it...
FOLLOW_UP_SCORE = 0.45
# ...and its title says nothing happened: alias groups (``entities.json``) naming a happening.
HAPPENINGS = frozenset(
    ALIAS_MARK + name
    for name in [
        "sign",
        "memorandum",
        "meeting",
        "talks",
        "visit",
        "arrive",
        "depart",
        "invite",
        "resolution",
        "ban",
        "cut",
        "discover",
        "dissolve",
        "record",
        "restrict",
        "suspend",
        "approve",
        "acquire",
        "complete",
        "impose",
    ]
)


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
    sums: dict[str, float] = field(default_factory=dict)  # key -> summed weight over reports
    square: float = 0.0  # squared length of ``sums``
    names: dict[str, int] = field(default_factory=dict)  # title name -> reports naming it
    ahead: int = 0  # reports whose title announces it as still to come
    members: list[ItemKeys] = field(default_factory=list)

    def core_names(self) -> set[str]:
        """The names at least half of its reports' titles carry."""
        return {n for n, count in self.names.items() if 2 * count >= self.size}

    @property
    def announced(self) -> bool:
        """Whether most of its reports announce it as still to come."""
        return 2 * self.ahead > self.size

    def norm(self) -> float:
        return self.square**0.5 or 1.0


def horizon(window: timedelta) -> timedelta:
    """How long an event is kept after its newest report so that later items can still join
    it: callers rebuild from and ``expire`` before ``now - horizon(window)``."""
    return max(2 * window, FOLLOW_UP)


def event_key(item_id: str) -> str:
    """A short stable key derived from the id of an event's first item."""
    return "e" + hashlib.blake2b(item_id.encode("utf-8"), digest_size=6).hexdigest()


class EventGrouper:
    """Places items into events as they arrive; the same items in the same order give the
    same keys."""

    def __init__(
        self, window: timedelta = WINDOW, extractor: KeyExtractor | None = None
    ) -> None:
        self.window = window
        self._extractor = extractor if extractor is not None else KeyExtractor()
        self._events: dict[str, _Event] = {}
        self._postings: dict[str, dict[str, None]] = {}  # key -> event keys, in order added
        self._seen: dict[str, int] = {}  # key -> reports seen that carry it
        self._total = 0

    def __len__(self) -> int:
        return len(self._events)

    @property
    def horizon(self) -> timedelta:
        return horizon(self.window)

    def place(self, item: EventItem) -> str:
        """The event key for this item (a new or an existing event); deterministic: the same
        items in the same order give the same keys. Cost proportional to the candidate events
        sharing the item's rare entities, not to all events."""
        keys = self._weighted(self._extractor.keys(item.title, item.summary))
        chosen = self._best_event(keys, item.published)
        if chosen is None:
            chosen = self._new_key(item.id)
        self._add(chosen, keys, item.published)
        return chosen

    def restore(self, item: EventItem, key: str) -> None:
        """Add an item already assigned to `key` (used to rebuild state after a restart from
        stored stories of the last window, in their original order)."""
        keys = self._weighted(self._extractor.keys(item.title, item.summary))
        self._add(key, keys, item.published)

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

    def _best_event(self, keys: ItemKeys, published: datetime) -> str | None:
        """The open event most similar to the item (cosine of rarity-weighted keys), if it is
        similar enough; ties go to the event opened first."""
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
        norm = keys.norm
        best: str | None = None
        best_score = JOIN_SCORE
        # Only the events sharing most weight are compared report by report, those within the
        # window first (big old events share much weight and must not crowd them out);
        # sorted() is stable, so ties keep the order in which the events were met.
        events = self._events
        late_ones = {
            c: not self._near(events[c], published)
            for c in dots
            if shared[c] >= JOIN_SHARED and self._open(events[c], published)
        }
        ranked = sorted(late_ones, key=lambda c: (late_ones[c], -dots[c]))
        for candidate in ranked[:MAX_COMPARED]:
            event, dot = events[candidate], dots[candidate]
            late = late_ones[candidate]
            if late:
                if not self._follows_up(keys, event, published):
                    continue
            elif (
                _conflict(keys, event)
                or not self._same_stage(keys, event, published)
                or _another_moment(keys, event, published)
            ):
                continue
            pairs = (PAIR_FACTOR * _similarity(keys, member) for member in event.members)
            similarity = max(dot / (norm * event.norm()), *pairs)
            if not late and not self._rare_tie(keys, event, published, similarity):
                continue
            if late and similarity < FOLLOW_UP_SCORE:
                continue
            if similarity >= best_score and (best is None or similarity > best_score):
                best, best_score = candidate, similarity
        return best

    def _follows_up(self, keys: ItemKeys, event: _Event, published: datetime) -> bool:
        """Whether an item far from the event in time can still be of its happening: the later
        side reports nothing new (it announces nothing and its titles name no happening), the
        earlier side is no announcement weeks ahead (that is an event of its own), and the
        item shares enough of the event's specific keys, rare in the stream, to be about the
        same deal or meeting and not merely the same country or leader. Feeds list their
        newest entries first, so the follow-up may come before the happening's reports."""
        if published > event.newest:
            later = not keys.ahead and not keys.names & HAPPENINGS
            earlier = 3 * event.ahead <= event.size
        else:
            later = event.ahead == 0 and not event.names.keys() & HAPPENINGS
            earlier = not keys.ahead
        if not (later and earlier):
            return False
        # The titles must share a name narrower than a country or region: early in a stream
        # every key is rare, and ledes listing the five countries are alike.
        if not (keys.names & event.names.keys()) - _BROAD:
            return False
        return self._specific(keys, event) >= FOLLOW_UP_SPECIFIC

    def _specific(self, keys: ItemKeys, event: _Event) -> int:
        """How many keys the item shares with the event that weigh at least SPECIFIC_WEIGHT
        in both, that at most one report in SPECIFIC_RARITY carries, and that are narrower than
        a country or a region: early in a stream every key is rare, and the five states listed
        in two ledes tell nothing of what happened."""
        limit = (self._total + DF_PRIOR) / SPECIFIC_RARITY
        seen, sums = self._seen, event.sums
        return sum(
            1
            for key, weight in keys.weights.items()
            if weight >= SPECIFIC_WEIGHT
            and key not in _BROAD
            and sums.get(key, 0.0) >= SPECIFIC_WEIGHT
            and seen.get(key, 0) <= limit
        )

    def _rare_tie(
        self, keys: ItemKeys, event: _Event, published: datetime, similarity: float
    ) -> bool:
        """Whether the item shares with the event a key rare in the stream, or is a close
        rewrite of it within hours. Reports of one trip or one dispute share the leader, the
        countries and the subject; what tells one happening from the next is rarer (the deal's
        company, the city of the talks) or a near-identical wording the same day."""
        if self._specific(keys, event) > 0:
            return True
        if similarity < REWRITE_SCORE or abs(published - event.first) >= REWRITE_WITHIN:
            return False
        return _narrow_similarity(keys, event) >= REWRITE_NARROW

    def _same_stage(self, keys: ItemKeys, event: _Event, published: datetime) -> bool:
        """An announcement joins reports of the happening, or the reverse, only on the eve or
        the day itself ("the summit takes place today"); days apart they are two events."""
        if keys.ahead == event.announced:
            return True
        return event.first - EVE <= published <= event.newest + EVE

    def _near(self, event: _Event, published: datetime) -> bool:
        return event.first - self.window <= published <= event.newest + self.window

    def _open(self, event: _Event, published: datetime) -> bool:
        """Within the window, or far enough only for a follow-up."""
        return event.first - FOLLOW_UP <= published <= event.newest + FOLLOW_UP

    def _add(self, key: str, keys: ItemKeys, published: datetime) -> None:
        event = self._events.get(key)
        if event is None:
            event = self._events[key] = _Event(key, published, published)
        event.first = min(event.first, published)
        event.newest = max(event.newest, published)
        event.size += 1
        for term, weight in keys.weights.items():
            before = event.sums.get(term)
            if before is None:
                self._postings.setdefault(term, {})[key] = None
                before = 0.0
            event.sums[term] = before + weight
            event.square += (before + weight) ** 2 - before**2
        for name in keys.names:
            event.names[name] = event.names.get(name, 0) + 1
        event.ahead += keys.ahead
        if len(event.members) < MAX_MEMBERS:
            event.members.append(keys)


# Alias groups naming a country or a region (too broad to tie a late report to one happening),
# and those naming someone or somewhere narrower; the others say what happened or what about.
_BROAD, _NAMED = entity_roles()
_TRAVEL = frozenset({"arrive", "depart"})


def _only_names(names: set[str]) -> bool:
    """Whether these title names hold someone or somewhere narrower than a country (a leader, a
    city, a company, a capitalised word) and no word for what happened."""
    narrow = names - _BROAD
    return bool(narrow) and all(n in _NAMED or not n.startswith(ALIAS_MARK) for n in narrow)


# Kinds of happening a title can name; two titles naming only different kinds tell of two
# happenings (Japarov arrived; Japarov met senators).
_KINDS = {
    ALIAS_MARK + name: kind
    for kind, names in (
        ("meet", ("meeting", "talks")),
        ("arrive", ("arrive",)),
        ("depart", ("depart",)),
        ("sign", ("sign", "memorandum")),
        ("decide", ("resolution", "dissolve", "approve")),
        ("acquire", ("acquire",)),
        ("complete", ("complete",)),
        ("limit", ("ban", "restrict", "suspend", "cut", "impose")),
        ("find", ("discover",)),
        ("record", ("record",)),
    )
    for name in names
}


def _other_kind(keys: ItemKeys, event: _Event) -> bool:
    mine = {_KINDS[n] for n in keys.names if n in _KINDS}
    theirs = {_KINDS[n] for n in event.core_names() if n in _KINDS}
    if (mine - theirs) & _TRAVEL:
        # A report of a leader's departure or arrival tells a happening of its own, not the
        # summit or the talks it leads to. The reverse may be a rewrite that drops the verb
        # ("Tokayev in Washington"), so a report without it may still join a trip's event.
        return True
    return bool(mine) and bool(theirs) and not mine & theirs


# Happenings of one moment (a landing, a take-off, a price record), and how far from an event's
# first report another report can still be of that moment.
_OF_A_MOMENT = frozenset(ALIAS_MARK + name for name in ("arrive", "depart", "record"))
MOMENT = timedelta(hours=18)


def _another_moment(keys: ItemKeys, event: _Event, published: datetime) -> bool:
    """Whether an arrival, a departure or a record and a report a day away from it are two
    happenings: a leader lands once, and the next day's report of the trip tells of its talks;
    gold's record on Monday is not Tuesday's. The eve's announcement of an arrival ("Gor will
    arrive in Bishkek") is left to ``_same_stage``."""
    if keys.ahead or event.announced:
        return False
    if not (event.core_names() & _OF_A_MOMENT or keys.names & _OF_A_MOMENT):
        return False
    return abs(published - event.first) > MOMENT


def _conflict(keys: ItemKeys, event: _Event) -> bool:
    """Whether the item and the event each name someone or something the other never
    mentions (Japarov meeting senators, Tokayev meeting FIFA's president): two happenings."""
    if _other_kind(keys, event):
        return True
    # Reports quoting different people tell of different statements (Trump announcing that
    # Kazakhstan joins the Abraham Accords; Tokayev confirming it the next day).
    if keys.speaker and any(m.speaker and not m.speaker & keys.speaker for m in event.members):
        return True
    # When both titles name a kind of happening, the kinds were compared above (talks and a
    # meeting are one kind); otherwise the word is a name like the others.
    core_names = event.core_names()
    kinds_compared = bool(keys.names & _KINDS.keys() and core_names & _KINDS.keys())
    skip = _KINDS.keys() if kinds_compared else frozenset()
    extra = {n for n in keys.names if n not in event.sums and n not in skip}
    if not extra:
        return False
    # A ban, a suspension or a tariff that none of the event's reports mentions answers the
    # happening rather than reports it (Kazakhstan suspending its cooperation with a mine's owner
    # on the day of the fire).
    if any(_KINDS.get(n) == "limit" for n in extra):
        return True
    core = {n for n in core_names if n not in keys.weights and n not in skip}
    if not core:
        return False
    # A country answers only to a country or to what happened: "Russia" in one title and
    # "Tokayev" in the other may be one visit; "Russia" and "China" are two partners, and
    # "the US courts China's ally" and "Kazakhstan mines more tungsten" two stories.
    country_for_name = extra <= _BROAD and _only_names(core)
    name_for_country = core <= _BROAD and _only_names(extra)
    return not (country_for_name or name_for_country)


def _narrow_similarity(keys: ItemKeys, event: _Event) -> float:
    """Cosine of the item and the event over the keys narrower than a country or region."""
    sums = event.sums
    dot = sum(w * sums[k] for k, w in keys.weights.items() if k in sums and k not in _BROAD)
    if not dot:
        return 0.0
    mine = sum(w * w for k, w in keys.weights.items() if k not in _BROAD)
    theirs = sum(w * w for k, w in sums.items() if k not in _BROAD)
    return dot / math.sqrt(mine * theirs)


def _similarity(a: ItemKeys, b: ItemKeys) -> float:
    """Cosine of two reports' keys; across languages only the keys that can cross (names,
    alias groups, figures) make up the lengths, since the rest have no counterpart."""
    small, large = sorted((a.weights, b.weights), key=len)
    dot = sum(w * large[k] for k, w in small.items() if k in large)
    if a.cyrillic == b.cyrillic:
        return dot / (a.norm * b.norm)
    return min(1.0, dot / (a.bridge_norm() * b.bridge_norm()))
