"""What tells one happening from the next: rare shared keys and the person quoted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.events._features import KeyExtractor, speaker_words
from bot.events.grouping import EventGrouper, EventItem

DAY = datetime(2025, 10, 10, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("title", "words"),
    [
        ("Трамп: Казахстан присоединится к соглашениям", ["Трамп"]),
        ("Токаев подтвердил намерение Казахстана", ["Токаев"]),
        ("Rubio says US to sign critical minerals frameworks", ["Rubio"]),
        ("Казахстан присоединится к соглашениям", []),
        ("США направили спецпосланника: Гор прибудет в Бишкек", []),
        ("Sergio Gor: I came with a message", ["Sergio", "Gor"]),
        ("Что известно о сделке: кто будет добывать вольфрам", []),
    ],
)
def test_the_speaker_is_who_a_title_quotes(title: str, words: list[str]) -> None:
    assert speaker_words(title) == words


def test_a_role_is_no_speaker(extractor: KeyExtractor) -> None:
    assert not extractor.keys("Эксперт: США покупают вольфрам", "").speaker
    assert extractor.keys("Песков: визит пройдет в ноябре", "").speaker


def test_two_people_speaking_on_one_subject_make_two_events(extractor: KeyExtractor) -> None:
    lede = "Казахстан присоединится к Авраамовым соглашениям, сообщил Белый дом."
    grouper = EventGrouper(extractor=extractor)
    announced = grouper.place(
        EventItem("a", "Трамп: Казахстан присоединится к Авраамовым соглашениям", lede, DAY)
    )
    confirmed = grouper.place(
        EventItem(
            "b",
            "Токаев подтвердил: Казахстан присоединится к Авраамовым соглашениям",
            lede,
            DAY + timedelta(hours=20),
        )
    )
    retold = grouper.place(
        EventItem("c", "Трамп: Казахстан присоединится к Авраамовым соглашениям", lede, DAY)
    )
    assert announced != confirmed
    assert retold == announced


def _stream_about_kazakhstan_and_russia(grouper: EventGrouper) -> None:
    """Reports that make the trip's leader, countries and city common words of the stream."""
    start = DAY - timedelta(days=60)
    for n in range(40):
        grouper.place(
            EventItem(
                f"s{n}",
                f"Токаев и Путин обсудили отношения Казахстана и России в Москве, тема {n}",
                "Президент Казахстана Касым-Жомарт Токаев и Владимир Путин встретились в Москве.",
                start + timedelta(days=n),
            )
        )


def test_a_trip_s_next_day_sharing_only_common_names_is_another_event(
    extractor: KeyExtractor,
) -> None:
    lede = "Президент Казахстана Касым-Жомарт Токаев прибыл в Москву, его встретил Путин."
    grouper = EventGrouper(extractor=extractor)
    _stream_about_kazakhstan_and_russia(grouper)
    arrived = grouper.place(EventItem("arrived", "Токаев прибыл в Москву", lede, DAY))
    next_day = grouper.place(
        EventItem("talks", "Путин принял Токаева в Москве", lede, DAY + timedelta(days=1))
    )
    rewrite = grouper.place(
        EventItem("rewrite", "Токаев прибыл в Москву", lede, DAY + timedelta(hours=2))
    )
    assert next_day != arrived
    assert rewrite == arrived
