"""Pairwise precision and recall of "same event" on hand-labelled items.

    python -m bot.events.evaluate [PATH] [--errors]   (default tests/events/fixtures/events.jsonl)
    python -m bot.events.evaluate --sets [MANIFEST]   (every set: first seen and today)

Each line of PATH is an item (``id``, ``title``, ``summary``, ``published``, optional ``lang``,
``url``, ``source``) with ``event``, its hand label. Items are placed in the order of the file,
as the bot places them in the order they arrive. A pair of items is positive when both carry
the same label; precision is the share of the pairs the grouper put together that are
positive, recall the share of positive pairs it put together.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from bot.events.grouping import EventGrouper
from bot.events.items import item_from_json
from bot.events.stream import StreamPlacer
from bot.matching.evaluate import PrecisionRecall
from bot.matching.evaluate import load_labelled as load_jsonl

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "tests/events/fixtures/events.jsonl"


@dataclass(frozen=True, slots=True)
class PairScore(PrecisionRecall):
    """Counts of item pairs: put together and labelled together (tp), put together only (fp),
    labelled together only (fn)."""

    scope: str
    tp: int
    fp: int
    fn: int


def load_labelled(path: str | Path = DEFAULT_PATH) -> list[dict[str, Any]]:
    return load_jsonl(path)


def predict(rows: Sequence[dict[str, Any]], grouper: EventGrouper | None = None) -> list[str]:
    """The event key of each row, placed in order as ``c5watch events`` places them."""
    placer = StreamPlacer(grouper)
    return [placer.place(item_from_json(row)) for row in rows]


def _scope(a: dict[str, Any], b: dict[str, Any]) -> str:
    langs = {a.get("lang"), b.get("lang")}
    return "cross-language" if len(langs) > 1 else "same language"


def score(rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> list[PairScore]:
    """Pair counts over all pairs, then over same-language and cross-language pairs."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    # Only pairs sharing a label or a key can count; listing them avoids n² over all pairs.
    candidates: set[tuple[int, int]] = set()
    for groups in (_indices(r["event"] for r in rows), _indices(keys)):
        for members in groups.values():
            candidates.update(combinations(members, 2))
    for i, j in candidates:
        same_label = rows[i]["event"] == rows[j]["event"]
        same_key = keys[i] == keys[j]
        slot = 0 if same_label and same_key else 1 if same_key else 2
        for scope in ("all pairs", _scope(rows[i], rows[j])):
            counts[scope][slot] += 1
    return [
        PairScore(scope, *counts[scope])
        for scope in ("all pairs", "same language", "cross-language")
    ]


def _indices(values: Any) -> dict[str, list[int]]:
    found: dict[str, list[int]] = defaultdict(list)
    for i, value in enumerate(values):
        found[value].append(i)
    return found


def errors(rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> list[str]:
    """One line per false merge and per missed pair, for tuning by hand."""
    lines: list[str] = []
    by_key = _indices(keys)
    by_label = _indices(r["event"] for r in rows)
    for members in by_key.values():
        for i, j in combinations(members, 2):
            if rows[i]["event"] != rows[j]["event"]:
                lines.append(
                    f"merged: {rows[i]['id']} | {rows[j]['id']}: "
                    f"{rows[i]['title'][:60]} | {rows[j]['title'][:60]}"
                )
    for members in by_label.values():
        for i, j in combinations(members, 2):
            if keys[i] != keys[j]:
                lines.append(
                    f"missed: {rows[i]['id']} | {rows[j]['id']}: "
                    f"{rows[i]['title'][:60]} | {rows[j]['title'][:60]}"
                )
    return lines


def render(rows: Sequence[dict[str, Any]], scores: Sequence[PairScore]) -> str:
    labels = {r["event"] for r in rows}
    head = f"{len(rows)} items, {len(labels)} labelled events"
    table = [f"{'pairs':<16}{'tp':>6}{'fp':>6}{'fn':>6}{'precision':>11}{'recall':>8}{'F1':>7}"]
    for s in scores:
        table.append(
            f"{s.scope:<16}{s.tp:>6}{s.fp:>6}{s.fn:>6}"
            f"{s.precision:>11.3f}{s.recall:>8.3f}{s.f1:>7.3f}"
        )
    return "\n".join([head, *table])


@dataclass(frozen=True, slots=True)
class LabelledSet:
    """One labelled event set of the manifest (``sets.json`` beside the fixtures)."""

    name: str
    file: str
    first_seen: dict[str, float] | None
    role: str


def load_sets(path: str | Path) -> list[LabelledSet]:
    with open(path, encoding="utf-8") as fh:
        raw = json.load(fh)
    return [LabelledSet(s["name"], s["file"], s.get("first_seen"), s["role"]) for s in raw["sets"]]


def set_table(sets: Sequence[LabelledSet], folder: Path) -> str:
    """Each set's first-seen precision and recall beside today's."""
    head = f"{'set':<10} {'role':<9} {'items':>5} {'first P / R':>14} {'now P / R':>14}"
    lines = [head]
    for labelled in sets:
        rows = load_labelled(folder / labelled.file)
        overall = score(rows, predict(rows))[0]
        first = labelled.first_seen
        then = "—" if first is None else f"{first['precision']:.3f} / {first['recall']:.3f}"
        lines.append(
            f"{labelled.name:<10} {labelled.role:<9} {len(rows):>5} {then:>14} "
            f"{overall.precision:.3f} / {overall.recall:.3f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.events.evaluate",
        description='Pairwise precision and recall of "same event" on hand-labelled items.',
    )
    parser.add_argument("path", nargs="?", default=DEFAULT_PATH, help="JSON Lines with labels")
    parser.add_argument("--errors", action="store_true", help="list false and missed pairs")
    parser.add_argument(
        "--sets",
        nargs="?",
        const=DEFAULT_PATH.parent / "sets.json",
        type=Path,
        metavar="MANIFEST",
        help="every set's first-seen precision / recall beside today's (default: sets.json)",
    )
    args = parser.parse_args(argv)
    if args.sets is not None:
        print(set_table(load_sets(args.sets), args.sets.parent))
        return 0
    rows = load_labelled(args.path)
    keys = predict(rows)
    print(render(rows, score(rows, keys)))
    if args.errors:
        print("\n".join(errors(rows, keys)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
