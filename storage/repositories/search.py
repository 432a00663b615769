"""Read-only story look-ups: previews of a rule, and /search over the stored stories."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, false, or_, select

from storage.db import SessionFactory
from storage.models import Search, Story


@dataclass(frozen=True, slots=True)
class StoryText:
    id: int
    title: str
    summary: str
    url: str | None
    first_seen_at: datetime
    event_key: str | None = None


@dataclass(frozen=True, slots=True)
class SavedSearch:
    id: int
    chat_id: int
    query: str


_COLUMNS = (
    Story.id,
    Story.title,
    Story.summary,
    Story.canonical_url,
    Story.first_seen_at,
    Story.event_key,
)


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _text(r: Any) -> StoryText:
    return StoryText(r[0], r[1], r[2] or "", r[3], r[4], r[5])


class StorySearchRepository:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    async def recent(self, since: datetime, *, limit: int) -> list[StoryText]:
        """Stories first seen at or after ``since``, newest first, at most ``limit``."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(*_COLUMNS)
                .where(Story.first_seen_at >= since)
                .order_by(Story.first_seen_at.desc(), Story.id.desc())
                .limit(limit)
            )
            return [_text(r) for r in rows]

    async def holding(
        self, since: datetime, keys: Iterable[str], prefixes: Iterable[str], *, limit: int
    ) -> list[StoryText]:
        """Stories first seen since ``since`` whose stored terms hold one of ``keys`` or a
        term starting with one of ``prefixes`` (stories without stored terms always come),
        newest first. The caller's matcher decides which of them match."""
        tests = [Story.search_terms.like(f"% {_like(k)} %", escape="\\") for k in sorted(keys)]
        tests += [Story.search_terms.like(f"% {_like(p)}%", escape="\\") for p in sorted(prefixes)]
        async with self._sessions() as session:
            rows = await session.execute(
                select(*_COLUMNS)
                .where(
                    Story.first_seen_at >= since,
                    or_(Story.search_terms.is_(None), *tests) if tests else false(),
                )
                .order_by(Story.first_seen_at.desc(), Story.id.desc())
                .limit(limit)
            )
            return [_text(r) for r in rows]

    async def save_search(self, chat_id: int, query: str, now: datetime) -> int:
        """Keep a query for its page buttons; queries older than a day are dropped."""
        async with self._sessions() as session, session.begin():
            await session.execute(delete(Search).where(Search.created_at < now - timedelta(days=1)))
            search = Search(chat_id=chat_id, query=query, created_at=now)
            session.add(search)
            await session.flush()
            return search.id

    async def get_search(self, chat_id: int, search_id: int) -> SavedSearch | None:
        async with self._sessions() as session:
            found = await session.get(Search, search_id)
            if found is None or found.chat_id != chat_id:
                return None
            return SavedSearch(found.id, found.chat_id, found.query)
