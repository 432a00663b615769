"""Pure scheduling decisions: next poll, back-off, backlog or news."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.ingest.schedule import (
    MAX_BACKOFF,
    BacklogPolicy,
    backoff_delay,
    is_backlog,
    next_poll_after_success,
    parse_retry_after,
)

NOW = datetime(2025, 11, 6, 12, 0, tzinfo=UTC)
FIVE_MIN = timedelta(minutes=5)


def test_next_poll_is_never_later_than_the_interval() -> None:
    for jitter in (0.0, 0.5, 1.0, 7.0, -3.0):
        at = next_poll_after_success(NOW, FIVE_MIN, jitter)
        assert NOW + FIVE_MIN * 0.9 <= at <= NOW + FIVE_MIN


@pytest.mark.parametrize(
    ("errors", "expected"),
    [(1, FIVE_MIN), (2, 2 * FIVE_MIN), (3, 4 * FIVE_MIN), (10, MAX_BACKOFF), (500, MAX_BACKOFF)],
)
def test_backoff_doubles_up_to_a_day(errors: int, expected: timedelta) -> None:
    assert backoff_delay(errors, FIVE_MIN) == expected


def test_retry_after_is_a_floor_but_clamped_to_a_day() -> None:
    assert backoff_delay(1, FIVE_MIN, retry_after=3600) == timedelta(hours=1)
    assert backoff_delay(1, FIVE_MIN, retry_after=10) == FIVE_MIN
    assert backoff_delay(1, FIVE_MIN, retry_after=10**9) == MAX_BACKOFF


def test_parse_retry_after() -> None:
    assert parse_retry_after("120", NOW) == 120
    assert parse_retry_after("Thu, 06 Nov 2025 12:10:00 GMT", NOW) == 600
    assert parse_retry_after("Thu, 06 Nov 2025 11:00:00 GMT", NOW) == 0
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None


def test_backlog_rules() -> None:
    policy = BacklogPolicy()
    old = NOW - timedelta(days=30)
    # First successful fetch: everything is backlog, however fresh.
    assert is_backlog(first_fetch=True, published_at=NOW, now=NOW, policy=policy)
    # Later: news whatever its date, unless more than 48 h old when it appeared.
    assert not is_backlog(first_fetch=False, published_at=NOW, now=NOW, policy=policy)
    just_in = NOW - timedelta(hours=47, minutes=59)
    assert not is_backlog(first_fetch=False, published_at=just_in, now=NOW, policy=policy)
    assert is_backlog(first_fetch=False, published_at=old, now=NOW, policy=policy)
    # The demo's policy: nothing is backlog.
    demo = BacklogPolicy(first_fetch_is_backlog=False, max_age=None)
    assert not is_backlog(first_fetch=True, published_at=old, now=NOW, policy=demo)
