"""Items and stories: store a fetch's entries, one story per article however many sources.

Storage does not decide what a reprint is; the caller passes a ``same_story`` predicate
(bot.ingest.identity) and this module applies it to the candidates it loads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import SessionFactory
from storage.models import (
    Feed,
    Item,
    Story,
)
from storage.repositories.feeds import FeedSuccess, apply_success

__all__ = [
    "ItemRepository",
    "NewItem",
    "SameStory",
    "StoreReport",
    "StoryCandidate",
    "StorySource",
]


@dataclass(frozen=True, slots=True)
class NewItem:
    """One normalised entry, poller to storage, with the poller's backlog decision."""

    guid: str
    url: str | None
    canonical_url: str | None
    title: str
    summary: str
    published_at: datetime
    title_key: str
    fingerprint: int
    is_backlog: bool
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class StoryCandidate:
    """A recent story with the same title key, storage to the reprint predicate."""

    id: int
    title: str
    summary: str
    published_at: datetime
    fingerprint: int


SameStory = Callable[[NewItem, StoryCandidate], bool]


@dataclass(frozen=True, slots=True)
class StoreReport:
    new_items: int = 0
    new_stories: int = 0
    # Items that joined an existing story (same canonical URL or a reprint).
    joined: int = 0
    backlog_items: int = 0
    moved_note: str | None = None


@dataclass(frozen=True, slots=True)
class StorySource:
    """One source of a story, for alerts that list where it appeared."""

    item_id: int
    feed_id: int
    feed_title: str | None
    feed_url: str
    url: str | None
    title: str
    published_at: datetime
    fetched_at: datetime


class ItemRepository:
    def __init__(
        self, sessions: SessionFactory, *, reprint_window: timedelta = timedelta(days=14)
    ) -> None:
        self._sessions = sessions
        self._window = reprint_window

    async def store(
        self, outcome: FeedSuccess, items: Sequence[NewItem], same_story: SameStory
    ) -> StoreReport:
        """Insert the entries not yet stored for this feed and record the fetch, atomically.

        Dedup is by (feed_id, guid).  A new item joins the story that already has its
        canonical URL, else the first recent story with its title key that ``same_story``
        accepts, else starts a story: backlog stories get ``matched_at`` so matching never
        claims them; news stories get ``matched_at=NULL``.  A unique-key race with another
        process rolls back and retries once, finding the other process's rows.
        """
        for attempt in (1, 2):
            try:
                async with self._sessions() as session, session.begin():
                    report = await self._store(session, outcome, items, same_story)
                    note = await apply_success(session, outcome)
                return _with_note(report, note)
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _store(
        self,
        session: AsyncSession,
        outcome: FeedSuccess,
        items: Sequence[NewItem],
        same_story: SameStory,
    ) -> StoreReport:
        if not items:
            return StoreReport()
        known = set(
            (
                await session.scalars(
                    select(Item.guid).where(
                        Item.feed_id == outcome.feed_id, Item.guid.in_([i.guid for i in items])
                    )
                )
            ).all()
        )
        fresh = [i for i in items if i.guid not in known]
        if not fresh:
            return StoreReport()
        by_url = await _stories_by_url(session, {i.canonical_url for i in fresh} - {None})
        by_title = await _candidates(
            session, {i.title_key for i in fresh}, outcome.now - self._window
        )
        # Decide every item's story first; new stories get provisional ids -1, -2, ... so
        # later items of the same batch can join them; then insert stories and items in bulk.
        pending: list[dict[str, object]] = []
        chosen: list[int] = []
        joined = 0
        for item in fresh:
            story_id = by_url.get(item.canonical_url) if item.canonical_url else None
            if story_id is None:
                story_id = next(
                    (c.id for c in by_title.get(item.title_key, []) if same_story(item, c)), None
                )
            if story_id is None:
                pending.append(_new_story(item, outcome.now))
                story_id = -len(pending)
                by_title.setdefault(item.title_key, []).append(
                    StoryCandidate(
                        story_id, item.title, item.summary, item.published_at, item.fingerprint
                    )
                )
            else:
                joined += 1
            if item.canonical_url:
                by_url[item.canonical_url] = story_id
            chosen.append(story_id)
        await _mark_new_source(session, {sid for sid in chosen if sid > 0}, outcome)
        # Core statements: one executemany each, instead of the ORM's row-at-a-time flush.
        new_ids = await _insert_stories(session, pending)
        await session.execute(
            insert(Item),
            [
                {
                    "feed_id": outcome.feed_id,
                    "story_id": new_ids[-sid - 1] if sid < 0 else sid,
                    "guid": item.guid,
                    "url": item.url,
                    "canonical_url": item.canonical_url,
                    "title": item.title,
                    "published_at": item.published_at,
                    "fetched_at": outcome.now,
                }
                for item, sid in zip(fresh, chosen, strict=True)
            ],
        )
        new_stories, backlog = len(pending), sum(i.is_backlog for i in fresh)
        return StoreReport(
            new_items=len(fresh), new_stories=new_stories, joined=joined, backlog_items=backlog
        )

    async def story_sources(self, story_id: int) -> list[StorySource]:
        """Every item of a story with its feed, first seen first."""
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(Item, Feed.title, Feed.url)
                    .join(Feed, Feed.id == Item.feed_id)
                    .where(Item.story_id == story_id)
                    .order_by(Item.fetched_at, Item.id)
                )
            ).all()
        return [
            StorySource(
                item_id=item.id,
                feed_id=item.feed_id,
                feed_title=title,
                feed_url=url,
                url=item.url,
                title=item.title,
                published_at=item.published_at,
                fetched_at=item.fetched_at,
            )
            for item, title, url in rows
        ]


def _new_story(item: NewItem, now: datetime) -> dict[str, object]:
    return {
        "canonical_url": item.canonical_url,
        "title": item.title,
        "summary": item.summary,
        "lang": item.lang,
        "title_key": item.title_key,
        "fingerprint": item.fingerprint,
        "published_at": item.published_at,
        "first_seen_at": now,
        "is_backlog": item.is_backlog,
        "matched_at": now if item.is_backlog else None,
        "match_lease_until": None,
    }


async def _insert_stories(session: AsyncSession, rows: list[dict[str, object]]) -> list[int]:
    """Insert stories in one multi-row statement; their ids in the order of ``rows``.

    RETURNING rows are matched back by content, not position (SQLite does not promise an
    order, and asking SQLAlchemy to sort makes it insert row by row).  Two rows with equal
    keys are interchangeable copies, so either id serves.
    """
    if not rows:
        return []
    cols = (Story.title_key, Story.canonical_url, Story.fingerprint, Story.published_at)
    result = await session.execute(insert(Story).returning(Story.id, *cols), rows)
    by_key: dict[tuple[object, ...], list[int]] = {}
    for row in result:
        by_key.setdefault(tuple(row[1:]), []).append(row[0])
    keys = [c.key for c in cols]
    return [by_key[tuple(r[k] for k in keys)].pop() for r in rows]


async def _mark_new_source(session: AsyncSession, joined: set[int], outcome: FeedSuccess) -> None:
    """Existing stories this feed did not carry yet gain a source: bump their revision, so
    alerts already sent for them are edited to list it (bot.delivery.editor)."""
    if not joined:
        return
    carried = set(
        await session.scalars(
            select(Item.story_id)
            .where(Item.story_id.in_(joined), Item.feed_id == outcome.feed_id)
            .distinct()
        )
    )
    if gained := sorted(joined - carried):
        await session.execute(
            update(Story)
            .where(Story.id.in_(gained))
            .values(sources_rev=Story.sources_rev + 1, sources_changed_at=outcome.now)
        )


async def _stories_by_url(session: AsyncSession, urls: set[str | None]) -> dict[str | None, int]:
    if not urls:
        return {}
    found: dict[str | None, int] = {}
    rows = await session.execute(
        select(Item.canonical_url, Item.story_id).where(Item.canonical_url.in_(urls))
    )
    for url, story_id in rows:
        found.setdefault(url, story_id)
    rows = await session.execute(
        select(Story.canonical_url, Story.id).where(Story.canonical_url.in_(urls))
    )
    for url, story_id in rows:
        found.setdefault(url, story_id)
    return found


async def _candidates(
    session: AsyncSession, keys: set[str], since: datetime
) -> dict[str, list[StoryCandidate]]:
    rows = await session.execute(
        select(
            Story.id,
            Story.title_key,
            Story.title,
            Story.summary,
            Story.published_at,
            Story.fingerprint,
        )
        .where(Story.title_key.in_(keys), Story.first_seen_at >= since)
        .order_by(Story.id)
    )
    out: dict[str, list[StoryCandidate]] = {}
    for r in rows:
        out.setdefault(r.title_key, []).append(
            StoryCandidate(r.id, r.title, r.summary, r.published_at, r.fingerprint)
        )
    return out


def _with_note(report: StoreReport, note: str | None) -> StoreReport:
    if note is None:
        return report
    return StoreReport(
        report.new_items, report.new_stories, report.joined, report.backlog_items, note
    )
