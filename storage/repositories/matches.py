"""Matching's side of storage: unmatched stories, the chats and rules to match them against,
and the Match and Delivery rows that come out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import SessionFactory
from storage.models import (
    Chat,
    Delivery,
    DeliveryMode,
    DeliveryStatus,
    Feed,
    Item,
    KeywordRule,
    Match,
    Story,
    TopicSubscription,
)
from storage.repositories._sql import insert_ignoring_duplicates


@dataclass(frozen=True, slots=True)
class StoryForMatch:
    id: int
    title: str
    summary: str
    lang: str | None
    event_key: str | None = None


@dataclass(frozen=True, slots=True)
class ChatForMatch:
    id: int
    mode: str
    topics: frozenset[str]

    @property
    def wants_instant(self) -> bool:
        return self.mode in (DeliveryMode.INSTANT.value, DeliveryMode.BOTH.value)


@dataclass(frozen=True, slots=True)
class RuleForIndex:
    id: int
    chat_id: int
    query: str


@dataclass(frozen=True, slots=True)
class MatchIntent:
    """One chat matched one story; ``instant`` asks for an outbox row too."""

    chat_id: int
    story_id: int
    why: dict[str, Any]
    score: float
    instant: bool
    event_key: str | None = None


@dataclass(frozen=True, slots=True)
class SourceRef:
    name: str
    url: str | None


@dataclass(frozen=True, slots=True)
class StoryView:
    """A story as a message shows it: title, link, when, and every source that carried it."""

    id: int
    title: str
    url: str | None
    published_at: datetime
    sources: tuple[SourceRef, ...] = field(default=())
    summary: str = ""
    event_key: str | None = None


async def load_story_views(session: AsyncSession, story_ids: Iterable[int]) -> dict[int, StoryView]:
    ids = sorted(set(story_ids))
    if not ids:
        return {}
    stories = (await session.scalars(select(Story).where(Story.id.in_(ids)))).all()
    rows = await session.execute(
        select(Item.story_id, Item.url, Feed.title, Feed.site_url, Feed.url)
        .join(Feed, Feed.id == Item.feed_id)
        .where(Item.story_id.in_(ids))
        .order_by(Item.published_at, Item.id)
    )
    sources: dict[int, list[SourceRef]] = {}
    for story_id, item_url, feed_title, site_url, feed_url in rows:
        name = feed_title or _host(site_url or feed_url)
        refs = sources.setdefault(story_id, [])
        if all(r.name != name for r in refs):
            refs.append(SourceRef(name=name, url=item_url))
    views: dict[int, StoryView] = {}
    for s in stories:
        shown = tuple(sources.get(s.id, []))
        url = s.canonical_url or next((r.url for r in shown if r.url), None)
        views[s.id] = StoryView(
            s.id, s.title, url, s.published_at, shown, s.summary or "", s.event_key
        )
    return views


async def load_event_coverage(
    session: AsyncSession, stories: Iterable[StoryView]
) -> dict[int, tuple[SourceRef, ...]]:
    """For each story with an event, the outlets of the event's other stories that the story
    itself does not list, in order of publication (each outlet once): the order feeds fetched
    at once happened to be stored in must not reorder an alert's list."""
    wanted = [s for s in stories if s.event_key]
    keys = sorted({s.event_key for s in wanted if s.event_key})
    if not keys:
        return {}
    rows = await session.execute(
        select(Story.event_key, Story.id, Item.url, Feed.title, Feed.site_url, Feed.url)
        .join(Item, Item.story_id == Story.id)
        .join(Feed, Feed.id == Item.feed_id)
        .where(Story.event_key.in_(keys))
        .order_by(Story.published_at, Item.fetched_at, Item.id)
    )
    by_event: dict[str, list[tuple[int, SourceRef]]] = {}
    for key, story_id, item_url, feed_title, site_url, feed_url in rows:
        ref = SourceRef(feed_title or _host(site_url or feed_url), item_url)
        by_event.setdefault(key or "", []).append((story_id, ref))
    coverage: dict[int, tuple[SourceRef, ...]] = {}
    for story in wanted:
        seen = {r.name for r in story.sources}
        found: list[SourceRef] = []
        for story_id, ref in by_event.get(story.event_key or "", ()):
            if story_id != story.id and ref.name not in seen:
                seen.add(ref.name)
                found.append(ref)
        coverage[story.id] = tuple(found)
    return coverage


def _host(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return rest.split("/", 1)[0] or url


class MatchRepository:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    @property
    def sessions(self) -> SessionFactory:
        return self._sessions

    async def claim_unmatched(
        self, now: datetime, *, lease: timedelta, limit: int = 200
    ) -> list[StoryForMatch]:
        """Lease up to ``limit`` new stories never matched; an expired lease is free again.

        A story waits until its event is known: an alert is per event, not per story.
        """
        free = (Story.match_lease_until.is_(None)) | (Story.match_lease_until < now)
        async with self._sessions() as session, session.begin():
            stories = (
                await session.scalars(
                    select(Story)
                    .where(
                        Story.matched_at.is_(None),
                        Story.is_backlog.is_(False),
                        Story.event_key.is_not(None),
                        free,
                    )
                    # In order of publication: the first report of an event in a batch is
                    # the one its alert shows, whichever feed happened to be stored first.
                    .order_by(Story.published_at, Story.canonical_url, Story.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for story in stories:
                story.match_lease_until = now + lease
            return [
                StoryForMatch(s.id, s.title, s.summary or "", s.lang, s.event_key) for s in stories
            ]

    async def active_chats(self) -> list[ChatForMatch]:
        async with self._sessions() as session:
            chats = (
                await session.execute(
                    select(Chat.id, Chat.mode).where(Chat.active.is_(True), Chat.blocked.is_(False))
                )
            ).all()
            topics: dict[int, set[str]] = {}
            for chat_id, topic in await session.execute(
                select(TopicSubscription.chat_id, TopicSubscription.topic)
            ):
                topics.setdefault(chat_id, set()).add(topic)
        return [ChatForMatch(cid, mode, frozenset(topics.get(cid, ()))) for cid, mode in chats]

    async def keyword_rules(self) -> list[RuleForIndex]:
        async with self._sessions() as session:
            rows = await session.execute(
                select(KeywordRule.id, KeywordRule.chat_id, KeywordRule.query)
            )
            return [RuleForIndex(rid, cid, q) for rid, cid, q in rows]

    async def record(
        self, story_ids: Sequence[int], intents: Sequence[MatchIntent], now: datetime
    ) -> None:
        """Write matches and outbox rows and mark the stories matched, in one transaction.

        The unique keys (chat, story) make a repeat after a crash a no-op, and (chat, event)
        keeps a second report of an event out of a chat's outbox, whichever rule it matched
        and whichever process matched it first. ``intents`` come in the order their stories
        were claimed, so the first story of an event in the batch is the one its alert shows.
        """
        async with self._sessions() as session, session.begin():
            await insert_ignoring_duplicates(
                session,
                Match.__table__,  # type: ignore[arg-type]
                [
                    {
                        "chat_id": i.chat_id,
                        "story_id": i.story_id,
                        "why": i.why,
                        "score": i.score,
                        "matched_at": now,
                    }
                    for i in intents
                ],
            )
            await insert_ignoring_duplicates(
                session,
                Delivery.__table__,  # type: ignore[arg-type]
                [
                    {
                        "chat_id": i.chat_id,
                        "story_id": i.story_id,
                        "status": DeliveryStatus.PENDING.value,
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                        "event_key": i.event_key,
                    }
                    for i in intents
                    if i.instant
                ],
            )
            if story_ids:
                await session.execute(
                    update(Story)
                    .where(Story.id.in_(list(story_ids)))
                    .values(matched_at=now, match_lease_until=None)
                )
