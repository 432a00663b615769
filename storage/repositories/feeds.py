"""Feeds: the sources the poller fetches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from storage.db import SessionFactory
from storage.models import Feed


@dataclass(frozen=True, slots=True)
class FeedInfo:
    id: int
    url: str
    title: str | None
    added_at: datetime
    next_poll_at: datetime
    error_count: int
    last_error: str | None
    last_error_at: datetime | None
    last_success_at: datetime | None
    last_warning: str | None


class FeedExistsError(ValueError):
    def __init__(self, url: str) -> None:
        super().__init__(f"feed already added: {url}")
        self.url = url


def _info(row: Feed) -> FeedInfo:
    return FeedInfo(
        id=row.id,
        url=row.url,
        title=row.title,
        added_at=row.added_at,
        next_poll_at=row.next_poll_at,
        error_count=row.error_count,
        last_error=row.last_error,
        last_error_at=row.last_error_at,
        last_success_at=row.last_success_at,
        last_warning=row.last_warning,
    )


class FeedRepository:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    async def add(
        self, url: str, *, now: datetime, first_poll_at: datetime, title: str | None = None
    ) -> FeedInfo:
        """Add a feed due at ``first_poll_at``; a URL already present raises FeedExistsError."""
        async with self._sessions() as session:
            row = Feed(
                url=url,
                title=title,
                added_at=now,
                next_poll_at=first_poll_at,
                error_count=0,
                backlog_done=False,
            )
            session.add(row)
            try:
                await session.commit()
            except IntegrityError:
                raise FeedExistsError(url) from None
            return _info(row)

    async def list(self) -> list[FeedInfo]:
        async with self._sessions() as session:
            rows = (await session.scalars(select(Feed).order_by(Feed.id))).all()
            return [_info(r) for r in rows]

    async def find(self, url_or_id: str) -> FeedInfo | None:
        async with self._sessions() as session:
            query = select(Feed).where(Feed.url == url_or_id)
            if url_or_id.isdigit():
                query = select(Feed).where((Feed.id == int(url_or_id)) | (Feed.url == url_or_id))
            row = (await session.scalars(query)).first()
            return _info(row) if row else None

    async def remove(self, feed_id: int) -> bool:
        async with self._sessions() as session:
            result = await session.execute(delete(Feed).where(Feed.id == feed_id))
            await session.commit()
            return bool(result.rowcount)  # type: ignore[attr-defined]
