"""Index entries: a parsed rule with its compiled test and explanation.

A simple rule (a plain word or an OR of plain words, no alias reference) is decided and
explained from the document's term sets alone; the index keeps it in postings of its own.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from bot.matching._compile import Shared, Test, compile_rule
from bot.matching._eval import Anchor, optimise
from bot.matching._explain import Explain, compile_explain, static_explanation
from bot.matching.document import Document
from bot.matching.query import Node, Query, Word, Words
from bot.matching.topics import TopicPart
from bot.matching.types import RuleMatch


@dataclass(frozen=True, slots=True, eq=False)  # hashed by identity: postings hold entries
class Entry:
    rule_id: Hashable
    query: Query
    root: Node
    anchors: frozenset[Anchor]
    owner: Hashable | None
    test: Test
    explain: Explain
    # A plain word or OR of plain words (no alias reference): (key, text) pairs, decided and
    # explained by the document's term set alone, without calling ``test``.
    simple: tuple[tuple[str, str], ...] | None = None
    title: bool = False
    shown: tuple[str, ...] | None = None  # the explanation, when it has one text only
    hit: RuleMatch | None = None  # a user rule's match, when its explanation cannot vary
    # A simple rule with more texts: its match by key, for a document holding one key only.
    by_key: dict[str, RuleMatch] | None = None
    keys: frozenset[str] = frozenset()


def fired(entry: Entry, doc: Document) -> tuple[str, ...]:
    return entry.explain(doc)


def make_entry(
    rule_id: Hashable,
    parsed: Query,
    found: frozenset[Anchor],
    owner: Hashable | None,
    shared: Shared | None = None,
) -> Entry:
    """``shared``: the sub-expressions of the other rules of the same topic."""
    root = optimise(parsed.root)
    if shared is not None:
        root = shared.intern(root)
    fixed = static_explanation(root)
    test, explain = compile_rule(root, shared), compile_explain(root, fixed, shared)
    simple = simple_of(root) if not isinstance(rule_id, TopicPart) else None
    title = isinstance(root, Word | Words) and root.title
    texts = {text for _, text in simple or ()}
    shown = tuple(texts) if len(texts) == 1 else None
    hit = by_key = None
    if simple is not None and shown is not None:
        hit = RuleMatch(rule_id, shown)
    elif simple is None and fixed is not None and not isinstance(rule_id, TopicPart):
        hit = RuleMatch(rule_id, fixed)
    elif simple is not None:
        by_key = {key: RuleMatch(rule_id, (text,)) for key, text in simple}
    keys = frozenset(key for key, _ in simple or ())
    return Entry(
        rule_id, parsed, root, found, owner, test, explain, simple, title, shown, hit, by_key, keys
    )


def simple_of(root: Node) -> tuple[tuple[str, str], ...] | None:
    if isinstance(root, Word):
        pairs = tuple((key, root.text) for key in sorted(root.keys))
    elif isinstance(root, Words):
        pairs = root.texts
    else:
        return None
    return None if any(text.startswith("~") for _, text in pairs) else pairs


def shown_of(pairs: tuple[tuple[str, str], ...], terms: set[str]) -> tuple[str, ...]:
    """What ``fired`` gives for a simple rule: the texts of its keys present, each once."""
    out: list[str] = []
    for key, text in pairs:
        if key in terms and text not in out:
            out.append(text)
    return tuple(out)
