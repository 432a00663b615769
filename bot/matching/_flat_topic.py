"""A curated topic compiled flat: its rules gated by their terms, its decision as ``decide``
makes it, and its explanation as ``fired`` gives it, on a ``View`` of the document."""

from __future__ import annotations

from collections.abc import Iterable

from bot.matching._eval import atom_ident, optimise
from bot.matching._flat import Compiler, Test, View, rule_gate
from bot.matching.query import And, Near, Node, Not, Or, Phrase, Prefix, Word, Words
from bot.matching.topics import Topic
from bot.matching.types import TopicMatch

# Slack for the order of float additions: a topic is given up early only when its positive
# weights fall short by more than this, so an early answer never differs from ``decide``'s.
_SLACK = 1e-9

# (number, weight, gate: None to test always, test)
_Rule = tuple[int, float, frozenset[str] | None, Test]


class FlatTopic:
    """One topic's rules and exclusions, compiled by a shared ``Compiler``."""

    def __init__(self, topic: Topic, compiler: Compiler) -> None:
        self.name, self.threshold = topic.name, topic.threshold
        self.positive: list[_Rule] = []
        self.negative: list[_Rule] = []  # weight 0 or less: they can only take weight away
        self.exclusions: list[_Rule] = []
        self.explanations: dict[int, _Explanation] = {}
        for number, rule in enumerate(topic.rules):
            root = optimise(rule.query.root)
            entry = (number, rule.weight, rule_gate(root), compiler.test(root))
            if rule.weight > 0:
                self.positive.append(entry)
                self.explanations[number] = _Explanation(root, compiler)
            else:
                self.negative.append(entry)
        for number, rule in enumerate(topic.exclusions):
            root = optimise(rule.query.root)
            self.exclusions.append((number, 0.0, rule_gate(root), compiler.test(root)))

    def match(self, view: View) -> TopicMatch | None:
        """``decide`` over the rules that hold: None below the threshold or when excluded."""
        terms = view.terms
        held: list[tuple[int, float]] = []
        score = 0.0
        for number, weight, gate, test in self.positive:
            if (gate is None or not gate.isdisjoint(terms)) and test(view):
                held.append((number, weight))
                score += weight
        if score < self.threshold - _SLACK:  # the rest can only take weight away
            return None
        for _, _, gate, test in self.exclusions:
            if (gate is None or not gate.isdisjoint(terms)) and test(view):
                return None
        explained = [number for number, _ in held]
        for number, weight, gate, test in self.negative:
            if (gate is None or not gate.isdisjoint(terms)) and test(view):
                held.append((number, weight))
        held.sort()
        score = 0.0
        for _, weight in held:  # in rule order, as ``decide`` adds them
            score += weight
        if score < self.threshold:
            return None
        out: list[str] = []
        known: set[str] = set()
        for number in explained:
            explanation = self.explanations[number]
            if explanation.merges:
                explanation.extend(view, out, known)
                continue
            for text in explanation.explain(view):
                if text not in known:
                    out.append(text)
                    known.add(text)
        if not out:
            return None
        return TopicMatch(self.name, tuple(out), round(score, 3))


# (check: None when found by its keys means it holds, NEARs around it, text as written,
# keys of an alias reference (shown as found in the document) or None, ident for ``_same``)
_Row = tuple[Test | None, tuple[Test, ...], str, frozenset[str] | None, object]


class _Explanation:
    """A rule's positive atoms in ``fired`` order, found by the keys they need."""

    def __init__(self, root: Node, compiler: Compiler) -> None:
        self.rows: list[_Row] = []
        self._compiler = compiler
        by_key: dict[str, list[int]] = {}
        always: list[int] = []
        for node, guards in self._atoms(root, ()):
            i = len(self.rows)
            if isinstance(node, Prefix):
                always.append(i)
                check: Test | None = compiler.test(node)
            else:
                for key in compiler.keys_of(node):
                    by_key.setdefault(key, []).append(i)
                check = compiler.test(node) if node.title else None
            alias = node.keys if isinstance(node, Word) and node.text.startswith("~") else None
            self.rows.append((check, guards, node.text, alias, atom_ident(node)))
        self.always = frozenset(always)
        self.by_key = {key: tuple(found) for key, found in by_key.items()}
        self.gate = frozenset(self.by_key)
        # When atoms the same for ``_same`` always show the same text, dropping repeats by
        # text alone gives ``fired``'s answer, and the rule's texts can go straight into the
        # topic's, skipping at once a text already there.
        shown: dict[object, set[tuple[str, frozenset[str] | None]]] = {}
        for _, _, text, alias, ident in self.rows:
            if ident is not None:
                shown.setdefault(ident, set()).add((text, alias))
        self.merges = all(len(found) == 1 for found in shown.values())

    def _atoms(
        self, node: Node, guards: tuple[Test, ...]
    ) -> Iterable[tuple[Word | Phrase | Prefix, tuple[Test, ...]]]:
        if isinstance(node, Not):
            return
        if isinstance(node, Words):
            for key, text in node.texts:
                yield Word(text, frozenset((key,)), node.title), guards
        elif isinstance(node, Word | Phrase | Prefix):
            yield node, guards
        elif isinstance(node, And | Or):
            for child in node.children:
                yield from self._atoms(child, guards)
        elif isinstance(node, Near):
            inner = (*guards, self._compiler.test(node))
            yield from self._atoms(node.left, inner)
            yield from self._atoms(node.right, inner)

    def _chosen(self, view: View) -> Iterable[int]:
        by_key = self.by_key
        hit = self.gate.intersection(view.terms)
        if self.always:
            return sorted(self.always.union(*map(by_key.__getitem__, hit)))
        if len(hit) == 1:  # the common case: the atoms of one key, already in order
            return by_key[next(iter(hit))]
        return sorted(set().union(*map(by_key.__getitem__, hit)))

    def extend(self, view: View, out: list[str], known: set[str]) -> None:
        """Add to ``out`` the texts of this rule not in ``known`` (for a rule that
        ``merges``), keeping ``known`` the set of ``out``."""
        rows = self.rows
        for i in self._chosen(view):
            check, guards, text, alias, _ = rows[i]
            if alias is None and text in known:
                continue
            if check is not None and not check(view):
                continue
            if guards and not _all_hold(guards, view):
                continue
            if alias is not None:
                text = view.shown(alias, text)
                if text in known:
                    continue
            out.append(text)
            known.add(text)

    def explain(self, view: View) -> list[str]:
        """``fired``'s answer for the rule."""
        rows = self.rows
        out: list[str] = []
        seen: set[object] = set()
        for i in self._chosen(view):
            check, guards, text, alias, ident = rows[i]
            if check is not None and not check(view):
                continue
            if guards and not _all_hold(guards, view):
                continue
            if alias is not None:
                text = view.shown(alias, text)
            if text not in out and ident not in seen:
                out.append(text)
                if ident is not None:
                    seen.add(ident)
        return out


def _all_hold(guards: tuple[Test, ...], view: View) -> bool:
    for guard in guards:  # noqa: SIM110 - a plain loop; all() over a generator is slower
        if not guard(view):
            return False
    return True
