"""Rules compiled into closures: the same answers as ``evaluate`` and ``fired`` in ``_eval``,
without walking node types per document, and with large ORs gated by their terms.

An OR of many branches (the curated topics' lists of phrases) tests only the branches whose
anchor terms occur in the document; an explanation skips every subtree none of whose terms
occur. Both rely on the anchors' promise: a branch can only hold when one of them is there.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import repeat

from bot.matching._eval import _same, _shown, anchors, evaluate, near_spans, spans
from bot.matching.document import Document
from bot.matching.query import And, Near, Node, Not, Or, Phrase, Prefix, Word, Words

Test = Callable[[Document], bool]
Explain = Callable[[Document], tuple[str, ...]]
_Emit = Callable[[Document, list[str], list[Node]], None]
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
        prefix, title = node.prefix, node.title
        return lambda doc: any(
            map(str.startswith, doc.title_terms if title else doc.terms, repeat(prefix))
        )
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
    """NEAR holds only where both sides hold, so their set tests come before any span."""
    left, right = compile_rule(node.left), compile_rule(node.right)
    return lambda doc: left(doc) and right(doc) and bool(near_spans(node, doc))


def _phrase(node: Phrase) -> Test:
    seq, title = node.seq, node.title

    def test(doc: Document) -> bool:
        terms = doc.title_terms if title else doc.terms
        for keys in seq:
            if keys.isdisjoint(terms):
                return False
        return bool(spans(node, doc))

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


def compile_explain(node: Node) -> Explain:
    """The terms that fired in a document ``node`` matches (``fired``, compiled on first use)."""
    if isinstance(node, Word) and not node.text.startswith("~"):
        shown = (node.text,)
        return lambda doc: shown
    emit: _Emit | None = None

    def explain(doc: Document) -> tuple[str, ...]:
        nonlocal emit
        if emit is None:
            emit = _emitter(node) or (lambda doc, out, seen: None)
        out: list[str] = []
        emit(doc, out, [])
        return tuple(out)

    return explain


def _report(node: Word | Phrase | Prefix, doc: Document, out: list[str], seen: list[Node]) -> None:
    text = _shown(node, doc)
    if text not in out and not any(_same(node, o) for o in seen):
        out.append(text)
        seen.append(node)


def _keys(node: Node) -> frozenset[str] | None:
    """Every term an atom under ``node`` needs (None: a prefix, which no set bounds)."""
    if isinstance(node, Word | Words):
        return node.keys
    if isinstance(node, Phrase):
        return frozenset().union(*node.seq)
    if isinstance(node, Not):
        return frozenset()
    if isinstance(node, Prefix):
        return None
    parts = node.children if isinstance(node, And | Or) else (node.left, node.right)
    found = [_keys(c) for c in parts]
    if any(f is None for f in found):
        return None
    return frozenset().union(*(f for f in found if f is not None))


def _emitter(node: Node) -> _Emit | None:
    if isinstance(node, Not):
        return None
    if isinstance(node, Words):
        title = node.title
        words = tuple((key, Word(text, frozenset((key,)), title)) for key, text in node.texts)

        def emit_words(doc: Document, out: list[str], seen: list[Node]) -> None:
            terms = doc.title_terms if title else doc.terms
            for key, word in words:
                if key in terms:
                    _report(word, doc, out, seen)

        return emit_words
    if isinstance(node, Word | Phrase | Prefix):
        atom, test = node, compile_rule(node)

        def emit_atom(doc: Document, out: list[str], seen: list[Node]) -> None:
            if test(doc):
                _report(atom, doc, out, seen)

        return emit_atom
    if isinstance(node, And | Or):
        parts = [(_keys(c), e) for c in node.children if (e := _emitter(c)) is not None]

        def emit_all(doc: Document, out: list[str], seen: list[Node]) -> None:
            terms = doc.terms
            for keys, emit in parts:
                if keys is None or not keys.isdisjoint(terms):
                    emit(doc, out, seen)

        return emit_all
    assert isinstance(node, Near)
    near, left, right = compile_rule(node), _emitter(node.left), _emitter(node.right)

    def emit_near(doc: Document, out: list[str], seen: list[Node]) -> None:
        if near(doc):
            for emit in (left, right):
                if emit is not None:
                    emit(doc, out, seen)

    return emit_near
