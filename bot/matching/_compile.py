"""Rules compiled into closures: the same answers as ``evaluate`` and ``fired`` in ``_eval``,
without walking node types per document, and with large ORs gated by their terms.

An OR of many branches (the curated topics' lists of phrases) tests only the branches whose
anchor terms occur in the document: a branch can only hold when one of them is there.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import repeat

from bot.matching._eval import anchors, evaluate, near_spans, spans
from bot.matching.document import Document
from bot.matching.query import And, Near, Node, Not, Or, Phrase, Prefix, Word, Words

Test = Callable[[Document], bool]
GATED_OR = 4  # an OR with at least this many branches tests only those its terms touch


def compile_rule(node: Node) -> Test:
    """A function telling whether ``node`` holds in a document (``evaluate``, compiled)."""
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
        child = compile_rule(node.child)
        return lambda doc: not child(doc)
    if isinstance(node, Or) and len(node.children) >= GATED_OR:
        return _gated_or(node.children)
    if isinstance(node, Near):
        return _near(node)
    if isinstance(node, And | Or):
        tests = tuple(compile_rule(c) for c in sorted(node.children, key=_cost))
        if len(tests) == 2:
            a, b = tests
            if isinstance(node, And):
                return lambda doc: a(doc) and b(doc)
            return lambda doc: a(doc) or b(doc)
        if isinstance(node, And):
            return lambda doc: all(t(doc) for t in tests)
        return lambda doc: any(t(doc) for t in tests)
    return lambda doc: evaluate(node, doc)


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


def _near(node: Near) -> Test:
    """NEAR holds only where both sides hold, so their set tests come before any span.
    The span answer is memoised per document: an explanation asks again."""
    left, right, key = compile_rule(node.left), compile_rule(node.right), id(node)

    def test(doc: Document) -> bool:
        if not (left(doc) and right(doc)):
            return False
        memo = doc.memo
        hit = memo.get(key)
        if hit is not None and hit[0] is node:
            return hit[1]
        found = bool(near_spans(node, doc))
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


def _gated_or(children: tuple[Node, ...]) -> Test:
    always: list[Test] = []
    by_key: dict[str, list[Test]] = {}
    for child in children:
        test = compile_rule(child)
        found = anchors(child)
        if found is None or any(kind != "t" for kind, _ in found):
            always.append(test)
        else:
            for _, key in found:
                by_key.setdefault(key, []).append(test)
    keys = frozenset(by_key)
    ungated = tuple(always)

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
