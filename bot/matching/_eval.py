"""Evaluating a rule's syntax tree on a document, and choosing the terms that index it."""

from __future__ import annotations

from bot.matching.document import Document
from bot.matching.query import And, Near, Node, Not, Or, Phrase, Prefix, Word, Words


def optimise(node: Node) -> Node:
    """The same rule with the plain words of each OR merged into one ``Words`` set."""
    if isinstance(node, And):
        return And(tuple(optimise(c) for c in node.children))
    if isinstance(node, Not):
        return Not(optimise(node.child))
    if isinstance(node, Near):
        return Near(optimise(node.left), optimise(node.right), node.distance)
    if not isinstance(node, Or):
        return node
    flat: list[Node] = []
    for child in (optimise(c) for c in node.children):
        flat.extend(child.children if isinstance(child, Or) else (child,))
    rest: list[Node] = []
    groups: dict[bool, list[Word | Words]] = {}
    for child in flat:
        if isinstance(child, Word | Words):
            groups.setdefault(child.title, []).append(child)
        else:
            rest.append(child)
    for title, words in groups.items():
        texts: dict[str, str] = {}
        for w in words:
            pairs = w.texts if isinstance(w, Words) else tuple((k, w.text) for k in w.keys)
            for key, text in pairs:
                texts.setdefault(key, text)
        rest.insert(0, Words(frozenset(texts), tuple(texts.items()), title))
    return rest[0] if len(rest) == 1 else Or(tuple(rest))


Span = tuple[int, int]
# An anchor is ("t", term) or ("p", prefix): a rule can only match a document holding one.
Anchor = tuple[str, str]


def anchors(node: Node) -> frozenset[Anchor] | None:
    """A set of anchors at least one of which every matching document contains.

    None means no such set exists (a purely negative branch). For AND one positive child is
    enough; the cheapest is chosen: no prefixes, few keys, long (rarer) keys.
    """
    if isinstance(node, Word | Words):
        return frozenset(("t", k) for k in node.keys)
    if isinstance(node, Phrase):
        best = max(node.seq, key=lambda keys: (min(len(k) for k in keys), -len(keys)))
        return frozenset(("t", k) for k in best)
    if isinstance(node, Prefix):
        return frozenset((("p", node.prefix),))
    if isinstance(node, Not):
        return None
    if isinstance(node, Near):
        return _best([anchors(node.left), anchors(node.right)])
    if isinstance(node, And):
        return _best([anchors(c) for c in node.children])
    found: set[Anchor] = set()
    for child in node.children:
        sub = anchors(child)
        if sub is None:
            return None
        found |= sub
    return frozenset(found)


def _best(options: list[frozenset[Anchor] | None]) -> frozenset[Anchor] | None:
    usable = [o for o in options if o]
    if not usable:
        return None

    def cost(o: frozenset[Anchor]) -> tuple[int, int, int]:
        prefixes = sum(1 for kind, _ in o if kind == "p")
        return (prefixes, len(o), -min(len(v) for _, v in o))

    return min(usable, key=cost)


def tested(node: Node) -> tuple[set[str], set[str]]:
    """(keys, prefixes): every term and prefix ``node`` asks about, negated branches too."""
    keys: set[str] = set()
    prefixes: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Word | Words):
            keys |= n.keys
        elif isinstance(n, Phrase):
            keys.update(*n.seq)
        elif isinstance(n, Prefix):
            prefixes.add(n.prefix)
        elif isinstance(n, Not):
            stack.append(n.child)
        elif isinstance(n, Near):
            stack += (n.left, n.right)
        else:
            stack += n.children
    return keys, prefixes


def evaluate(node: Node, doc: Document) -> bool:
    if isinstance(node, Word | Words):
        terms = doc.title_terms if node.title else doc.terms
        return not node.keys.isdisjoint(terms)
    if isinstance(node, And):
        return all(evaluate(c, doc) for c in node.children)
    if isinstance(node, Or):
        return any(evaluate(c, doc) for c in node.children)
    if isinstance(node, Not):
        return not evaluate(node.child, doc)
    if isinstance(node, Prefix):
        terms = doc.title_terms if node.title else doc.terms
        return any(t.startswith(node.prefix) for t in terms)
    if isinstance(node, Phrase):
        terms = doc.title_terms if node.title else doc.terms
        for keys in node.seq:
            if keys.isdisjoint(terms):
                return False
        return bool(spans(node, doc))
    return bool(near_spans(node, doc))


def fired(node: Node, doc: Document, out: list[str], seen: list[Node] | None = None) -> None:
    """Append the texts of the positive atoms of ``node`` that hold in ``doc``.

    An atom equal after normalisation to one already reported ("critical mineral" after
    "critical minerals") is not repeated.
    """
    if seen is None:
        seen = []
    if isinstance(node, Words):
        terms = doc.title_terms if node.title else doc.terms
        for key, text in node.texts:
            if key in terms:
                fired(Word(text, frozenset((key,)), node.title), doc, out, seen)
    elif isinstance(node, Word | Phrase | Prefix):
        if evaluate(node, doc):
            text = _shown(node, doc)
            if text not in out and not any(_same(node, o) for o in seen):
                out.append(text)
                seen.append(node)
    elif isinstance(node, And | Or):
        for child in node.children:
            fired(child, doc, out, seen)
    elif isinstance(node, Near) and evaluate(node, doc):
        fired(node.left, doc, out, seen)
        fired(node.right, doc, out, seen)


def _same(a: Node, b: Node) -> bool:
    if isinstance(a, Word) and isinstance(b, Word):
        return a.keys == b.keys
    if isinstance(a, Phrase) and isinstance(b, Phrase):
        return a.seq == b.seq
    return False


def atom_ident(node: Word | Phrase | Prefix) -> object:
    """A hashable stand-in for ``_same``: equal for atoms it calls the same, None (never the
    same) for a prefix."""
    if isinstance(node, Word):
        return ("w", node.keys)
    if isinstance(node, Phrase):
        return ("p", node.seq)
    return None


def _shown(node: Word | Phrase | Prefix, doc: Document) -> str:
    """The atom as written; an alias reference (``~name``) shows the word found instead."""
    if isinstance(node, Word) and node.text.startswith("~"):
        found = doc.find_raw(node.keys)
        if found is not None:
            return found
    return node.text


def _positions(keys: frozenset[str], doc: Document) -> set[int]:
    found: set[int] = set()
    for key in keys:
        found.update(doc.positions(key))
    return found


def spans(node: Node, doc: Document) -> list[Span]:
    """Where an atom (or an OR of atoms) occurs, as (first, last) token positions."""
    limit = doc.title_length if getattr(node, "title", False) else None
    result: list[Span]
    if isinstance(node, Or):
        return [s for c in node.children for s in spans(c, doc)]
    if isinstance(node, Word | Words):
        result = [(p, p) for p in _positions(node.keys & doc.terms, doc)]
    elif isinstance(node, Prefix):
        keys = frozenset(t for t in doc.terms if t.startswith(node.prefix))
        result = [(p, p) for p in _positions(keys, doc)]
    elif isinstance(node, Phrase):
        if any(keys.isdisjoint(doc.terms) for keys in node.seq):
            return []
        sets = [_positions(keys, doc) for keys in node.seq]
        n = len(sets) - 1
        result = [(p, p + n) for p in sets[0] if all(p + i in sets[i] for i in range(1, n + 1))]
    else:
        return []
    if limit is not None:
        result = [s for s in result if s[1] < limit]
    return result


def near_spans(node: Node, doc: Document) -> list[Span]:
    if not isinstance(node, Near):
        return spans(node, doc)
    left, right = near_spans(node.left, doc), near_spans(node.right, doc)
    d = node.distance
    return [
        (min(a[0], b[0]), max(a[1], b[1]))
        for a in left
        for b in right
        if a != b and (b[0] - a[1] if a[1] < b[0] else a[0] - b[1]) <= d
    ]
