"""The poller's report, and turning parsed entries into storage intents (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.ingest.identity import text_fingerprint, title_key
from bot.ingest.parse import ParsedFeed
from bot.ingest.schedule import BacklogPolicy, is_backlog
from storage.repositories.feeds import FeedForPoll
from storage.repositories.items import NewItem, StoreReport


@dataclass(frozen=True, slots=True)
class FeedError:
    feed_id: int
    url: str
    message: str


@dataclass(frozen=True, slots=True)
class FeedPolled:
    """One feed's fetch, as the poller reports it as soon as it is stored (for metrics)."""

    feed_id: int
    outcome: str  # ok, not_modified or error
    # Seconds from the feed's due time to the start of its request; None if it never began.
    lateness: float | None
    new_items: int


@dataclass(frozen=True, slots=True)
class PollReport:
    """What one :meth:`FeedPoller.run_once` did."""

    feeds: int
    ok: int
    not_modified: int
    failed: int
    new_items: int
    new_stories: int
    joined: int
    backlog_items: int
    errors: tuple[FeedError, ...]
    warnings: tuple[FeedError, ...]
    seconds: float
    # Summed over feeds (for the benchmark): parsing+normalising in worker threads, and
    # storing (inside the write lock, so without the wait for it).
    parse_seconds: float
    store_seconds: float


@dataclass
class Tally:
    ok: int = 0
    not_modified: int = 0
    new_items: int = 0
    new_stories: int = 0
    joined: int = 0
    backlog_items: int = 0
    parse_seconds: float = 0.0
    store_seconds: float = 0.0
    errors: list[FeedError] = field(default_factory=list)
    warnings: list[FeedError] = field(default_factory=list)

    def add_success(
        self, feed: FeedForPoll, not_modified: bool, stored: StoreReport, warning: str | None
    ) -> None:
        self.ok += 1
        self.not_modified += not_modified
        self.new_items += stored.new_items
        self.new_stories += stored.new_stories
        self.joined += stored.joined
        self.backlog_items += stored.backlog_items
        note = warning or stored.moved_note
        if note:
            self.warnings.append(FeedError(feed.id, feed.url, note))

    def add_failure(self, feed: FeedForPoll, message: str) -> None:
        self.errors.append(FeedError(feed.id, feed.url, message))

    def freeze(self, seconds: float) -> PollReport:
        return PollReport(
            feeds=self.ok + len(self.errors),
            ok=self.ok,
            not_modified=self.not_modified,
            failed=len(self.errors),
            new_items=self.new_items,
            new_stories=self.new_stories,
            joined=self.joined,
            backlog_items=self.backlog_items,
            errors=tuple(self.errors),
            warnings=tuple(self.warnings),
            seconds=seconds,
            parse_seconds=self.parse_seconds,
            store_seconds=self.store_seconds,
        )


def to_new_items(
    parsed: ParsedFeed, feed: FeedForPoll, now: datetime, policy: BacklogPolicy
) -> list[NewItem]:
    """Storage intents for a parsed fetch, with the backlog-or-news decision made here."""
    first = not feed.backlog_done
    return [
        NewItem(
            guid=e.guid,
            url=e.url,
            canonical_url=e.canonical_url,
            title=e.title,
            summary=e.summary,
            published_at=e.published_at,
            title_key=title_key(e.title),
            fingerprint=text_fingerprint(e.summary),
            is_backlog=is_backlog(
                first_fetch=first, published_at=e.published_at, now=now, policy=policy
            ),
            lang=parsed.lang,
        )
        for e in parsed.entries
    ]
