"""Feeds: the sources the poller fetches."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import SessionFactory
from storage.models import Feed, Item


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
    site_url: str | None = None
    # Seconds after its due time that the last fetch began (None: never fetched yet).
    lateness_seconds: float | None = None
    kind: str = "feed"
    guarded: bool = False


@dataclass(frozen=True, slots=True)
class FeedHealth:
    """What `feeds list` shows: the feed, its recent volume, and any back-off."""

    feed: FeedInfo
    items_per_day: float
    backing_off_until: datetime | None


@dataclass(frozen=True, slots=True)
class FeedForPoll:
    """A claimed feed, storage to poller: what one fetch needs."""

    id: int
    url: str
    etag: str | None
    last_modified: str | None
    error_count: int
    backlog_done: bool
    # When the feed was due (its next_poll_at before this claim moved it on).
    due_at: datetime | None = None
    kind: str = "feed"
    guarded: bool = False


@dataclass(frozen=True, slots=True)
class FeedSuccess:
    """A fetch that worked (200 or 304), poller to storage."""

    feed_id: int
    now: datetime
    next_poll_at: datetime
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    title: str | None = None
    site_url: str | None = None
    warning: str | None = None
    moved_to: str | None = None
    lateness: float | None = None


@dataclass(frozen=True, slots=True)
class FeedFailure:
    """A fetch that failed, poller to storage; ``next_poll_at`` already includes the back-off."""

    feed_id: int
    now: datetime
    message: str
    next_poll_at: datetime
    lateness: float | None = None


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
        site_url=row.site_url,
        lateness_seconds=row.lateness_seconds,
        kind=row.kind,
        guarded=row.guarded,
    )


class FeedRepository:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    async def add(
        self,
        url: str,
        *,
        now: datetime,
        first_poll_at: datetime,
        title: str | None = None,
        kind: str = "feed",
        guarded: bool = False,
    ) -> FeedInfo:
        """Add a feed due at ``first_poll_at``; a URL already present raises FeedExistsError."""
        async with self._sessions() as session:
            row = Feed(
                url=url,
                kind=kind,
                guarded=guarded,
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

    # --- polling ---------------------------------------------------------------------------

    async def claim_due(
        self,
        *,
        now: datetime,
        owner: str,
        lease_until: datetime,
        next_poll_at: datetime,
        limit: int,
    ) -> builtins.list[FeedForPoll]:
        """Claim up to ``limit`` due feeds in one statement, oldest due first.

        A feed is due when ``next_poll_at`` has passed and no live lease holds it.  The claim
        sets the lease and moves ``next_poll_at`` before anything is fetched, so a crash cannot
        leave a feed stuck and a second process skips it (PostgreSQL: ``FOR UPDATE SKIP
        LOCKED``; SQLite: the single writer makes the conditional UPDATE atomic).
        """
        due = (Feed.next_poll_at <= now) & (Feed.lease_until.is_(None) | (Feed.lease_until <= now))
        pick = (
            select(Feed.id)
            .where(due)
            .order_by(Feed.next_poll_at, Feed.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        stmt = (
            update(Feed)
            .where(Feed.id.in_(pick), due)
            # SET's right-hand side reads the row as it was: the due time this claim takes.
            .values(
                lease_until=lease_until,
                lease_owner=owner,
                next_poll_at=next_poll_at,
                claimed_due_at=Feed.next_poll_at,
            )
            .returning(
                Feed.id,
                Feed.url,
                Feed.etag,
                Feed.last_modified,
                Feed.error_count,
                Feed.backlog_done,
                Feed.claimed_due_at,
                Feed.kind,
                Feed.guarded,
            )
            .execution_options(synchronize_session=False)
        )
        async with self._sessions() as session:
            rows = (await session.execute(stmt)).all()
            await session.commit()
        feeds = [
            FeedForPoll(
                id=r.id,
                url=r.url,
                etag=r.etag,
                last_modified=r.last_modified,
                error_count=r.error_count,
                backlog_done=bool(r.backlog_done),
                due_at=r.claimed_due_at,
                kind=r.kind,
                guarded=bool(r.guarded),
            )
            for r in rows
        ]
        return sorted(feeds, key=lambda f: f.id)

    async def record_failure(self, outcome: FeedFailure) -> None:
        """Count a consecutive error, store its short message, schedule the back-off."""
        values: dict[str, object] = {}
        if outcome.lateness is not None:
            values["lateness_seconds"] = outcome.lateness
        async with self._sessions() as session:
            await session.execute(
                update(Feed)
                .where(Feed.id == outcome.feed_id)
                .values(
                    error_count=Feed.error_count + 1,
                    last_error=outcome.message[:500],
                    last_error_at=outcome.now,
                    next_poll_at=outcome.next_poll_at,
                    lease_until=None,
                    lease_owner=None,
                    **values,
                )
            )
            await session.commit()

    async def release(self, feed_ids: Iterable[int], *, owner: str, next_poll_at: datetime) -> None:
        """Give back claims not finished (a cancelled cycle): due again at ``next_poll_at``."""
        ids = list(feed_ids)
        if not ids:
            return
        async with self._sessions() as session:
            await session.execute(
                update(Feed)
                .where(Feed.id.in_(ids), Feed.lease_owner == owner)
                .values(lease_until=None, lease_owner=None, next_poll_at=next_poll_at)
            )
            await session.commit()

    async def clamp_schedule(self, *, now: datetime, interval: timedelta) -> int:
        """Healthy feeds scheduled beyond ``now + interval`` become due now.

        After a restart with a shorter POLL_INTERVAL_SECONDS every healthy feed must still
        be fetched within the new interval; feeds in error back-off keep their wait.
        """
        async with self._sessions() as session:
            result = await session.execute(
                update(Feed)
                .where(Feed.error_count == 0, Feed.next_poll_at > now + interval)
                .values(next_poll_at=now)
            )
            await session.commit()
            return int(result.rowcount)  # type: ignore[attr-defined]

    async def lease_owners(self, now: datetime) -> set[str]:
        """Owners of live feed claims."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(Feed.lease_owner)
                .where(Feed.lease_owner.is_not(None), Feed.lease_until >= now)
                .distinct()
            )
            return {r for r in rows if r is not None}

    async def release_owners(self, owners: Iterable[str], *, now: datetime) -> int:
        """Free the claims of processes known to be gone; their feeds are due at once."""
        names = list(owners)
        if not names:
            return 0
        async with self._sessions() as session:
            result = await session.execute(
                update(Feed)
                .where(Feed.lease_owner.in_(names))
                .values(lease_until=None, lease_owner=None, next_poll_at=now)
            )
            await session.commit()
            return int(result.rowcount)  # type: ignore[attr-defined]

    async def health(self, *, now: datetime, days: int = 7) -> builtins.list[FeedHealth]:
        """Every feed with its items per day over the last ``days`` days (by publication)."""
        since = now - timedelta(days=days)
        counts = (
            select(Item.feed_id, func.count().label("n"))
            .where(Item.published_at >= since)
            .group_by(Item.feed_id)
            .subquery()
        )
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(Feed, counts.c.n)
                    .outerjoin(counts, counts.c.feed_id == Feed.id)
                    .order_by(Feed.id)
                )
            ).all()
        return [
            FeedHealth(
                feed=_info(feed),
                items_per_day=(n or 0) / days,
                backing_off_until=feed.next_poll_at if feed.error_count else None,
            )
            for feed, n in rows
        ]


async def apply_success(session: AsyncSession, outcome: FeedSuccess) -> str | None:
    """Write a successful fetch onto the feed row inside the caller's transaction.

    Resets the error count, stores validators and metadata, ends the backlog phase and
    releases the lease.  A permanent redirect moves the stored URL unless another feed
    already has the new one; the returned string is then a warning to record.
    """
    values: dict[str, object] = {
        "error_count": 0,
        "last_success_at": outcome.now,
        "next_poll_at": outcome.next_poll_at,
        "lease_until": None,
        "lease_owner": None,
        "last_warning": outcome.warning[:500] if outcome.warning else None,
    }
    if outcome.lateness is not None:
        values["lateness_seconds"] = outcome.lateness
    if not outcome.not_modified:
        values.update(etag=_cut(outcome.etag, 512), last_modified=_cut(outcome.last_modified, 128))
        values["backlog_done"] = True
    note = None
    if outcome.moved_to:
        taken = await session.scalar(
            select(Feed.id).where(Feed.url == outcome.moved_to, Feed.id != outcome.feed_id)
        )
        if taken is None:
            values["url"] = outcome.moved_to
        else:
            note = f"moved permanently to {outcome.moved_to}, already feed {taken}"
            values["last_warning"] = note[:500]
    await session.execute(update(Feed).where(Feed.id == outcome.feed_id).values(**values))
    if outcome.title or outcome.site_url:
        await session.execute(
            update(Feed)
            .where(Feed.id == outcome.feed_id, Feed.title.is_(None))
            .values(title=_cut(outcome.title, 512), site_url=_cut(outcome.site_url, 2048))
        )
    return note


def _cut(value: str | None, size: int) -> str | None:
    return value[:size] if value else None
