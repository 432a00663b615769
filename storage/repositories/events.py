"""Event assignment's side of storage: stories waiting for their event, and the turn that
places them.

Placing is one serialised step over the stories waiting, taken in arrival order (story id
order) and placed by the grouper in order of publication, so the events come out as
``c5watch events`` would give for the same items. A turn holds the row lock of the
single ``event_grouping`` row for one transaction: another process skips its tick
(PostgreSQL, ``SKIP LOCKED``) or waits for the write lock (SQLite). The row's ``version``
moves on with every batch; a process that finds another version than the one it wrote last
knows its in-memory grouper missed something and rebuilds it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import SessionFactory
from storage.models import EventGrouping, Feed, Item, Story
from storage.repositories._sql import insert_ignoring_duplicates

_ROW = 1
# The process that placed stories keeps the turn while it keeps placing; another takes over
# once it has been quiet this long (it died, or had nothing to place).
STICKY = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class StoryForEvent:
    """A story as grouping reads it; ``source`` is the outlet that first carried it."""

    id: int
    title: str
    summary: str
    published_at: datetime
    lang: str | None
    url: str | None
    source: str | None
    event_key: str | None = None


@dataclass(frozen=True, slots=True)
class Placement:
    """Grouping's answer for one story: its event, and its terms for /search."""

    story_id: int
    key: str
    terms: str


class EventTurn:
    """One process's exclusive turn at placing stories (one transaction)."""

    def __init__(self, session: AsyncSession, version: int) -> None:
        self._session = session
        self.version = version

    async def placed_since(self, since: datetime) -> list[StoryForEvent]:
        """Stories already placed, published at or after ``since``, in arrival order."""
        stories = await self._session.scalars(
            select(Story)
            .where(Story.event_key.is_not(None), Story.published_at >= since)
            .order_by(Story.id)
        )
        return await self._with_sources(list(stories))

    async def waiting(self, limit: int) -> list[StoryForEvent]:
        """Stories with no event yet, oldest arrival first."""
        stories = await self._session.scalars(
            select(Story).where(Story.event_key.is_(None)).order_by(Story.id).limit(limit)
        )
        return await self._with_sources(list(stories))

    async def assign(
        self, placed: Sequence[Placement], now: datetime, *, edits_since: datetime
    ) -> None:
        """Store each story's event and search terms; earlier stories of the same events,
        first seen after ``edits_since``, gain a source revision, so alerts already sent about
        them are edited to list the new coverage (storage.repositories.edits)."""
        if not placed:
            return
        stories = cast(Table, Story.__table__)
        await self._session.execute(
            update(stories)
            .where(stories.c.id == bindparam("story_id"))
            .values(event_key=bindparam("key"), search_terms=bindparam("terms")),
            [{"story_id": p.story_id, "key": p.key, "terms": p.terms} for p in placed],
        )
        newest: dict[str, int] = {}
        for p in placed:
            newest[p.key] = max(newest.get(p.key, 0), p.story_id)
        for key, last in newest.items():
            await self._session.execute(
                update(Story)
                .where(
                    Story.event_key == key,
                    Story.id < last,
                    Story.first_seen_at >= edits_since,
                )
                .values(sources_rev=Story.sources_rev + 1, sources_changed_at=now)
            )
        self.version += 1
        await self._session.execute(
            update(EventGrouping)
            .where(EventGrouping.id == _ROW)
            .values(version=self.version, updated_at=now)
        )

    async def _with_sources(self, stories: list[Story]) -> list[StoryForEvent]:
        first = await _first_sources(self._session, [s.id for s in stories])
        return [
            StoryForEvent(
                s.id,
                s.title,
                s.summary or "",
                s.published_at,
                s.lang,
                s.canonical_url,
                first.get(s.id),
                s.event_key,
            )
            for s in stories
        ]


async def _first_sources(session: AsyncSession, story_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(story_ids))
    found: dict[int, str] = {}
    for start in range(0, len(ids), 5_000):
        rows = await session.execute(
            select(Item.story_id, Feed.title, Feed.url)
            .join(Feed, Feed.id == Item.feed_id)
            .where(Item.story_id.in_(ids[start : start + 5_000]))
            .order_by(Item.story_id, Item.fetched_at, Item.id)
        )
        for story_id, title, url in rows:
            found.setdefault(story_id, title or url)
    return found


def _held_by_other(row: EventGrouping, owner: str, now: datetime) -> bool:
    """Another process placed stories lately: leave the turn to it, since taking it over
    costs a rebuild of the grouper (tens of seconds for a busy window)."""
    return (
        row.owner is not None
        and row.owner != owner[:64]
        and row.updated_at is not None
        and row.updated_at > now - STICKY
    )


async def _locked_row(session: AsyncSession) -> EventGrouping | None:
    found: EventGrouping | None = await session.scalar(
        select(EventGrouping).where(EventGrouping.id == _ROW).with_for_update(skip_locked=True)
    )
    return found


class EventRepository:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    @asynccontextmanager
    async def turn(self, owner: str, now: datetime) -> AsyncIterator[EventTurn | None]:
        """The placing turn, or None while another process has it. Committed on exit."""
        async with self._sessions() as session, session.begin():
            row = await _locked_row(session)
            if row is None:  # held by another process, or not there yet
                await insert_ignoring_duplicates(
                    session,
                    EventGrouping.__table__,  # type: ignore[arg-type]
                    [{"id": _ROW, "version": 0}],
                )
                row = await _locked_row(session)
            if row is None or _held_by_other(row, owner, now):
                yield None
                return
            # Writing first takes SQLite's write lock for the whole turn.
            row.owner = owner[:64]
            row.updated_at = now
            await session.flush()
            # Read again under the lock: on SQLite the first read was not yet in a transaction.
            version = await session.scalar(
                select(EventGrouping.version).where(EventGrouping.id == _ROW)
            )
            yield EventTurn(session, int(version or 0))

    async def has_waiting(self) -> bool:
        async with self._sessions() as session:
            found = await session.scalar(select(Story.id).where(Story.event_key.is_(None)).limit(1))
            return found is not None
