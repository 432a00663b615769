"""How likely two reports are to tell of one happening: a small logistic model over pair features.

The weights are learned from the hand-labelled events (``python -m bot.events.train``) and
shipped in ``pair_weights.json``; reading them needs nothing beyond the standard library.
Features are computed from both reports' weighted keys and the time between them, so the
same pair always gets the same score.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from bot.events._features import ItemKeys
from bot.matching.aliases import ALIAS_MARK

# Beyond this many hours apart, only coverage that shares the specific names still joins: a
# follow-up explainer, an expert's comment days later.
NEAR_HOURS = 72.0
# An announcement and the happening it announces are one event only on the eve or the day.
EVE_HOURS = 36.0
# A figure counts as a specific thing two reports share only up to this many.
MAX_FIGURES = 3
# Capped sums keep one long lede with many names from dominating the score.
MAX_NAME_WEIGHT = 8.0
# Alias groups (``bot/events/entities.json``) that say what happened rather than who or where:
# an arrival and the talks the next day share the people, not these.
ACTIONS = frozenset(
    ALIAS_MARK + name
    for name in (
        "meeting talks visit arrive sign agreement memorandum export ban restrict production"
        " cut price record moon parliament dissolve resolution invite discover deposit"
    ).split()
)

FEATURES: tuple[str, ...] = (
    "cosine",  # rarity-weighted keys (across languages, the keys that can cross)
    "event_cosine",  # the new report against the summed keys of the other's whole event
    "event_cross_cosine",
    "title_cosine",  # the same over title keys only
    "shared_names",  # weight of title names one report has and the other mentions
    "rarest_shared",  # the weight of the rarest key both share
    "names_only_new",  # weight of the new report's title names the other never mentions
    "names_only_old",  # and the reverse
    "both_have_own_names",  # each names someone the other never mentions: two happenings?
    "shared_figures",
    "log_gap_days",
    "far",  # more than NEAR_HOURS apart
    "far_shared_names",  # a late follow-up must share the specific names
    "stage_differs_apart",  # announcement vs happening, more than EVE_HOURS apart
    "both_announce",
    "cross_language",
    "cross_cosine",
    "shared_actions",  # title words for what happened, both titles
    "own_actions",  # each title says something happened that the other never mentions
    "same_source",  # one outlet rarely reports one happening twice
    "names_jaccard",  # weighted overlap of the two titles' names: the same who and where
    "same_day",  # less than a day apart
)


def _cosine(a: ItemKeys, b: ItemKeys, keys_a: set[str], keys_b: set[str]) -> float:
    """Cosine over the given subsets of the two reports' keys."""
    wa, wb = a.weights, b.weights
    dot = sum(wa[k] * wb[k] for k in keys_a & keys_b if k in wa and k in wb)
    if dot <= 0.0:
        return 0.0
    norm_a = math.sqrt(sum(wa[k] ** 2 for k in keys_a if k in wa))
    norm_b = math.sqrt(sum(wb[k] ** 2 for k in keys_b if k in wb))
    return min(1.0, dot / (norm_a * norm_b)) if norm_a and norm_b else 0.0


def _own_names(a: ItemKeys, b: ItemKeys) -> float:
    """Weight of ``a``'s title names that ``b`` does not mention anywhere."""
    return min(MAX_NAME_WEIGHT, sum(a.weights.get(n, 0.0) for n in a.names if n not in b.weights))


def event_cosine(new: ItemKeys, sums: dict[str, float], square: float) -> float:
    """Cosine of a report's keys and an event's keys summed over its reports."""
    small, large = (new.weights, sums) if len(new.weights) < len(sums) else (sums, new.weights)
    dot = sum(w * large[k] for k, w in small.items() if k in large)
    return dot / (new.norm * (math.sqrt(square) or 1.0))


def pair_features(
    new: ItemKeys,
    old: ItemKeys,
    gap_hours: float,
    event_similarity: float = 0.0,
    same_source: bool = False,
) -> list[float]:
    """The features of ``FEATURES``, in order, for a new report and an earlier one;
    ``event_similarity`` is ``event_cosine`` of the new report and the earlier one's event."""
    cross = new.cyrillic != old.cyrillic
    if cross:
        keys_new, keys_old = set(new.bridge), set(old.bridge)
    else:
        keys_new, keys_old = set(new.weights), set(old.weights)
    cosine = _cosine(new, old, keys_new, keys_old)
    title_cosine = _cosine(new, old, keys_new & new.title, keys_old & old.title)
    wn, wo = new.weights, old.weights
    shared = wn.keys() & wo.keys()
    named = (new.names | old.names) & shared
    shared_names = min(MAX_NAME_WEIGHT, sum(min(wn[k], wo[k]) for k in named))
    rarest = max((min(wn[k], wo[k]) for k in shared), default=0.0)
    only_new, only_old = _own_names(new, old), _own_names(old, new)
    figures = min(MAX_FIGURES, sum(1 for k in shared if k.startswith("#")))
    gap = abs(gap_hours)
    far = 1.0 if gap > NEAR_HOURS else 0.0
    stage_apart = 1.0 if new.ahead != old.ahead and gap > EVE_HOURS else 0.0
    actions_new, actions_old = new.title & ACTIONS, old.title & ACTIONS
    own_new = any(a not in wo for a in actions_new)
    own_old = any(a not in wn for a in actions_old)
    return [
        cosine,
        event_similarity,
        event_similarity if cross else 0.0,
        title_cosine,
        shared_names,
        rarest,
        only_new,
        only_old,
        1.0 if only_new > 0.0 and only_old > 0.0 else 0.0,
        float(figures),
        math.log1p(gap / 24.0),
        far,
        far * shared_names,
        stage_apart,
        1.0 if new.ahead and old.ahead else 0.0,
        1.0 if cross else 0.0,
        cosine if cross else 0.0,
        float(len(actions_new & actions_old)),
        1.0 if own_new and own_old else 0.0,
        1.0 if same_source else 0.0,
        _weighted_jaccard(new.names, old.names, wn, wo),
        1.0 if gap < 24.0 else 0.0,
    ]


def _weighted_jaccard(
    a: frozenset[str], b: frozenset[str], wa: Mapping[str, float], wb: Mapping[str, float]
) -> float:
    union = sum(max(wa.get(k, 0.0), wb.get(k, 0.0)) for k in a | b)
    if union <= 0.0:
        return 0.0
    return sum(min(wa.get(k, 0.0), wb.get(k, 0.0)) for k in a & b) / union


@dataclass(frozen=True, slots=True)
class PairModel:
    """Logistic regression over standardised ``FEATURES``; ``threshold`` is the probability a
    pair needs for the new report to join the other's event."""

    means: tuple[float, ...]
    scales: tuple[float, ...]
    coefficients: tuple[float, ...]
    intercept: float
    threshold: float

    def probability(self, features: Sequence[float]) -> float:
        z = self.intercept
        for x, mean, scale, coef in zip(
            features, self.means, self.scales, self.coefficients, strict=True
        ):
            z += coef * (x - mean) / scale
        if z < -60.0:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    def to_json(self) -> dict[str, object]:
        return {
            "features": list(FEATURES),
            "means": list(self.means),
            "scales": list(self.scales),
            "coefficients": list(self.coefficients),
            "intercept": self.intercept,
            "threshold": self.threshold,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> PairModel:
        if data.get("features") != list(FEATURES):
            raise ValueError("pair weights were trained on other features; retrain them")

        def floats(name: str) -> tuple[float, ...]:
            values = data[name]
            if not isinstance(values, list) or len(values) != len(FEATURES):
                raise ValueError(f"pair weights: {name!r} needs one number per feature")
            return tuple(float(v) for v in values)

        intercept, threshold = data["intercept"], data["threshold"]
        if not isinstance(intercept, int | float) or not isinstance(threshold, int | float):
            raise ValueError("pair weights: intercept and threshold must be numbers")
        return cls(
            floats("means"), floats("scales"), floats("coefficients"), intercept, threshold
        )


def load_model() -> PairModel:
    """The shipped model (``bot/events/pair_weights.json``)."""
    text = resources.files("bot.events").joinpath("pair_weights.json").read_text("utf-8")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("pair weights: expected a JSON object")
    return PairModel.from_json(data)
