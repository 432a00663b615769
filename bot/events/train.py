"""Learn the pairwise model from hand-labelled events, and measure it by grouped cross-validation.

    python -m bot.events.train [PATH] [--write]   (default tests/events/fixtures/events.jsonl)

Prints the pairwise table of the grouper on PATH in-sample (trained on all of it) and
cross-validated: events, never single items, are split into folds of consecutive weeks, so no
event has reports both in training and in test, and each fold is grouped by a model that never
saw it. ``--write`` saves the model trained on all of PATH to ``bot/events/pair_weights.json``.

Everything is deterministic: plain Python, no random state, pairs and folds in file order.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.events._features import KeyExtractor
from bot.events._pair import FEATURES, PairModel, event_cosine, pair_features
from bot.events.evaluate import DEFAULT_PATH, PairScore, load_labelled, predict, render, score
from bot.events.grouping import FOLLOW_UP, JOIN_SHARED, EventGrouper
from bot.events.items import item_from_json

WEIGHTS_PATH = Path(__file__).resolve().parent / "pair_weights.json"
FOLDS = 5
# L2 penalty on the standardised coefficients: the labelled set is small.
PENALTY = 1.0
NEWTON_STEPS = 25
# Thresholds tried on the training items; the one whose grouping of them has the best F0.5
# wins: precision counts twice as much as recall, since a false merge hides an alert.
THRESHOLDS = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)
BETA = 0.5


@dataclass(frozen=True, slots=True)
class Pair:
    features: list[float]
    same: bool


def labelled_pairs(rows: Sequence[dict[str, Any]], extractor: KeyExtractor) -> list[Pair]:
    """Every pair of an item and an earlier one the grouper could compare: close enough in
    time and sharing at least ``JOIN_SHARED`` keys, weighted as the grouper weighs them. The
    earlier item's event is taken as labelled so far (its reports before the new one)."""
    grouper = EventGrouper(extractor=extractor, model=_NEUTRAL)
    items = [item_from_json(r) for r in rows]
    keys = [grouper.weigh(item) for item in items]
    sums: dict[str, dict[str, float]] = {}
    squares: dict[str, float] = {}
    pairs: list[Pair] = []
    for i, item in enumerate(items):
        mine = keys[i].weights
        for j in range(i):
            gap = item.published - items[j].published
            if not -grouper.window <= gap <= FOLLOW_UP:
                continue
            theirs = keys[j].weights
            if sum(1 for k in mine if k in theirs and mine[k] > 0.0) < JOIN_SHARED:
                continue
            label = rows[j]["event"]
            similarity = event_cosine(keys[i], sums[label], squares[label])
            same_source = item.source is not None and item.source == items[j].source
            features = pair_features(
                keys[i], keys[j], gap.total_seconds() / 3600.0, similarity, same_source
            )
            pairs.append(Pair(features, rows[i]["event"] == label))
        summed = sums.setdefault(rows[i]["event"], {})
        for key, weight in mine.items():
            before = summed.get(key, 0.0)
            summed[key] = before + weight
            squares[rows[i]["event"]] = squares.get(rows[i]["event"], 0.0) + (
                (before + weight) ** 2 - before**2
            )
    return pairs


# Placeholder weights for reading keys only: never used to decide.
_NEUTRAL = PairModel(
    (0.0,) * len(FEATURES), (1.0,) * len(FEATURES), (0.0,) * len(FEATURES), 0.0, 1.0
)


def fit(pairs: Sequence[Pair]) -> tuple[list[float], list[float], list[float], float]:
    """Means, scales, coefficients and intercept of an L2-penalised logistic regression,
    by Newton's method on the standardised features."""
    n, d = len(pairs), len(FEATURES)
    means = [sum(p.features[c] for p in pairs) / n for c in range(d)]
    scales = []
    for c in range(d):
        var = sum((p.features[c] - means[c]) ** 2 for p in pairs) / n
        scales.append(math.sqrt(var) if var > 1e-12 else 1.0)
    rows = [[1.0] + [(p.features[c] - means[c]) / scales[c] for c in range(d)] for p in pairs]
    ys = [1.0 if p.same else 0.0 for p in pairs]
    beta = [0.0] * (d + 1)
    for _ in range(NEWTON_STEPS):
        grad = [0.0] * (d + 1)
        hess = [[0.0] * (d + 1) for _ in range(d + 1)]
        for x, y in zip(rows, ys, strict=True):
            z = sum(b * v for b, v in zip(beta, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))
            w = p * (1.0 - p)
            for a in range(d + 1):
                grad[a] += (p - y) * x[a]
                wa = w * x[a]
                row = hess[a]
                for b in range(a, d + 1):
                    row[b] += wa * x[b]
        for a in range(1, d + 1):  # the intercept is not penalised
            grad[a] += PENALTY * beta[a]
            hess[a][a] += PENALTY
        for a in range(d + 1):
            for b in range(a):
                hess[a][b] = hess[b][a]
        step = _solve(hess, grad)
        beta = [b - s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-9:
            break
    return means, scales, beta[1:], beta[0]


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """x with matrix @ x = vector (Gaussian elimination with partial pivoting)."""
    size = len(vector)
    m = [row[:] + [vector[i]] for i, row in enumerate(matrix)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(col + 1, size):
            factor = m[r][col] / m[col][col]
            for c in range(col, size + 1):
                m[r][c] -= factor * m[col][c]
    x = [0.0] * size
    for r in range(size - 1, -1, -1):
        x[r] = (m[r][size] - sum(m[r][c] * x[c] for c in range(r + 1, size))) / m[r][r]
    return x


def train(rows: Sequence[dict[str, Any]], extractor: KeyExtractor) -> PairModel:
    """A model fitted on the pairs of ``rows``, its threshold chosen by grouping ``rows``."""
    means, scales, coefficients, intercept = fit(labelled_pairs(rows, extractor))
    best = -1.0
    chosen = THRESHOLDS[-1]
    for threshold in THRESHOLDS:
        model = PairModel(
            tuple(means), tuple(scales), tuple(coefficients), intercept, threshold
        )
        overall = score(rows, predict(rows, EventGrouper(extractor=extractor, model=model)))[0]
        p, r = overall.precision, overall.recall
        f_beta = (1 + BETA**2) * p * r / (BETA**2 * p + r) if p + r > 0 else 0.0
        if f_beta > best:  # ties keep the lower threshold, met first
            best, chosen = f_beta, threshold
    return PairModel(tuple(means), tuple(scales), tuple(coefficients), intercept, chosen)


def folds(rows: Sequence[dict[str, Any]], count: int = FOLDS) -> list[list[int]]:
    """Row indices split into ``count`` folds of consecutive weeks: each event goes whole to
    the fold of the week its first report came out in, and folds hold about as many items."""
    first: dict[str, str] = {}
    for row in rows:
        day = item_from_json(row).published.date().isoformat()
        label = row["event"]
        first[label] = min(first.get(label, day), day)
    weeks = sorted({_week(day) for day in first.values()})
    sizes = {w: 0 for w in weeks}
    for row in rows:
        sizes[_week(first[row["event"]])] += 1
    fold_of: dict[str, int] = {}
    done, fold = 0, 0
    for week in weeks:
        fold_of[week] = fold
        done += sizes[week]
        if done >= len(rows) * (fold + 1) / count and fold < count - 1:
            fold += 1
    out: list[list[int]] = [[] for _ in range(count)]
    for i, row in enumerate(rows):
        out[fold_of[_week(first[row["event"]])]].append(i)
    return out


def _week(day: str) -> str:
    year, week, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-{week:02d}"


def cross_validate(rows: Sequence[dict[str, Any]], extractor: KeyExtractor) -> list[PairScore]:
    """Pairwise counts summed over the folds, each grouped by a model trained on the rest."""
    totals: dict[str, list[int]] = {}
    for test in folds(rows):
        held = set(test)
        train_rows = [r for i, r in enumerate(rows) if i not in held]
        test_rows = [rows[i] for i in test]
        model = train(train_rows, extractor)
        keys = predict(test_rows, EventGrouper(extractor=extractor, model=model))
        for s in score(test_rows, keys):
            counts = totals.setdefault(s.scope, [0, 0, 0])
            counts[0] += s.tp
            counts[1] += s.fp
            counts[2] += s.fn
    return [PairScore(scope, *counts) for scope, counts in totals.items()]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    write = "--write" in args
    paths = [a for a in args if a != "--write"]
    rows = load_labelled(paths[0] if paths else DEFAULT_PATH)
    extractor = KeyExtractor()
    model = train(rows, extractor)
    if write:
        WEIGHTS_PATH.write_text(json.dumps(model.to_json(), indent=1) + "\n", "utf-8")
    print(f"threshold {model.threshold}")
    for name, coef in zip(FEATURES, model.coefficients, strict=True):
        print(f"  {name:<22}{coef:>8.3f}")
    keys = predict(rows, EventGrouper(extractor=extractor, model=model))
    print("== in-sample (trained on every item)")
    print(render(rows, score(rows, keys)))
    print(f"== cross-validated ({FOLDS} folds of consecutive weeks, events never split)")
    print(render(rows, cross_validate(rows, extractor)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
