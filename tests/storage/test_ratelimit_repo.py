from __future__ import annotations

import asyncio

from storage.db import SessionFactory
from storage.repositories.ratelimit import reserve


async def test_slots_are_spaced_by_the_rate_and_never_reused(sessions: SessionFactory) -> None:
    first = await reserve(sessions, "global", rate=10.0, n=3, now=100.0)
    assert first == [100.0, 100.1, 100.2]
    # A second caller at the same instant gets the slots after the first caller's.
    second = await reserve(sessions, "global", rate=10.0, n=2, now=100.0)
    assert [round(t, 6) for t in second] == [100.3, 100.4]
    # After an idle spell the budget does not accumulate a burst: slots start at now.
    later = await reserve(sessions, "global", rate=10.0, n=1, now=500.0)
    assert later == [500.0]
    # Keys are independent.
    assert await reserve(sessions, "chat:1", rate=1.0, n=1, now=100.0) == [100.0]


async def test_concurrent_callers_get_disjoint_slots(sessions: SessionFactory) -> None:
    results = await asyncio.gather(
        *(reserve(sessions, "global", rate=30.0, n=5, now=1000.0) for _ in range(6))
    )
    slots = sorted(round(t, 6) for r in results for t in r)
    assert len(slots) == len(set(slots)) == 30
    # Thirty slots at 30/s span exactly one second: the rate holds across callers.
    assert round(slots[-1] - slots[0], 6) == round(29 / 30, 6)
