"""Precision, recall and F1 of the curated topics on labelled items.

    python -m bot.matching.evaluate [-v] [PATH]   (default tests/matching/fixtures/labelled.jsonl)
    python -m bot.matching.evaluate --batches [MANIFEST]

Each line of PATH is a JSON object with ``title``, ``summary``, ``lang`` and one boolean per
topic (``critical_minerals``, ``c5plus1``).

``--batches`` reads the fixtures' batch manifest (``batches.json`` beside them) and prints, for
every batch of items, the F1 its items got when they were first scored, on arrival and before
any rule change they prompted, beside the F1 of the rules as they are now. A batch tuned on
shows how much of its "now" figure is hindsight; a batch never tuned on stays an honest guess.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.matching.classifier import TopicClassifier
from bot.matching.types import MatchInput

FIXTURES = Path(__file__).resolve().parents[2] / "tests/matching/fixtures"
DEFAULT_PATH = FIXTURES / "labelled.jsonl"


class PrecisionRecall:
    """Precision, recall and F1 of a dataclass's ``tp``, ``fp`` and ``fn`` counts."""

    __slots__ = ()
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Score(PrecisionRecall):
    topic: str
    lang: str
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def positives(self) -> int:
        return self.tp + self.fn


def load_labelled(path: str | Path = DEFAULT_PATH) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def predictions(
    rows: Sequence[dict[str, Any]], classifier: TopicClassifier | None = None
) -> list[set[str]]:
    classifier = classifier or TopicClassifier()
    items = [MatchInput(r["title"], r.get("summary") or "", r.get("lang")) for r in rows]
    return [{m.topic for m in found} for found in classifier.classify_many(items)]


def scores(
    rows: Sequence[dict[str, Any]], predicted: Sequence[set[str]], topics: Iterable[str]
) -> list[Score]:
    """One score per topic and language, plus an "all" row per topic."""
    result: list[Score] = []
    for topic in topics:
        langs = sorted({str(r.get("lang") or "?") for r in rows})
        for lang in [*langs, "all"]:
            counts = [0, 0, 0, 0]
            for row, got in zip(rows, predicted, strict=True):
                if lang != "all" and str(row.get("lang") or "?") != lang:
                    continue
                want, have = bool(row.get(topic)), topic in got
                counts[(0 if have else 2) if want else (1 if have else 3)] += 1
            result.append(Score(topic, lang, *counts))
    return result


def table(results: Sequence[Score]) -> str:
    lines = [
        f"{'topic':<18} {'lang':<4} {'pos':>4} {'tp':>4} {'fp':>4} {'fn':>4}"
        f" {'prec':>6} {'recall':>6} {'F1':>6}"
    ]
    for s in results:
        lines.append(
            f"{s.topic:<18} {s.lang:<4} {s.positives:>4} {s.tp:>4} {s.fp:>4} {s.fn:>4}"
            f" {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}"
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class Batch:
    """Items collected together, with the F1 they got when first scored (None: not recorded)."""

    name: str
    file: str
    prefix: str
    ranges: dict[str, tuple[int, int]]
    first_seen: dict[str, float] | None
    role: str

    def holds(self, item_id: str) -> bool:
        if self.prefix == "*":  # the whole file
            return True
        prefix, _, rest = item_id.rpartition("-")
        group, _, lang = prefix.rpartition("-")
        if group != self.prefix or lang not in self.ranges or not rest.isdigit():
            return False
        low, high = self.ranges[lang]
        return low <= int(rest) <= high


def load_batches(path: str | Path = FIXTURES / "batches.json") -> list[Batch]:
    with open(path, encoding="utf-8") as fh:
        raw = json.load(fh)
    return [
        Batch(
            name=b["name"],
            file=b["file"],
            prefix=b["prefix"],
            ranges={lang: (int(lo), int(hi)) for lang, (lo, hi) in b["ranges"].items()},
            first_seen=b.get("first_seen"),
            role=b["role"],
        )
        for b in raw["batches"]
    ]


def batch_rows(batch: Batch, folder: Path = FIXTURES) -> list[dict[str, Any]]:
    return [r for r in load_labelled(folder / batch.file) if batch.holds(str(r.get("id")))]


def batch_table(batches: Sequence[Batch], classifier: TopicClassifier, folder: Path) -> str:
    topics = list(classifier.topics)
    head = f"{'batch':<12} {'role':<9} {'items':>5}"
    for topic in topics:
        head += f" {topic + ' first':>24} {'now':>6}"
    lines = [head]
    for batch in batches:
        rows = batch_rows(batch, folder)
        now = {
            s.topic: s.f1
            for s in scores(rows, predictions(rows, classifier), topics)
            if s.lang == "all"
        }
        line = f"{batch.name:<12} {batch.role:<9} {len(rows):>5}"
        for topic in topics:
            first = (batch.first_seen or {}).get(topic)
            line += f" {'—' if first is None else f'{first:.3f}':>24} {now[topic]:>6.3f}"
        lines.append(line)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.matching.evaluate",
        description="Precision, recall and F1 of the curated topics on labelled items.",
    )
    parser.add_argument("path", nargs="?", default=DEFAULT_PATH, help="labelled JSON Lines")
    parser.add_argument("-v", action="store_true", help="list every false positive and negative")
    parser.add_argument(
        "--batches",
        nargs="?",
        const=FIXTURES / "batches.json",
        type=Path,
        metavar="MANIFEST",
        help="every batch's first-seen F1 beside today's (default: the fixtures' batches.json)",
    )
    args = parser.parse_args(argv)
    classifier = TopicClassifier()
    if args.batches is not None:
        print(batch_table(load_batches(args.batches), classifier, args.batches.parent))
        return 0
    rows = load_labelled(args.path)
    predicted = predictions(rows, classifier)
    print(table(scores(rows, predicted, classifier.topics)))
    if args.v:
        for row, got in zip(rows, predicted, strict=True):
            for topic in classifier.topics:
                if bool(row.get(topic)) != (topic in got):
                    kind = "FN" if row.get(topic) else "FP"
                    print(f"{kind} {topic} {row.get('id')}: {row['title'][:90]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
