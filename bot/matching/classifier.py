"""TopicClassifier: the curated topics alone, behind one call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.matching.index import RuleIndex
from bot.matching.query import TOPIC_LIMITS
from bot.matching.topics import Topic, load_topics
from bot.matching.types import MatchInput, TopicMatch


class TopicClassifier:
    """Classifies items into the curated topics (loaded from ``seeds/topics`` by default)."""

    def __init__(
        self, topics: Mapping[str, Topic] | None = None, path: str | Path | None = None
    ) -> None:
        self.index = RuleIndex(TOPIC_LIMITS)
        for topic in (topics if topics is not None else load_topics(path)).values():
            self.index.add_topic(topic)

    @property
    def topics(self) -> list[str]:
        return list(self.index.topics)

    def classify(self, item: MatchInput) -> tuple[TopicMatch, ...]:
        return self.index.match(item).topics

    def classify_many(self, items: Sequence[MatchInput]) -> list[tuple[TopicMatch, ...]]:
        return [self.classify(item) for item in items]
