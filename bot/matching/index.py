"""RuleIndex: every rule in one inverted index keyed by normalised term.

Matching an item costs in proportion to its text and to the rules its terms touch: the item's
term set is intersected with the index keys, and only the rules found there are evaluated.
Rules are added and removed at run time. Reads take no lock: index values are replaced, never
mutated, so a batch may be matched in a worker thread while the event loop adds rules.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from bot.matching._compile import Explain, Test, compile_explain, compile_rule
from bot.matching._eval import Anchor, anchors, optimise
from bot.matching.document import Document, Normaliser
from bot.matching.errors import RuleLimitError, RuleSyntaxError
from bot.matching.query import Node, Query, QueryLimits, default_normaliser, parse_query
from bot.matching.topics import Topic, TopicPart, decide
from bot.matching.types import ItemMatches, MatchInput, RuleMatch, TopicMatch


@dataclass(frozen=True, slots=True)
class _Entry:
    rule_id: Hashable
    query: Query
    root: Node
    anchors: frozenset[Anchor]
    owner: Hashable | None
    test: Test
    explain: Explain


def _fired(entry: _Entry, doc: Document) -> tuple[str, ...]:
    return entry.explain(doc)


def _entry(
    rule_id: Hashable, parsed: Query, found: frozenset[Anchor], owner: Hashable | None
) -> _Entry:
    root = optimise(parsed.root)
    return _Entry(rule_id, parsed, root, found, owner, compile_rule(root), compile_explain(root))


class RuleIndex:
    """An inverted index over parsed rules. Rule ids are any hashable values."""

    def __init__(
        self, limits: QueryLimits | None = None, normaliser: Normaliser | None = None
    ) -> None:
        self.limits = limits or QueryLimits()
        self.normaliser = normaliser or default_normaliser()
        self._entries: dict[Hashable, _Entry] = {}
        self._terms: dict[str, tuple[Hashable, ...]] = {}
        self._term_keys: set[str] = set()
        self._prefixes: dict[str, tuple[Hashable, ...]] = {}
        self._prefix_lengths: Counter[int] = Counter()
        # Terms already looked up among the prefixes, and those that hit (term -> rule ids);
        # replaced, never cleared, whenever a prefix anchor is added or removed.
        self._prefix_memo: tuple[set[str], dict[str, tuple[Hashable, ...]]] = (set(), {})
        self._owners: Counter[Hashable] = Counter()
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
            entry = _entry(rule_id, parsed, found, owner)
            self._entries[rule_id] = entry
            if owner is not None:
                self._owners[owner] += 1
            for kind, value in found:
                table = self._terms if kind == "t" else self._prefixes
                table[value] = (*table.get(value, ()), rule_id)
                if kind == "t":
                    self._term_keys.add(value)
                else:
                    self._prefix_lengths[len(value)] += 1
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

    def _unlink(self, entry: _Entry) -> None:
        if entry.owner is not None:
            self._owners[entry.owner] -= 1
            if self._owners[entry.owner] <= 0:
                del self._owners[entry.owner]
        for kind, value in entry.anchors:
            table = self._terms if kind == "t" else self._prefixes
            rest = tuple(r for r in table.get(value, ()) if r != entry.rule_id)
            if rest:
                table[value] = rest
            else:
                table.pop(value, None)
                if kind == "t":
                    self._term_keys.discard(value)
            if kind == "p":
                self._prefix_lengths[len(value)] -= 1
                if self._prefix_lengths[len(value)] <= 0:
                    del self._prefix_lengths[len(value)]
        self._prefix_memo = (set(), {})

    def rules_of(self, owner: Hashable) -> int:
        """How many rules ``owner`` has in the index."""
        return self._owners.get(owner, 0)

    def document(self, item: MatchInput) -> Document:
        return Document(self.normaliser, item.title, item.summary)

    def candidates(self, doc: Document) -> set[Hashable]:
        """Rules whose anchor terms occur in the document (a superset of the matches)."""
        found: set[Hashable] = set()
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
            for term in doc.terms.intersection(hits):
                found.update(hits[term])
        return found

    def matching(self, doc: Document) -> list[_Entry]:
        """Every rule that matches the document."""
        entries = self._entries
        found: list[_Entry] = []
        for rule_id in self.candidates(doc):
            entry = entries.get(rule_id)
            if entry is not None and entry.test(doc):
                found.append(entry)
        return found

    def add_topic(self, topic: Topic) -> None:
        """Add (or replace) a curated topic's rules and exclusions."""
        self.remove_topic(topic.name)
        for kind, rules in (("rule", topic.rules), ("exclude", topic.exclusions)):
            for number, rule in enumerate(rules):
                self.add(TopicPart(topic.name, kind, number), rule.query)
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
        doc = self.document(item)
        rules: list[RuleMatch] = []
        parts: dict[str, dict[TopicPart, _Entry]] = {}
        for entry in self.matching(doc):
            if isinstance(entry.rule_id, TopicPart):
                parts.setdefault(entry.rule_id.topic, {})[entry.rule_id] = entry
            else:
                rules.append(RuleMatch(entry.rule_id, _fired(entry, doc)))
        topics: list[TopicMatch] = []
        for name, topic in self.topics.items():
            if name not in parts:
                continue
            hits = parts[name]

            def explain(part: TopicPart, hits: dict[TopicPart, _Entry] = hits) -> tuple[str, ...]:
                return _fired(hits[part], doc)

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
