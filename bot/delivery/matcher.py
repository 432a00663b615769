"""MatchStage: new stories against the curated topics and every active chat's keyword rules.

Each tick first places new stories in their events (``EventAssigner``); a story is matched
only once its event is known, and a chat's outbox takes one row per event.

One tick leases a batch of stories never matched, matches them off the event loop, and writes
Match rows (one per chat and story) and, for chats that want instant alerts, outbox rows, in
the same transaction that marks the stories matched. A crash before that commit leaves the
stories unmatched; their lease runs out and the next tick takes them again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.delivery.events import EventAssigner
from bot.delivery.leases import new_owner
from bot.matching.errors import RuleSyntaxError
from bot.matching.index import RuleIndex
from bot.matching.types import MatchInput, RuleMatch, TopicMatch
from storage.repositories.events import EventRepository
from storage.repositories.matches import ChatForMatch, MatchIntent, MatchRepository, StoryForMatch

log = logging.getLogger(__name__)


class Classifier(Protocol):
    """What MatchStage needs of the curated topics (``bot.matching.TopicClassifier``)."""

    def classify(self, item: MatchInput) -> Sequence[TopicMatch]: ...


@dataclass(frozen=True, slots=True)
class MatchReport:
    stories: int = 0
    matches: int = 0
    alerts: int = 0

    def __bool__(self) -> bool:
        """True when the tick queued alerts (the sender is worth waking)."""
        return self.alerts > 0


@dataclass(frozen=True, slots=True)
class _Found:
    topics: tuple[TopicMatch, ...]
    rules: tuple[RuleMatch, ...]


class MatchStage:
    def __init__(
        self,
        repo: MatchRepository,
        topics: Classifier,
        index: RuleIndex | None = None,
        *,
        lease: timedelta = timedelta(seconds=30),
        batch: int = 200,
        max_batches: int = 20,
        events: EventAssigner | None = None,
    ) -> None:
        self.repo = repo
        self.events = events or EventAssigner(EventRepository(repo.sessions), owner=new_owner())
        self.topics = topics
        self.index = index or RuleIndex()
        self.lease = lease
        self.batch = batch
        self.max_batches = max_batches
        self._rule_texts: dict[int, str] = {}
        self._rule_chat: dict[int, int] = {}
        self._refused: dict[int, str] = {}

    async def sync_rules(self) -> None:
        """Bring the index in line with the keyword_rules table: add new ids, drop deleted."""
        rules = await self.repo.keyword_rules()
        current = {r.id: r for r in rules}
        for rule_id in [r for r in self._rule_texts if r not in current]:
            self.index.remove(rule_id)
            del self._rule_texts[rule_id]
        for rule in rules:
            if (
                self._rule_texts.get(rule.id) == rule.query
                or self._refused.get(rule.id) == rule.query
            ):
                continue
            try:
                self.index.add(rule.id, rule.query)
            except RuleSyntaxError as exc:
                log.warning("keyword rule %s is not valid, skipped: %s", rule.id, exc)
                self._refused[rule.id] = rule.query
                continue
            self._rule_texts[rule.id] = rule.query
        self._rule_chat = {r.id: r.chat_id for r in rules}

    async def run_once(self, now: datetime) -> MatchReport:
        stories = matches = alerts = 0
        await self.events.run_once(now)
        for _ in range(self.max_batches):
            batch = await self.repo.claim_unmatched(now, lease=self.lease, limit=self.batch)
            if not batch:
                break
            await self.sync_rules()
            chats = await self.repo.active_chats()
            found = await asyncio.to_thread(self._match, batch)
            intents = self.intents(batch, found, chats)
            await self.repo.record([s.id for s in batch], intents, now)
            stories += len(batch)
            matches += len(intents)
            alerts += sum(1 for i in intents if i.instant)
            if len(batch) < self.batch:
                break
        if stories:
            log.info("matched %d stories: %d matches, %d alerts", stories, matches, alerts)
        return MatchReport(stories, matches, alerts)

    def _match(self, batch: Sequence[StoryForMatch]) -> list[_Found]:
        out = []
        for story in batch:
            item = MatchInput(story.title, story.summary, story.lang)
            out.append(_Found(tuple(self.topics.classify(item)), self.index.match(item).rules))
        return out

    def intents(
        self, batch: Sequence[StoryForMatch], found: Sequence[_Found], chats: Sequence[ChatForMatch]
    ) -> list[MatchIntent]:
        by_topic: dict[str, list[ChatForMatch]] = {}
        by_id = {c.id: c for c in chats}
        for chat in chats:
            for topic in chat.topics:
                by_topic.setdefault(topic, []).append(chat)
        intents: list[MatchIntent] = []
        for story, hit in zip(batch, found, strict=True):
            per_chat: dict[int, dict[str, Any]] = {}
            for tm in hit.topics:
                for chat in by_topic.get(tm.topic, ()):
                    why = per_chat.setdefault(chat.id, _empty_why())
                    why["topics"].append(tm.topic)
                    why["topic_scores"][tm.topic] = tm.score
                    why["terms"][tm.topic] = list(tm.terms)
            for rm in hit.rules:
                chat_id = self._rule_chat.get(_int(rm.rule_id))
                if chat_id is None or chat_id not in by_id:
                    continue
                why = per_chat.setdefault(chat_id, _empty_why())
                why["rules"].append(rm.rule_id)
                terms = why["terms"].setdefault("rules", [])
                terms.extend(t for t in rm.terms if t not in terms)
            for chat_id, why in per_chat.items():
                score = sum(why["topic_scores"].values()) + len(why["rules"])
                instant = by_id[chat_id].wants_instant
                intents.append(
                    MatchIntent(chat_id, story.id, why, float(score), instant, story.event_key)
                )
        return intents


def _empty_why() -> dict[str, Any]:
    return {"topics": [], "topic_scores": {}, "rules": [], "terms": {}}


def _int(value: Hashable) -> int:
    return value if isinstance(value, int) else -1
