"""Explanations compiled into closures: the same answers as ``fired`` in ``_eval``.

A rule's positive atoms are listed once, in the order ``fired`` visits them (the words of an
OR of words one by one), each with the NEARs around it, which must hold for it to count. An
explanation looks up by the document's terms the atoms that can hold, tests those in order and
drops repeats: its cost follows the atoms present, not the size of the rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.matching._compile import Shared, Test, compile_rule
from bot.matching._eval import _same, _shown, atom_ident
from bot.matching.document import Document
from bot.matching.query import And, Near, Node, Not, Or, Phrase, Prefix, Word, Words

Explain = Callable[[Document], tuple[str, ...]]


def compile_explain(
    node: Node, fixed: tuple[str, ...] | None = None, shared: Shared | None = None
) -> Explain:
    """The terms that fired in a document ``node`` matches (``fired``, compiled on first use).

    A rule whose explanation cannot vary is explained once, when compiled (``fixed``: that
    explanation, when the caller has it).
    """
    shown = fixed if fixed is not None else static_explanation(node)
    if shown is not None:
        return lambda doc: shown
    table: _Atoms | None = None

    def explain(doc: Document) -> tuple[str, ...]:
        nonlocal table
        if table is None:
            table = _Atoms(node, shared)
        return table.explain(doc)

    return explain


@dataclass(frozen=True, slots=True)
class _Atom:
    node: Word | Phrase | Prefix
    ident: object  # equal for atoms ``_same`` calls the same
    holds: Test | None  # None: a word found by its keys, so known to hold
    guards: tuple[Test, ...]  # the NEARs around the atom
    text: str | None  # as shown, unless an alias reference shows the word found


class _Atoms:
    """A rule's positive atoms in ``fired`` order, found by the terms they need."""

    def __init__(self, node: Node, shared: Shared | None) -> None:
        self.atoms: list[_Atom] = []
        self._collect(node, (), shared)
        self.always: frozenset[int] = frozenset()
        by_key: dict[str, list[int]] = {}
        for i, atom in enumerate(self.atoms):
            if isinstance(atom.node, Prefix):
                self.always |= {i}
                continue
            # A word needs one of its keys; a phrase, one of the keys of its first word.
            keys = atom.node.keys if isinstance(atom.node, Word) else atom.node.seq[0]
            for key in keys:
                by_key.setdefault(key, []).append(i)
        self.by_key = {key: tuple(found) for key, found in by_key.items()}  # each in order
        self.gate = frozenset(self.by_key)
        self.rows = [(a.node, a.ident, a.holds, a.guards, a.text) for a in self.atoms]

    def _collect(self, node: Node, guards: tuple[Test, ...], shared: Shared | None) -> None:
        if isinstance(node, Not):
            return
        if isinstance(node, Words):
            for key, text in node.texts:
                self._add(Word(text, frozenset((key,)), node.title), guards, shared)
        elif isinstance(node, Word | Phrase | Prefix):
            self._add(node, guards, shared)
        elif isinstance(node, And | Or):
            for child in node.children:
                self._collect(child, guards, shared)
        else:
            inner = (*guards, compile_rule(node, shared))
            self._collect(node.left, inner, shared)
            self._collect(node.right, inner, shared)

    def _add(
        self, node: Word | Phrase | Prefix, guards: tuple[Test, ...], shared: Shared | None
    ) -> None:
        found = isinstance(node, Word) and not node.title
        holds = None if found else compile_rule(node, shared)
        alias = isinstance(node, Word) and node.text.startswith("~")
        self.atoms.append(
            _Atom(node, atom_ident(node), holds, guards, None if alias else node.text)
        )

    def explain(self, doc: Document) -> tuple[str, ...]:
        by_key = self.by_key
        hit = self.gate.intersection(doc.terms)
        chosen: Iterable[int]
        if self.always:
            chosen = sorted(self.always.union(*map(by_key.__getitem__, hit)))
        elif len(hit) == 1:  # the common case: the atoms of one key, already in order
            chosen = by_key[next(iter(hit))]
        else:
            chosen = sorted(set().union(*map(by_key.__getitem__, hit)))
        out: list[str] = []
        seen: set[object] = set()
        rows = self.rows
        for i in chosen:
            node, ident, holds, guards, text = rows[i]
            if holds is not None and not holds(doc):
                continue
            if guards and not _all_hold(guards, doc):
                continue
            if text is None:
                text = _shown(node, doc)
            if text not in out and ident not in seen:
                out.append(text)
                if ident is not None:
                    seen.add(ident)
        return tuple(out)


def _all_hold(guards: tuple[Test, ...], doc: Document) -> bool:
    for guard in guards:  # noqa: SIM110 - a plain loop; all() over a generator is slower
        if not guard(doc):
            return False
    return True


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
