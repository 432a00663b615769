"""Normalised documents: the cached per-token path from text to terms and positions."""

from __future__ import annotations

from collections.abc import Iterable

from bot.matching.aliases import AliasTable, load_aliases
from bot.matching.normalise import analyse, prepare, raw_tokens

FIELD_GAP = 64  # positions between title and summary, so phrases and NEAR never span them


class Normaliser:
    """Turns raw tokens into terms, with a cache keyed by raw token (the hot path).

    Document terms of a token are its folded surface, its lemmas, the lemmas of the parts of
    a hyphenated word, and the canonical terms of aliases any of those belong to.
    """

    def __init__(self, aliases: AliasTable | None = None, cache_limit: int = 400_000) -> None:
        self.aliases = aliases if aliases is not None else load_aliases()
        self._cache: dict[str, frozenset[str]] = {}
        self._query_cache: dict[str, tuple[str, frozenset[str]]] = {}
        self._limit = cache_limit
        self.alias_first_keys = frozenset(self.aliases.phrases)
        self.alias_groups = frozenset(self.aliases.words.values()) | frozenset(
            canonical for seqs in self.aliases.phrases.values() for _, canonical in seqs
        )

    def terms(self, raw: str) -> frozenset[str]:
        """Document terms of one raw token (cached)."""
        found = self._cache.get(raw)
        if found is None:
            found = self._compute(raw)
            if len(self._cache) >= self._limit:
                self._cache.clear()
            self._cache[raw] = found
        return found

    def _compute(self, raw: str) -> frozenset[str]:
        forms = analyse(raw)
        base = forms.lemmas | forms.parts | {forms.surface}
        words = self.aliases.words
        extra = {words[k] for k in base if k in words}
        return frozenset(base | extra)

    def query_keys(self, raw: str) -> tuple[str, frozenset[str]]:
        """(surface, keys) a query word is looked up by; an alias variant gives its group."""
        found = self._query_cache.get(raw)
        if found is None:
            found = self._query_keys(raw)
            if len(self._query_cache) >= self._limit:
                self._query_cache.clear()
            self._query_cache[raw] = found
        return found

    def _query_keys(self, raw: str) -> tuple[str, frozenset[str]]:
        forms = analyse(raw)
        words = self.aliases.words
        canon = {words[k] for k in forms.lemmas | {forms.surface} if k in words}
        if canon:
            return forms.surface, frozenset(canon)
        if forms.surface in forms.lemmas:
            return forms.surface, frozenset((forms.surface,))
        return forms.surface, forms.lemmas

    def all_terms(self, tokens: Iterable[str]) -> set[str]:
        """Union of the terms of many raw tokens (C-level loops; misses filled first)."""
        distinct = set(tokens)
        missing = distinct.difference(self._cache)
        if missing:
            for raw in missing:
                self.terms(raw)
            cache = self._cache
            return set().union(*[cache.get(raw, frozenset()) for raw in distinct])
        return set().union(*map(self._cache.__getitem__, distinct))


class Document:
    """One item's title and summary, normalised lazily: term set first, positions on demand."""

    __slots__ = ("_norm", "_positions", "_title_terms", "summary", "terms", "title")

    def __init__(self, norm: Normaliser, title: str, summary: str) -> None:
        self._norm = norm
        self.title = raw_tokens(prepare(title))
        self.summary = raw_tokens(prepare(summary))
        self.terms = norm.all_terms(self.title + self.summary)
        self._title_terms: set[str] | None = None
        self._positions: dict[str, list[int]] | None = None
        if not self.terms.isdisjoint(norm.alias_first_keys):
            self._add_alias_phrases()

    @property
    def title_terms(self) -> set[str]:
        if self._title_terms is None:
            self._title_terms = self._norm.all_terms(self.title)
            if self._positions is not None:  # alias phrases found in the title
                limit = len(self.title)
                for term, pos in self._positions.items():
                    if pos[0] < limit:
                        self._title_terms.add(term)
        return self._title_terms

    @property
    def title_length(self) -> int:
        return len(self.title)

    def find_raw(self, keys: frozenset[str]) -> str | None:
        """The first token, as written, whose terms include one of ``keys``."""
        terms = self._norm.terms
        for raw in self.title + self.summary:
            if not keys.isdisjoint(terms(raw)):
                return raw
        return None

    def positions(self, term: str) -> list[int]:
        """Sorted positions of ``term``; title first, then summary after a gap."""
        if self._positions is None:
            self._positions = self._build_positions()
        return self._positions.get(term, [])

    def _build_positions(self) -> dict[str, list[int]]:
        index: dict[str, list[int]] = {}
        terms = self._norm.terms
        start = len(self.title) + FIELD_GAP
        for offset, tokens in ((0, self.title), (start, self.summary)):
            for i, raw in enumerate(tokens, offset):
                for term in terms(raw):
                    index.setdefault(term, []).append(i)
        return index

    def _add_alias_phrases(self) -> None:
        self._positions = self._build_positions()
        for first in self.terms & self._norm.alias_first_keys:
            for seq, canonical in self._norm.aliases.phrases[first]:
                for p in self._positions[first]:
                    if all(
                        any(p + i in self._positions.get(k, ()) for k in keys)
                        for i, keys in enumerate(seq[1:], 1)
                    ):
                        self.terms.add(canonical)
                        self._positions.setdefault(canonical, []).append(p)
        for pos in self._positions.values():
            pos.sort()
