"""Matching: Russian- and English-aware rules and curated topics. Pure: text in, matches out."""

from bot.matching.classifier import TopicClassifier
from bot.matching.document import Normaliser
from bot.matching.errors import RuleLimitError, RuleSyntaxError
from bot.matching.index import RuleIndex
from bot.matching.query import QueryLimits, default_normaliser, parse_query
from bot.matching.topics import Topic, TopicPart, load_topics
from bot.matching.types import ItemMatches, MatchInput, RuleMatch, TopicMatch

__all__ = [
    "ItemMatches",
    "MatchInput",
    "Normaliser",
    "QueryLimits",
    "RuleIndex",
    "RuleLimitError",
    "RuleMatch",
    "RuleSyntaxError",
    "Topic",
    "TopicClassifier",
    "TopicMatch",
    "TopicPart",
    "default_normaliser",
    "load_topics",
    "parse_query",
]
