"""`c5watch feeds ...`: manage the feeds the poller fetches."""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from bot.clock import utc_now
from bot.config import Settings
from bot.database import open_database
from bot.errors import UsageError
from bot.ingest import (
    FeedFetchError,
    FeedParseError,
    Fetcher,
    OpmlFeed,
    discover_feed,
    export_opml,
    parse_opml,
)
from bot.ingest.parse import looks_like_html, parse_feed
from storage.repositories.feeds import FeedExistsError, FeedHealth, FeedRepository

# `feeds add` checks a URL quickly; the poller has the full timeout.
CHECK_TIMEOUT = 15.0


def check_feed_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"not an http(s) URL: {url!r}")
    return url.strip()


def _first_poll(settings: Settings, now: datetime) -> datetime:
    # Spread first polls so a bulk add does not fetch everything at once, within the interval.
    return now + timedelta(seconds=random.uniform(0, min(settings.poll_interval_seconds, 60)))


async def _resolve(settings: Settings, url: str) -> tuple[str, str | None]:
    """The feed URL to store (a page's advertised feed) and its title, checked by one fetch.

    A URL that cannot be fetched now is kept as given, with a warning; a web page without an
    advertised feed, or a body that is no feed at all, is refused.
    """
    timeout = min(settings.fetch_timeout_seconds, CHECK_TIMEOUT)
    async with Fetcher(
        concurrency=1, per_host=1, timeout=timeout, max_bytes=settings.fetch_max_bytes
    ) as fetcher:
        try:
            got = await fetcher.fetch(url)
        except FeedFetchError as exc:
            print(f"warning: cannot fetch {url} now ({exc}); added anyway, the poller will retry")
            return url, None
    if looks_like_html(got.body, got.content_type):
        found = discover_feed(got.body, page_url=got.url, content_type=got.content_type)
        if found is None:
            raise UsageError(f"{url} is a web page that advertises no RSS/Atom feed")
        print(f"found the feed the page advertises: {found.url}")
        return found.url, found.title
    try:
        parsed = parse_feed(got.body, url=got.url, content_type=got.content_type, now=utc_now())
    except FeedParseError as exc:
        raise UsageError(f"{url} is not an RSS/Atom feed: {exc}") from None
    return url, parsed.title


async def add(settings: Settings, args: argparse.Namespace) -> int:
    url = check_feed_url(args.url)
    url, title = await _resolve(settings, url)
    now = utc_now()
    async with open_database(settings.database_url) as sessions:
        try:
            feed = await FeedRepository(sessions).add(
                url, now=now, first_poll_at=_first_poll(settings, now), title=title
            )
        except FeedExistsError as exc:
            raise UsageError(str(exc)) from None
    print(f"added feed {feed.id}: {feed.url}")
    return 0


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"


def describe(health: FeedHealth, now: datetime) -> str:
    """One `feeds list` line: id, URL, status, last success, items per day."""
    f = health.feed
    if f.error_count:
        status = f"error x{f.error_count}: {f.last_error}"
        if health.backing_off_until and health.backing_off_until > now:
            status += f" (backing off until {_when(health.backing_off_until)})"
    elif f.last_success_at is None:
        status = "not fetched yet"
    else:
        status = "ok"
    if f.last_warning:
        status += f"; warning: {f.last_warning}"
    late = f"  late {f.lateness_seconds:.1f} s" if f.lateness_seconds is not None else ""
    return (
        f"{f.id:>4}  {f.url}  [{status}]  last success: {_when(f.last_success_at)}"
        f"  {health.items_per_day:.1f} items/day{late}"
    )


def worst_lateness(feeds: list[FeedHealth], count: int = 5) -> str | None:
    """The feeds whose last fetch began latest after its due time, worst first."""
    late = sorted(
        (h.feed for h in feeds if h.feed.lateness_seconds is not None),
        key=lambda f: f.lateness_seconds or 0.0,
        reverse=True,
    )[:count]
    if not late:
        return None
    return "latest fetch starts: " + ", ".join(
        f"feed {f.id} {f.lateness_seconds or 0.0:.1f} s" for f in late
    )


async def list_(settings: Settings, args: argparse.Namespace) -> int:
    now = utc_now()
    async with open_database(settings.database_url) as sessions:
        feeds = await FeedRepository(sessions).health(now=now, days=7)
    if not feeds:
        print("no feeds yet: add one with `c5watch feeds add URL`")
        return 0
    for health in feeds:
        print(describe(health, now))
    if worst := worst_lateness(feeds):
        print(worst)
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


async def import_(settings: Settings, args: argparse.Namespace) -> int:
    """Add every feed of an OPML file; existing ones and non-http(s) URLs are skipped."""
    path = Path(args.file)
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    try:
        entries = parse_opml(data, source=str(path))
    except FeedParseError as exc:
        raise UsageError(f"{path}: {exc}") from None
    added = existing = skipped = 0
    now = utc_now()
    async with open_database(settings.database_url) as sessions:
        repo = FeedRepository(sessions)
        for entry in entries:
            try:
                url = check_feed_url(entry.url)
            except UsageError as exc:
                print(f"skipped: {exc}")
                skipped += 1
                continue
            try:
                await repo.add(
                    url, now=now, first_poll_at=_first_poll(settings, now), title=entry.title
                )
                added += 1
            except FeedExistsError:
                existing += 1
    print(f"imported {added} feed(s) from {path}; {existing} already present, {skipped} skipped")
    return 0


async def export(settings: Settings, args: argparse.Namespace) -> int:
    """Write every feed as OPML 2.0 to standard output."""
    async with open_database(settings.database_url) as sessions:
        feeds = await FeedRepository(sessions).list()
    opml = export_opml(
        (OpmlFeed(url=f.url, title=f.title, site_url=f.site_url) for f in feeds), now=utc_now()
    )
    sys.stdout.write(opml)
    return 0
