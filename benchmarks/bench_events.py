"""Benchmark of event grouping: cost of placing an item with 0, 1,000 and 10,000 events open.

Run: ``python benchmarks/bench_events.py [OPEN_EVENTS ...]`` (about a minute on one core).

Open events are built from the 477 real items of ``tests/events/fixtures/events.jsonl``: copy
``n`` of item ``i`` gets a made-up surname in its title ("... - Varokin 12"), so each copy is
an event of its own (a report naming someone no other report names), and all are published
within the window, so none expires. Then ``PLACED`` further copies are placed and timed: each
shares its text, and so its countries, minerals and words, with the open copies of its item.
They are placed 48 hours after the open events (within the window) and, in a second pass,
10 days after them, where only later coverage may still join an event (the follow-up check).

Printed per row: open events, CPU milliseconds per placed item (best and median of
``REPEATS`` passes, as ``timeit`` advises on a shared machine) at 48 hours and the best at
10 days, the ratio of the best at 48 hours to the row with no open event (same run), and the
memory the grouper holds per open event (tracemalloc). Then the CPU time to restore 10,000 and
30,000 stories into a fresh grouper, as a worker does when it takes the grouping over.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
import tracemalloc
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.events._features import KeyExtractor  # noqa: E402
from bot.events.evaluate import load_labelled  # noqa: E402
from bot.events.grouping import EventGrouper, EventItem  # noqa: E402
from bot.events.items import item_from_json  # noqa: E402

OPEN_COUNTS = tuple(int(x) for x in (sys.argv[1:] or ["0", "1000", "10000"]))
# Stories restored after a takeover: the 30 days a new owner of the grouping replays.
REBUILD_COUNTS = (10_000, 30_000)
PLACED = 500  # items timed per pass
REPEATS = 3
_SYLLABLES = ("va", "ro", "kin", "da", "mu", "sel", "te", "bor", "ni", "gal", "zu", "fen")


def surname(n: int) -> str:
    """A made-up surname, distinct for each ``n`` (three syllables, then a number)."""
    a, b, c = n % 12, (n // 12) % 12, (n // 144) % 12
    return f"{_SYLLABLES[a].title()}{_SYLLABLES[b]}{_SYLLABLES[c]} {n}"


def copies(items: list[EventItem], start: int, count: int, at: timedelta) -> list[EventItem]:
    """``count`` copies, each naming its own person, published ``at`` after the first item."""
    base = items[0].published
    return [
        replace(
            items[n % len(items)],
            id=f"copy-{n}",
            title=f"{items[n % len(items)].title} - {surname(n)}",
            published=base + at,
        )
        for n in range(start, start + count)
    ]


def build(items: list[EventItem], extractor: KeyExtractor, open_events: int) -> EventGrouper:
    grouper = EventGrouper(extractor=extractor)
    for item in copies(items, 0, open_events, timedelta(hours=0)):
        grouper.place(item)
    return grouper


def timed(
    items: list[EventItem],
    extractor: KeyExtractor,
    open_events: int,
    first: EventGrouper | None,
    at: timedelta,
) -> list[float]:
    """CPU milliseconds per placed item, one figure per pass, each on a fresh grouper (the
    first pass may reuse ``first``)."""
    runs = []
    for repeat in range(REPEATS):
        placed = copies(items, 1_000_000 + repeat * PLACED, PLACED, at)
        grouper = (
            first if repeat == 0 and first is not None else build(items, extractor, open_events)
        )
        started = time.process_time()
        for item in placed:
            grouper.place(item)
        runs.append((time.process_time() - started) / PLACED * 1000)
    return runs


def main() -> None:
    rows = load_labelled()
    items = [item_from_json(r) for r in rows]
    extractor = KeyExtractor()
    # Fill the token caches once, as a running bot has them after its first hour.
    build(items, extractor, len(items))
    print(
        f"{'open events':>12}{'ms/item best':>14}{'median':>8}{'10 d later':>12}"
        f"{'ratio':>7}{'KiB/event':>11}"
    )
    baseline: float | None = None
    for open_events in OPEN_COUNTS:
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        grouper = build(items, extractor, open_events)
        held = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        runs = timed(items, extractor, open_events, grouper, timedelta(hours=48))
        late = timed(items, extractor, open_events, None, timedelta(days=10))
        best = min(runs)
        baseline = best if baseline is None else baseline
        per_event = held / open_events / 1024 if open_events else 0.0
        print(
            f"{open_events:>12,}{best:>14.3f}{statistics.median(runs):>8.3f}{min(late):>12.3f}"
            f"{best / baseline:>7.2f}{per_event:>11.1f}"
        )


def rebuild(items: list[EventItem], extractor: KeyExtractor) -> None:
    """CPU seconds to restore stories into a fresh grouper, as a worker does when it takes the
    grouping over (``EventGrouper.restore``, in order, keys already assigned)."""
    print(f"\n{'restored':>12}{'CPU s':>8}{'ms/story':>10}")
    for count in REBUILD_COUNTS:
        stories = copies(items, 2_000_000, count, timedelta(hours=0))
        grouper = EventGrouper(extractor=extractor)
        gc.collect()
        started = time.process_time()
        for story in stories:
            grouper.restore(story, story.id)
        spent = time.process_time() - started
        print(f"{count:>12,}{spent:>8.2f}{spent / count * 1000:>10.3f}")


if __name__ == "__main__":
    main()
    rebuild([item_from_json(r) for r in load_labelled()], KeyExtractor())
