"""Rules compiled into closures: the same answers as ``evaluate`` and ``fired`` in ``_eval``,
without walking node types per document, and with large ORs gated by their terms.

An OR of many branches (the curated topics' lists of phrases) tests only the branches whose
anchor terms occur in the document: a branch can only hold when one of them is there.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import repeat

from bot.matching._eval import Span, anchors, evaluate, spans
from bot.matching.document import Document
from bot.matching.query import And, Near, Node, Not, Or, Phrase, Prefix, Word, Words

Test = Callable[[Document], bool]
Spans = Callable[[Document], list[Span]]
GATED_OR = 4  # an OR with at least this many branches tests only those its terms touch


class Shared:
    """Structurally equal sub-expressions of one topic's rules (``@us NEAR/8 @ca`` in two
    rules): hash-consed into one node with one compiled test, whose answer for an AND or OR
    is memoised per document, so a shared subtree is evaluated once per item."""

    def __init__(self) -> None:
        self.nodes: dict[Node, Node] = {}
        self.tests: dict[int, tuple[Node, Test]] = {}

    def intern(self, node: Node) -> Node:
        """``node`` with each subtree replaced by the first structurally equal one seen."""
        if isinstance(node, And | Or):
            node = type(node)(tuple(self.intern(c) for c in node.children))
        elif isinstance(node, Not):
            node = Not(self.intern(node.child))
        elif isinstance(node, Near):
            node = Near(self.intern(node.left), self.intern(node.right), node.distance)
        return self.nodes.setdefault(node, node)


def compile_rule(node: Node, shared: Shared | None = None) -> Test:
    """A function telling whether ``node`` holds in a document (``evaluate``, compiled).

    With ``shared``, a node already compiled there gives the same function.
    """
    if shared is None:
        return _compile(node, None)
    hit = shared.tests.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    test = _compile(node, shared)
    if isinstance(node, And | Or) and _cost(node) > 2:  # word tests cost less than a memo
        test = _memoised(node, test)
    shared.tests[id(node)] = (node, test)
    return test


def _memoised(node: Node, inner: Test) -> Test:
    key = id(node)

    def test(doc: Document) -> bool:
        memo = doc.memo
        hit = memo.get(key)
        if hit is not None and hit[0] is node:
            return hit[1]
        found = inner(doc)
        memo[key] = (node, found)
        return found

    return test


def _compile(node: Node, shared: Shared | None) -> Test:
    if isinstance(node, Word | Words):
        keys = node.keys
        if node.title:
            return lambda doc: not keys.isdisjoint(doc.title_terms)
        return lambda doc: not keys.isdisjoint(doc.terms)
    if isinstance(node, Phrase):
        return _phrase(node)
    if isinstance(node, Prefix):
        return _prefix(node.prefix, node.title)
    if isinstance(node, Not):
        child = compile_rule(node.child, shared)
        return lambda doc: not child(doc)
    if isinstance(node, Or) and len(node.children) >= GATED_OR:
        return _gated_or(node.children, shared)
    if isinstance(node, Near):
        return _near(node, shared)
    if isinstance(node, And) and shared is None:
        return _and(node.children)
    if isinstance(node, And | Or):
        tests = tuple(compile_rule(c, shared) for c in sorted(node.children, key=_cost))
        if len(tests) == 2:
            a, b = tests
            if isinstance(node, And):
                return lambda doc: a(doc) and b(doc)
            return lambda doc: a(doc) or b(doc)
        if isinstance(node, And):
            return lambda doc: all(t(doc) for t in tests)
        return lambda doc: any(t(doc) for t in tests)
    return lambda doc: evaluate(node, doc)


def _and(children: tuple[Node, ...]) -> Test:
    """An AND whose words and negated words are set tests in one call, the rest after."""
    need: list[frozenset[str]] = []
    refuse: list[frozenset[str]] = []
    rest: list[Node] = []
    for child in children:
        inner = child.child if isinstance(child, Not) else child
        if isinstance(inner, Word | Words) and not inner.title:
            (refuse if isinstance(child, Not) else need).append(inner.keys)
        else:
            rest.append(child)
    others = tuple(compile_rule(c) for c in sorted(rest, key=_cost))
    wanted, unwanted = tuple(need), frozenset().union(*refuse)

    def test(doc: Document) -> bool:
        terms = doc.terms
        for keys in wanted:
            if keys.isdisjoint(terms):
                return False
        if not unwanted.isdisjoint(terms):
            return False
        for other in others:  # noqa: SIM110 - a plain loop; all() over a generator is slower
            if not other(doc):
                return False
        return True

    return test


def _cost(node: Node) -> int:
    """A rough cost rank: set tests first, then prefixes, phrases, and NEAR last."""
    if isinstance(node, Word | Words):
        return 0
    if isinstance(node, Not):
        return _cost(node.child)
    if isinstance(node, Prefix):
        return 1
    if isinstance(node, Phrase):
        return 2
    if isinstance(node, Near):
        return 4
    return max(map(_cost, node.children)) + 1


def _near(node: Near, shared: Shared | None) -> Test:
    """NEAR holds only where both sides hold, so their set tests come before any span.
    The span answer is memoised per document: an explanation asks again."""
    left, right = compile_rule(node.left, shared), compile_rule(node.right, shared)
    near_spans = _near_spans(node)
    key = id(node)

    def test(doc: Document) -> bool:
        memo = doc.memo
        hit = memo.get(key)
        if hit is not None and hit[0] is node:  # asked before: explanations ask again
            return hit[1]
        found = left(doc) and right(doc) and bool(near_spans(doc))
        memo[key] = (node, found)
        return found

    return test


def _prefix(prefix: str, title: bool) -> Test:
    """A prefix test scans every term, so its answer is memoised per document and prefix."""
    key = (prefix, title)

    def test(doc: Document) -> bool:
        memo = doc.memo
        hit = memo.get(key)
        if hit is not None:
            return hit[1]
        found = any(map(str.startswith, doc.title_terms if title else doc.terms, repeat(prefix)))
        memo[key] = (None, found)
        return found

    return test


def _phrase(node: Phrase) -> Test:
    seq, title, key = node.seq, node.title, id(node)

    def test(doc: Document) -> bool:
        terms = doc.title_terms if title else doc.terms
        for keys in seq:
            if keys.isdisjoint(terms):
                return False
        memo = doc.memo
        hit = memo.get(key)
        if hit is not None and hit[0] is node:
            return hit[1]
        found = bool(spans(node, doc))
        memo[key] = (node, found)
        return found

    return test


def _gates(children: tuple[Node, ...]) -> tuple[tuple[int, ...], dict[str, tuple[int, ...]]]:
    """(children to try always, children by anchor term): a child holds or has spans only
    where one of its anchor terms occurs; one with a prefix or negative branch is always tried."""
    always: list[int] = []
    by_key: dict[str, list[int]] = {}
    for i, child in enumerate(children):
        found = anchors(child)
        if found is None or any(kind != "t" for kind, _ in found):
            always.append(i)
        else:
            for _, key in found:
                by_key.setdefault(key, []).append(i)
    return tuple(always), {key: tuple(found) for key, found in by_key.items()}


def _gated_or(children: tuple[Node, ...], shared: Shared | None) -> Test:
    tests = [compile_rule(child, shared) for child in children]
    always, gates = _gates(children)
    ungated = tuple(tests[i] for i in always)
    by_key = {key: tuple(tests[i] for i in found) for key, found in gates.items()}
    keys = frozenset(by_key)

    def gated(doc: Document) -> bool:
        for test in ungated:
            if test(doc):
                return True
        for key in keys.intersection(doc.terms):
            for test in by_key[key]:
                if test(doc):
                    return True
        return False

    return gated


def _near_spans(node: Node) -> Spans:
    """``near_spans`` compiled: the spans of an OR of many atoms come from the atoms whose
    terms occur only."""
    if not isinstance(node, Near):
        return _spans(node)
    left, right, distance = _near_spans(node.left), _near_spans(node.right), node.distance

    def near(doc: Document) -> list[Span]:
        found = left(doc)
        if not found:
            return []
        other = right(doc)
        return [
            (min(a[0], b[0]), max(a[1], b[1]))
            for a in found
            for b in other
            if a != b and (b[0] - a[1] if a[1] < b[0] else a[0] - b[1]) <= distance
        ]

    return near


def _spans(node: Node) -> Spans:
    """``spans`` compiled (an AND, NOT or NEAR inside an OR has none, as there)."""
    if isinstance(node, Word | Words | Phrase | Prefix):
        return lambda doc: spans(node, doc)
    if not isinstance(node, Or):
        return lambda doc: []
    parts = [_spans(c) for c in node.children]
    if len(parts) < GATED_OR:
        return lambda doc: [span for part in parts for span in part(doc)]
    always, by_key = _gates(node.children)
    keys = frozenset(by_key)

    def gated(doc: Document) -> list[Span]:
        chosen = set(always)
        for key in keys.intersection(doc.terms):
            chosen.update(by_key[key])
        return [span for i in sorted(chosen) for span in parts[i](doc)]

    return gated
