from __future__ import annotations

import pytest

from bot.matching import default_normaliser
from bot.matching.document import Document
from bot.matching.normalise import analyse, fold, prepare, raw_tokens


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
