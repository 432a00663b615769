"""``c5watch classify``: JSON Lines in, one JSON line out per input line (see contracts.md)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from bot.matching.classifier import TopicClassifier
from bot.matching.types import MatchInput, TopicMatch

# ``json.dumps(value, ensure_ascii=False)`` without building an encoder per call; strings
# (topic names, terms, most ids) go straight to the C escaper that encoder uses.
_ENCODE: Callable[[Any], str] = json.JSONEncoder(ensure_ascii=False).encode
_STRING: Callable[[str], str] = json.encoder.encode_basestring


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


def output_line(ident: Any, matches: Sequence[TopicMatch]) -> str:
    """The JSON line for one item: the bytes ``json.dumps`` gives for
    ``{"id": ident, "topics": [...], "why": {topic: [terms]}}`` with ``ensure_ascii=False``,
    written directly (most items match no topic)."""
    head = '{"id": ' + (_STRING(ident) if type(ident) is str else _ENCODE(ident))
    if not matches:
        return head + ', "topics": [], "why": {}}\n'
    names = ", ".join([_STRING(m.topic) for m in matches])
    why = ", ".join([f"{_STRING(m.topic)}: [{', '.join(map(_STRING, m.terms))}]" for m in matches])
    return f'{head}, "topics": [{names}], "why": {{{why}}}}}\n'


def answer_lines(stdin: TextIO, stdout: TextIO, answer: Callable[[Any], str]) -> int:
    """The JSON Lines loop of the pure commands (classify, events): each non-blank line's
    object through ``answer``, which returns the output line or raises ValueError for input
    it refuses; a refused line gets ``{"line": N, "error": ...}`` and the rest go on. Returns 1
    if any line was refused."""
    status = 0
    for number, line in enumerate(stdin, 1):
        if not line.strip():
            continue
        try:
            text = answer(json.loads(line))  # json.JSONDecodeError is a ValueError
        except ValueError as exc:
            text = _ENCODE({"line": number, "error": str(exc)}) + "\n"
            status = 1
        stdout.write(text)
        stdout.flush()
    return status


def run_classify(stdin: TextIO, stdout: TextIO, classifier: TopicClassifier | None = None) -> int:
    """Classify each input line into the curated topics. Returns 1 if any line was refused."""
    topics = classifier or TopicClassifier()

    def answer(obj: Any) -> str:
        item = _item(obj)  # checks the object, its id included, before anything reads it
        return output_line(obj["id"], topics.classify(item))

    return answer_lines(stdin, stdout, answer)
