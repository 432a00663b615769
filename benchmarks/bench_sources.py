"""Reading channels and pages: parse time per page, against feedparser on the same items.

1. A channel preview of 20 posts (what t.me shows) in t.me's markup, against an RSS document of
   the same 20 items through our feed parser: ms per page each, and the ratio (same run).
2. The hostile preview: 100,000 bare posts (about the 10 MB body cap): seconds and peak RSS.
3. A feedless page with 100 news cards, and one with 60,000 links (the link scan cap bites).

Targets: a real preview under 20 ms; the hostile one under 5 s and 300 MB.

    python benchmarks/bench_sources.py [--repeat N]
"""

from __future__ import annotations

import argparse
import importlib.util
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.ingest.newslist import parse_news_list  # noqa: E402
from bot.ingest.parse import parse_feed  # noqa: E402
from bot.ingest.telegram_channel import parse_channel  # noqa: E402

# The preview builder alone: importing the tests.fakes package would load aiogram (about
# 130 MB of RSS) and blur the memory figure.
_spec = importlib.util.spec_from_file_location(
    "telegram_preview", ROOT / "tests" / "fakes" / "telegram_preview.py"
)
assert _spec is not None and _spec.loader is not None
preview_module = importlib.util.module_from_spec(_spec)
sys.modules["telegram_preview"] = preview_module
_spec.loader.exec_module(preview_module)
Post, make_preview = preview_module.Post, preview_module.make_preview

NOW = datetime(2025, 11, 7, tzinfo=UTC)
TEXT = (
    "США и Казахстан подписали меморандум о критически важных минералах. Стороны договорились "
    "о поставках вольфрама и редкоземельных металлов в рамках формата С5+1."
)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def best_ms(work: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    repeat = parser.parse_args().repeat

    # First, so that its peak RSS is its own (after the imports, about 70 MB).
    flood = "".join(
        f'<div class="tgme_widget_message" data-post="f/{i}">'
        f'<div class="tgme_widget_message_text">U {i}</div></div>'
        for i in range(1, 100_001)
    ).encode()
    started = time.perf_counter()
    parsed = parse_channel(flood, name="f", content_type=None, now=NOW)
    hostile = time.perf_counter() - started
    print(
        f"hostile preview, 100,000 posts ({len(flood) / 1e6:.1f} MB): {hostile:.2f} s, "
        f"{len(parsed.entries)} entries kept; peak RSS so far {peak_mb():.0f} MB"
    )
    del flood, parsed
    posts = [Post(i, f"<b>Новость {i}</b><br/>{TEXT}") for i in range(1, 21)]
    preview = make_preview("bench_channel", posts, title="Bench")
    items = "".join(
        f"<item><title>Новость {i}</title><link>https://t.me/bench_channel/{i}</link>"
        f"<description>{TEXT}</description></item>"
        for i in range(1, 21)
    )
    rss = f'<rss version="2.0"><channel><title>B</title>{items}</channel></rss>'.encode()
    channel_ms = best_ms(
        lambda: parse_channel(preview, name="bench_channel", content_type=None, now=NOW), repeat
    )
    feed_ms = best_ms(
        lambda: parse_feed(rss, url="https://x/rss", content_type=None, now=NOW), repeat
    )
    print(f"channel preview, 20 posts ({len(preview) / 1024:.0f} KB): {channel_ms:.2f} ms")
    print(f"same 20 items as RSS through parse_feed: {feed_ms:.2f} ms")
    print(f"preview / RSS: {channel_ms / feed_ms:.2f}x")

    cards = "".join(
        f'<article class="card"><h3><a href="/n/{i}">Headline {i}: {TEXT[:60]}</a></h3>'
        f'<time datetime="2025-11-06T10:00:00+05:00">6 Nov</time><p>{TEXT}</p></article>'
        for i in range(100)
    )
    page = f"<html><body><main>{cards}</main></body></html>".encode()
    page_ms = best_ms(
        lambda: parse_news_list(page, page_url="https://x/", content_type=None, now=NOW), repeat
    )
    print(f"news page, 100 cards ({len(page) / 1024:.0f} KB): {page_ms:.2f} ms")

    links = "".join(f'<li><a href="/n/{i}">Headline number {i} about uranium</a></li>'
                    for i in range(60_000)).encode()  # fmt: skip
    started = time.perf_counter()
    parse_news_list(links, page_url="https://x/", content_type=None, now=NOW)
    print(f"hostile page, 60,000 links: {time.perf_counter() - started:.2f} s")
    print(f"peak RSS at the end: {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
