"""Feedless pages: the list of news is found by its shape, with dates where the page shows them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.ingest.errors import FeedParseError
from bot.ingest.newslist import parse_news_list, text_date

NOW = datetime(2025, 11, 7, 12, 0, tzinfo=UTC)
PAGES = Path(__file__).resolve().parent / "fixtures" / "news_pages"


def _read(name: str, url: str) -> list[tuple[str, str, str]]:
    parsed = parse_news_list((PAGES / name).read_bytes(), page_url=url, content_type=None, now=NOW)
    return [(e.url or "", e.title, e.published_at.isoformat()) for e in parsed.entries]


def test_an_event_list_with_dotted_dates() -> None:
    items = _read("events_list.html", "https://www.akorda.example/ru/events")
    assert [title for _, title, _ in items] == [
        "Глава государства принял участие в саммите «Центральная Азия – США» (С5+1) в Вашингтоне",
        "Подписан меморандум о взаимопонимании по разработке месторождения вольфрама",
        "Президент провел совещание по вопросам развития регионов",
        "Глава государства принял акима города Алматы",
    ]  # menus, the pager, the sidebar and the footer are not news
    url, _, when = items[0]
    assert url.startswith("https://www.akorda.example/ru/events/international_community/")
    assert when == "2025-11-06T21:40:00+00:00"


def test_a_card_grid_with_time_elements_and_month_names() -> None:
    parsed = parse_news_list(
        (PAGES / "news_cards.html").read_bytes(),
        page_url="https://isrs.example/en/ozbekiston-yangiliklari",
        content_type="text/html; charset=utf-8",
        now=NOW,
    )
    first, second, third = parsed.entries
    assert first.title == "Uzbekistan and the United States sign a critical minerals agreement"
    assert first.published_at == datetime(2025, 11, 6, 10, 20, tzinfo=UTC)
    assert "tungsten, rare earths & uranium" in first.summary
    assert second.url == "https://isrs.example/en/news/c5-plus-1-summit-washington"
    assert third.canonical_url == "https://isrs.example/en/news/new-hydropower-plant-opens"
    assert third.published_at == datetime(2025, 11, 4, tzinfo=UTC)
    assert parsed.lang == "en" and parsed.title and "News of Uzbekistan" in parsed.title


def test_a_page_with_fewer_than_three_news_links_is_refused() -> None:
    with pytest.raises(FeedParseError, match=r"no list of news \(2 headline links found"):
        _read("no_list.html", "https://mfa.example/ru/contacts")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Опубликовано 5 ноября 2025 в 14:30", datetime(2025, 11, 5, 14, 30, tzinfo=UTC)),
        ("12 мая 2025", datetime(2025, 5, 12, tzinfo=UTC)),
        ("2025-03-01T08:15", datetime(2025, 3, 1, 8, 15, tzinfo=UTC)),
        ("Dec 3, 2025", datetime(2025, 12, 3, tzinfo=UTC)),
        ("31.02.2025", None),
        ("no date here", None),
    ],
)
def test_dates_written_in_the_page(text: str, expected: datetime | None) -> None:
    assert text_date(text) == expected


def test_a_hostile_page_is_bounded() -> None:
    rows = "".join(
        f'<li class="n"><a href="/n/{i}">Headline number {i} about uranium mining</a></li>'
        for i in range(60_000)
    )
    body = f"<html><body><ul>{rows}<li><a href='/x'>{'word ' * 200_000}</a>".encode()
    parsed = parse_news_list(body, page_url="https://x.example/", content_type=None, now=NOW)
    assert len(parsed.entries) == 100
    assert all(len(e.title) <= 500 and len(e.summary) <= 2000 for e in parsed.entries)
