"""The fast paths of documents and topics against their plain equivalents.

Special texts ('+', "U.S") are tokenised one segment at a time; structurally equal
sub-expressions of a topic's rules are compiled and evaluated once.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.matching import MatchInput, RuleIndex, Topic, TopicPart, default_normaliser, parse_query
from bot.matching._eval import evaluate, fired, optimise
from bot.matching.document import Document
from bot.matching.normalise import _WORD_RE, TOKEN_RE, raw_tokens, segments
from bot.matching.query import TOPIC_LIMITS, Near
from bot.matching.topics import TopicRule

_PIECES = (
    "C",
    "С",
    "c",
    "5",
    "12",
    "+",
    "U",
    "u",
    ".",
    "S",
    "A",
    "x",
    "уран",
    "-",
    ",",
    "(",
    "US",
    "us",
    "$",
)
_SPACES = (" ", " ", "  ", "\n", "\t", "\x1c")


def _pieces_tokens(text: str) -> list[str]:
    return [
        token
        for seg in segments(text)
        for token in (TOKEN_RE.findall(seg, 1) if seg[0] == " " else _WORD_RE.findall(seg))
    ]


@given(st.lists(st.sampled_from(_PIECES + _SPACES), max_size=30).map("".join))
def test_segments_give_the_tokens_of_the_whole_text(text: str) -> None:
    assert _pieces_tokens(text) == TOKEN_RE.findall(text)


def test_special_tokens_inside_longer_text() -> None:
    text = "Лидеры стран C 5 +1 и U. S. A. обсудили x+C5, 5+ 1 и уран. Встреча в формате С5+1"
    assert _pieces_tokens(text) == TOKEN_RE.findall(text)
    assert "C 5 +1" in TOKEN_RE.findall(text)
    norm = default_normaliser()
    title, summary = "Summit of the C5+1 in the U.S.", text
    head, terms = norm.field_terms(title, summary)
    assert head == set().union(*map(norm.terms, raw_tokens(title)))
    assert terms == head.union(*map(norm.terms, raw_tokens(summary)))
    assert norm.token_terms(summary) == [norm.terms(raw) for raw in raw_tokens(summary)]
    assert "c5+1" in terms


@given(
    st.lists(st.sampled_from(("Центральной", "Азии", "C5+1", "United", "States", "x")), max_size=12)
)
def test_special_documents_equal_plain_tokenising(words: list[str]) -> None:
    norm = default_normaliser()
    text = " ".join(words)
    doc = Document(norm, text, "U.S. " + text)
    assert doc._tokens()[: doc.title_length] == [norm.terms(raw) for raw in raw_tokens(text)]
    assert doc.title == raw_tokens(text)
    assert doc.summary == raw_tokens("U.S. " + text)


def test_shared_sub_expressions_are_one_node_and_evaluated_once() -> None:
    near = "(США OR Вашингтон) NEAR/3 (Казахстан OR Узбекистан)"
    rules = (f"{near} саммит", f"{near} визит", f"title:({near})")
    topic = Topic("t", 1.0, tuple(TopicRule(parse_query(r, TOPIC_LIMITS)) for r in rules))
    index = RuleIndex(TOPIC_LIMITS)
    index.add_topic(topic)
    roots = [index._entries[TopicPart("t", "rule", i)].root for i in range(3)]

    def nears(node: object) -> list[object]:
        if isinstance(node, Near):
            return [node]
        return [n for c in getattr(node, "children", ()) for n in nears(c)]

    shared = nears(roots[0])[0]
    assert nears(roots[1])[0] is shared
    item = MatchInput("США и Казахстан: визит", "Саммит в Вашингтоне, Узбекистан")
    doc = index.document(item)
    for i, rule in enumerate(rules):
        entry = index._entries[TopicPart("t", "rule", i)]
        root = optimise(parse_query(rule, TOPIC_LIMITS).root)
        assert entry.test(doc) == evaluate(root, doc)
        out: list[str] = []
        fired(root, doc, out)
        assert entry.explain(doc) == tuple(out)
    assert doc.memo[id(shared)] == (shared, True)
    match = index.match(item)
    assert [t.topic for t in match.topics] == ["t"]
