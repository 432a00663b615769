"""RuleIndex: every rule in one inverted index keyed by normalised term.

Matching an item costs in proportion to its text and to the rules its terms touch: the item's
term set, which keeps only the terms some rule tests (``Vocabulary``), is intersected with the
index keys, and only the rules found there are evaluated.
Simple rules (a word, an OR of words) have postings of their own: a hit there is a match, and
its explanation comes from the same term set, so no compiled test runs for them; those of one
key and one text keep their matches, built once, in the postings.
Rules are added and removed at run time. Reads take no lock: index values are replaced, never
mutated, so a batch may be matched in a worker thread while the event loop adds rules. A rule
with a new key makes a new vocabulary, whose caches fill again (measured: the next batch of
200 items took 32 ms instead of 13 ms, with 10,000 rules).
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from typing import cast

from bot.matching._compile import Shared
from bot.matching._entry import Entry, fired, make_entry
from bot.matching._eval import Anchor, anchors, tested
from bot.matching._simple import SimplePostings
from bot.matching.document import Document, Normaliser
from bot.matching.errors import RuleLimitError, RuleSyntaxError
from bot.matching.query import Query, QueryLimits, default_normaliser, parse_query
from bot.matching.topics import Topic, TopicPart, decide
from bot.matching.types import ItemMatches, MatchInput, RuleMatch, TopicMatch
from bot.matching.vocabulary import Vocabulary


class RuleIndex:
    """An inverted index over parsed rules. Rule ids are any hashable values."""

    def __init__(
        self, limits: QueryLimits | None = None, normaliser: Normaliser | None = None
    ) -> None:
        self.limits = limits or QueryLimits()
        self.normaliser = normaliser or default_normaliser()
        self._entries: dict[Hashable, Entry] = {}
        # Postings of the rules that are not simple: their entries by anchor term or prefix.
        self._terms: dict[str, tuple[Entry, ...]] = {}
        self._term_keys: set[str] = set()
        self._prefixes: dict[str, tuple[Entry, ...]] = {}
        self._prefix_lengths: Counter[int] = Counter()
        # Terms already looked up among the prefixes, and those that hit (term -> entries);
        # replaced, never cleared, whenever a prefix anchor is added or removed.
        self._prefix_memo: tuple[set[str], dict[str, tuple[Entry, ...]]] = (set(), {})
        self._simple = SimplePostings()
        self._tables: dict[str, tuple[dict[str, tuple[Entry, ...]], set[str]]] = {
            "t": (self._terms, self._term_keys),
            "p": (self._prefixes, set()),
        }
        self._owners: Counter[Hashable] = Counter()
        # Every key and prefix the rules test; removing a rule leaves its keys in (a larger
        # vocabulary is slower, never wrong). The snapshot documents use is made on demand.
        self._tested: tuple[set[str], set[str]] = (set(), set())
        self._vocabulary: Vocabulary | None = None
        self._write = threading.Lock()
        self.topics: dict[str, Topic] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._entries

    def parse(self, text: str) -> Query:
        """Parse a rule under this index's limits (raises ``RuleSyntaxError``)."""
        return parse_query(text, self.limits, self.normaliser)

    def add(
        self,
        rule_id: Hashable,
        query: str | Query,
        *,
        owner: Hashable | None = None,
    ) -> Query:
        """Add or replace a rule. ``owner`` (a chat id) is counted against the per-chat limit."""
        return self._add(rule_id, query, owner, None)

    def _add(
        self, rule_id: Hashable, query: str | Query, owner: Hashable | None, shared: Shared | None
    ) -> Query:
        parsed = self.parse(query) if isinstance(query, str) else query
        found = anchors(parsed.root)
        if not found:
            raise RuleSyntaxError("no_positive", 0)
        with self._write:
            old = self._entries.get(rule_id)
            limit = self.limits.max_rules_per_chat
            new_owner = owner is not None and (old is None or old.owner != owner)
            if new_owner and self._owners[owner] >= limit:
                raise RuleLimitError("too_many_rules", 0, limit=limit)
            if old is not None:
                self._unlink(old)
            entry = make_entry(rule_id, parsed, found, owner, shared)
            keys, prefixes = tested(entry.root)
            known_keys, known_prefixes = self._tested
            if not (keys <= known_keys and prefixes <= known_prefixes):
                known_keys |= keys
                known_prefixes |= prefixes
                self._vocabulary = None  # before the rule is seen, so no match misses its keys
            self._entries[rule_id] = entry
            if owner is not None:
                self._owners[owner] += 1
            if entry.simple is not None:
                self._simple.add(entry)
            for kind, value in self._anchors(entry):
                table, keys = self._tables[kind]
                table[value] = (*table.get(value, ()), entry)
                if kind == "p":
                    self._prefix_lengths[len(value)] += 1
                else:
                    keys.add(value)
            if old is not None or any(kind == "p" for kind, _ in found):
                self._prefix_memo = (set(), {})
        return parsed

    def remove(self, rule_id: Hashable) -> bool:
        """Remove a rule; False if there was none with that id."""
        with self._write:
            entry = self._entries.pop(rule_id, None)
            if entry is None:
                return False
            self._unlink(entry)
            return True

    def _unlink(self, entry: Entry) -> None:
        if entry.owner is not None:
            self._owners[entry.owner] -= 1
            if self._owners[entry.owner] <= 0:
                del self._owners[entry.owner]
        if entry.simple is not None:
            self._simple.remove(entry)
        for kind, value in self._anchors(entry):
            table, keys = self._tables[kind]
            rest = tuple(e for e in table.get(value, ()) if e is not entry)
            if rest:
                table[value] = rest
            else:
                table.pop(value, None)
                keys.discard(value)
            if kind == "p":
                self._prefix_lengths[len(value)] -= 1
                if self._prefix_lengths[len(value)] <= 0:
                    del self._prefix_lengths[len(value)]
        self._prefix_memo = (set(), {})

    def rules_of(self, owner: Hashable) -> int:
        """How many rules ``owner`` has in the index."""
        return self._owners.get(owner, 0)

    def vocabulary(self) -> Vocabulary:
        """The terms the rules test, as documents are to keep them."""
        found = self._vocabulary
        if found is None:
            with self._write:
                found = self._vocabulary
                if found is None:
                    keys, prefixes = self._tested
                    found = Vocabulary(self.normaliser.aliases, keys, prefixes)
                    self._vocabulary = found
        return found

    def document(self, item: MatchInput) -> Document:
        """The item normalised, its term sets holding only terms this index's rules test."""
        return Document(self.normaliser, item.title, item.summary, self.vocabulary())

    def candidates(self, doc: Document) -> set[Hashable]:
        """Rules whose anchor terms occur in the document (a superset of the matches)."""
        return {entry.rule_id for entry in self._complex(doc)} | self._simple.ids(doc)

    @staticmethod
    def _anchors(entry: Entry) -> Iterable[Anchor]:
        return entry.anchors if entry.simple is None else ()

    def _complex(self, doc: Document) -> set[Entry]:
        """Candidate rules other than the simple ones."""
        found: set[Entry] = set()
        terms = self._terms
        for term in doc.terms & self._term_keys:
            found.update(terms.get(term, ()))
        if self._prefixes:
            seen, hits = self._prefix_memo
            missing = doc.terms.difference(seen)
            if missing:
                if len(seen) + len(missing) > 400_000:
                    seen, hits = self._prefix_memo = (set(), {})
                prefixes = self._prefixes
                lengths = list(self._prefix_lengths)
                for term in missing:
                    ids = [r for n in lengths for r in prefixes.get(term[:n], ()) if len(term) >= n]
                    if ids:
                        hits[term] = tuple(ids)
                seen.update(missing)
            for term in doc.terms:  # not ``intersection(hits)``: that walks the whole dict
                if term in hits:
                    found.update(hits[term])
        return found

    def add_topic(self, topic: Topic) -> None:
        """Add (or replace) a curated topic's rules and exclusions."""
        self.remove_topic(topic.name)
        shared = Shared()  # equal sub-expressions of the topic's rules are evaluated once
        for kind, rules in (("rule", topic.rules), ("exclude", topic.exclusions)):
            for number, rule in enumerate(rules):
                self._add(TopicPart(topic.name, kind, number), rule.query, None, shared)
        self.topics[topic.name] = topic

    def remove_topic(self, name: str) -> bool:
        topic = self.topics.pop(name, None)
        if topic is None:
            return False
        for kind, rules in (("rule", topic.rules), ("exclude", topic.exclusions)):
            for number in range(len(rules)):
                self.remove(TopicPart(name, kind, number))
        return True

    def match(self, item: MatchInput) -> ItemMatches:
        """The rules and topics ``item`` matches, each with the terms that fired."""
        while True:
            vocabulary = self.vocabulary()
            found = self._match(Document(self.normaliser, item.title, item.summary, vocabulary))
            # A rule added meanwhile with a new key may have been tested on a document that
            # could not hold that key: match again with the vocabulary that admits it.
            if self._vocabulary is vocabulary:
                return found

    def _match(self, doc: Document) -> ItemMatches:
        rules = self._simple.matches(doc, self._entries)
        pending: dict[str, list[Entry]] = {}
        for entry in self._complex(doc):
            rule_id = entry.rule_id
            if isinstance(rule_id, TopicPart):
                pending.setdefault(rule_id.topic, []).append(entry)
            elif entry.test(doc):
                rules.append(entry.hit or RuleMatch(rule_id, entry.explain(doc)))
        topics: list[TopicMatch] = []
        for name, topic in self.topics.items():
            candidates = pending.get(name)
            if candidates is None:
                continue
            hits = _topic_hits(topic, candidates, doc)
            if hits is None:
                continue

            def explain(part: TopicPart, hits: dict[TopicPart, Entry] = hits) -> tuple[str, ...]:
                return fired(hits[part], doc)

            decided = decide(topic, hits, explain)
            if decided is not None:
                topics.append(decided)
        return ItemMatches(rules=tuple(rules), topics=tuple(topics))

    def match_many(self, items: Sequence[MatchInput]) -> list[ItemMatches]:
        return [self.match(item) for item in items]

    async def match_many_async(self, items: Sequence[MatchInput]) -> list[ItemMatches]:
        """``match_many`` in a worker thread, so the event loop keeps answering."""
        return await asyncio.to_thread(self.match_many, list(items))

    def add_many(self, rules: Iterable[tuple[Hashable, str]]) -> list[tuple[Hashable, str]]:
        """Add many rules; returns (id, error message) for those refused."""
        refused: list[tuple[Hashable, str]] = []
        for rule_id, text in rules:
            try:
                self.add(rule_id, text)
            except RuleSyntaxError as exc:
                refused.append((rule_id, exc.message("en")))
        return refused


# Slack for the order of float additions: a topic is given up early only when its positive
# weights fall short by more than this, so an early answer never differs from ``decide``'s.
_SLACK = 1e-9


def _topic_hits(
    topic: Topic, candidates: list[Entry], doc: Document
) -> dict[TopicPart, Entry] | None:
    """The topic's candidate parts that hold, or None when the topic cannot match.

    The rules with a positive weight are tested first: when those that hold (or could hold)
    cannot reach the threshold, the negative rules and the exclusions, which only take away,
    are never tested.
    """
    weights = topic.rules
    positive: list[tuple[float, TopicPart, Entry]] = []
    others: list[tuple[TopicPart, Entry]] = []
    for entry in candidates:
        part = cast(TopicPart, entry.rule_id)
        weight = weights[part.number].weight if part.kind == "rule" else 0.0
        if weight > 0:
            positive.append((weight, part, entry))
        else:
            others.append((part, entry))
    reach = topic.threshold - _SLACK
    if sum(weight for weight, _, _ in positive) < reach:
        return None
    hits: dict[TopicPart, Entry] = {}
    score = 0.0
    for weight, part, entry in positive:
        if entry.test(doc):
            hits[part] = entry
            score += weight
    if score < reach:
        return None
    for part, entry in others:
        if entry.test(doc):
            hits[part] = entry
    return hits
