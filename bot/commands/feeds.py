"""`c5watch feeds ...`: manage the feeds the poller fetches."""

from __future__ import annotations

import argparse
import random
from datetime import timedelta
from urllib.parse import urlsplit

from bot.clock import utc_now
from bot.config import Settings
from bot.database import open_database
from bot.errors import UsageError
from storage.repositories.feeds import FeedExistsError, FeedRepository


def check_feed_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"not an http(s) URL: {url!r}")
    return url.strip()


async def add(settings: Settings, args: argparse.Namespace) -> int:
    url = check_feed_url(args.url)
    now = utc_now()
    # Spread first polls over the interval so a bulk import does not fetch everything at once.
    first = now + timedelta(seconds=random.uniform(0, min(settings.poll_interval_seconds, 60)))
    async with open_database(settings.database_url) as sessions:
        try:
            feed = await FeedRepository(sessions).add(url, now=now, first_poll_at=first)
        except FeedExistsError as exc:
            raise UsageError(str(exc)) from None
    print(f"added feed {feed.id}: {feed.url}")
    return 0


async def list_(settings: Settings, args: argparse.Namespace) -> int:
    async with open_database(settings.database_url) as sessions:
        feeds = await FeedRepository(sessions).list()
    if not feeds:
        print("no feeds yet: add one with `c5watch feeds add URL`")
        return 0
    for f in feeds:
        status = "ok" if f.error_count == 0 else f"error x{f.error_count}: {f.last_error}"
        last = f.last_success_at.strftime("%Y-%m-%d %H:%M") if f.last_success_at else "never"
        print(f"{f.id:>4}  {f.url}  [{status}]  last success: {last}")
    return 0


async def remove(settings: Settings, args: argparse.Namespace) -> int:
    async with open_database(settings.database_url) as sessions:
        repo = FeedRepository(sessions)
        feed = await repo.find(args.feed)
        if feed is None:
            raise UsageError(f"no such feed: {args.feed}")
        await repo.remove(feed.id)
    print(f"removed feed {feed.id}: {feed.url}")
    return 0
