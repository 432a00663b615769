"""Data crossing the matching boundary: what goes in, what comes out."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MatchInput:
    """An item as matching sees it: title and summary (or lede); ``lang`` is a hint only."""

    title: str
    summary: str = ""
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class RuleMatch:
    """A keyword rule that matched, with the rule's terms that were found (as written)."""

    rule_id: Hashable
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TopicMatch:
    """A curated topic that matched: the terms that fired and the score of its rules."""

    topic: str
    terms: tuple[str, ...]
    score: float


@dataclass(frozen=True, slots=True)
class ItemMatches:
    """Everything one item matched: keyword rules and curated topics."""

    rules: tuple[RuleMatch, ...] = ()
    topics: tuple[TopicMatch, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.rules or self.topics)
