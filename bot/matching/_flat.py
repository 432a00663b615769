"""Curated topics compiled flat: each rule a few set tests on one view of the document.

A topic's rules repeat the same large definitions (``@us``, ``@ca``), ORs of words and phrases.
Here every distinct phrase of the topics is found once per document, up front, and becomes a
term of its own (a key no token can produce), so an OR of words and phrases is one set of keys
and one ``isdisjoint``; a NEAR compares the positions of two such sets. Answers are those of
``evaluate``/``near_spans``/``fired`` in ``_eval`` on the same document (the reference test
and the property tests check it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import repeat

from bot.matching._eval import Span, anchors
from bot.matching.document import Document
from bot.matching.query import And, Near, Node, Not, Or, Phrase, Prefix, Word, Words

Seq = tuple[frozenset[str], ...]
_PHRASE_MARK = "\x00"  # phrase keys start with it; no token's term can


class View:
    """One document as the compiled topics see it: its term sets with the phrases found
    in it as extra keys, where those phrases start, and per-document answers."""

    __slots__ = ("_shown", "doc", "extent", "memo", "starts", "terms", "title_terms")

    def __init__(self, doc: Document, phrases: Phrases) -> None:
        self.doc = doc
        self.memo: dict[object, bool] = {}
        self._shown: dict[frozenset[str], str] = {}
        self.terms, self.title_terms = doc.terms, doc.title_terms
        self.starts: dict[str, list[int]] = {}
        self.extent = phrases.extent
        if not phrases.words.isdisjoint(doc.terms):  # most items hold no phrase word
            phrases.find(self)

    def shown(self, keys: frozenset[str], text: str) -> str:
        """How an alias reference (``~usa``) is shown: the words found ("United States"),
        as ``_shown`` gives them; rules of one topic ask for the same ones."""
        found = self._shown.get(keys)
        if found is None:
            raw = self.doc.find_raw(keys)
            found = self._shown[keys] = text if raw is None else raw
        return found

    def positions(self, key: str) -> list[int]:
        found = self.starts.get(key)
        return found if found is not None else self.doc.positions(key)


class Phrases:
    """Every distinct phrase of the compiled topics, each with a key of its own."""

    def __init__(self) -> None:
        self.keys: dict[Seq, str] = {}
        self.extent: dict[str, int] = {}  # phrase key -> its length - 1
        self.words: frozenset[str] = frozenset()  # every key of every phrase
        # Phrases by the keys of their rarest-looking word (as ``anchors`` chooses it).
        self._by_anchor: dict[str, list[tuple[str, Seq]]] = {}
        self._anchors: frozenset[str] = frozenset()

    def key(self, seq: Seq) -> str:
        found = self.keys.get(seq)
        if found is None:
            found = self.keys[seq] = f"{_PHRASE_MARK}{len(self.keys)}"
            self.extent[found] = len(seq) - 1
            self.words = self.words.union(*seq)
            best = max(seq, key=lambda keys: (min(len(k) for k in keys), -len(keys)))
            for k in best:
                self._by_anchor.setdefault(k, []).append((found, seq))
            self._anchors = frozenset(self._by_anchor)
        return found

    def _possible_in(self, terms: set[str]) -> dict[str, Seq]:
        """The phrases each of whose words has a form among ``terms``."""
        candidates: dict[str, Seq] = {}
        by_anchor = self._by_anchor
        for anchor in self._anchors.intersection(terms):
            for key, seq in by_anchor[anchor]:
                candidates[key] = seq
        possible: dict[str, Seq] = {}
        for key, seq in candidates.items():
            for words in seq:
                if words.isdisjoint(terms):
                    break
            else:
                possible[key] = seq
        return possible

    def find(self, view: View) -> None:
        """Add to ``view`` the phrases that occur, with their starts (``spans`` of a phrase)."""
        doc, terms = view.doc, view.terms
        found: list[tuple[str, list[int]]] = []
        places: dict[frozenset[str], set[int]] = {}  # positions of a phrase word, by its keys
        for key, seq in self._possible_in(terms).items():
            sets = []
            for keys in seq:
                where = places.get(keys)
                if where is None:
                    where = places[keys] = _positions(keys, doc)
                sets.append(where)
            first, n = sets[0], len(sets)
            if n == 2:  # most phrases: two words
                second = sets[1]
                starts = [p for p in first if p + 1 in second]
            else:
                starts = [p for p in first if all(p + i in sets[i] for i in range(1, n))]
            if starts:
                starts.sort()
                found.append((key, starts))
        if not found:
            return
        limit = doc.title_length
        view.terms = terms = set(terms)
        view.title_terms = title_terms = set(view.title_terms)
        for key, starts in found:
            view.starts[key] = starts
            terms.add(key)
            if starts[0] < limit:
                title_terms.add(key)


def _positions(keys: frozenset[str], doc: Document) -> set[int]:
    found: set[int] = set()
    for key in keys.intersection(doc.terms):  # a phrase word's other forms are mostly absent
        found.update(doc.positions(key))
    return found


Test = Callable[[View], bool]
SpanOf = Callable[[View], list[Span]]


class Compiler:
    """Rules to tests on a ``View``; equal NEARs and prefixes share one memoised answer."""

    def __init__(self, phrases: Phrases) -> None:
        self.phrases = phrases
        self._memo_ids: dict[Node, int] = {}

    def keys_of(self, node: Word | Words | Phrase) -> frozenset[str]:
        if isinstance(node, Phrase):
            return frozenset((self.phrases.key(node.seq),))
        return node.keys

    def test(self, node: Node) -> Test:
        if isinstance(node, Word | Words | Phrase):
            return _has(self.keys_of(node), node.title)
        if isinstance(node, Prefix):
            return _prefix(node.prefix, node.title)
        if isinstance(node, Not):
            child = self.test(node.child)
            return lambda view: not child(view)
        if isinstance(node, Near):
            return self._near(node)
        return self._and(node.children) if isinstance(node, And) else self._or(node.children)

    def _and(self, children: tuple[Node, ...]) -> Test:
        """Word and phrase tests (and negated ones) in one loop, the rest after."""
        need: list[tuple[frozenset[str], bool]] = []
        refuse: list[tuple[frozenset[str], bool]] = []
        rest: list[Test] = []
        for child in children:
            inner = child.child if isinstance(child, Not) else child
            if isinstance(inner, Word | Words | Phrase):
                (refuse if inner is not child else need).append((self.keys_of(inner), inner.title))
            else:
                rest.append(self.test(child))
        wanted = tuple(keys for keys, title in need if not title)
        wanted_title = tuple(keys for keys, title in need if title)
        unwanted = frozenset().union(*(keys for keys, title in refuse if not title))
        unwanted_title = frozenset().union(*(keys for keys, title in refuse if title))
        others = tuple(rest)

        def test(view: View) -> bool:
            terms = view.terms
            for keys in wanted:
                if keys.isdisjoint(terms):
                    return False
            if wanted_title or unwanted_title:
                title_terms = view.title_terms
                for keys in wanted_title:
                    if keys.isdisjoint(title_terms):
                        return False
                if not unwanted_title.isdisjoint(title_terms):
                    return False
            if not unwanted.isdisjoint(terms):
                return False
            for other in others:  # noqa: SIM110 - a plain loop; all() over a generator is slower
                if not other(view):
                    return False
            return True

        return test

    def _or(self, children: tuple[Node, ...]) -> Test:
        """The words and phrases of an OR merged into one key set per field."""
        keys: dict[bool, set[str]] = {False: set(), True: set()}
        rest: list[Test] = []
        for child in children:
            if isinstance(child, Word | Words | Phrase):
                keys[child.title] |= self.keys_of(child)
            else:
                rest.append(self.test(child))
        body, title = frozenset(keys[False]), frozenset(keys[True])
        others = tuple(rest)

        def test(view: View) -> bool:
            if not body.isdisjoint(view.terms):
                return True
            if title and not title.isdisjoint(view.title_terms):
                return True
            for other in others:  # noqa: SIM110 - a plain loop; any() over a generator is slower
                if other(view):
                    return True
            return False

        return test

    def memo_id(self, node: Node) -> int:
        return self._memo_ids.setdefault(node, len(self._memo_ids))

    def _near(self, node: Near) -> Test:
        """Holds when its spans are not empty (then both sides hold: every span comes from
        an atom that holds), memoised per document: rules and explanations ask again."""
        key = self.memo_id(node)
        near = self.near_spans(node, first=True)

        def test(view: View) -> bool:
            memo = view.memo
            found = memo.get(key)
            if found is None:
                found = memo[key] = bool(near(view))
            return found

        return test

    def near_spans(self, node: Node, first: bool = False) -> SpanOf:
        """``near_spans`` compiled; with ``first``, only whether there is one span."""
        if not isinstance(node, Near):
            return self.spans(node)
        left, right, d = self.near_spans(node.left), self.near_spans(node.right), node.distance

        def near(view: View) -> list[Span]:
            found = left(view)
            if not found:
                return []
            other = right(view)
            if first:
                for a in found:
                    for b in other:
                        if a != b and (b[0] - a[1] if a[1] < b[0] else a[0] - b[1]) <= d:
                            return [(min(a[0], b[0]), max(a[1], b[1]))]
                return []
            return [
                (min(a[0], b[0]), max(a[1], b[1]))
                for a in found
                for b in other
                if a != b and (b[0] - a[1] if a[1] < b[0] else a[0] - b[1]) <= d
            ]

        return near

    def spans(self, node: Node) -> SpanOf:
        """``spans``: an OR's words and phrases merged per field; an AND, NOT or NEAR inside
        an OR has none."""
        if isinstance(node, Prefix):
            return _prefix_spans(node.prefix, node.title)
        children: tuple[Node, ...]
        if isinstance(node, Word | Words | Phrase):
            children = (node,)
        elif isinstance(node, Or):
            children = node.children
        else:
            return lambda view: []
        keys: dict[bool, set[str]] = {False: set(), True: set()}
        prefixes: list[SpanOf] = []
        for child in children:
            if isinstance(child, Word | Words | Phrase):
                keys[child.title] |= self.keys_of(child)
            elif isinstance(child, Prefix):
                prefixes.append(self.spans(child))
        titled = frozenset(keys[True])
        # Words span one position; phrases, from where they start to their last word.
        words = frozenset(k for k in keys[False] if not k.startswith(_PHRASE_MARK))
        phrases = frozenset(keys[False]) - words

        def spans(view: View) -> list[Span]:
            terms, positions = view.terms, view.doc.positions
            found = [(p, p) for key in words.intersection(terms) for p in positions(key)]
            if phrases and not phrases.isdisjoint(terms):
                starts, extent = view.starts, view.extent
                for key in phrases.intersection(terms):
                    last = extent[key]
                    found += [(p, p + last) for p in starts[key]]
            if titled:
                found += _limited(_spans_of(view, titled.intersection(view.terms)), view, True)
            for part in prefixes:
                found += part(view)
            return found

        return spans


def _spans_of(view: View, keys: Iterable[str]) -> list[Span]:
    extent, positions = view.extent, view.positions
    return [(p, p + extent.get(key, 0)) for key in keys for p in positions(key)]


def _prefix_spans(prefix: str, title: bool) -> SpanOf:
    def spans(view: View) -> list[Span]:
        keys = [t for t in view.terms if t.startswith(prefix)]
        return _limited(_spans_of(view, keys), view, title)

    return spans


def _limited(found: list[Span], view: View, title: bool) -> list[Span]:
    if not title:
        return found
    limit = view.doc.title_length
    return [s for s in found if s[1] < limit]


def _has(keys: frozenset[str], title: bool) -> Test:
    if title:
        return lambda view: not keys.isdisjoint(view.title_terms)
    return lambda view: not keys.isdisjoint(view.terms)


def _prefix(prefix: str, title: bool) -> Test:
    """A prefix test scans every term, so its answer is memoised per document."""
    key = ("prefix", prefix, title)

    def test(view: View) -> bool:
        memo = view.memo
        found = memo.get(key)
        if found is None:
            terms = view.title_terms if title else view.terms
            found = memo[key] = any(map(str.startswith, terms, repeat(prefix)))
        return found

    return test


def rule_gate(root: Node) -> frozenset[str] | None:
    """Terms one of which a document holds wherever ``root`` holds (None: no such set known,
    for a rule anchored by a prefix)."""
    found = anchors(root)
    if not found or any(kind != "t" for kind, _ in found):
        return None
    return frozenset(value for _, value in found)
