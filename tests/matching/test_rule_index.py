from __future__ import annotations

import asyncio

import pytest

from bot.matching import ItemMatches, MatchInput, QueryLimits, RuleIndex, RuleLimitError
from bot.matching.document import Document


def matched(index: RuleIndex, title: str, summary: str = "") -> dict[object, tuple[str, ...]]:
    return {m.rule_id: m.terms for m in index.match(MatchInput(title, summary)).rules}


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ("уран", "Казахстан нарастил добычу урана"),
        ("уран", "поставки урану"),
        ("редкоземельный", "доступ к редкоземельным элементам"),
        ('"critical mineral"', "US signs critical minerals deal"),
        ('"критически важные минералы"', "клуб критически важных минералов"),
        ("mine", "new mines open"),
        ("литиев*", "запасы литиевых руд"),
        ("C5+1", "саммит С5+1 в Вашингтоне"),
        ("С5+1", "C5 + 1 summit"),
        ("Токаев", "Tokayev met officials"),
        ("Токаев", "Трамп встретился с Токаевым"),
        ("Kyrgyzstan", "власти Киргизии"),
        ("РЗЭ", "China curbs rare earth exports"),
        ("title:вольфрам", "Месторождение вольфрама"),
        ("уран NEAR/3 Казахстан", "уран из Казахстана"),
    ],
)
def test_rules_match_inflected_and_variant_forms(rule: str, text: str) -> None:
    index = RuleIndex()
    index.add("r", rule)
    assert "r" in matched(index, text)


@pytest.mark.parametrize(
    ("rule", "title", "summary"),
    [
        ("уран", "ФК Урал проиграл", "Урала нет в таблице"),
        ("уран -Иран", "Иран обогащает уран", ""),
        ("уран NOT Иран", "Иран обогащает уран", ""),
        ('"critical minerals"', "minerals are critical", ""),
        ("title:вольфрам", "Новости", "месторождение вольфрама"),
        ("уран NEAR/2 Казахстан", "уран добывают много лет и теперь Казахстан", ""),
        ("C5+1", "P5+1 talks", "Iran"),
        ("литиев*", "литий", ""),
    ],
)
def test_rules_do_not_match(rule: str, title: str, summary: str) -> None:
    index = RuleIndex()
    index.add("r", rule)
    assert "r" not in matched(index, title, summary)


def test_phrase_and_near_do_not_span_title_and_summary() -> None:
    index = RuleIndex()
    index.add("p", '"rare tungsten"')
    assert not matched(index, "news rare", "tungsten found")
    assert matched(index, "rare tungsten found")


def test_terms_that_fired_are_reported() -> None:
    index = RuleIndex()
    index.add(1, "(уран OR литий OR вольфрам) -золото")
    assert matched(index, "Уран и вольфрам Казахстана") == {1: ("уран", "вольфрам")}


def test_an_alias_found_as_a_phrase_is_shown_as_written() -> None:
    index = RuleIndex()
    index.add(1, "~usa Kazakhstan")
    got = matched(index, "Kazakhstan and the United States sign a deal; США")
    assert got == {1: ("United States", "Kazakhstan")}
    assert matched(index, "США и Казахстан") == {1: ("США", "Kazakhstan")}


def test_a_currency_is_not_a_mention_of_its_country() -> None:
    index = RuleIndex()
    index.add("us", "США Казахстан")
    index.add("title", "title:США")
    index.add("usd", "доллар")
    money = "Казахстан привлек 500 млн долларов США"
    assert set(matched(index, money)) == {"usd"}  # the rule on the dollar still sees it
    both = "США выделят Казахстану 5 млн долларов США"
    assert matched(index, both)["us"] == ("США", "Казахстан")
    assert set(matched(index, money, "Госдеп США прокомментировал сделку")) == {"us", "usd"}
    assert not matched(index, "Uzbekistan draws US$500 million", "and Kazakhstan US$3bn")
    index.add("en", "US Uzbekistan")
    assert not matched(index, "Uzbekistan draws US$500 million and 3bn US dollars")
    assert set(matched(index, "US envoy in Uzbekistan: US$500 million")) == {"en", "title"}


def test_add_remove_and_replace_at_run_time() -> None:
    index = RuleIndex()
    index.add("a", "уран")
    index.add("b", "литий")
    assert set(matched(index, "уран и литий")) == {"a", "b"}
    assert index.remove("a")
    assert not index.remove("a")
    assert set(matched(index, "уран и литий")) == {"b"}
    index.add("b", "кобальт")  # replacing drops the old terms
    assert not matched(index, "уран и литий")
    assert len(index) == 1


def test_documents_keep_only_the_terms_rules_test() -> None:
    index = RuleIndex()
    index.add("u", "уран -золото")
    doc = index.document(MatchInput("Добыча урана и золота в Казахстане выросла"))
    assert doc.terms == {"уран", "золото"}  # the NOT branch's key is kept too
    index.add("p", "казах*")
    doc = index.document(MatchInput("Добыча урана и золота в Казахстане выросла"))
    assert {"уран", "золото", "казахстан"} <= doc.terms
    assert not doc.terms & {"добыча", "выросла", "вырасти"}


def test_a_new_key_reaches_texts_seen_before() -> None:
    index = RuleIndex()
    index.add("u", "уран")
    text = "Добыча урана и золота в Казахстане выросла"
    assert set(matched(index, text)) == {"u"}  # its chunks are now cached without "золото"
    index.add("x", "уран -золото")
    index.add("g", "золото OR добыча")
    assert matched(index, text) == {"u": ("уран",), "g": ("золото", "добыча")}


def test_a_rule_added_while_an_item_is_matched_is_not_half_seen() -> None:
    index = RuleIndex()
    index.add("u", "уран")
    real = index._match

    def add_midway(doc: Document) -> ItemMatches:
        if "x" not in index:  # another thread adds a rule with a new key right now
            index.add("x", "уран -золото")
        return real(doc)

    index._match = add_midway  # type: ignore[method-assign]
    got = index.match(MatchInput("Уран и золото"))
    assert {m.rule_id for m in got.rules} == {"u"}


def test_rules_per_chat_limit() -> None:
    index = RuleIndex(QueryLimits(max_rules_per_chat=2))
    index.add(1, "уран", owner=42)
    index.add(2, "литий", owner=42)
    index.add(1, "кобальт", owner=42)  # replacing one's own rule is fine
    with pytest.raises(RuleLimitError) as info:
        index.add(3, "никель", owner=42)
    assert info.value.code == "too_many_rules"
    index.add(4, "никель", owner=7)
    index.remove(2)
    index.add(3, "никель", owner=42)
    assert index.rules_of(42) == 2


def test_only_touched_rules_are_evaluated() -> None:
    index = RuleIndex()
    for i in range(2000):
        index.add(i, f"слово{i} OR term{i}")
    index.add("hit", "вольфрам")
    doc = index.document(MatchInput("месторождение вольфрама"))
    assert index.candidates(doc) == {"hit"}


async def test_match_many_async_runs_off_the_loop() -> None:
    index = RuleIndex()
    index.add("r", "уран")
    items = [MatchInput("уран"), MatchInput("литий")]
    results = await index.match_many_async(items)
    assert [bool(r.rules) for r in results] == [True, False]
    await asyncio.sleep(0)


def test_simple_rules_are_answered_from_the_terms() -> None:
    index = RuleIndex()
    index.add("w", "уран")
    index.add("or", "литий OR уран OR lithium")
    index.add("t", "title:(вольфрам OR никель)")
    index.add("alias", "~usa OR уран")  # an alias reference shows the word found: not simple
    simple = {rule_id for rule_id in ("w", "or", "t", "alias") if index._entries[rule_id].simple}
    assert simple == {"w", "or", "t"}
    got = matched(index, "Вольфрам и уран", "литий и никель, США")
    assert got == {
        "w": ("уран",),
        "or": ("литий", "уран"),
        "t": ("вольфрам",),
        "alias": ("США", "уран"),
    }
    assert "t" not in matched(index, "Новости", "вольфрам")


def test_rules_turn_simple_and_back_under_one_id() -> None:
    index = RuleIndex()
    index.add("r", "уран")
    index.add("r", "уран -Иран")
    assert not matched(index, "уран Иран")
    assert matched(index, "уран") == {"r": ("уран",)}
    index.add("r", "литий OR кобальт")
    assert matched(index, "уран кобальт") == {"r": ("кобальт",)}
    assert index.remove("r") and not matched(index, "кобальт")


def test_gated_or_tries_every_branch_of_a_key() -> None:
    index = RuleIndex()
    # All four phrases are anchored by «добыча»; the first fails where the second holds.
    index.add("g", '"уран добыча" OR "добыча уран" OR "добыча нефть" OR "добыча газ"')
    assert "g" in matched(index, "Добыча урана выросла")
    assert "g" not in matched(index, "Добыча выросла, уран и нефть нет")


def test_a_simple_rule_found_under_several_keys_matches_once() -> None:
    index = RuleIndex()
    index.add("w", "стали")  # two lemmas: сталь, стать
    index.add("or", "title:(уран OR урана OR uranium)")
    index.add("x", "литий OR уран OR lithium")
    got = index.match(MatchInput("Уран и uranium", "стали сталь, литий"))
    assert sorted((m.rule_id, m.terms) for m in got.rules) == [
        ("or", ("уран", "uranium")),
        ("w", ("стали",)),
        ("x", ("литий", "уран")),
    ]
    index.remove("x")
    assert matched(index, "литий") == {}
