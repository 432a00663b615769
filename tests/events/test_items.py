from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.events.items import MAX_SUMMARY, item_from_json, parse_published


def test_dates_and_times_become_aware_utc() -> None:
    assert parse_published("2025-11-06") == datetime(2025, 11, 6, tzinfo=UTC)
    assert parse_published("2025-11-06T09:30:00") == datetime(2025, 11, 6, 9, 30, tzinfo=UTC)
    assert parse_published("2025-11-06T12:30:00+03:00") == datetime(2025, 11, 6, 9, 30, tzinfo=UTC)
    assert parse_published("2025-11-06T09:30:00Z") == datetime(2025, 11, 6, 9, 30, tzinfo=UTC)


def test_feed_text_is_bounded_and_ids_are_strings() -> None:
    item = item_from_json(
        {"id": 42, "title": "T", "summary": "x" * 100_000, "published": "2025-11-06"}
    )
    assert item.id == "42"
    assert len(item.summary) == MAX_SUMMARY


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ([], "expected a JSON object"),
        ({"title": "T", "published": "2025-11-06"}, "missing field 'id'"),
        ({"id": 1, "published": "2025-11-06"}, "missing field 'title'"),
        ({"id": 1, "title": 5, "published": "2025-11-06"}, "field 'title' must be a string"),
        ({"id": 1, "title": "T", "published": "6 Nov"}, "not an ISO 8601"),
    ],
)
def test_bad_items_say_what_is_wrong(obj: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        item_from_json(obj)
