"""Postings of simple rules (a plain word or an OR of plain words, no alias reference).

Such a rule is decided and explained by the document's term set alone, so its postings hold
ready matches: under each key, the rule's match when that key is the only one of its keys the
document holds. A rule found under several keys is explained again from the term set. Values
are replaced, never mutated, so matching may read while rules are added.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from itertools import chain, repeat
from operator import attrgetter

from bot.matching._entry import Entry, shown_of
from bot.matching.document import Document
from bot.matching.types import RuleMatch

_RULE_ID = attrgetter("rule_id")
_NONE = repeat(())


class SimplePostings:
    """Ready matches of simple rules by key, for the whole item and for the title."""

    def __init__(self) -> None:
        self._body: dict[str, tuple[RuleMatch, ...]] = {}
        self._body_keys: set[str] = set()
        self._title: dict[str, tuple[RuleMatch, ...]] = {}
        self._title_keys: set[str] = set()

    def _table(self, entry: Entry) -> tuple[dict[str, tuple[RuleMatch, ...]], set[str]]:
        return (self._title, self._title_keys) if entry.title else (self._body, self._body_keys)

    @staticmethod
    def _per_key(entry: Entry) -> Iterator[tuple[str, RuleMatch]]:
        for key, text in dict(entry.simple or ()).items():
            if entry.hit is not None:
                yield key, entry.hit
            else:
                yield key, (entry.by_key or {}).get(key) or RuleMatch(entry.rule_id, (text,))

    def add(self, entry: Entry) -> None:
        table, keys = self._table(entry)
        for key, match in self._per_key(entry):
            table[key] = (*table.get(key, ()), match)
            keys.add(key)

    def remove(self, entry: Entry) -> None:
        table, keys = self._table(entry)
        for key, _ in self._per_key(entry):
            rest = tuple(m for m in table.get(key, ()) if m.rule_id != entry.rule_id)
            if rest:
                table[key] = rest
            else:
                keys.discard(key)
                table.pop(key, None)

    def ids(self, doc: Document) -> set[Hashable]:
        """Rules posted under the document's terms."""
        return {m.rule_id for m in self._found(doc)}

    def _found(self, doc: Document) -> list[RuleMatch]:
        # Keys are read before their postings, and a key's postings outlive it, so a key
        # removed meanwhile finds its last postings (or none: .get, never [key]).
        body = self._body
        found = list(chain.from_iterable(map(body.get, doc.terms & self._body_keys, _NONE)))
        if self._title_keys:
            title = self._title
            found += chain.from_iterable(map(title.get, doc.title_terms & self._title_keys, _NONE))
        return found

    def matches(self, doc: Document, entries: dict[Hashable, Entry]) -> list[RuleMatch]:
        """Every simple rule that matches the document, explained."""
        found = self._found(doc)
        if len(found) < 2 or len(set(map(_RULE_ID, found))) == len(found):
            return found
        seen: dict[Hashable, RuleMatch | None] = {}
        for match in found:  # a rule found under two of its keys
            if match.rule_id in seen:
                seen[match.rule_id] = None
            else:
                seen[match.rule_id] = match
        out: list[RuleMatch] = []
        for rule_id, once in seen.items():
            if once is not None:
                out.append(once)
                continue
            entry = entries.get(rule_id)
            if entry is None or entry.simple is None:
                continue
            if entry.hit is not None:
                out.append(entry.hit)
            else:
                terms = doc.title_terms if entry.title else doc.terms
                out.append(RuleMatch(rule_id, shown_of(entry.simple, terms)))
        return out
