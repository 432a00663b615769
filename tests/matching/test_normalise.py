from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.matching import default_normaliser
from bot.matching.document import Document
from bot.matching.normalise import (
    _CYR,
    _CYR_LOOKALIKE,
    _CYR_TO_LAT,
    _HYPHENS,
    _LAT_LOOKALIKE,
    _LAT_TO_CYR,
    analyse,
    fold,
    prepare,
    raw_tokens,
)


def terms_of(text: str) -> set[str]:
    """Every term of a text (a document with no vocabulary keeps them all)."""
    return Document(default_normaliser(), text, "").terms


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("саммит C5+1 в Вашингтоне", "C5+1"),
        ("саммит С5+1", "С5+1"),
        ("формат C5 + 1", "C5 + 1"),
        ("формат С 5+1", "С 5+1"),
        ("форум B5+1", "B5+1"),
        ("переговоры P5+1", "P5+1"),
        ("формат «5+1»", "5+1"),
        ("саммит C+C5 в Астане", "C+C5"),
    ],
)
def test_special_tokens_stay_whole(text: str, token: str) -> None:
    assert token in raw_tokens(prepare(text))


def test_cyrillic_lookalikes_fold_to_latin_in_mixed_tokens() -> None:
    assert analyse("С5+1").surface == "c5+1"  # Cyrillic С
    assert analyse("C 5+1").surface == "c5+1"
    assert analyse("В5+1").surface == "b5+1"  # Cyrillic В
    assert fold("Tокаев") == "токаев"  # Latin T in a Cyrillic word
    assert fold("urаnium") == "uranium"  # Cyrillic а in a Latin word
    assert fold("РЗЭ") == "рзэ"


def test_case_yo_and_nfkc() -> None:
    assert fold("МИРЗИЁЕВ") == "мирзиеев"
    assert raw_tokens(prepare("Ｃ５＋１")) == ["C5+1"]


@pytest.mark.parametrize(
    ("word", "lemma"),
    [
        ("урана", "уран"),
        ("урану", "уран"),
        ("редкоземельным", "редкоземельный"),
        ("вольфрамового", "вольфрамовый"),
        ("литиевых", "литиевый"),
        ("минералов", "минерал"),
        ("minerals", "miner"),
        ("mines", "mine"),
    ],
)
def test_lemmas(word: str, lemma: str) -> None:
    assert lemma in analyse(word).lemmas


def test_ural_is_not_uranium() -> None:
    assert "уран" not in analyse("Урала").lemmas
    assert "урал" not in analyse("урана").lemmas


def test_hyphenated_word_keeps_whole_and_parts() -> None:
    forms = analyse("Нур-Султана")
    assert "нур-султан" in forms.lemmas
    assert {"нур", "султан"} <= forms.parts
    assert "сша" in terms_of("переговоры США-Казахстан")


def test_a_compound_first_part_stands_for_its_adjective() -> None:
    assert "американский" in analyse("американо-казахстанские").parts
    assert "туркменский" in analyse("туркмено-американских").parts
    assert "американский" not in analyse("кофе-американо").parts  # only a first part links


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("Токаев прибыл", "~tokayev"),
        ("встреча с Токаевым", "~tokayev"),  # the nominative lemmatises apart («токай»)
        ("пресс-секретарь Токаева", "~tokayev"),
        ("визит Бердымухамедова", "~berdimuhamedov"),
        ("US-Kazakhstan relations", "~usa"),
        ("the Uzbekistan-US Business Council", "~usa"),
        ("Tokayev arrived", "~tokayev"),
        ("встреча с Мирзияевым", "~mirziyoyev"),
        ("Mirziyoyev said", "~mirziyoyev"),
        ("в Нур-Султане", "~astana"),
        ("in Astana", "~astana"),
        ("власти Киргизии", "~kyrgyzstan"),
        ("Kyrgyzstan's", "~kyrgyzstan"),
        ("добыча РЗЭ", "~rare_earths"),
        ("РЗМ", "~rare_earths"),
        ("редкоземельным элементам", "~rare_earths"),
        ("China's rare earths exports", "~rare_earths"),
        ("U.S. officials", "~usa"),
        ("the United States", "~usa"),
        ("Соединенных Штатов", "~usa"),
    ],
)
def test_aliases_add_group_terms(text: str, group: str) -> None:
    assert group in terms_of(text)


def test_lowercase_us_pronoun_is_not_the_usa() -> None:
    assert "~usa" not in terms_of("join us today")
    assert "~usa" not in terms_of("sign-us-up")
    assert "~usa" in terms_of("US and Kazakhstan")


def _plain_fold(token: str) -> str:
    """``fold`` as first written: character counts in Python, no fast paths."""
    s = token.casefold().replace("ё", "е").translate(_HYPHENS)
    cyr = sum(1 for ch in s if ch in _CYR)
    if not cyr:
        return s
    lat = sum(1 for ch in s if "a" <= ch <= "z")
    has_digit = any(ch.isdigit() for ch in s)
    if not lat and not has_digit and "+" not in s:
        return s
    cyr_letters = {ch for ch in s if ch in _CYR}
    if (has_digit or "+" in s or lat >= cyr) and cyr_letters <= _CYR_LOOKALIKE:
        return s.translate(_CYR_TO_LAT)
    lat_letters = {ch for ch in s if "a" <= ch <= "z"}
    if lat_letters <= _LAT_LOOKALIKE:
        return s.translate(_LAT_TO_CYR)
    return s


@given(st.text(alphabet="aceopxCKMHTуранСЁёіјѕ5²٣+-‐’'éß", max_size=12))
def test_fold_equals_its_plain_definition(token: str) -> None:
    assert fold(token) == _plain_fold(token)


def test_lemmatisers_run_on_the_c_readers() -> None:
    """pymorphy3 and snowballstemmer fall back to pure Python, four times slower on new
    words, when the C packages are missing: the pinned install must have them."""
    import dawg
    import Stemmer

    from bot.matching._morph import _analyzer, _english

    assert isinstance(_analyzer().dictionary.words, dawg.RecordDAWG)
    assert isinstance(_english(), Stemmer.Stemmer)
