"""Adding a source: one fetch tells what it is (feed, page with a news list, channel) or why not.

Used by ``c5watch feeds add`` (any address) and by ``/addfeed`` (through the address guard).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from bot.errors import C5watchError
from bot.ingest.discover import discover_feed
from bot.ingest.errors import FeedFetchError, FeedParseError
from bot.ingest.fetch import Fetcher
from bot.ingest.netguard import AddressGuard, BlockedAddressError
from bot.ingest.newslist import parse_news_list
from bot.ingest.parse import looks_like_html, parse_feed
from bot.ingest.sources import SourceAddress, SourceKind, fetch_url, read_source
from bot.ingest.telegram_channel import parse_channel

# Adding checks a source quickly; the poller has the full timeout.
CHECK_TIMEOUT = 15.0


class SourceRefusedError(C5watchError):
    """The source cannot be added; ``str()`` is a one-line reason for the user."""


@dataclass(frozen=True, slots=True)
class ResolvedSource:
    url: str
    kind: SourceKind
    title: str | None
    # Said to the user beside the result: the feed a page advertises, a fetch that failed.
    note: str | None = None


@dataclass(frozen=True, slots=True)
class SourceResolver:
    """Reads what a user wrote and checks it with one fetch.

    With a ``guard`` (sources from chats), inside addresses are refused before anything is
    fetched, and the fetch itself is guarded through every redirect.
    """

    telegram_web_url: str
    timeout: float
    max_bytes: int
    guard: AddressGuard | None = None

    async def resolve(self, text: str, *, now: datetime) -> ResolvedSource:
        try:
            address = read_source(text)
        except ValueError as exc:
            raise SourceRefusedError(str(exc)) from None
        if address.kind is SourceKind.CHANNEL:
            return await self._channel(address, now)
        if self.guard is not None:
            await self._check(address.url)
        return await self._web(address.url, now)

    def _fetcher(self, guarded: bool) -> Fetcher:
        return Fetcher(
            concurrency=1,
            per_host=1,
            timeout=min(self.timeout, CHECK_TIMEOUT),
            max_bytes=self.max_bytes,
            guard=self.guard if guarded else None,
        )

    async def _check(self, url: str) -> None:
        assert self.guard is not None
        try:
            await self.guard.check_url(url)
        except BlockedAddressError as exc:
            raise SourceRefusedError(str(exc)) from None
        except FeedFetchError:
            pass  # unresolvable now: the guarded fetch below reports it, and polls re-check

    async def _channel(self, address: SourceAddress, now: datetime) -> ResolvedSource:
        # The preview server is the operator's setting, not the user's: no address guard.
        name = address.channel or ""
        async with self._fetcher(guarded=False) as fetcher:
            try:
                preview = fetch_url(SourceKind.CHANNEL, address.url, self.telegram_web_url)
                got = await fetcher.fetch(preview)
            except FeedFetchError as exc:
                if exc.status == 404:
                    raise SourceRefusedError(f"@{name}: no such public channel") from None
                return ResolvedSource(address.url, SourceKind.CHANNEL, None, _later(preview, exc))
        try:
            parsed = await asyncio.to_thread(
                parse_channel, got.body, name=name, content_type=got.content_type, now=now
            )
        except FeedParseError as exc:
            raise SourceRefusedError(str(exc)) from None
        return ResolvedSource(address.url, SourceKind.CHANNEL, parsed.title)

    async def _web(self, url: str, now: datetime) -> ResolvedSource:
        guarded = self.guard is not None
        async with self._fetcher(guarded) as fetcher:
            try:
                got = await fetcher.fetch(url)
            except BlockedAddressError as exc:
                raise SourceRefusedError(str(exc)) from None
            except FeedFetchError as exc:
                return ResolvedSource(url, SourceKind.FEED, None, _later(url, exc))
        if not looks_like_html(got.body, got.content_type):
            try:
                parsed = await asyncio.to_thread(
                    parse_feed, got.body, url=got.url, content_type=got.content_type, now=now
                )
            except FeedParseError as exc:
                raise SourceRefusedError(f"{url} is not an RSS/Atom feed: {exc}") from None
            return ResolvedSource(url, SourceKind.FEED, parsed.title)
        found = discover_feed(got.body, page_url=got.url, content_type=got.content_type)
        if found is not None:
            if self.guard is not None:
                await self._check(found.url)
            note = f"found the feed the page advertises: {found.url}"
            return ResolvedSource(found.url, SourceKind.FEED, found.title, note)
        try:
            page = await asyncio.to_thread(
                parse_news_list, got.body, page_url=got.url, content_type=got.content_type, now=now
            )
        except FeedParseError as exc:
            raise SourceRefusedError(
                f"{url} is a web page that advertises no RSS/Atom feed, and {exc}"
            ) from None
        note = f"the page advertises no feed: read as a page, {len(page.entries)} news links"
        return ResolvedSource(url, SourceKind.PAGE, page.title, note)


def _later(url: str, exc: FeedFetchError) -> str:
    return f"cannot fetch {url} now ({exc}); added anyway, the poller will retry"
