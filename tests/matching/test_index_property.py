"""The optimised index against brute force: every rule evaluated by walking its syntax tree.

Candidate generation (anchor terms, prefix memo, gated ORs), documents that keep only the
index's vocabulary, the simple-rule postings
(words and ORs of words answered from the term sets), compiled rules and pruned explanations
must give exactly what evaluating every rule on every item gives.
"""

from __future__ import annotations

from collections.abc import Hashable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.matching import MatchInput, RuleIndex, RuleSyntaxError, TopicClassifier
from bot.matching._eval import evaluate, fired, optimise
from bot.matching.document import Document
from bot.matching.topics import TopicPart, decide

_VOCABULARY = (
    "уран урана урановый литий лития Казахстан Казахстана Токаев Tokayev Astana Астана "
    "uranium lithium mines mine mining critical minerals mineral rare earths редкие земли "
    "United States Соединенные Штаты США US C5+1 С5+1 5+1 P5+1 summit саммит Центральной Азии "
    "Central Asia supply chain цепочка поставок export ban нефть oil Reuters северо-запад "
    "Iran Иран gold золото FC Ural Урал стали сталь strategic стратегический "
    "долларов доллар dollars American американских"
)
WORDS = _VOCABULARY.split()
PUNCT = ("", "", "", ",", ".", ":", " —", "(", ")")
ATOMS = [w for w in WORDS if "+" not in w]
# Pieces of special tokens that span whitespace ("C 5+1", "U. S.", "5 + 1"), for items only:
# they reach the piecewise tokeniser of special texts.
TEXT_WORDS = [*WORDS, "C", "С", "5", "+", "+1", "U.", "S.", "A.", "U.S.", "u.s.", "x+C5", "US$"]


@st.composite
def items(draw: st.DrawFn) -> MatchInput:
    def text(n: int) -> str:
        words = draw(st.lists(st.sampled_from(TEXT_WORDS), max_size=n))
        return " ".join(w + draw(st.sampled_from(PUNCT)) for w in words)

    return MatchInput(text(8), text(25))


@st.composite
def rules(draw: st.DrawFn) -> str:
    w = st.sampled_from(ATOMS)
    a, b, c, d = (draw(w) for _ in range(4))
    shape = draw(st.integers(0, 18))
    return [
        a,
        f"{a} {b}",
        f'"{a} {b}"',
        f"{a} OR {b} OR {c} OR {d}",
        f'"{a} {b}" OR "{b} {c}" OR ({c} -{d}) OR {a[:3]}* OR {d}',  # a gated OR
        f"{a} NEAR/3 {b}",
        f"{a} -{b}",
        f"{a[:4]}*",
        f"title:{a} OR {b}",
        f"({a} OR {b} OR {c} OR {d}) -({c} OR {d} OR {a} OR {b}) OR {a} {b}",
        f'({a} NEAR/2 ({b} OR {c})) OR title:"{c} {d}"',
        # Simple rules, decided from the term sets alone: a word, ORs of words, in the title.
        a,
        f"{a} OR {b}",
        f"{a} OR {b} OR {c} OR {a}",
        f"title:{a}",
        f"title:({a} OR {b} OR {c})",
        # Not simple: an alias reference shows the word found; a prefix.
        f"~usa OR {a} OR ~kazakhstan",
        f"{a[:3]}* OR {b[:4]}*",
        # A gated OR whose branches share anchor keys: every branch of a key must be tried,
        # not only the first (which here often fails while a later one holds).
        f'"{a} {b}" OR "{b} {a}" OR ({a} {b} -{c}) OR ({a} NEAR/2 {b}) OR title:"{a} {b}"',
    ][shape]


def full_document(index: RuleIndex, item: MatchInput) -> Document:
    """The item with every term kept (the index's own documents keep only its vocabulary)."""
    return Document(index.normaliser, item.title, item.summary)


def brute_rules(index: RuleIndex, texts: dict[Hashable, str], item: MatchInput) -> dict:
    doc = full_document(index, item)
    found = {}
    for rule_id, text in texts.items():
        root = optimise(index.parse(text).root)
        if evaluate(root, doc):
            out: list[str] = []
            fired(root, doc, out)
            found[rule_id] = tuple(out)
    return found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rules(), min_size=1, max_size=25), st.lists(items(), min_size=1, max_size=6))
def test_index_equals_brute_force(texts: list[str], batch: list[MatchInput]) -> None:
    index = RuleIndex()
    kept: dict[Hashable, str] = {}
    for i, text in enumerate(texts):
        try:
            index.add(i, text)
        except RuleSyntaxError:
            continue
        kept[i] = text
    if kept and len(kept) > 2:  # removing and re-adding must leave no trace
        gone = next(iter(kept))
        index.remove(gone)
        index.add(gone, kept[gone])
    for item in batch:
        got = {m.rule_id: m.terms for m in index.match(item).rules}
        assert got == brute_rules(index, kept, item)


_classifier = TopicClassifier()


@settings(max_examples=150, deadline=None)
@given(items())
def test_topics_equal_brute_force(item: MatchInput) -> None:
    index = _classifier.index
    doc = full_document(index, item)
    expected = []
    for name, topic in index.topics.items():
        roots: dict[TopicPart, object] = {}
        for kind, parts in (("rule", topic.rules), ("exclude", topic.exclusions)):
            for number, rule in enumerate(parts):
                root = optimise(rule.query.root)
                if evaluate(root, doc):
                    roots[TopicPart(name, kind, number)] = root

        def explain(part: TopicPart, roots: dict[TopicPart, object] = roots) -> tuple[str, ...]:
            out: list[str] = []
            fired(roots[part], doc, out)  # type: ignore[arg-type]
            return tuple(out)

        decided = decide(topic, roots, explain)
        if decided is not None:
            expected.append(decided)
    assert _classifier.classify(item) == tuple(expected)
