"""Normalised documents: the cached per-token path from text to terms and positions."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from itertools import accumulate, chain, compress, count

from bot.matching.aliases import AliasTable, load_aliases, query_keys_of
from bot.matching.normalise import (
    _WORD_RE,
    TOKEN_RE,
    analyse,
    prepare,
    raw_tokens,
    segments,
    special,
)
from bot.matching.vocabulary import NOTHING, Phrases, Vocabulary

FIELD_GAP = 64  # positions between title and summary, so phrases and NEAR never span them


def _tokenise(chunk: str) -> list[str]:
    """Raw tokens of a whitespace chunk, or of a special segment (marked by a leading space)."""
    if chunk[0] == " ":
        return TOKEN_RE.findall(chunk, 1)
    return _WORD_RE.findall(chunk)


def split_chunks(text: str) -> list[str]:
    """A prepared text's whitespace chunks; ``segments`` if it may hold special tokens."""
    return segments(text) if special(text) else text.split()


def _raw_of(chunks: list[str]) -> list[str]:
    """The raw tokens of ``chunks``, in order (``raw_tokens`` of the text they came from)."""
    return [raw for chunk in chunks for raw in _tokenise(chunk)]


class Normaliser:
    """Turns raw tokens into terms, with a cache keyed by raw token (the hot path).

    Document terms of a token are its folded surface, its lemmas, the lemmas of the parts of
    a hyphenated word, and the canonical terms of aliases any of those belong to.
    """

    def __init__(self, aliases: AliasTable | None = None, cache_limit: int = 400_000) -> None:
        self.aliases = aliases if aliases is not None else load_aliases()
        self._cache: dict[str, frozenset[str]] = {}
        self._query_cache: dict[str, tuple[str, frozenset[str]]] = {}
        self._chunks: dict[str, frozenset[str]] = {}
        self._chunk_tokens: dict[str, tuple[frozenset[str], ...]] = {}
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
        return forms.surface, query_keys_of(forms)

    def field_terms(
        self, title: str, summary: str, vocabulary: Vocabulary | None = None
    ) -> tuple[set[str], set[str]]:
        """(terms of the title, terms of title and summary) of prepared texts."""
        return self.chunk_terms(split_chunks(title), split_chunks(summary), vocabulary)

    def chunk_terms(
        self, first: list[str], rest: list[str], vocabulary: Vocabulary | None = None
    ) -> tuple[set[str], set[str]]:
        """(terms of the chunks ``first``, terms of all the chunks), from cached chunks.

        With a ``vocabulary``, only the terms it admits, from its own chunk cache.
        """
        cache = self._chunks if vocabulary is None else vocabulary.chunks
        get = cache.__getitem__
        try:  # the common case: every chunk seen before
            head = set().union(*map(get, first))
            return head, head.union(*map(get, rest))
        except KeyError:
            pass
        missing = set(first).union(rest).difference(cache)
        by_token = self.chunk_tokens_cache(vocabulary)
        if len(cache) + len(missing) > self._limit:
            cache.clear()
        if len(by_token) + len(missing) > self._limit:
            by_token.clear()
        terms = self.terms if vocabulary is None else self._admitted_by(vocabulary)
        for chunk in missing:
            # The terms of each token too: positions, asked for most items that hold a
            # rule's term, then cost no second pass over the chunk.
            tokens = by_token.get(chunk)
            if tokens is None:
                tokens = by_token[chunk] = tuple(map(terms, _tokenise(chunk)))
            cache[chunk] = frozenset().union(*tokens) or NOTHING
        try:
            head = set().union(*map(get, first))
            return head, head.union(*map(get, rest))
        except KeyError:  # the cache was cleared meanwhile by another thread
            head = self.all_terms(_raw_of(first))
            body = head | self.all_terms(_raw_of(rest))
            if vocabulary is None:
                return head, body
            admit = vocabulary.admitted
            return set(admit(frozenset(head))), set(admit(frozenset(body)))

    def _admitted_by(self, vocabulary: Vocabulary) -> Callable[[str], frozenset[str]]:
        """Terms of a raw token that ``vocabulary`` admits, cached by raw token there: a new
        chunk is mostly words seen before in other chunks."""
        cache = vocabulary.tokens
        if len(cache) >= self._limit:
            cache.clear()
        terms, admitted = self.terms, vocabulary.admitted

        def admitted_terms(raw: str) -> frozenset[str]:
            found = cache.get(raw)
            if found is None:
                found = cache[raw] = admitted(terms(raw))
            return found

        return admitted_terms

    def chunk_tokens_cache(
        self, vocabulary: Vocabulary | None
    ) -> dict[str, tuple[frozenset[str], ...]]:
        """The cache ``chunk_token_terms`` fills: terms of each token, by chunk."""
        return self._chunk_tokens if vocabulary is None else vocabulary.chunk_tokens

    def token_terms(self, text: str, vocabulary: Vocabulary | None = None) -> list[frozenset[str]]:
        """Terms of each raw token of a prepared text, in order."""
        return self.chunk_token_terms(split_chunks(text), vocabulary)

    def chunk_token_terms(
        self, chunks: list[str], vocabulary: Vocabulary | None = None
    ) -> list[frozenset[str]]:
        """Terms of each raw token of ``chunks``, in order (cached per chunk).

        With a ``vocabulary``, only the terms it admits, from its own cache.
        """
        cache = self.chunk_tokens_cache(vocabulary)
        try:  # the common case: every chunk seen before (``chunk_terms`` fills this cache)
            return list(chain.from_iterable(map(cache.__getitem__, chunks)))
        except KeyError:
            pass
        missing = set(chunks).difference(cache)
        if missing:
            if len(cache) + len(missing) > self._limit:
                cache.clear()
            terms = self.terms if vocabulary is None else self._admitted_by(vocabulary)
            for chunk in missing:
                cache[chunk] = tuple(map(terms, _tokenise(chunk)))
        try:
            return list(chain.from_iterable(map(cache.__getitem__, chunks)))
        except KeyError:  # the cache was cleared meanwhile by another thread
            tokens = tuple(map(self.terms, _raw_of(chunks)))
            return list(tokens if vocabulary is None else map(vocabulary.admitted, tokens))

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
    """One item's title and summary, normalised lazily: term sets first, tokens and positions
    of a term only when a phrase, NEAR, title: or explanation asks.

    With a ``vocabulary``, term sets, tokens and positions hold only the terms it admits
    (those its index can test).
    """

    __slots__ = (
        "_ends",
        "_found",
        "_norm",
        "_positions",
        "_spans",
        "_summary",
        "_summary_chunks",
        "_summary_text",
        "_title",
        "_title_chunks",
        "_title_length",
        "_title_text",
        "_token_terms",
        "_vocabulary",
        "memo",
        "terms",
        "title_terms",
    )

    def __init__(
        self, norm: Normaliser, title: str, summary: str, vocabulary: Vocabulary | None = None
    ) -> None:
        self._norm = norm
        self._title_text = prepare(title)
        self._summary_text = prepare(summary)
        self._title: list[str] | None = None
        self._title_length: int | None = None
        self._summary: list[str] | None = None
        self._token_terms: list[frozenset[str]] | None = None
        self._vocabulary = vocabulary
        self._positions: dict[str, list[int]] | None = None
        self._spans: dict[str, dict[int, int]] = {}  # alias phrases: start -> length, by term
        self._found: dict[frozenset[str], str | None] = {}
        self._ends: dict[bool, list[int]] = {}  # title?: where each chunk's tokens end
        # Answers of compiled tests that scan positions or terms: by id of the node asked (with
        # the node, to tell a reused id), or by (prefix, title) with None.
        self.memo: dict[Hashable, tuple[object, bool]] = {}
        self._title_chunks = split_chunks(self._title_text)
        self._summary_chunks = split_chunks(self._summary_text)
        self.title_terms, self.terms = norm.chunk_terms(
            self._title_chunks, self._summary_chunks, vocabulary
        )
        if vocabulary is None:
            aliases = norm.aliases
            phrases, firsts, masks = aliases.phrases, norm.alias_first_keys, aliases.masks
        else:  # only the alias phrases the index's rules refer to
            phrases, firsts, masks = vocabulary.phrases, vocabulary.phrase_firsts, vocabulary.masks
        if not self.terms.isdisjoint(firsts):
            self._add_alias_phrases(phrases, firsts, masks)

    @property
    def title(self) -> list[str]:
        """Raw tokens of the title, in order."""
        if self._title is None:
            self._title = raw_tokens(self._title_text)
        return self._title

    @property
    def summary(self) -> list[str]:
        """Raw tokens of the summary, in order."""
        if self._summary is None:
            self._summary = raw_tokens(self._summary_text)
        return self._summary

    @property
    def title_length(self) -> int:
        if self._title_length is None:
            self._title_length = len(self.title)
        return self._title_length

    def find_raw(self, keys: frozenset[str]) -> str | None:
        """The first occurrence, as written, of one of ``keys`` (memoised): a token, or the
        words of an alias phrase ("United States" for ``~usa``)."""
        found = self._found.get(keys, "")
        if found != "":  # a raw token is never empty
            return found
        found = None
        firsts = [
            (p[0], key) for key in keys.intersection(self.terms) if (p := self.positions(key))
        ]
        if firsts:
            start, key = min(firsts)
            length = self._spans[key].get(start, 1) if key in self._spans else 1
            found = self._raw(start, length)
        self._found[keys] = found
        return found

    def _raw(self, start: int, length: int) -> str:
        """The raw tokens from ``start`` on, joined by spaces, tokenising only the chunks
        that hold them."""
        title_length = self.title_length
        if start < title_length:
            chunks, at = self._title_chunks, start
        else:
            chunks, at = self._summary_chunks, start - title_length - FIELD_GAP
        ends = self._ends.get(chunks is self._title_chunks)
        if ends is None:
            cache = self._norm.chunk_tokens_cache(self._vocabulary)
            try:
                ends = list(accumulate(map(len, map(cache.__getitem__, chunks))))
            except KeyError:  # the cache was cleared meanwhile by another thread
                raw = self.title if start < title_length else self.summary
                return " ".join(raw[at : at + length])
            self._ends[chunks is self._title_chunks] = ends
        i = bisect_right(ends, at)
        offset = at - (ends[i - 1] if i else 0)
        tokens = _tokenise(chunks[i])
        if offset + length <= len(tokens):  # the common case: all in one chunk
            return " ".join(tokens[offset : offset + length])
        words = tokens[offset:]
        while len(words) < length:
            i += 1
            words += _tokenise(chunks[i])
        return " ".join(words[:length])

    def positions(self, term: str) -> list[int]:
        """Sorted positions of ``term``; title first, then summary after a gap."""
        found = self._positions
        if found is None:
            found = self._positions = self._index()
        return found.get(term, [])

    def _index(self) -> dict[str, list[int]]:
        """Positions of every term, in one pass over the tokens that hold any."""
        tokens = self._tokens()
        index: defaultdict[str, list[int]] = defaultdict(list)  # no new list per setdefault
        for i in compress(count(), tokens):
            for term in tokens[i]:
                index[term].append(i)
        return index

    def _tokens(self) -> list[frozenset[str]]:
        """Terms of each token: the title's, ``FIELD_GAP`` empty sets, the summary's."""
        token_terms = self._token_terms
        if token_terms is None:
            norm, vocabulary = self._norm, self._vocabulary
            token_terms = norm.chunk_token_terms(self._title_chunks, vocabulary)
            self._title_length = len(token_terms)
            token_terms += [frozenset()] * FIELD_GAP
            token_terms += norm.chunk_token_terms(self._summary_chunks, vocabulary)
            self._token_terms = token_terms
        return token_terms

    def _add_alias_phrases(
        self, variants: Phrases, firsts: frozenset[str], masks: Mapping[str, frozenset[str]]
    ) -> None:
        phrases: dict[str, list[tuple[int, int]]] = {}  # canonical -> (start, length)
        terms = self.terms
        for first in terms & firsts:
            for seq, canonical in variants[first]:
                for keys in seq[1:]:  # a plain loop: cheaper than any() over a generator
                    if keys.isdisjoint(terms):
                        break
                else:
                    tokens = self._tokens()
                    end = len(tokens) - len(seq)
                    for p in self.positions(first):
                        if p <= end and all(
                            not keys.isdisjoint(tokens[p + i]) for i, keys in enumerate(seq[1:], 1)
                        ):
                            phrases.setdefault(canonical, []).append((p, len(seq)))
        if not phrases:
            return
        limit = self.title_length
        for canonical, found in phrases.items():
            self.terms.add(canonical)
            if min(found)[0] < limit:
                self.title_terms.add(canonical)
            spans = self._spans.setdefault(canonical, {})
            for p, length in found:
                spans[p] = max(length, spans.get(p, 0))
            index = self._positions
            assert index is not None  # built by the positions() calls above
            index[canonical] = sorted({*index.get(canonical, ()), *spans})
        for group in phrases.keys() & masks.keys():
            self._hide(masks[group], self._spans[group])

    def _hide(self, terms: frozenset[str], spans: dict[int, int]) -> None:
        """Drop the occurrences of ``terms`` inside ``spans`` (start -> length), and each term
        left with none, from the title's terms or the document's."""
        covered = {p + i for p, length in spans.items() for i in range(length)}
        index = self._positions
        assert index is not None
        for term in terms & self.terms:
            kept = [p for p in index.get(term, ()) if p not in covered]
            index[term] = kept
            if term in self._spans:
                self._spans[term] = {p: n for p, n in self._spans[term].items() if p in kept}
            if not kept:
                self.terms.discard(term)
            if not kept or kept[0] >= self.title_length:
                self.title_terms.discard(term)
