"""Pairwise quality of "same event" on the hand-labelled set: a regression fails here.

The figures printed by ``make eval`` (``python -m bot.events.evaluate``) are the ones checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.events._features import KeyExtractor
from bot.events.evaluate import load_labelled, predict, score
from bot.events.grouping import EventGrouper

FIXTURES = Path(__file__).parent / "fixtures"

# Floors just under what the grouping reaches now (0.886 / 0.639 overall, 0.653 recall across
# languages); the grouping before follow-ups joined their event reached 0.878 / 0.594 on these
# labels. The goal is precision 0.98 and recall 0.85, not reached yet.
PRECISION_FLOOR = 0.88
RECALL_FLOOR = 0.63
CROSS_LANGUAGE_RECALL_FLOOR = 0.64


def test_pairwise_precision_and_recall_on_the_labelled_events(
    labelled: list[dict[str, Any]], extractor: KeyExtractor
) -> None:
    keys = predict(labelled, EventGrouper(extractor=extractor))
    overall, _same, cross = score(labelled, keys)
    assert overall.precision >= PRECISION_FLOOR, overall
    assert overall.recall >= RECALL_FLOOR, overall
    assert cross.recall >= CROSS_LANGUAGE_RECALL_FLOOR, cross


# The blind held-out set (tests/events/fixtures/README.md): scored on arrival at 0.597 / 0.426,
# never read for tuning. Floors just under that, so a regression on unseen events fails.
HELDOUT_PRECISION_FLOOR = 0.58
HELDOUT_RECALL_FLOOR = 0.41


def test_pairwise_precision_and_recall_on_the_blind_held_out_events(
    extractor: KeyExtractor,
) -> None:
    rows = load_labelled(FIXTURES / "heldout.jsonl")
    overall, _same, _cross = score(rows, predict(rows, EventGrouper(extractor=extractor)))
    assert overall.precision >= HELDOUT_PRECISION_FLOOR, overall
    assert overall.recall >= HELDOUT_RECALL_FLOOR, overall
