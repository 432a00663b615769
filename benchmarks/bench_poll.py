"""Polling 1,000 feeds on a local server, into SQLite: one cycle, then continuous under stalls.

Cycle (``run_once``): 70 % answer 200 with 20 items, 15 % answer 304 (their ETag is already
stored), 10 % are slow (headers after 2 s), 5 % are broken (HTTP 500, not XML, truncated XML).
Prints wall time, peak RSS, items/s, and the pipeline's time against bare ``feedparser.parse``
of the same bytes measured in the same run.  Target: under 60 s and 300 MB.

Continuous (``run``, the pool ``c5watch run`` uses): 1,000 feeds at a 60 s interval.  After one
unmeasured first fetch of every feed (its backlog), due times are spread over one interval as
in a running system, and the pool runs for ``--minutes``.  100 feeds hang until the 30 s
timeout (50 never send headers, 50 drip their body) and 10 more send memory-hostile bodies
(5 x 50 MB, 5 gzip bombs of 50 MB); of the 900 healthy feeds 30 % send no validators (a full
200 every time), the rest answer 304.  Prints the p50/p95/max lateness (fetch start minus due
time) of the healthy feeds, fetches per minute and peak RSS.  Targets: p95 <= 5 s, max <= 15
s, peak RSS < 300 MB.  Each scenario runs in a process of its own, so each peak RSS is its own.

    python benchmarks/bench_poll.py [--feeds 1000] [--minutes 2] [--only cycle|continuous]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import io
import logging
import multiprocessing as mp
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import feedparser  # noqa: E402
from sqlalchemy import update  # noqa: E402

from bot.ingest import FeedPolled, FeedPoller, PollerConfig  # noqa: E402
from bot.ingest.parse import parse_feed  # noqa: E402
from storage.db import create_engine, session_factory, upgrade_to_head  # noqa: E402
from storage.models import Feed  # noqa: E402
from storage.repositories.feeds import FeedRepository  # noqa: E402
from tests.fakes.feed_server import FeedServer, make_rss  # noqa: E402

NOW = datetime(2025, 11, 6, 12, 0, tzinfo=UTC)
TEXT = (
    "Казахстан и США подписали соглашение о разработке месторождения вольфрама {n}; "
    "Kazakhstan and the United States agreed to develop tungsten deposit {n} as part of "
    "critical minerals cooperation announced at the C5+1 summit in Washington, story {n}."
)


def feed_body(feed: int) -> bytes:
    items = [
        {
            "title": f"Новость {feed}-{i}: уран, вольфрам и редкие земли",
            "link": f"https://outlet{feed % 97}.example/{feed}/{i}?utm_source=rss",
            "guid": f"urn:c5:{feed}:{i}",
            "description": f"<p>{TEXT.format(n=f'{feed}.{i}')}</p>",
            "pubDate": (NOW - timedelta(hours=i)).strftime("%a, %d %b %Y %H:%M:%S +0000"),
        }
        for i in range(20)
    ]
    return make_rss(items, title=f"Feed {feed}")


def kind(n: int) -> str:
    slot = n % 20
    return "ok" if slot < 14 else "304" if slot < 17 else "slow" if slot < 19 else "broken"


def build(server: FeedServer, count: int) -> tuple[list[str], dict[str, str]]:
    urls: list[str] = []
    etags: dict[str, str] = {}
    for n in range(count):
        path, k = f"/f/{n}.xml", kind(n)
        if k == "ok":
            urls.append(server.add(path, feed_body(n)))
        elif k == "304":
            urls.append(server.add(path, feed_body(n)))
            etags[urls[-1]] = server.etag(path) or ""
        elif k == "slow":
            urls.append(server.slow(path, feed_body(n), delay=2.0))
        else:
            variant = ("truncated", "invalid", 500)[n % 3]
            urls.append(server.broken(path, variant))
    return urls, etags


def build_hostile(server: FeedServer, count: int) -> tuple[list[str], set[str]]:
    """``count`` feeds of which the last 100 hang until the timeout, plus 10 memory-hostile
    ones; returns every URL and the set of the healthy ones."""
    # 30 % send no validators, so every fetch is a full 200 to parse and store; the rest
    # answer 304 once their first fetch is stored.
    healthy = [
        server.add(f"/h/{n}.xml", feed_body(n), etag=n % 10 >= 3, last_modified=n % 10 >= 3)
        for n in range(count - 100)
    ]
    hostile = [server.slow(f"/stall/{n}.xml", feed_body(n), delay=3600) for n in range(50)]
    hostile += [
        server.slow(f"/drip/{n}.xml", feed_body(n) * 3, trickle=0.25, chunk_size=64)
        for n in range(50)
    ]
    hostile += [server.huge(f"/huge/{n}.xml", megabytes=50) for n in range(5)]
    bomb = gzip.compress(b"<rss><channel>" + b" " * (50 << 20), compresslevel=9)
    hostile += [
        server.add(f"/bomb/{n}.xml", bomb, headers={"Content-Encoding": "gzip"}, compress=False)
        for n in range(5)
    ]
    return healthy + hostile, set(healthy)


def serve(count: int, hostile: bool, conn: object) -> None:
    """The feed server's own process, so its CPU (brotli!) and memory are not measured."""
    # Clients hanging up on stalled and oversize answers is the point; not worth a traceback.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    with FeedServer() as server:
        conn.send(build_hostile(server, count) if hostile else build(server, count))  # type: ignore[attr-defined]
        conn.recv()  # type: ignore[attr-defined]


async def cycle(db_path: Path, urls: list[str], etags: dict[str, str]) -> tuple[object, float]:
    engine = create_engine(f"sqlite+aiosqlite:///{db_path}")
    await upgrade_to_head(engine)
    sessions = session_factory(engine)
    repo = FeedRepository(sessions)
    for url in urls:
        await repo.add(url, now=NOW, first_poll_at=NOW)
    async with sessions() as s:
        for url, etag in etags.items():
            await s.execute(update(Feed).where(Feed.url == url).values(etag=etag))
        await s.commit()
    # All feeds are on one local host here; the per-host cap stands for many real hosts.
    config = PollerConfig(concurrency=50, per_host=50, timeout=10.0)
    poller = FeedPoller(sessions, config)
    started = time.perf_counter()
    report = await poller.run_once(NOW)
    wall = time.perf_counter() - started
    await poller.close()
    await engine.dispose()
    return report, wall


@dataclass
class ContinuousResult:
    lateness: list[float]  # healthy feeds' fetches, seconds
    fetches: int
    healthy_fetches: int
    minutes: float
    errors: int


async def continuous(
    db_path: Path, urls: list[str], healthy: set[str], minutes: float
) -> ContinuousResult:
    engine = create_engine(f"sqlite+aiosqlite:///{db_path}")
    await upgrade_to_head(engine)
    sessions = session_factory(engine)
    repo = FeedRepository(sessions)
    interval = timedelta(seconds=60)
    config = PollerConfig(interval=interval, concurrency=100, per_host=100, timeout=30.0)
    start = datetime.now(UTC)
    healthy_ids: set[int] = set()
    for url in urls:
        feed = await repo.add(url, now=start, first_poll_at=start)
        if url in healthy:
            healthy_ids.add(feed.id)
    # Not measured: every feed's first fetch (its backlog), then due times spread over one
    # interval, as a running system leaves them.  The hostile feeds are due again then too.
    warm_up = FeedPoller(sessions, config)
    await warm_up.run_once(start)
    await warm_up.close()
    rng = random.Random(5)
    now = datetime.now(UTC)
    async with sessions() as s:
        for feed_id in range(1, len(urls) + 1):
            due = now + timedelta(seconds=rng.uniform(0, interval.total_seconds()))
            await s.execute(update(Feed).where(Feed.id == feed_id).values(next_poll_at=due))
        await s.commit()
    polled: list[FeedPolled] = []
    poller = FeedPoller(sessions, config, on_polled=polled.append)
    task = asyncio.create_task(poller.run(lambda: datetime.now(UTC)))
    await asyncio.sleep(minutes * 60)
    await poller.close()
    await task
    await engine.dispose()
    late = [p.lateness for p in polled if p.feed_id in healthy_ids and p.lateness is not None]
    return ContinuousResult(
        lateness=late,
        fetches=len(polled),
        healthy_fetches=sum(p.feed_id in healthy_ids for p in polled),
        minutes=minutes,
        errors=sum(p.outcome == "error" for p in polled),
    )


def in_child(target: Callable[[Any], object], *args: object) -> tuple[Any, float]:
    """Run ``target(*args)`` in a forked process; its result and that process's peak RSS."""
    parent, child = mp.get_context("fork").Pipe()

    def body() -> None:
        result = target(*args)
        child.send((result, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))

    proc = mp.get_context("fork").Process(target=body, daemon=True)
    proc.start()
    result, rss = parent.recv()
    proc.join(30)
    return result, rss


def with_server(
    count: int, hostile: bool, run: Callable[[Any], object]
) -> tuple[Any, float, object]:
    parent, child = mp.get_context("fork").Pipe()
    server = mp.get_context("fork").Process(target=serve, args=(count, hostile, child), daemon=True)
    server.start()
    made = parent.recv()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            result, rss = in_child(lambda m: run((Path(tmp) / "bench.db", m)), made)
    finally:
        parent.send("stop")
        server.join(10)
    return result, rss, made


def run_cycle(count: int) -> tuple[float, float]:
    def go(arg: tuple[Path, tuple[list[str], dict[str, str]]]) -> object:
        db, (urls, etags) = arg
        return asyncio.run(cycle(db, urls, etags))

    (report, wall), rss_mb, _ = with_server(count, False, go)
    bodies = [feed_body(n) for n in range(count) if kind(n) == "ok"]
    t0 = time.perf_counter()
    for body in bodies:
        feedparser.parse(io.BytesIO(body), response_headers={"content-type": "application/xml"})
    bare = time.perf_counter() - t0
    t0 = time.perf_counter()
    for body in bodies:
        parse_feed(body, url="https://x.example/rss", content_type="application/xml", now=NOW)
    ours = time.perf_counter() - t0
    r = report
    rows = [
        ("feeds", f"{r.feeds} (ok {r.ok}, 304 {r.not_modified}, failed {r.failed})"),
        ("new items", f"{r.new_items}"),
        ("cycle wall time", f"{wall:.2f} s  (target < 60 s)"),
        ("peak RSS", f"{rss_mb:.0f} MB  (target < 300 MB; the server runs in its own process)"),
        ("items/s", f"{r.new_items / wall:.0f}"),
        ("feeds/min", f"{r.feeds / wall * 60:.0f}"),
        ("bare feedparser.parse", f"{bare:.2f} s for {len(bodies)} bodies"),
        ("parse+normalise (sequential)", f"{ours:.2f} s  = {ours / bare:.2f} x bare"),
        ("in-cycle parse (threads, summed)", f"{r.parse_seconds:.2f} s"),
        ("in-cycle store (summed)", f"{r.store_seconds:.2f} s"),
        ("cycle wall / bare parse", f"{wall / bare:.2f} x"),
    ]
    _table(f"bench_poll: one cycle of {count} feeds on SQLite", rows)
    return wall, rss_mb


def run_continuous(count: int, minutes: float) -> tuple[bool, float]:
    def go(arg: tuple[Path, tuple[list[str], set[str]]]) -> object:
        db, (urls, healthy) = arg
        return asyncio.run(continuous(db, urls, healthy, minutes))

    result, rss_mb, _ = with_server(count, True, go)
    p50, p95, worst = _percentiles(result.lateness)

    def per_min(n: int) -> str:
        return f"{n / minutes:.0f}/min"

    rows = [
        ("feeds", f"{count - 100} healthy, 100 hanging until the 30 s timeout, 10 x 50 MB bodies"),
        ("run", f"{minutes:g} min at a 60 s interval; 100 fetch slots"),
        ("healthy fetches", f"{result.healthy_fetches}  ({per_min(result.healthy_fetches)})"),
        ("all fetches", f"{result.fetches}  ({per_min(result.fetches)}; {result.errors} errors)"),
        ("healthy lateness p50", f"{p50:.2f} s"),
        ("healthy lateness p95", f"{p95:.2f} s  (target <= 5 s)"),
        ("healthy lateness max", f"{worst:.2f} s  (target <= 15 s)"),
        ("peak RSS", f"{rss_mb:.0f} MB  (target < 300 MB; the server runs in its own process)"),
    ]  # fmt: skip
    _table(f"bench_poll: continuous polling of {count + 10} feeds on SQLite", rows)
    return p95 <= 5 and worst <= 15 and rss_mb < 300, rss_mb


def _percentiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return statistics.median(ordered), p95, ordered[-1]


def _table(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(k) for k, _ in rows)
    print(title)
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")
    sys.stdout.flush()


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--feeds", type=int, default=1000)
    args.add_argument("--minutes", type=float, default=2.0)
    args.add_argument("--only", choices=("cycle", "continuous"))
    opts = args.parse_args()
    ok = True
    if opts.only != "continuous":
        wall, rss_mb = run_cycle(opts.feeds)
        ok = ok and wall < 60 and rss_mb < 300
    if opts.only != "cycle":
        ok = run_continuous(opts.feeds, opts.minutes)[0] and ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
