"""/search over 100,000 stored stories: time to answer a query (target under 2 s).

Stories are the matching benchmark's RU/EN text (title + lede, about 470 characters), each
with the terms the event stage stores, spread over 30 days in a SQLite file. A query runs
as the handler runs it: the database returns the stories holding a term the query needs, the
real matcher decides, results are grouped by event. For comparison, the same query matched
against every stored story (what a search without the stored terms would cost), in the same
run. Prints one row per query; best of 3.

    python benchmarks/bench_search.py [--stories 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from benchmarks._match_corpus import corpus
from bot.search import Search, story_terms
from storage.db import SessionFactory, create_engine, session_factory, upgrade_to_head
from storage.models import Story
from storage.repositories.search import StorySearchRepository

QUERIES = (
    "tungsten",
    "вольфрам OR tungsten",
    "уран* -Iran",
    '"critical minerals"',
    "title:Kazakhstan",
    "Токаев NEAR/5 Трамп",
    "Kazakhstan",
)
NOW = datetime(2025, 11, 30, 12, 0, tzinfo=UTC)


async def _seed(sessions: SessionFactory, n: int) -> None:
    items, _ = corpus(random.Random(7), set())
    rng = random.Random(11)
    batch: list[dict[str, object]] = []
    started = time.perf_counter()
    for i in range(n):
        item = items[i % len(items)]
        title = f"{item.title} ({i})"
        seen = NOW - timedelta(seconds=rng.uniform(0, 30 * 86400))
        batch.append(
            {
                "title": title,
                "summary": item.summary,
                "title_key": str(i),
                "fingerprint": i,
                "published_at": seen,
                "first_seen_at": seen,
                "is_backlog": False,
                "event_key": f"e{i // 3}",
                "search_terms": story_terms(title, item.summary),
                "sources_rev": 0,
            }
        )
        if len(batch) == 5_000:
            await _insert(sessions, batch)
            batch = []
    if batch:
        await _insert(sessions, batch)
    print(f"seeded {n:,} stories in {time.perf_counter() - started:.1f} s")


async def _insert(sessions: SessionFactory, rows: list[dict[str, object]]) -> None:
    async with sessions() as session, session.begin():
        await session.execute(insert(Story), rows)


async def _timed(run: object) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(3):
        started = time.perf_counter()
        result = await run()  # type: ignore[operator]
        best = min(best, time.perf_counter() - started)
    return best, result


async def main(stories: int) -> None:
    with tempfile.TemporaryDirectory(prefix="c5watch-bench-search-") as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/search.db"
        engine = create_engine(url)
        await upgrade_to_head(engine)
        sessions = session_factory(engine)
        await _seed(sessions, stories)
        repo = StorySearchRepository(sessions)
        since = NOW - timedelta(days=30)
        print(f"{'query':28} {'candidates':>10} {'events':>7} {'search s':>9} {'scan all s':>10}")
        worst = 0.0
        for text in QUERIES:
            search = Search(text)

            async def indexed(search: Search = search) -> object:
                found = await repo.holding(since, search.keys, search.prefixes, limit=20_000)
                return len(found), await asyncio.to_thread(search.run, found)

            async def scan(search: Search = search) -> object:
                found = await repo.recent(since, limit=stories)
                return await asyncio.to_thread(search.run, found)

            took, (candidates, hits) = await _timed(indexed)  # type: ignore[misc]
            full, _ = await _timed(scan)
            worst = max(worst, took)
            print(f"{text:28} {candidates:>10,} {len(hits):>7,} {took:>9.3f} {full:>10.2f}")
        print(f"slowest query: {worst:.3f} s for {stories:,} stories (target < 2 s)")
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=100_000)
    asyncio.run(main(parser.parse_args().stories))
