"""Errors of the ingestion stage, each naming the feed URL it concerns."""

from __future__ import annotations

from bot.errors import C5watchError


class FeedFetchError(C5watchError):
    """A feed could not be fetched or read; ``str()`` is the short message stored on the feed."""

    def __init__(
        self, url: str, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.url = url
        self.status = status
        # Seconds the server asked us to wait (429/503 Retry-After), if any.
        self.retry_after = retry_after


class FeedParseError(FeedFetchError):
    """The body arrived but is not a feed we can read (HTML, not XML, no entries)."""


class NotAFeedError(FeedParseError):
    """The body is a web page, not a feed."""
