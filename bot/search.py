"""/search over stored stories: the query language of keyword rules, results by event.

Matching every stored story against a query would cost a full normalisation of each text; so
each story keeps its terms (``story_terms``, written when its event is placed), the database
returns only stories holding a term the query needs (``needed_terms``), and the real matcher
decides on those. Pure: text in, results out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.matching import MatchInput, QueryLimits, RuleIndex, default_normaliser
from bot.matching.document import Document
from bot.matching.query import And, Near, Node, Not, Or, Phrase, Prefix, Word, Words
from storage.repositories.search import StoryText

PAGE_SIZE = 5


def story_terms(title: str, summary: str) -> str:
    """Every term the matcher sees in a story, space-separated with a space at both ends,
    so that ``LIKE '% term %'`` finds a whole term."""
    terms = Document(default_normaliser(), title, summary).terms
    return " " + " ".join(sorted(terms)) + " "


def needed_terms(root: Node) -> tuple[frozenset[str], frozenset[str]]:
    """(keys, prefixes): a story can match only if it holds one of the keys or a term with
    one of the prefixes. Negated branches never make a match, so they are left out."""
    keys: set[str] = set()
    prefixes: set[str] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, Word | Words):
            keys |= node.keys
        elif isinstance(node, Phrase):
            keys |= node.seq[0]
        elif isinstance(node, Prefix):
            prefixes.add(node.prefix)
        elif isinstance(node, Near):
            stack += (node.left, node.right)
        elif isinstance(node, And | Or):
            stack += node.children
        elif isinstance(node, Not):
            continue
    return frozenset(keys), frozenset(prefixes)


@dataclass(frozen=True, slots=True)
class EventHit:
    """One event among the results: its stories that matched, newest first."""

    key: str
    stories: tuple[StoryText, ...]
    latest: datetime = field(compare=False)

    @property
    def best(self) -> StoryText:
        """The story shown: the one first seen (the report the others followed)."""
        return min(self.stories, key=lambda s: (s.first_seen_at, s.id))


class Search:
    """One parsed query; ``plan`` for the database, ``run`` over the stories it returned."""

    def __init__(self, query: str, limits: QueryLimits | None = None) -> None:
        self._index = RuleIndex(limits)
        self._index.add(0, query)  # raises RuleSyntaxError, checked by the handler first
        self.keys, self.prefixes = needed_terms(self._index.parse(query).root)

    def run(self, stories: Sequence[StoryText]) -> list[EventHit]:
        """The matching stories grouped by event, the event with the newest report first."""
        groups: dict[str, list[StoryText]] = {}
        for story in stories:
            if self._index.match(MatchInput(story.title, story.summary)):
                groups.setdefault(story.event_key or f"s{story.id}", []).append(story)
        hits = [
            EventHit(
                key,
                tuple(sorted(found, key=lambda s: (s.first_seen_at, s.id), reverse=True)),
                max(s.first_seen_at for s in found),
            )
            for key, found in groups.items()
        ]
        hits.sort(key=lambda h: (h.latest, h.stories[0].id), reverse=True)
        return hits


def page_of(hits: Sequence[EventHit], page: int) -> tuple[list[EventHit], int, int]:
    """(the events on ``page``, the page actually shown, the number of pages)."""
    pages = max(1, -(-len(hits) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    return list(hits[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]), page, pages
