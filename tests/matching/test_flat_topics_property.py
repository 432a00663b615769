"""Topics of random rules, classified by the flat compiled form, against brute force.

The shipped topics use only some shapes of the rule language; these topics mix phrases and
words in one OR, title: atoms, prefixes, negations and NEARs (nested, around phrases) in
rules of any weight, and exclusions, so that the flat form is checked on any rule file of
the same shape, not only on today's.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.matching import MatchInput, RuleSyntaxError, TopicClassifier
from bot.matching._eval import evaluate, fired, optimise
from bot.matching.document import Document
from bot.matching.query import TOPIC_LIMITS, default_normaliser, parse_query
from bot.matching.topics import Topic, TopicPart, TopicRule, decide
from tests.matching.test_index_property import PUNCT, items, rules

# Few words, so that rules and items meet often: repeated words, phrases at the end of the
# title, the same word on both sides of a NEAR.
ATOMS = [
    "уран",
    "урана",
    "литий",
    "mine",
    "mines",
    "critical",
    "minerals",
    "Казахстан",
    "США",
    "United",
    "States",
]


@st.composite
def flat_rules(draw: st.DrawFn) -> str:
    """Shapes the flat form treats apart: phrases merged with words, NEARs over them."""
    w = st.sampled_from(ATOMS)
    a, b, c, d = (draw(w) for _ in range(4))
    shape = draw(st.integers(0, 9))
    return [
        f'"{a} {b}" OR {c} OR title:{d}',
        f'("{a} {b}" OR {c}) NEAR/3 ({d} OR "{b} {c}")',
        f"({a} NEAR/2 {b}) NEAR/3 {c}",
        f'("{a} {b}" NEAR/1 {c}) NEAR/4 ("{c} {d}" OR {a[:3]}*)',
        f'title:("{a} {b}" OR {c}) NEAR/5 {d}',
        f'({a} OR ({b} {c}) OR "{c} {d}") NEAR/2 ({d} OR -{a})',
        f'{a} ({b} OR "{c} {d}") -title:"{a} {b}" -({c} NEAR/1 {d})',
        f'"{a} {a}" OR "{a} {b} {a}"',
        f"~usa NEAR/6 (~kazakhstan OR {a})",
        f'title:~usa title:("{b} {c}" OR {d}) -{a}',
    ][shape]


@st.composite
def dense_items(draw: st.DrawFn) -> MatchInput:
    def text(n: int) -> str:
        words = draw(st.lists(st.sampled_from(ATOMS), max_size=n))
        return " ".join(w + draw(st.sampled_from(PUNCT)) for w in words)

    return MatchInput(text(6), text(14))


def _parsed(texts: list[str], weights: list[float]) -> tuple[TopicRule, ...]:
    found = []
    for text, weight in zip(texts, weights, strict=False):
        try:
            found.append(TopicRule(parse_query(text, TOPIC_LIMITS), weight))
        except RuleSyntaxError:
            continue
    return tuple(found)


@st.composite
def topics(draw: st.DrawFn) -> list[Topic]:
    made = []
    for n in range(draw(st.integers(1, 2))):
        texts = draw(st.lists(st.one_of(rules(), flat_rules()), min_size=1, max_size=8))
        weights = draw(st.lists(st.sampled_from([2.0, 1.0, 0.5, 0.4, 0.0, -0.9, -1.0]), min_size=8))
        excluded = draw(st.lists(st.one_of(rules(), flat_rules()), max_size=2))
        made.append(
            Topic(
                f"topic{n}",
                draw(st.sampled_from([0.5, 1.0, 1.5])),
                _parsed(texts, weights),
                _parsed(excluded, [1.0] * len(excluded)),
                n,
            )
        )
    return made


def brute_force(topics: list[Topic], item: MatchInput) -> tuple[object, ...]:
    doc = Document(default_normaliser(), item.title, item.summary)
    expected = []
    for topic in topics:
        roots = {}
        for kind, parts in (("rule", topic.rules), ("exclude", topic.exclusions)):
            for number, rule in enumerate(parts):
                root = optimise(rule.query.root)
                if evaluate(root, doc):
                    roots[TopicPart(topic.name, kind, number)] = root

        def explain(part: TopicPart, roots: dict[TopicPart, object] = roots) -> tuple[str, ...]:
            out: list[str] = []
            fired(roots[part], doc, out)  # type: ignore[arg-type]
            return tuple(out)

        decided = decide(topic, roots, explain)
        if decided is not None:
            expected.append(decided)
    return tuple(expected)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(topics(), st.lists(st.one_of(items(), dense_items()), min_size=1, max_size=6))
def test_flat_topics_equal_brute_force(made: list[Topic], batch: list[MatchInput]) -> None:
    made = [t for t in made if t.rules]
    classifier = TopicClassifier({t.name: t for t in made})
    for item in batch:
        assert classifier.classify(item) == brute_force(made, item)
