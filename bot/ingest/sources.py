"""Kinds of source, how a user writes each, where each is fetched and which parser reads it.

- ``feed``: an RSS/Atom URL (or a page's advertised feed), read by feedparser.
- ``channel``: a public Telegram channel, written ``@NAME``, ``t.me/NAME``, ``https://t.me/NAME``
  or ``https://t.me/s/NAME``; stored as ``https://t.me/s/NAME`` and fetched from
  ``{TELEGRAM_WEB_URL}/s/NAME``.
- ``page``: a web page with no feed, read by its list of news.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from bot.ingest.newslist import parse_news_list
from bot.ingest.parse import ParsedFeed, parse_feed
from bot.ingest.telegram_channel import CHANNEL_NAME, parse_channel

TELEGRAM_HOSTS = frozenset({"t.me", "www.t.me", "telegram.me", "www.telegram.me"})
# t.me paths that are Telegram's own pages, not channel names.
_NOT_CHANNELS = frozenset(
    {"addemoji", "addlist", "addstickers", "addtheme", "boost", "contact", "joinchat", "login",
     "proxy", "setlanguage", "share", "socks", "confirmphone", "invoice"}
)  # fmt: skip
MAX_SOURCE_TEXT = 2048


class SourceKind(StrEnum):
    FEED = "feed"
    CHANNEL = "channel"
    PAGE = "page"


class InvalidSourceError(ValueError):
    """What the user wrote is neither an http(s) URL nor a public channel."""


@dataclass(frozen=True, slots=True)
class SourceAddress:
    """A source as written by a user, read but not yet fetched.

    ``kind`` is CHANNEL for a channel and None for a URL (a fetch tells a feed from a page).
    """

    url: str
    kind: SourceKind | None
    channel: str | None = None


def read_source(text: str) -> SourceAddress:
    """Read a URL or a channel as a user writes it; InvalidSourceError says what is wrong."""
    text = text.strip()
    if not text or len(text) > MAX_SOURCE_TEXT or any(ch.isspace() for ch in text):
        raise InvalidSourceError(f"not an http(s) URL or a Telegram channel: {text[:100]!r}")
    if text.startswith("@"):
        return _channel(text[1:], text)
    bare = text if "://" in text else f"https://{text}"
    try:
        parts = urlsplit(bare)
        host = (parts.hostname or "").lower()
    except ValueError:
        raise InvalidSourceError(f"not an http(s) URL: {text[:100]!r}") from None
    if parts.scheme in ("http", "https") and host in TELEGRAM_HOSTS:
        segments = [s for s in parts.path.split("/") if s]
        if segments[:1] == ["s"]:
            segments = segments[1:]
        if len(segments) != 1:
            raise InvalidSourceError(f"not a public channel address: {text[:100]!r}")
        return _channel(segments[0], text)
    if "://" not in text or parts.scheme not in ("http", "https") or not host:
        raise InvalidSourceError(f"not an http(s) URL: {text[:100]!r}")
    return SourceAddress(url=text, kind=None)


def channel_url(name: str) -> str:
    """How a channel is stored: its preview address on t.me."""
    return f"https://t.me/s/{name}"


def channel_name(url: str) -> str:
    """The name in a stored channel URL."""
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


def fetch_url(kind: str, url: str, telegram_web_url: str) -> str:
    """Where a stored source is fetched from: a channel's preview on TELEGRAM_WEB_URL."""
    if kind == SourceKind.CHANNEL:
        return f"{telegram_web_url.rstrip('/')}/s/{channel_name(url)}"
    return url


def parse_source(
    kind: str, body: bytes, *, url: str, fetched_url: str, content_type: str | None, now: datetime
) -> ParsedFeed:
    """Read a fetched body with the parser of the source's kind."""
    if kind == SourceKind.CHANNEL:
        return parse_channel(body, name=channel_name(url), content_type=content_type, now=now)
    if kind == SourceKind.PAGE:
        return parse_news_list(body, page_url=fetched_url, content_type=content_type, now=now)
    return parse_feed(body, url=fetched_url, content_type=content_type, now=now)


def _channel(name: str, text: str) -> SourceAddress:
    if not CHANNEL_NAME.fullmatch(name) or name.lower() in _NOT_CHANNELS:
        raise InvalidSourceError(f"not a public channel name: {text[:100]!r}")
    name = name.lower()  # Telegram names ignore case: one spelling, one source
    return SourceAddress(url=channel_url(name), kind=SourceKind.CHANNEL, channel=name)
