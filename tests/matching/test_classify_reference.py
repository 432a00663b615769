"""``c5watch classify`` against a straightforward reference, byte for byte, on real text.

The reference walks each shipped rule's syntax tree on a document that keeps every term
(``evaluate`` and ``fired``), adds up the weights as the topic files define, and writes the
JSON line itself. The command's path (vocabulary-filtered documents, candidate postings,
compiled tests and explanations, caches) must give exactly the same bytes, for whatever rule
files are shipped.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from bot.matching import Topic, default_normaliser, load_topics
from bot.matching._eval import evaluate, fired, optimise
from bot.matching.classify import run_classify
from bot.matching.document import Document, Normaliser
from bot.matching.query import Node
from bot.matching.topics import TopicRule

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_rows() -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in sorted(FIXTURES.glob("*.jsonl"))
        for line in path.read_text("utf-8").splitlines()
        if line.strip()
    ]


Rules = list[tuple[Topic, list[tuple[TopicRule, Node]], list[Node]]]


def plain_rules(topics: Mapping[str, Topic]) -> Rules:
    """Each topic with its rules' and exclusions' trees (ORs of words merged, as indexed)."""
    return [
        (
            topic,
            [(rule, optimise(rule.query.root)) for rule in topic.rules],
            [optimise(rule.query.root) for rule in topic.exclusions],
        )
        for topic in topics.values()
    ]


def reference_topics(
    rules: Rules, norm: Normaliser, title: str, summary: str
) -> dict[str, list[str]]:
    """Topic -> terms, by walking every rule of every topic (no index, no vocabulary)."""
    doc = Document(norm, title, summary)
    found: dict[str, list[str]] = {}
    for topic, positive, exclusions in rules:
        if any(evaluate(root, doc) for root in exclusions):
            continue
        score = 0.0
        held = []
        for rule, root in positive:
            if evaluate(root, doc):
                score += rule.weight
                held.append((rule, root))
        if not held or score < topic.threshold:
            continue
        terms: list[str] = []
        for rule, root in held:
            if rule.weight > 0:
                shown: list[str] = []
                fired(root, doc, shown)
                terms.extend(t for t in shown if t not in terms)
        if terms:
            found[topic.name] = terms
    return found


def reference_lines(rows: list[dict[str, Any]]) -> Iterator[str]:
    rules, norm = plain_rules(load_topics()), default_normaliser()
    for row in rows:
        why = reference_topics(rules, norm, row["title"], row.get("summary") or "")
        out = {"id": row["id"], "topics": list(why), "why": why}
        yield json.dumps(out, ensure_ascii=False) + "\n"


def classify_lines(rows: list[dict[str, Any]]) -> list[str]:
    fields = ("id", "title", "summary", "lang")
    text = "".join(
        json.dumps({k: r.get(k) or "" for k in fields}, ensure_ascii=False) + "\n" for r in rows
    )
    out = io.StringIO()
    assert run_classify(io.StringIO(text), out) == 0
    return out.getvalue().splitlines(keepends=True)


def recombined(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """New items: each title with the summary of the item after next, and two summaries
    joined, so that terms meet in orders and fields no fixture has."""
    n = len(rows)
    out = []
    for i, row in enumerate(rows):
        other, third = rows[(i + 2) % n], rows[(i + 7) % n]
        summary = f"{other.get('summary') or ''} {third['title']}. {row.get('summary') or ''}"
        out.append({"id": f"mix-{i}", "title": row["title"], "summary": summary, "lang": "ru"})
    return out


@pytest.mark.parametrize("kind", ["fixtures", "recombined"])
def test_classify_equals_the_reference_on_real_text(kind: str) -> None:
    rows = fixture_rows()
    if kind == "recombined":
        rows = recombined(rows)
    got = classify_lines(rows)
    want = list(reference_lines(rows))
    assert len(got) == len(want)
    wrong = [(g, w) for g, w in zip(got, want, strict=True) if g != w]
    assert not wrong, f"{len(wrong)} of {len(rows)} lines differ, first: {wrong[0]}"
    # The comparison means something only if the text reaches both topics and their terms.
    matched = [json.loads(line) for line in want if '"topics": []' not in line]
    assert len(matched) > len(rows) // 3
    assert {t for m in matched for t in m["topics"]} == set(load_topics())
