"""Curated topics: weighted rules in the query language, a threshold and exclusions.

A topic file (TOML) in ``seeds/topics/``::

    name = "critical_minerals"
    threshold = 1.0
    [[rule]]
    weight = 1.0
    query = '''уран OR uranium'''
    [[exclude]]
    query = '''"P5+1" OR "E3+3"'''

An item matches a topic when the weights of the rules it matches add up to the threshold and
no exclusion matches it. Lines of a query starting with ``#`` are comments. A ``[define]``
table names sub-expressions that queries use as ``@name`` (topic files only, not user rules).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.matching.errors import RuleSyntaxError
from bot.matching.query import TOPIC_LIMITS, Query, parse_query
from bot.matching.types import TopicMatch

DEFAULT_TOPICS_DIR = Path(__file__).resolve().parents[2] / "seeds" / "topics"


@dataclass(frozen=True)
class TopicRule:
    query: Query
    weight: float = 1.0
    note: str = ""


@dataclass(frozen=True)
class Topic:
    name: str
    threshold: float
    rules: tuple[TopicRule, ...]
    exclusions: tuple[TopicRule, ...] = ()
    order: int = 0


@dataclass(frozen=True, slots=True)
class TopicPart:
    """Id of one topic rule inside a ``RuleIndex``: (topic, "rule" | "exclude", number)."""

    topic: str
    kind: str
    number: int


class TopicFileError(ValueError):
    """A topic file is malformed; the message names the file and the rule."""


_REF = re.compile(r"@(\w+)")


def _query_text(raw: str, defines: Mapping[str, str], path: Path) -> str:
    lines = [line for line in raw.splitlines() if not line.lstrip().startswith("#")]
    text = " ".join(lines)
    for _ in range(10):  # definitions may use earlier definitions
        if "@" not in text:
            break

        def expand(m: re.Match[str]) -> str:
            name = m.group(1)
            if name not in defines:
                raise TopicFileError(f"{path.name}: unknown definition @{name}")
            return f"({defines[name]})"

        text = _REF.sub(expand, text)
    return text


def _rules(
    path: Path, data: list[dict[str, object]], kind: str, defines: Mapping[str, str]
) -> tuple[TopicRule, ...]:
    found: list[TopicRule] = []
    for number, spec in enumerate(data):
        text = _query_text(str(spec.get("query", "")), defines, path)
        try:
            query = parse_query(text, TOPIC_LIMITS)
        except RuleSyntaxError as exc:
            where = f"{path.name}: {kind} #{number + 1}"
            raise TopicFileError(f"{where}: {exc.message('en')} in {text!r}") from exc
        weight = spec.get("weight", 1.0)
        if not isinstance(weight, int | float):
            raise TopicFileError(f"{path.name}: {kind} #{number + 1}: weight must be a number")
        found.append(TopicRule(query, float(weight), str(spec.get("note", ""))))
    return tuple(found)


def load_topic(path: Path) -> Topic:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    name = str(data.get("name", path.stem))
    threshold = data.get("threshold", 1.0)
    if not isinstance(threshold, int | float):
        raise TopicFileError(f"{path.name}: threshold must be a number")
    raw_defines = data.get("define", {})
    defines = {
        k: " ".join(line for line in str(v).splitlines() if not line.lstrip().startswith("#"))
        for k, v in raw_defines.items()
    }
    return Topic(
        name,
        float(threshold),
        _rules(path, data.get("rule", []), "rule", defines),
        _rules(path, data.get("exclude", []), "exclude", defines),
        int(data.get("order", 0)),
    )


def load_topics(path: str | Path | None = None) -> dict[str, Topic]:
    """Every ``*.toml`` topic in ``path`` (default: the repository's ``seeds/topics``)."""
    folder = Path(path) if path is not None else DEFAULT_TOPICS_DIR
    if not folder.is_dir():
        raise TopicFileError(f"no topics directory at {folder}")
    topics = sorted((load_topic(p) for p in sorted(folder.glob("*.toml"))), key=lambda t: t.order)
    return {t.name: t for t in topics}


def decide(
    topic: Topic,
    parts: Iterable[TopicPart],
    terms_of: Callable[[TopicPart], tuple[str, ...]],
) -> TopicMatch | None:
    """Combine the topic's matched parts into a match, or None (below threshold or excluded).

    ``terms_of`` is called only when the topic matches, to explain it.
    """
    score = 0.0
    rules: list[TopicPart] = []
    for part in sorted(parts, key=lambda p: p.number):
        if part.kind == "exclude":
            return None
        score += topic.rules[part.number].weight
        rules.append(part)
    if score < topic.threshold:
        return None
    terms: list[str] = []
    for part in rules:
        if topic.rules[part.number].weight > 0:
            terms.extend(t for t in terms_of(part) if t not in terms)
    if not terms:
        return None
    return TopicMatch(topic.name, tuple(terms), round(score, 3))
