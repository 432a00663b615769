"""Read-only story look-ups for previews (what a rule would have matched lately)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from storage.db import SessionFactory
from storage.models import Story


@dataclass(frozen=True, slots=True)
class StoryText:
    id: int
    title: str
    summary: str
    url: str | None
    first_seen_at: datetime


class StorySearchRepository:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    async def recent(self, since: datetime, *, limit: int) -> list[StoryText]:
        """Stories first seen at or after ``since``, newest first, at most ``limit``."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(
                    Story.id, Story.title, Story.summary, Story.canonical_url, Story.first_seen_at
                )
                .where(Story.first_seen_at >= since)
                .order_by(Story.first_seen_at.desc(), Story.id.desc())
                .limit(limit)
            )
            return [
                StoryText(id=r[0], title=r[1], summary=r[2] or "", url=r[3], first_seen_at=r[4])
                for r in rows
            ]
