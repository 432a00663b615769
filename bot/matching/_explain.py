"""Explanations compiled into closures: the same answers as ``fired`` in ``_eval``.

An explanation skips every subtree none of whose terms occur (a branch can only hold when one
of them is there), picks the words of a large OR by set intersection, and tests no atom that
an AND or NEAR known to hold needs.

Emitters append candidates, (text, identity) pairs, that the explanation filters for repeats at
the end; so what a subtree emits depends on the document alone, and a subtree that several
rules of a topic share (``Shared``) is explained once per document.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.matching._compile import GATED_OR, Shared, compile_rule
from bot.matching._eval import _same, _shown
from bot.matching.document import Document
from bot.matching.query import And, Near, Node, Not, Or, Phrase, Prefix, Word, Words

Explain = Callable[[Document], tuple[str, ...]]
# An atom's text as shown, and an identity equal for atoms ``_same`` calls the same.
Candidate = tuple[str, object]
_Emit = Callable[[Document, list[Candidate]], None]


def compile_explain(
    node: Node, fixed: tuple[str, ...] | None = None, shared: Shared | None = None
) -> Explain:
    """The terms that fired in a document ``node`` matches (``fired``, compiled on first use).

    It is only asked of a matching document, so the atoms an AND or NEAR that holds needs are
    not tested again, and a tree of such atoms is explained once, when compiled (``fixed``:
    that explanation, when the caller has it).
    """
    shown = fixed if fixed is not None else static_explanation(node)
    if shown is not None:
        return lambda doc: shown
    emit: _Emit | None = None

    def explain(doc: Document) -> tuple[str, ...]:
        nonlocal emit
        if emit is None:
            emit = _emitter(node, True, shared) or (lambda doc, found: None)
        found: list[Candidate] = []
        emit(doc, found)
        return _distinct(found)

    return explain


def _distinct(found: list[Candidate]) -> tuple[str, ...]:
    """The texts of the candidates, less a text already shown or an atom already reported."""
    out: list[str] = []
    seen: set[object] = set()
    for text, ident in found:
        if text not in out and ident not in seen:
            out.append(text)
            if ident is not None:
                seen.add(ident)
    return tuple(out)


def static_explanation(node: Node) -> tuple[str, ...] | None:
    """The explanation of every document ``node`` matches, when that cannot vary."""
    static = _static(node, True)
    return None if static is None else _shown_static(static)


def _static(node: Node, holds: bool) -> list[Word | Phrase | Prefix] | None:
    """The atoms reported, in order, where that cannot depend on the document (else None)."""
    if isinstance(node, Not):
        return []
    if isinstance(node, Word | Phrase | Prefix):
        if not holds or (isinstance(node, Word) and node.text.startswith("~")):
            return None
        return [node]
    if holds and isinstance(node, And):
        children: tuple[Node, ...] = node.children
    elif holds and isinstance(node, Near):
        children = (node.left, node.right)
    else:
        return None
    found: list[Word | Phrase | Prefix] = []
    for child in children:
        sub = _static(child, True)
        if sub is None:
            return None
        found += sub
    return found


def _shown_static(atoms: list[Word | Phrase | Prefix]) -> tuple[str, ...]:
    out: list[str] = []
    seen: list[Node] = []
    for atom in atoms:
        if atom.text not in out and not any(_same(atom, o) for o in seen):
            out.append(atom.text)
            seen.append(atom)
    return tuple(out)


def _ident(node: Word | Phrase | Prefix) -> object:
    """Equal for atoms ``_same`` calls the same; None (never the same) for a prefix."""
    if isinstance(node, Word):
        return ("w", node.keys)
    if isinstance(node, Phrase):
        return ("p", node.seq)
    return None


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


def _emit_words(node: Words) -> _Emit:
    title = node.title
    words = tuple(
        (key, word, _ident(word))
        for key, text in node.texts
        for word in (Word(text, frozenset((key,)), title),)
    )
    if len(words) < GATED_OR:

        def emit_few(doc: Document, found: list[Candidate]) -> None:
            terms = doc.title_terms if title else doc.terms
            for key, word, ident in words:
                if key in terms:
                    found.append((_shown(word, doc), ident))

        return emit_few
    rank = {key: i for i, (key, _, _) in enumerate(words)}
    keys = frozenset(rank)

    def emit_many(doc: Document, found: list[Candidate]) -> None:
        present = keys.intersection(doc.title_terms if title else doc.terms)
        for i in sorted(map(rank.__getitem__, present)):
            _, word, ident = words[i]
            found.append((_shown(word, doc), ident))

    return emit_many


def _emit_parts(parts: list[tuple[frozenset[str] | None, _Emit]], every: bool) -> _Emit:
    """Emit the parts of an AND or OR in order: all (an AND that holds), or those whose terms
    occur; many parts are chosen by their terms rather than tried one by one."""
    if every:
        emits = tuple(emit for _, emit in parts)

        def emit_every(doc: Document, found: list[Candidate]) -> None:
            for emit in emits:
                emit(doc, found)

        return emit_every
    if len(parts) < GATED_OR:

        def emit_all(doc: Document, found: list[Candidate]) -> None:
            terms = doc.terms
            for keys, emit in parts:
                if keys is None or not keys.isdisjoint(terms):
                    emit(doc, found)

        return emit_all
    always = frozenset(i for i, (keys, _) in enumerate(parts) if keys is None)
    by_key: dict[str, list[int]] = {}
    for i, (keys, _) in enumerate(parts):
        for key in keys or ():
            by_key.setdefault(key, []).append(i)
    gate = frozenset(by_key)
    chosen_emits = [emit for _, emit in parts]

    def emit_gated(doc: Document, found: list[Candidate]) -> None:
        chosen = set(always)
        for key in gate.intersection(doc.terms):
            chosen.update(by_key[key])
        for i in sorted(chosen):
            chosen_emits[i](doc, found)

    return emit_gated


def _emitter(node: Node, holds: bool = False, shared: Shared | None = None) -> _Emit | None:
    """Appends what ``node`` reports; ``holds``: the node is known to hold in the document.

    With ``shared``, an AND, OR or NEAR keeps what it emitted in the document, for the other
    rules of the topic that share it.
    """
    emit = _build(node, holds, shared)
    if shared is None or emit is None or not isinstance(node, And | Or | Near):
        return emit
    return _remembered(node, holds, emit)


def _remembered(node: Node, holds: bool, inner: _Emit) -> _Emit:
    key = (id(node), holds)

    def emit(doc: Document, found: list[Candidate]) -> None:
        memo = doc.explained
        hit = memo.get(key)
        if hit is None or hit[0] is not node:
            own: list[Candidate] = []
            inner(doc, own)
            hit = memo[key] = (node, own)
        found += hit[1]

    return emit


def _build(node: Node, holds: bool, shared: Shared | None) -> _Emit | None:
    if isinstance(node, Not):
        return None
    if isinstance(node, Words):
        return _emit_words(node)
    if isinstance(node, Word | Phrase | Prefix):
        atom, ident = node, _ident(node)
        if holds:

            def emit_held(doc: Document, found: list[Candidate]) -> None:
                found.append((_shown(atom, doc), ident))

            return emit_held
        test = compile_rule(node, shared)

        def emit_atom(doc: Document, found: list[Candidate]) -> None:
            if test(doc):
                found.append((_shown(atom, doc), ident))

        return emit_atom
    if isinstance(node, And | Or):
        every = holds and isinstance(node, And)
        parts = [
            (_keys(c), e) for c in node.children if (e := _emitter(c, every, shared)) is not None
        ]
        return _emit_parts(parts, every)
    assert isinstance(node, Near)
    near = compile_rule(node, shared)
    left, right = _emitter(node.left, True, shared), _emitter(node.right, True, shared)
    sides = tuple(emit for emit in (left, right) if emit is not None)

    def emit_near(doc: Document, found: list[Candidate]) -> None:
        if holds or near(doc):
            for emit in sides:
                emit(doc, found)

    return emit_near
