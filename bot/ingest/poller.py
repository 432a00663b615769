"""FeedPoller: one tick claims due feeds, fetches them under bounds and stores what is new.

Deciding (when next, back-off, backlog or news, which story) is in ``schedule`` and
``identity``; this module only calls fetcher, parser and repositories in order:

    claim due feeds -> fetch (conditional GET) -> parse -> normalise -> decide -> store
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.ingest._outcome import PollReport, Tally, to_new_items
from bot.ingest.errors import FeedFetchError
from bot.ingest.fetch import Fetcher
from bot.ingest.identity import REPRINT_WINDOW, same_story
from bot.ingest.netguard import AddressGuard
from bot.ingest.schedule import BacklogPolicy, backoff_delay, next_poll_after_success
from bot.ingest.sources import SourceKind, fetch_url, parse_source
from storage.db import SessionFactory, is_sqlite
from storage.repositories.feeds import FeedFailure, FeedForPoll, FeedRepository, FeedSuccess
from storage.repositories.items import ItemRepository
from storage.repositories.retention import PruneReport, RetentionRepository

log = logging.getLogger(__name__)
PRUNE_EVERY = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class PollerConfig:
    interval: timedelta = timedelta(seconds=300)
    concurrency: int = 20
    per_host: int = 2
    timeout: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    retention: timedelta = timedelta(days=90)
    backlog: BacklogPolicy = field(default_factory=BacklogPolicy)
    # Where channel previews are read (TELEGRAM_WEB_URL), and the guard for chat-added sources.
    telegram_web_url: str = "https://t.me"
    guard: AddressGuard | None = None

    @property
    def lease(self) -> timedelta:
        """How long a claim holds: long enough for a batch queued behind slow feeds."""
        return max(timedelta(minutes=10), timedelta(seconds=self.timeout * 4))


class FeedPoller:
    """Polls every due feed once per :meth:`run_once`; :meth:`close` may be called twice."""

    def __init__(
        self,
        sessions: SessionFactory,
        config: PollerConfig,
        *,
        fetcher: Fetcher | None = None,
        owner: str | None = None,
        sqlite: bool | None = None,
    ) -> None:
        self._config = config
        self._feeds = FeedRepository(sessions)
        self._items = ItemRepository(sessions, reprint_window=REPRINT_WINDOW)
        self._retention = RetentionRepository(sessions)
        self._fetcher = fetcher or Fetcher(
            concurrency=config.concurrency,
            per_host=config.per_host,
            timeout=config.timeout,
            max_bytes=config.max_bytes,
        )
        self._guarded_fetcher: Fetcher | None = None
        self.owner = owner or f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        if sqlite is None:
            engine = sessions.kw.get("bind")
            sqlite = engine is not None and is_sqlite(str(engine.url))
        # SQLite has one writer: serialise our own writes instead of queueing on its lock.
        self._writes = asyncio.Semaphore(1 if sqlite else 4)
        self._closing = False
        self._next_prune: datetime | None = None
        self._active = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def run_once(self, now: datetime) -> PollReport:
        """Claim and poll every feed due at ``now``; returns when all are done.

        If cancelled, claims not yet finished are released (due again at ``now``), so a
        restarted process fetches them; stored items are never half-written.
        """
        tally = Tally()
        if self._closing:
            return tally.freeze(0.0)
        self._active += 1
        self._idle.clear()
        started = time.perf_counter()
        claimed: set[int] = set()
        queue: asyncio.Queue[FeedForPoll | None] = asyncio.Queue(self._config.concurrency)
        workers = [
            asyncio.create_task(self._worker(queue, now, tally, claimed))
            for _ in range(self._config.concurrency)
        ]
        try:
            while not self._closing:
                batch = await self._feeds.claim_due(
                    now=now,
                    owner=self.owner,
                    lease_until=now + self._config.lease,
                    next_poll_at=now + self._config.interval,
                    limit=self._config.concurrency * 2,
                )
                if not batch:
                    break
                for feed in batch:
                    claimed.add(feed.id)
                    await queue.put(feed)
            for _ in workers:
                await queue.put(None)
            await asyncio.gather(*workers)
            await self._prune_hourly(now)
        except BaseException:
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            await asyncio.shield(self._feeds.release(claimed, owner=self.owner, next_poll_at=now))
            raise
        finally:
            self._active -= 1
            if not self._active:
                self._idle.set()
        return tally.freeze(time.perf_counter() - started)

    async def prune(self, now: datetime) -> PruneReport:
        """Retention: drop items older than the configured age that nobody is still owed."""
        return await self._retention.prune(now - self._config.retention)

    async def _prune_hourly(self, now: datetime) -> None:
        if self._next_prune is not None and now < self._next_prune:
            return
        self._next_prune = now + PRUNE_EVERY
        try:
            async with self._writes:
                pruned = await self.prune(now)
        except Exception:  # a loop boundary: retention failing must not stop polling
            log.exception("pruning old items failed")
            return
        if pruned.items or pruned.stories:
            log.info("pruned %d items and %d stories", pruned.items, pruned.stories)

    async def close(self) -> None:
        """Stop claiming, wait for fetches in flight, close the HTTP session."""
        self._closing = True
        await self._idle.wait()
        await self._fetcher.close()
        if self._guarded_fetcher is not None:
            await self._guarded_fetcher.close()

    def _fetcher_for(self, feed: FeedForPoll) -> Fetcher:
        """Sources that chat users added go through the address guard on every fetch."""
        if not feed.guarded:
            return self._fetcher
        if self._guarded_fetcher is None:
            self._guarded_fetcher = Fetcher(
                concurrency=self._config.concurrency,
                per_host=self._config.per_host,
                timeout=self._config.timeout,
                max_bytes=self._config.max_bytes,
                guard=self._config.guard or AddressGuard(),
            )
        return self._guarded_fetcher

    async def _worker(
        self,
        queue: asyncio.Queue[FeedForPoll | None],
        now: datetime,
        tally: Tally,
        claimed: set[int],
    ) -> None:
        while (feed := await queue.get()) is not None:
            try:
                await self._poll(feed, now, tally)
            except Exception as exc:  # a loop boundary: record, log, go on with the next feed
                log.exception("polling feed %s failed unexpectedly", feed.id)
                await self._fail(feed, now, tally, FeedFetchError(feed.url, _internal(exc)))
            claimed.discard(feed.id)

    async def _poll(self, feed: FeedForPoll, now: datetime, tally: Tally) -> None:
        try:
            got = await self._fetcher_for(feed).fetch(
                fetch_url(feed.kind, feed.url, self._config.telegram_web_url),
                etag=feed.etag,
                last_modified=feed.last_modified,
                now=now,
            )
            if got.not_modified:
                parsed = None
            else:
                t0 = time.perf_counter()
                parsed = await asyncio.to_thread(
                    parse_source,
                    feed.kind,
                    got.body,
                    url=feed.url,
                    fetched_url=got.url,
                    content_type=got.content_type,
                    now=now,
                )
                tally.parse_seconds += time.perf_counter() - t0
        except FeedFetchError as exc:
            await self._fail(feed, now, tally, exc)
            return
        jitter = random.random()
        outcome = FeedSuccess(
            feed_id=feed.id,
            now=now,
            next_poll_at=next_poll_after_success(now, self._config.interval, jitter),
            not_modified=got.not_modified,
            etag=got.etag,
            last_modified=got.last_modified,
            title=parsed.title if parsed else None,
            site_url=parsed.site_url if parsed else None,
            warning=parsed.warning if parsed else None,
            moved_to=_moved(feed, got.moved_to),
        )
        items = to_new_items(parsed, feed, now, self._config.backlog) if parsed else []
        async with self._writes:
            t0 = time.perf_counter()
            stored = await self._items.store(outcome, items, same_story)
            tally.store_seconds += time.perf_counter() - t0
        tally.add_success(feed, got.not_modified, stored, parsed.warning if parsed else None)

    async def _fail(
        self, feed: FeedForPoll, now: datetime, tally: Tally, exc: FeedFetchError
    ) -> None:
        errors = feed.error_count + 1
        delay = backoff_delay(errors, self._config.interval, exc.retry_after)
        async with self._writes:
            await self._feeds.record_failure(
                FeedFailure(feed_id=feed.id, now=now, message=str(exc), next_poll_at=now + delay)
            )
        log.info("feed %s (%s): %s; next try in %s", feed.id, feed.url, exc, delay)
        tally.add_failure(feed, str(exc))


def _moved(feed: FeedForPoll, moved_to: str | None) -> str | None:
    # A channel is stored by name; its preview server's redirects say nothing about it.
    if feed.kind == SourceKind.CHANNEL or moved_to == feed.url:
        return None
    return moved_to


def _internal(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"internal error: {type(exc).__name__}: {text}"[:300]
