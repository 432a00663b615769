"""One full poll cycle of 1,000 feeds on a local server, into SQLite.

Mix: 70 % answer 200 with 20 items, 15 % answer 304 (their ETag is already stored), 10 % are
slow (headers after 2 s), 5 % are broken (HTTP 500, not XML, truncated XML).  Prints wall time,
peak RSS, items/s, and the pipeline's time against bare ``feedparser.parse`` of the same bytes
measured in the same run.  Target: under 60 s and 300 MB.

    python benchmarks/bench_poll.py [--feeds 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import feedparser  # noqa: E402
from sqlalchemy import update  # noqa: E402

from bot.ingest import FeedPoller, PollerConfig  # noqa: E402
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


def serve(count: int, conn: object) -> None:
    """The feed server's own process, so its CPU (brotli!) and memory are not measured."""
    with FeedServer() as server:
        conn.send(build(server, count))  # type: ignore[attr-defined]
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


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--feeds", type=int, default=1000)
    count = args.parse_args().feeds
    parent, child = mp.get_context("fork").Pipe()
    server = mp.get_context("fork").Process(target=serve, args=(count, child), daemon=True)
    server.start()
    urls, etags = parent.recv()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            report, wall = asyncio.run(cycle(Path(tmp) / "bench.db", urls, etags))
    finally:
        parent.send("stop")
        server.join(10)
    bodies = [feed_body(n) for n in range(count) if kind(n) == "ok"]
    t0 = time.perf_counter()
    for body in bodies:
        feedparser.parse(io.BytesIO(body), response_headers={"content-type": "application/xml"})
    bare = time.perf_counter() - t0
    t0 = time.perf_counter()
    for body in bodies:
        parse_feed(body, url="https://x.example/rss", content_type="application/xml", now=NOW)
    ours = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    r = report
    rows = [
        ("feeds", f"{r.feeds} (ok {r.ok}, 304 {r.not_modified}, failed {r.failed})"),  # type: ignore[attr-defined]
        ("new items", f"{r.new_items}"),  # type: ignore[attr-defined]
        ("cycle wall time", f"{wall:.2f} s  (target < 60 s)"),
        ("peak RSS", f"{rss_mb:.0f} MB  (target < 300 MB; the server runs in its own process)"),
        ("items/s", f"{r.new_items / wall:.0f}"),  # type: ignore[attr-defined]
        ("bare feedparser.parse", f"{bare:.2f} s for {len(bodies)} bodies"),
        ("parse+normalise (sequential)", f"{ours:.2f} s  = {ours / bare:.2f} x bare"),
        ("in-cycle parse (threads, summed)", f"{r.parse_seconds:.2f} s"),  # type: ignore[attr-defined]
        ("in-cycle store (summed)", f"{r.store_seconds:.2f} s"),  # type: ignore[attr-defined]
        ("cycle wall / bare parse", f"{wall / bare:.2f} x"),
    ]  # fmt: skip
    width = max(len(k) for k, _ in rows)
    print(f"bench_poll: one cycle of {count} feeds on SQLite")
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")
    return 0 if wall < 60 and rss_mb < 300 else 1


if __name__ == "__main__":
    raise SystemExit(main())
