"""Feed ingestion: fetch feeds politely, read them robustly, keep one story per article.

The public face; everything else in this package is an implementation detail.
"""

from __future__ import annotations

from bot.ingest._outcome import FeedError, FeedPolled, PollReport
from bot.ingest.discover import DiscoveredFeed, discover_feed
from bot.ingest.errors import FeedFetchError, FeedParseError, NotAFeedError
from bot.ingest.fetch import USER_AGENT, Fetcher
from bot.ingest.opml import OpmlFeed, export_opml, parse_opml
from bot.ingest.poller import FeedPoller, PollerConfig
from bot.ingest.schedule import BacklogPolicy
from bot.ingest.urls import canonical_url

__all__ = [
    "USER_AGENT",
    "BacklogPolicy",
    "DiscoveredFeed",
    "FeedError",
    "FeedFetchError",
    "FeedParseError",
    "FeedPolled",
    "FeedPoller",
    "Fetcher",
    "NotAFeedError",
    "OpmlFeed",
    "PollReport",
    "PollerConfig",
    "canonical_url",
    "discover_feed",
    "export_opml",
    "parse_opml",
]
