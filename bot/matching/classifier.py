"""TopicClassifier: the curated topics alone, behind one call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.matching._flat import Compiler, Phrases, View
from bot.matching._flat_topic import FlatTopic
from bot.matching.index import RuleIndex
from bot.matching.query import TOPIC_LIMITS
from bot.matching.topics import Topic, load_topics
from bot.matching.types import MatchInput, TopicMatch


class TopicClassifier:
    """Classifies items into the curated topics (loaded from ``seeds/topics`` by default)."""

    def __init__(
        self, topics: Mapping[str, Topic] | None = None, path: str | Path | None = None
    ) -> None:
        # The index holds the rules for their vocabulary (the terms documents keep) and for
        # callers that read the topics; matching runs the flat form of the same rules.
        self.index = RuleIndex(TOPIC_LIMITS)
        self.phrases = Phrases()
        compiler = Compiler(self.phrases)
        self._flat: list[FlatTopic] = []
        for topic in (topics if topics is not None else load_topics(path)).values():
            self.index.add_topic(topic)
            self._flat.append(FlatTopic(topic, compiler))

    @property
    def topics(self) -> list[str]:
        return list(self.index.topics)

    def classify(self, item: MatchInput) -> tuple[TopicMatch, ...]:
        return self.matches(View(self.index.document(item), self.phrases))

    def matches(self, view: View) -> tuple[TopicMatch, ...]:
        """The topics of an item's ``View`` (``classify`` in two steps, to time each)."""
        found = []
        for topic in self._flat:
            match = topic.match(view)
            if match is not None:
                found.append(match)
        return tuple(found)

    def classify_many(self, items: Sequence[MatchInput]) -> list[tuple[TopicMatch, ...]]:
        return [self.classify(item) for item in items]
