"""FeedPoller: claims due feeds, fetches them under bounds and stores what is new.

Deciding (when next, back-off, backlog or news, which story) is in ``schedule`` and
``identity``; this module only calls fetcher, parser and repositories in order:

    claim due feeds -> fetch (conditional GET) -> parse -> normalise -> decide -> store

Two ways to drive it.  :meth:`FeedPoller.run` is the long-lived pool ``c5watch run`` uses: it
takes a feed as soon as both a slot and the feed are due, so a feed that stalls until its
timeout holds one slot and delays nobody else.  :meth:`FeedPoller.run_once` polls whatever is
due at one instant and returns when those feeds are done (tests, the demo, benchmarks).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.ingest._outcome import FeedPolled, PollReport, Tally, to_new_items
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
# Parsing is CPU-bound and a parsed 10 MB feed is large: more threads than cores only add
# memory, not speed.
PARSE_THREADS = max(2, os.cpu_count() or 2)


@dataclass(frozen=True, slots=True)
class PollerConfig:
    interval: timedelta = timedelta(seconds=300)
    concurrency: int = 100
    per_host: int = 2
    timeout: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    retention: timedelta = timedelta(days=90)
    backlog: BacklogPolicy = field(default_factory=BacklogPolicy)
    # How often the continuous pool looks for due feeds when it has nothing to do; also how
    # soon it sees a feed another process added.
    idle_check: float = 1.0
    # How long close() lets the pool's fetches in flight finish before it gives their claims
    # back (due again at once), so a stalled feed cannot hold up a shutdown.
    shutdown_grace: float = 10.0
    # Where channel previews are read (TELEGRAM_WEB_URL), and the guard for chat-added sources.
    telegram_web_url: str = "https://t.me"
    guard: AddressGuard | None = None

    @property
    def lease(self) -> timedelta:
        """How long a claim holds: long enough for a feed queued behind its busy host."""
        return max(timedelta(minutes=10), timedelta(seconds=self.timeout * 4))

    @property
    def queued(self) -> int:
        """Feeds the pool holds at once: twice the fetch slots, so feeds waiting for a busy
        host do not leave fetch slots idle."""
        return self.concurrency * 2


class FeedPoller:
    """Polls due feeds (:meth:`run` or :meth:`run_once`); :meth:`close` may be called twice."""

    def __init__(
        self,
        sessions: SessionFactory,
        config: PollerConfig,
        *,
        fetcher: Fetcher | None = None,
        owner: str | None = None,
        sqlite: bool | None = None,
        on_polled: Callable[[FeedPolled], None] | None = None,
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
        self._parsing = asyncio.Semaphore(PARSE_THREADS)
        self._on_polled = on_polled
        self._closing = False
        self._wake = asyncio.Event()
        self._next_prune: datetime | None = None
        self._active = 0
        self._idle = asyncio.Event()
        self._idle.set()

    # --- the continuous pool ---------------------------------------------------------------

    async def run(self, clock: Clock) -> None:
        """Poll until :meth:`close`: each feed as soon as it is due and a slot is free.

        Each feed keeps its own ``next_poll_at``; nothing waits for a cycle to end.  If
        cancelled, claims not yet finished are released (due again at once).
        """
        if self._closing:
            return
        self._enter()
        tasks: dict[asyncio.Task[None], FeedForPoll] = {}
        try:
            while not self._closing:
                self._wake.clear()
                free = self._config.queued - len(tasks)
                batch = await self._claim(clock(), free) if free > 0 else []
                for feed in batch:
                    task = asyncio.create_task(self._poll_guarded(feed, clock(), clock, None))
                    tasks[task] = feed
                    task.add_done_callback(functools.partial(self._finished, tasks))
                if batch and len(batch) == free:
                    continue  # more may be due: claim again at once
                await self._prune_hourly(clock())
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._config.idle_check):
                        await self._wake.wait()
            if tasks:
                await asyncio.wait(list(tasks), timeout=self._config.shutdown_grace)
            await self._abandon(tasks, clock())
        except BaseException:
            await self._abandon(tasks, clock())
            raise
        finally:
            self._leave()

    def _finished(
        self, tasks: dict[asyncio.Task[None], FeedForPoll], task: asyncio.Task[None]
    ) -> None:
        feed = tasks.pop(task, None)
        self._wake.set()  # a slot is free
        if not task.cancelled() and (exc := task.exception()) is not None:
            # Recording the outcome failed (the database, most likely): the feed's lease runs
            # out and it is polled again; say so instead of losing the exception.
            log.error("polling feed %s failed: %r", feed.id if feed else "?", exc)

    async def _claim(self, now: datetime, limit: int) -> list[FeedForPoll]:
        try:
            return await self._feeds.claim_due(
                now=now,
                owner=self.owner,
                lease_until=now + self._config.lease,
                next_poll_at=now + self._config.interval,
                limit=limit,
            )
        except Exception:  # a loop boundary: a database hiccup must not end polling
            log.exception("claiming due feeds failed; trying again")
            return []

    async def _abandon(self, tasks: dict[asyncio.Task[None], FeedForPoll], now: datetime) -> None:
        if not tasks:
            return
        claimed = {feed.id for feed in tasks.values()}
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.shield(self._feeds.release(claimed, owner=self.owner, next_poll_at=now))

    # --- one instant -----------------------------------------------------------------------

    async def run_once(self, now: datetime) -> PollReport:
        """Claim and poll every feed due at ``now``; returns when all are done.

        If cancelled, claims not yet finished are released (due again at ``now``), so a
        restarted process fetches them; stored items are never half-written.
        """
        tally = Tally()
        if self._closing:
            return tally.freeze(0.0)
        self._enter()
        started = time.perf_counter()

        def clock() -> datetime:
            # Lateness in simulated time: ``now`` plus the real time this call has taken.
            return now + timedelta(seconds=time.perf_counter() - started)

        claimed: set[int] = set()
        queue: asyncio.Queue[FeedForPoll | None] = asyncio.Queue(self._config.concurrency)
        workers = [
            asyncio.create_task(self._worker(queue, now, clock, tally, claimed))
            for _ in range(self._config.queued)
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
            self._leave()
        return tally.freeze(time.perf_counter() - started)

    async def _worker(
        self,
        queue: asyncio.Queue[FeedForPoll | None],
        now: datetime,
        clock: Clock,
        tally: Tally,
        claimed: set[int],
    ) -> None:
        while (feed := await queue.get()) is not None:
            await self._poll_guarded(feed, now, clock, tally)
            claimed.discard(feed.id)

    # --- shared ----------------------------------------------------------------------------

    def _enter(self) -> None:
        self._active += 1
        self._idle.clear()

    def _leave(self) -> None:
        self._active -= 1
        if not self._active:
            self._idle.set()

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
        """Stop claiming, wait for fetches in flight (:meth:`run`: at most ``shutdown_grace``
        seconds), close the HTTP session."""
        self._closing = True
        self._wake.set()
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

    # --- one feed --------------------------------------------------------------------------

    async def _poll_guarded(
        self, feed: FeedForPoll, now: datetime, clock: Clock, tally: Tally | None
    ) -> None:
        tally = tally or Tally()
        lateness: list[float] = []

        def started() -> None:
            if feed.due_at is not None:
                lateness.append(max((clock() - feed.due_at).total_seconds(), 0.0))

        try:
            await self._poll(feed, now, tally, started, lateness)
        except Exception as exc:  # a loop boundary: record, log, go on with the next feed
            log.exception("polling feed %s failed unexpectedly", feed.id)
            error = FeedFetchError(feed.url, _internal(exc))
            await self._fail(feed, now, tally, error, lateness[0] if lateness else None)

    async def _poll(
        self,
        feed: FeedForPoll,
        now: datetime,
        tally: Tally,
        started: Callable[[], None],
        lateness: list[float],
    ) -> None:
        try:
            got = await self._fetcher_for(feed).fetch(
                fetch_url(feed.kind, feed.url, self._config.telegram_web_url),
                etag=feed.etag,
                last_modified=feed.last_modified,
                now=now,
                on_start=started,
            )
            if got.not_modified:
                parsed = None
            else:
                async with self._parsing:
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
            await self._fail(feed, now, tally, exc, lateness[0] if lateness else None)
            return
        late = lateness[0] if lateness else None
        outcome = FeedSuccess(
            feed_id=feed.id,
            now=now,
            next_poll_at=next_poll_after_success(now, self._config.interval, random.random()),
            not_modified=got.not_modified,
            etag=got.etag,
            last_modified=got.last_modified,
            title=parsed.title if parsed else None,
            site_url=parsed.site_url if parsed else None,
            warning=parsed.warning if parsed else None,
            moved_to=_moved(feed, got.moved_to),
            lateness=late,
        )
        items = to_new_items(parsed, feed, now, self._config.backlog) if parsed else []
        async with self._writes:
            t0 = time.perf_counter()
            stored = await self._items.store(outcome, items, same_story)
            tally.store_seconds += time.perf_counter() - t0
        tally.add_success(feed, got.not_modified, stored, parsed.warning if parsed else None)
        kind = "not_modified" if got.not_modified else "ok"
        self._report(FeedPolled(feed.id, kind, late, stored.new_items - stored.backlog_items))

    async def _fail(
        self,
        feed: FeedForPoll,
        now: datetime,
        tally: Tally,
        exc: FeedFetchError,
        lateness: float | None,
    ) -> None:
        errors = feed.error_count + 1
        delay = backoff_delay(errors, self._config.interval, exc.retry_after)
        async with self._writes:
            await self._feeds.record_failure(
                FeedFailure(
                    feed_id=feed.id,
                    now=now,
                    message=str(exc),
                    next_poll_at=now + delay,
                    lateness=lateness,
                )
            )
        log.info("feed %s (%s): %s; next try in %s", feed.id, feed.url, exc, delay)
        tally.add_failure(feed, str(exc))
        self._report(FeedPolled(feed.id, "error", lateness, 0))

    def _report(self, polled: FeedPolled) -> None:
        if self._on_polled is None:
            return
        try:
            self._on_polled(polled)
        except Exception:  # an observer's bug must not fail a stored fetch
            log.exception("reporting a polled feed failed")


def _moved(feed: FeedForPoll, moved_to: str | None) -> str | None:
    # A channel is stored by name; its preview server's redirects say nothing about it.
    if feed.kind == SourceKind.CHANNEL or moved_to == feed.url:
        return None
    return moved_to


def _internal(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"internal error: {type(exc).__name__}: {text}"[:300]
