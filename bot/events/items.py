"""Items from JSON objects (the `c5watch events` input and the labelled fixtures)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from bot.events.grouping import EventItem

# Feed text is untrusted: only this much of a title and a summary is read.
MAX_TITLE = 1_000
MAX_SUMMARY = 4_000


def parse_published(value: str) -> datetime:
    """An aware UTC datetime from an ISO 8601 date or date-time (naive means UTC)."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"field 'published' is not an ISO 8601 date or date-time: {value!r}"
        ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _text(obj: dict[str, Any], name: str, required: bool) -> str | None:
    value = obj.get(name)
    if value is None:
        if required:
            raise ValueError(f"missing field '{name}'")
        return None
    if not isinstance(value, str):
        raise ValueError(f"field '{name}' must be a string")
    return value


def item_from_json(obj: Any) -> EventItem:
    """An ``EventItem`` from a decoded JSON object; ValueError says what is wrong with it."""
    if not isinstance(obj, dict):
        raise ValueError("expected a JSON object")
    if "id" not in obj or obj["id"] is None:
        raise ValueError("missing field 'id'")
    title = _text(obj, "title", required=True) or ""
    summary = _text(obj, "summary", required=False) or ""
    published = _text(obj, "published", required=True)
    assert published is not None
    return EventItem(
        id=str(obj["id"]),
        title=title[:MAX_TITLE],
        summary=summary[:MAX_SUMMARY],
        published=parse_published(published),
        lang=_text(obj, "lang", required=False),
        url=_text(obj, "url", required=False),
        source=_text(obj, "source", required=False),
    )
