"""EventAssigner: places each new story in its real-world event before it is matched.

Grouping itself is pure (``bot.events``); this stage feeds it the stories in arrival order
during the placing turn (``storage.repositories.events``), so however many processes run,
one grouper decides each story and the result is what ``c5watch events`` gives for the same
items. A batch is placed in order of publication, as ``c5watch events`` reads a feed's items:
the order in which concurrent fetches happened to store them must not decide which report
opens an event, or whether two reports meet at all. The grouper lives in memory between
ticks; when another process has placed stories since, or a tick failed half way, it is
rebuilt from the stories of the last window.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.events.grouping import WINDOW, EventGrouper, EventItem, horizon
from bot.search import story_terms
from storage.repositories.events import EventRepository, Placement, StoryForEvent

log = logging.getLogger(__name__)

# Later coverage edits alerts about stories first seen this recently (the editor's horizon).
EDIT_HORIZON = timedelta(hours=48)


def event_item(story: StoryForEvent) -> EventItem:
    return EventItem(
        id=str(story.id),
        title=story.title,
        summary=story.summary,
        published=story.published_at,
        lang=story.lang,
        url=story.url,
        source=story.source,
    )


class EventAssigner:
    def __init__(
        self, repo: EventRepository, *, owner: str, window: timedelta = WINDOW, batch: int = 2_000
    ) -> None:
        self.repo = repo
        self.owner = owner
        self.window = window
        self.batch = batch
        self._grouper: EventGrouper | None = None
        self._version: int | None = None

    async def run_once(self, now: datetime) -> int:
        """Place every story still waiting for its event; returns how many were placed."""
        placed = 0
        if not await self.repo.has_waiting():
            return placed  # the common tick: no write transaction, no lock taken
        while True:
            async with self.repo.turn(self.owner, now) as turn:
                if turn is None:
                    return placed  # another process is placing; its stories come to us matched
                try:
                    if self._grouper is None or turn.version != self._version:
                        self._grouper = await self._rebuild(
                            await turn.placed_since(now - horizon(self.window))
                        )
                    waiting = await turn.waiting(self.batch)
                    if not waiting:
                        return placed
                    # Only follow-ups (or backlog, never alerted) could still join an event
                    # older than the horizon. Forgetting them bounds the memory.
                    self._grouper.expire(now - horizon(self.window))
                    self._version = None  # until the placements below are committed
                    keys = await asyncio.to_thread(self._place, self._grouper, waiting)
                    await turn.assign(keys, now, edits_since=now - EDIT_HORIZON)
                except BaseException:
                    self._grouper = None  # it may hold placements the database never got
                    raise
                version = turn.version
            self._version = version
            placed += len(keys)
            if len(waiting) < self.batch:
                return placed

    async def _rebuild(self, stories: Sequence[StoryForEvent]) -> EventGrouper:
        # Off the event loop: a busy window holds tens of thousands of stories.
        grouper = await asyncio.to_thread(self._restore, EventGrouper(self.window), stories)
        if stories:
            log.info("event grouper rebuilt from %d stories", len(stories))
        return grouper

    @staticmethod
    def _restore(grouper: EventGrouper, stories: Sequence[StoryForEvent]) -> EventGrouper:
        for story in stories:
            if story.event_key is not None:
                grouper.restore(event_item(story), story.event_key)
        return grouper

    @staticmethod
    def _place(grouper: EventGrouper, stories: Sequence[StoryForEvent]) -> list[Placement]:
        return [
            Placement(s.id, grouper.place(event_item(s)), story_terms(s.title, s.summary))
            for s in sorted(stories, key=publication_order)
        ]


def publication_order(story: StoryForEvent) -> tuple[datetime, str, int]:
    # The URL breaks ties of time, so that stories published in the same minute by two feeds
    # fetched at once are placed alike whichever feed was stored first.
    return story.published_at, story.url or "", story.id
