"""``c5watch classify``: JSON Lines in, one JSON line out per input line (see contracts.md)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from bot.matching.classifier import TopicClassifier
from bot.matching.types import MatchInput


def _item(obj: Any) -> MatchInput:
    if not isinstance(obj, dict):
        raise ValueError("expected a JSON object")
    if "id" not in obj:
        raise ValueError("missing field 'id'")
    fields: dict[str, str] = {}
    for name in ("title", "summary", "lang"):
        value = obj.get(name)
        if value is None:
            if name == "title":
                raise ValueError("missing field 'title'")
            continue
        if not isinstance(value, str):
            raise ValueError(f"field '{name}' must be a string")
        fields[name] = value
    return MatchInput(fields["title"], fields.get("summary", ""), fields.get("lang"))


def run_classify(stdin: TextIO, stdout: TextIO, classifier: TopicClassifier | None = None) -> int:
    """Classify each input line into the curated topics. Returns 1 if any line was refused."""
    classifier = classifier or TopicClassifier()
    status = 0
    for number, line in enumerate(stdin, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            item = _item(obj)
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            out: dict[str, Any] = {"line": number, "error": str(exc)}
            status = 1
        else:
            matches = classifier.classify(item)
            out = {
                "id": obj["id"],
                "topics": [m.topic for m in matches],
                "why": {m.topic: list(m.terms) for m in matches},
            }
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return status
