"""Pairwise quality of "same event" on the hand-labelled set: a regression fails here.

The figures printed by ``make eval`` (``python -m bot.events.evaluate``) are the ones checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.events._features import KeyExtractor
from bot.events.evaluate import load_labelled, predict, score
from bot.events.grouping import EventGrouper

FIXTURES = Path(__file__).parent / "fixtures"

# Floors just under what the grouping reaches now (0.879 / 0.578 overall, 0.541 recall across
# languages). Joins now need a key rare in the stream, which costs recall on these labels (the
# grouping before reached 0.886 / 0.639) and buys precision on events nobody tuned on (below).
# The goal is precision 0.98 and recall 0.85, not reached yet.
# A next day's report no longer joins an arrival (an arrival is an event of its own, as the
# definition says); these labels join Sergio Gor's arrival in Bishkek and his talks there, so
# recall fell from 0.570 to 0.552 (0.529 across languages) while the blind sets gained.
PRECISION_FLOOR = 0.88
RECALL_FLOOR = 0.54
CROSS_LANGUAGE_RECALL_FLOOR = 0.52


def test_pairwise_precision_and_recall_on_the_labelled_events(
    labelled: list[dict[str, Any]], extractor: KeyExtractor
) -> None:
    keys = predict(labelled, EventGrouper(extractor=extractor))
    overall, _same, cross = score(labelled, keys)
    assert overall.precision >= PRECISION_FLOOR, overall
    assert overall.recall >= RECALL_FLOOR, overall
    assert cross.recall >= CROSS_LANGUAGE_RECALL_FLOOR, cross


# The first blind set (tests/events/fixtures/README.md): scored on arrival at 0.597 / 0.426
# (0.280 recall across languages), then read for kinds of error (README). Floors just under the
# grouping's 0.780 / 0.415 (0.293 across languages): the grouping before fails the precision
# floor.
BLIND1_PRECISION_FLOOR = 0.83
BLIND1_RECALL_FLOOR = 0.48
BLIND1_CROSS_LANGUAGE_RECALL_FLOOR = 0.28


def test_pairwise_precision_and_recall_on_the_first_blind_set(
    extractor: KeyExtractor,
) -> None:
    rows = load_labelled(FIXTURES / "blind-1.jsonl")
    overall, _same, cross = score(rows, predict(rows, EventGrouper(extractor=extractor)))
    assert overall.precision >= BLIND1_PRECISION_FLOOR, overall
    assert overall.recall >= BLIND1_RECALL_FLOOR, overall
    assert cross.recall >= BLIND1_CROSS_LANGUAGE_RECALL_FLOOR, cross


# The second blind set: 0.847 / 0.603 when first scored (0.790 / 0.592 with the grouping before
# precision came first); held out for one release, then read for kinds of error while the third
# set was collected. Floors just under the grouping's 0.890 / 0.614.
BLIND2_PRECISION_FLOOR = 0.91
BLIND2_RECALL_FLOOR = 0.60


def test_pairwise_precision_and_recall_on_the_second_blind_set(extractor: KeyExtractor) -> None:
    rows = load_labelled(FIXTURES / "blind-2.jsonl")
    overall, _same, _cross = score(rows, predict(rows, EventGrouper(extractor=extractor)))
    assert overall.precision >= BLIND2_PRECISION_FLOOR, overall
    assert overall.recall >= BLIND2_RECALL_FLOOR, overall


# The third blind set, held out: two halves by two collectors who saw only the definition of an
# event, diplomacy (3a: 0.645 / 0.628 when first scored) and minerals and economy (3b: 0.500 /
# 0.446). The names check was narrowed after they were scored, to keep "the US courts China's
# ally" and "Kazakhstan mines more tungsten" apart; 3a gives 0.629 / 0.564 with it. Floors just
# under today's figures; the targets (0.98 / 0.85) are far off.
BLIND3_FLOORS = {"blind-3a.jsonl": (0.77, 0.66), "blind-3b.jsonl": (0.82, 0.55)}
# The fourth blind set, held out: the United States and Central Asia with international bodies
# (4a: 0.657 / 0.597 when first scored) and mining, metals and energy (4b: 0.753 / 0.744).
# The alias groups for partners and officials (Korea, Xi Jinping, SCO...) raised the read sets
# (0.823 / 0.548 to 0.829 / 0.558 over all five) and cost 4b two pairs of recall (0.718).
BLIND4_FLOORS = {"blind-4a.jsonl": (0.64, 0.58), "blind-4b.jsonl": (0.73, 0.70)}
# The fifth blind set: 0.711 / 0.441 when first scored, then read; a ban or a suspension the
# event's reports never mention is a new happening (0.797 / 0.434 after).
BLIND5_FLOORS = {"blind-5.jsonl": (0.78, 0.42)}
# The sixth, held out: 0.540 / 0.643 when first scored (0.520 / 0.586 with the release's start).
BLIND6_FLOORS = {"blind-6.jsonl": (0.52, 0.62)}
# The seventh, read: 0.511 / 0.713 when first scored, 0.587 / 0.647 once countries were no rare
# tie (a change made before it arrived). The eighth, held out: 0.348 / 0.558 when first scored,
# 0.354 / 0.543 after.
BLIND78_FLOORS = {"blind-7.jsonl": (0.57, 0.62), "blind-8.jsonl": (0.34, 0.52)}
# The ninth, held out: 0.779 / 0.680 when first scored. The tenth, read: 0.496 / 0.469 when
# first scored, 0.549 / 0.515 once a price passing a mark («пробила отметку») was a moment.
BLIND9_FLOORS = {"blind-9.jsonl": (0.76, 0.66), "blind-10.jsonl": (0.53, 0.50)}
LATER_FLOORS = (
    BLIND3_FLOORS | BLIND4_FLOORS | BLIND5_FLOORS | BLIND6_FLOORS | BLIND78_FLOORS | BLIND9_FLOORS
)


@pytest.mark.parametrize("name", sorted(LATER_FLOORS))
def test_pairwise_precision_and_recall_on_the_later_blind_sets(
    name: str, extractor: KeyExtractor
) -> None:
    rows = load_labelled(FIXTURES / name)
    overall, _same, _cross = score(rows, predict(rows, EventGrouper(extractor=extractor)))
    precision_floor, recall_floor = LATER_FLOORS[name]
    assert overall.precision >= precision_floor, overall
    assert overall.recall >= recall_floor, overall
