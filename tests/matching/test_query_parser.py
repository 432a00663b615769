from __future__ import annotations

import pytest

from bot.matching import QueryLimits, RuleSyntaxError, parse_query
from bot.matching.query import And, Near, Not, Or, Phrase, Prefix, Word


def error(text: str, limits: QueryLimits | None = None) -> RuleSyntaxError:
    with pytest.raises(RuleSyntaxError) as info:
        parse_query(text, limits)
    return info.value


def test_words_and_operators() -> None:
    root = parse_query("уран OR uranium -Иран").root
    assert isinstance(root, Or)
    left, right = root.children
    assert isinstance(left, Word) and left.keys == frozenset({"уран"})
    assert isinstance(right, And)
    assert isinstance(right.children[1], Not)


def test_not_keyword_and_russian_operators() -> None:
    assert isinstance(parse_query("уран NOT Иран").root, And)
    assert isinstance(parse_query("уран ИЛИ литий").root, Or)


def test_phrase_prefix_title_near() -> None:
    root = parse_query('title:"critical minerals" литиев* (a NEAR/3 b)').root
    assert isinstance(root, And)
    phrase, prefix, near = root.children
    assert isinstance(phrase, Phrase) and phrase.title
    assert isinstance(prefix, Prefix) and prefix.prefix == "литиев"
    assert isinstance(near, Near) and near.distance == 3


def test_lookalike_spellings_parse_to_the_same_key() -> None:
    latin = parse_query("C5+1").root
    cyrillic = parse_query("С5+1").root
    assert isinstance(latin, Word) and isinstance(cyrillic, Word)
    assert latin.keys == cyrillic.keys == frozenset({"c5+1"})


def test_alias_variants_parse_to_the_group() -> None:
    for text in ("Токаев", "Tokayev"):
        node = parse_query(text).root
        assert isinstance(node, Word) and node.keys == frozenset({"~tokayev"})
    node = parse_query('"rare earths"').root
    assert isinstance(node, Word) and node.keys == frozenset({"~rare_earths"})


@pytest.mark.parametrize(
    ("text", "code", "position"),
    [
        ("(уран", "expected_rparen", 5),
        ("уран OR", "expected_term", 7),
        ("уран )", "unexpected", 5),
        ('"уран', "unclosed_quote", 0),
        ("-уран", "no_positive", 0),
        ("уран NEAR/0 литий", "bad_near", 5),
        ("уран NEAR/x литий", "bad_near", 5),
        ("ур*", "short_prefix", 0),
        ("у*ран", "bad_star", 0),
        ("body:уран", "unknown_field", 0),
        ("уран AND", "expected_term", 8),
        ("   ", "empty", 0),
        ("уран (-литий) NEAR/3 a", "near_operand", 5),
    ],
)
def test_errors_point_at_the_position(text: str, code: str, position: int) -> None:
    err = error(text)
    assert err.code == code
    assert err.position == position
    assert isinstance(err, ValueError)


def test_error_messages_in_both_languages() -> None:
    err = error("(уран")
    assert "Expected" in err.message("en") and "position 6" in err.message("en")
    assert "Ожидалась" in err.message("ru") and "позиция 6" in err.message("ru")
    assert "конец правила" in err.message("ru")


def test_limits() -> None:
    limits = QueryLimits(max_length=20, max_terms=3, max_depth=2)
    assert error("a" * 21, limits).code == "too_long"
    assert error("один два три четыре", limits).code == "too_many_terms"
    assert error("(((уран)))", limits).code == "too_deep"
    assert parse_query("((уран))", limits)


def test_default_limits_are_sane() -> None:
    limits = QueryLimits()
    assert limits.max_length == 300 and limits.max_terms == 20 and limits.max_depth == 5
    assert error("x " * 21).code == "too_many_terms"
