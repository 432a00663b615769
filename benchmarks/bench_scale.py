"""Scale-out benchmark: delivery and polling throughput with 1 and with 3 worker processes.

Each configuration gets a fresh PostgreSQL database, a fake Bot API and a feed server in this
process, and N ``c5watch run --role worker`` subprocesses. Once every worker runs:

1. delivery: 2,000 chats are each owed one alert; messages/s is measured between the first and
   the last message the fake Bot API accepted. The send rate and the fake's overall limit are
   raised to 1,000/s so the figure shows how the work scales, not Telegram's 30 msg/s cap
   (with the real limit N workers together still send 30 msg/s: the budget is shared);
2. polling: 300 due feeds of 3 new items each (``POLL_INTERVAL_SECONDS=1`` so every worker
   looks for due feeds each second); feeds/s is measured from the first request the feed
   server saw until every feed is fetched and its items stored. ``FETCH_PER_HOST`` is raised
   to the fetch concurrency (20), as if the feeds were on different hosts: here all are on
   127.0.0.1.

The ratio is 3 workers over 1, measured in the same run. The processes, PostgreSQL and the
fake servers all share this machine's cores, so the ratio is bounded by them, not by the code.

    python benchmarks/bench_scale.py [--chats N] [--feeds N]

Skips (exit 0, saying why) when no PostgreSQL answers at C5WATCH_TEST_PG_URL
(default postgresql+asyncpg://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.feed_server import FeedServer  # noqa: E402
from tests.fakes.telegram_api import RateLimits  # noqa: E402
from tests.pg import drop_database, pg_unavailable  # noqa: E402
from tests.scale.harness import (  # noqa: E402
    ITEMS_PER_FEED,
    Process,
    TaggedTelegram,
    create_database,
    feeds_done,
    seed_feeds,
    seed_outbox,
    serve_feeds,
    start,
    stop_all,
    utc_now,
    wait_ready,
    wait_until,
    with_db,
)

RATE = 1000


@dataclass(frozen=True, slots=True)
class Result:
    workers: int
    messages_per_second: float
    feeds_per_second: float
    shares: dict[str, int]
    rate_limited: int


def run_config(workers: int, chats: int, feeds_count: int, workdir: Path) -> Result:
    db = asyncio.run(create_database())
    procs: list[Process] = []
    limits = RateLimits(global_per_second=RATE, private_per_second=1, group_per_minute=20)
    env = {"SEND_RATE_GLOBAL": str(RATE), "POLL_INTERVAL_SECONDS": "1", "FETCH_PER_HOST": "20"}
    try:
        with TaggedTelegram(rate_limits=limits) as tg, FeedServer() as feeds:
            names = [f"w{n}" for n in range(1, workers + 1)]
            procs = [start(n, "worker", tg=tg, db_url=db, workdir=workdir, env=env) for n in names]
            wait_ready(tg, procs)

            # 1. delivery
            ids = list(range(1, chats + 1))
            with_db(db, lambda s: seed_outbox(s, ids, utc_now()))
            wait_until(lambda: len(tg.per_chat()) >= chats, 150, "every alert", processes=procs)
            times = sorted(s.time for s in tg.sent_by)
            messages_per_second = (len(times) - 1) / (times[-1] - times[0])

            # 2. polling
            now = utc_now()
            urls = serve_feeds(feeds, feeds_count, now)
            with_db(db, lambda s: seed_feeds(s, urls, now, backlog_done=[True] * len(urls)))
            wait_until(
                lambda: with_db(db, feeds_done) == (feeds_count, feeds_count * ITEMS_PER_FEED + 1),
                150,
                "every feed",
                processes=procs,
                every=0.05,
            )
            done = time.monotonic()
            first = min(r.time for r in feeds.requests if r.path.startswith("/feeds/"))
            feeds_per_second = feeds_count / (done - first)
            return Result(
                workers,
                messages_per_second,
                feeds_per_second,
                dict(sorted(tg.per_process().items())),
                tg.rate_limited_total,
            )
    finally:
        stop_all(procs)
        asyncio.run(drop_database(db))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=2000)
    parser.add_argument("--feeds", type=int, default=300)
    args = parser.parse_args()
    if reason := asyncio.run(pg_unavailable()):
        print(f"skipped: {reason}")
        return 0
    started = time.monotonic()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench_scale_") as tmp:
        for workers in (1, 3):
            workdir = Path(tmp) / f"workers{workers}"
            workdir.mkdir()
            results.append(run_config(workers, args.chats, args.feeds, workdir))
    one, three = results
    cores = os.cpu_count()
    print(
        f"{args.chats} alerts (send rate and fake limit {RATE}/s), {args.feeds} feeds "
        f"x {ITEMS_PER_FEED} new items; PostgreSQL; {cores} CPU cores shared by the workers, "
        f"PostgreSQL and the fake servers"
    )
    print(f"{'workers':>8} {'messages/s':>11} {'feeds/s':>9}  {'messages per worker':<30} 429s")
    for r in results:
        shares = " ".join(f"{k}:{v}" for k, v in r.shares.items())
        print(
            f"{r.workers:>8} {r.messages_per_second:>11.0f} {r.feeds_per_second:>9.1f}  "
            f"{shares:<30} {r.rate_limited}"
        )
    print(
        f"{'3 / 1':>8} {three.messages_per_second / one.messages_per_second:>10.2f}x "
        f"{three.feeds_per_second / one.feeds_per_second:>8.2f}x  (on {cores} cores)"
    )
    print(f"took {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
