"""The terms an index can test: a document keeps only these in its term sets.

A rule asks of a document only whether some of its keys occur (or a term with one of its
prefixes), so the hundreds of other terms of an item (its common words and their lemmas) cost
set work on every item and never change an answer. A ``Vocabulary`` holds every key and prefix
of an index's rules, in positive and negative branches alike, and caches per whitespace chunk
of text the admitted terms, which are few: most chunks admit none.

A vocabulary is immutable but for its chunk cache: an index that meets a new key makes a new
one when it next makes a document, whose cache fills again from the normaliser's token cache.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.matching.aliases import AliasTable

Phrases = Mapping[str, tuple[tuple[tuple[frozenset[str], ...], str], ...]]
_NOTHING: frozenset[str] = frozenset()
NOTHING = _NOTHING  # the shared empty term set


class Vocabulary:
    """Keys and prefixes an index tests, and the alias phrases its rules refer to."""

    def __init__(
        self,
        aliases: AliasTable,
        keys: Iterable[str] = (),
        prefixes: Iterable[str] = (),
    ) -> None:
        wanted = frozenset(keys)
        # Masks that hide a term some rule tests (a currency hides the country it names).
        self.masks = {
            group: hidden & wanted for group, hidden in aliases.masks.items() if hidden & wanted
        }
        # Multi-word alias variants are found as phrases only when a rule asks for their group
        # (or the group masks a term a rule asks for), and then each of their words must be
        # admitted for the phrase to be seen.
        phrases: dict[str, list[tuple[tuple[frozenset[str], ...], str]]] = {}
        words: set[str] = set()
        for first, variants in aliases.phrases.items():
            for seq, canonical in variants:
                if canonical in wanted or canonical in self.masks:
                    phrases.setdefault(first, []).append((seq, canonical))
                    words.update(*seq)
        self.phrases: Phrases = {first: tuple(v) for first, v in phrases.items()}
        self.phrase_firsts = frozenset(self.phrases)
        self._admitted = wanted | words
        self.prefixes = frozenset(prefixes)
        self._lengths = sorted({len(p) for p in self.prefixes})
        self.tokens: dict[str, frozenset[str]] = {}  # admitted terms, by raw token
        self.chunks: dict[str, frozenset[str]] = {}
        self.chunk_tokens: dict[str, tuple[frozenset[str], ...]] = {}  # terms of each token

    def admitted(self, terms: frozenset[str]) -> frozenset[str]:
        """Those of ``terms`` a rule can test: keys, alias phrase words, prefixed terms."""
        found = terms & self._admitted
        if self._lengths:
            prefixes, lengths = self.prefixes, self._lengths
            extra = [t for t in terms for n in lengths if t[:n] in prefixes]
            if extra:
                return found.union(extra)
        # Most chunks admit nothing; one shared empty set keeps the caches small (an empty
        # frozenset is a new 216-byte object each time).
        return found or _NOTHING
