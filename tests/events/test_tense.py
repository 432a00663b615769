from __future__ import annotations

import pytest

from bot.events._tense import announces, asks


@pytest.mark.parametrize(
    "title",
    [
        "Америка вместо Китая: кто будет разрабатывать вольфрам в Карагандинской области",
        "What we know about the tungsten deal",
        "Will Cove Capital mine tungsten in Kazakhstan?",
    ],
)
def test_a_question_explains_and_announces_nothing(title: str) -> None:
    assert asks(title)
    assert not announces(title)


@pytest.mark.parametrize(
    "title",
    [
        "Саммит Япония – Центральная Азия может состояться в Токио 19–20 декабря",
        "Japan-Central Asia Summit May Be Held in Tokyo on Dec. 19-20",
        "Госсекретарь США Блинкен впервые посетит Казахстан",
    ],
)
def test_a_happening_still_to_come_is_announced(title: str) -> None:
    assert not asks(title)
    assert announces(title)


def test_a_happening_done_is_not_announced() -> None:
    title = "Cove Capital и Тау-Кен Самрук создали совместное предприятие"
    assert not asks(title)
    assert not announces(title)
