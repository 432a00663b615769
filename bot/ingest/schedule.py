"""When to poll a feed next, and whether an item is news: pure functions taking ``now``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

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
    delay = min(interval * (1 << exponent), MAX_BACKOFF)
    if retry_after is not None and retry_after == retry_after:  # not NaN
        # Clamp before building a timedelta: a huge float overflows it.
        wait = min(max(retry_after, 0.0), MAX_BACKOFF.total_seconds())
        delay = max(delay, timedelta(seconds=wait))
    return min(delay, MAX_BACKOFF)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date), clamped to
    ``[0, MAX_BACKOFF]``; None when absent or unreadable.

    The header comes from the network: a thousand-digit number, a date in year 9999 or a
    naive date must give a bounded wait, never an exception further on.
    """
    if not value:
        return None
    value = value.strip()[:64]
    ceiling = MAX_BACKOFF.total_seconds()
    if value.isascii() and value.isdigit():
        # Length first: int() of a huge digit string is slow, and anything this long is absurd.
        return ceiling if len(value) > 9 else min(float(int(value)), ceiling)
    when = parse_http_date(value)
    if when is None:
        return None
    return min(max((when - now).total_seconds(), 0.0), ceiling)


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP date (RFC 9110: IMF-fixdate, RFC 850 or asctime) as an aware UTC datetime, or
    None for anything else, including dates a datetime cannot hold."""
    if not value or len(value) > 64:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    # HTTP dates are always GMT; a zone-less asctime date is read as such.
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def validator_header(value: str | None, *, limit: int) -> str | None:
    """An ETag or Last-Modified worth sending back: printable ASCII and short, else None.

    They are echoed in If-None-Match / If-Modified-Since; a value with control characters
    or kilobytes of junk would make every later request fail (or bloat the feeds table).
    """
    if not value or len(value) > limit or not value.isascii() or not value.isprintable():
        return None
    return value.strip() or None


def last_modified_header(value: str | None) -> str | None:
    """Last-Modified only when it is an HTTP date, re-formatted canonically (else None)."""
    when = parse_http_date(validator_header(value, limit=64))
    return format_datetime(when, usegmt=True) if when is not None else None
