"""Pure scheduling decisions: next poll, back-off, backlog or news."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.ingest.schedule import (
    MAX_BACKOFF,
    BacklogPolicy,
    backoff_delay,
    is_backlog,
    last_modified_header,
    next_poll_after_success,
    parse_retry_after,
    validator_header,
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


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("9" * 400, MAX_BACKOFF.total_seconds()),  # once an OverflowError in timedelta
        ("99999999999", MAX_BACKOFF.total_seconds()),
        ("Fri, 31 Dec 9999 23:59:59 GMT", MAX_BACKOFF.total_seconds()),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0),
        ("Thu Nov  6 12:05:00 2025", 300.0),  # asctime, no zone: GMT
        ("-5", None),
        ("1e400", None),
        ("١٢٠", None),  # Arabic-Indic digits are digits to str.isdigit, not to HTTP
        ("Mon, 99 Foo 2025 99:99:99 GMT", None),
        ("x" * 10_000, None),
    ],
)
def test_absurd_retry_after_is_clamped_or_ignored(header: str, seconds: float | None) -> None:
    assert parse_retry_after(header, NOW) == seconds


def test_backoff_survives_any_float() -> None:
    for value in (1e300, float("inf"), -1e300, float("nan")):
        assert FIVE_MIN <= backoff_delay(1, FIVE_MIN, retry_after=value) <= MAX_BACKOFF


def test_validators_worth_sending_back() -> None:
    assert last_modified_header("Thu, 06 Nov 2025 12:00:00 GMT") == "Thu, 06 Nov 2025 12:00:00 GMT"
    assert last_modified_header("Thursday, 06-Nov-25 12:00:00 GMT") == (
        "Thu, 06 Nov 2025 12:00:00 GMT"
    )
    assert last_modified_header("yesterday") is None
    assert last_modified_header("Thu, 06 Nov 2025 12:00:00 GMT\r\nX-Evil: 1") is None
    assert validator_header('"abc"', limit=512) == '"abc"'
    assert validator_header('"' + "a" * 600 + '"', limit=512) is None
    assert validator_header('"a\x00b"', limit=512) is None
    assert validator_header('"тег"', limit=512) is None
