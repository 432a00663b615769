"""When to poll a feed next, and whether an item is news: pure functions taking ``now``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

MAX_BACKOFF = timedelta(days=1)
BACKLOG_AGE = timedelta(hours=48)


@dataclass(frozen=True, slots=True)
class BacklogPolicy:
    """What counts as backlog (stored, never alerted) rather than news.

    The contract's policy is the default; ``c5watch demo`` turns both off so the snapshots
    are polled as if their items had just appeared.
    """

    first_fetch_is_backlog: bool = True
    max_age: timedelta | None = BACKLOG_AGE


def is_backlog(
    *, first_fetch: bool, published_at: datetime, now: datetime, policy: BacklogPolicy
) -> bool:
    """Items of a feed's first successful fetch are backlog; a later item is news unless it is
    dated more than ``policy.max_age`` before ``now`` (when it appeared)."""
    if first_fetch and policy.first_fetch_is_backlog:
        return True
    return policy.max_age is not None and published_at < now - policy.max_age


def next_poll_after_success(now: datetime, interval: timedelta, jitter: float = 0.0) -> datetime:
    """``now`` plus the interval, shortened by up to 10 % (``jitter`` in [0, 1]) to spread load.

    Cache-Control max-age cannot push this later: the contract polls every feed at least once
    per interval, so a server's longer max-age is clamped to it.
    """
    return now + interval * (1.0 - 0.1 * min(max(jitter, 0.0), 1.0))


def backoff_delay(
    error_count: int, interval: timedelta, retry_after: float | None = None
) -> timedelta:
    """Interval x 2^(errors-1), at least Retry-After, never beyond one day."""
    exponent = min(max(error_count - 1, 0), 30)
    delay = interval * (1 << exponent)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    return min(delay, MAX_BACKOFF)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date); None when absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max((when - now).total_seconds(), 0.0)
