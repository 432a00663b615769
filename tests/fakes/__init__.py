"""Real-HTTP fakes of the services c5watch talks to: the Telegram Bot API and news feeds."""

from tests.fakes.feed_server import FeedServer, RecordedRequest, make_rss
from tests.fakes.telegram_api import (
    DEFAULT_TOKEN,
    ApiCall,
    FakeTelegramServer,
    RateLimits,
    SentMessage,
    make_bot,
)

__all__ = [
    "DEFAULT_TOKEN",
    "ApiCall",
    "FakeTelegramServer",
    "FeedServer",
    "RateLimits",
    "RecordedRequest",
    "SentMessage",
    "make_bot",
    "make_rss",
]
