"""HTTP fetching with aiohttp: bounded, polite, and every failure a FeedFetchError.

Each bound answers a different hostile server: one deadline for the whole request (connect,
redirects, headers and body together, so a drip cannot stretch it); a byte cap checked
against Content-Length and again while streaming; at most ``concurrency`` requests in flight
and ``per_host`` per host; and at most two bodies above ``BIG_BODY`` buffered at once, so
memory stays bounded whatever the feeds send.  Every header is read defensively.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from types import TracebackType
from typing import Self

import aiohttp
from yarl import URL

from bot.ingest.errors import FeedFetchError
from bot.ingest.netguard import AddressGuard
from bot.ingest.schedule import last_modified_header, parse_retry_after, validator_header
from bot.ingest.urls import host_of

USER_AGENT = "c5watch/0.1 (+https://github.com/c5watch/c5watch)"
MAX_REDIRECTS = 5
BIG_BODY = 1024 * 1024
_BIG_AT_ONCE = 2
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, "
    "text/xml;q=0.9, text/html;q=0.5, */*;q=0.1"
)
_PERMANENT = (301, 308)
_REDIRECTS = (301, 302, 303, 307, 308)

# Awaited with each URL before it is requested (the first and every redirect target); raises
# FeedFetchError to refuse it.  Sources that chat users add plug an address guard in here.
AddressCheck = Callable[[str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class FetchedFeed:
    """A successful response: 200 with a body, or 304 (``not_modified``) without one.

    The body is raw bytes: which parser reads it is the caller's choice (by source kind).
    """

    url: str
    status: int
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    # Where a chain of only permanent redirects (301/308) ended, else None.
    moved_to: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Fetcher:
    """One aiohttp session; at most ``concurrency`` requests in flight and ``per_host`` per host.

    ``close()`` may be called twice. With a ``guard``, every connection and redirect is checked
    against it (sources that chat users add).
    """

    def __init__(
        self,
        *,
        concurrency: int,
        per_host: int,
        timeout: float,
        max_bytes: int,
        check_address: AddressCheck | None = None,
        guard: AddressGuard | None = None,
    ) -> None:
        self._guard = guard
        self._global = asyncio.Semaphore(concurrency)
        self._per_host_limit = per_host
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._big = asyncio.Semaphore(_BIG_AT_ONCE)
        self.timeout_seconds = timeout
        self._max_bytes = max_bytes
        self._check_address = check_address
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def _client(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError("fetcher is closed")
        if self._session is None:
            self._session = aiohttp.ClientSession(
                # The whole-request deadline is ours (asyncio.timeout in fetch); these only
                # make a dead socket fail early.
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    connect=min(self.timeout_seconds, 10.0),
                    sock_read=self.timeout_seconds,
                ),
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept": _ACCEPT,
                    "Accept-Encoding": "gzip, deflate, br",
                },
                connector=self._connector(),
                trace_configs=[self._guard.trace_config()] if self._guard else None,
                auto_decompress=True,
            )
        return self._session

    def _connector(self) -> aiohttp.TCPConnector:
        if self._guard is None:
            return aiohttp.TCPConnector(limit=0, ttl_dns_cache=300)
        # Guarded: no DNS cache and no kept-alive connections, so every fetch resolves the
        # host again through the guard (DNS may have changed since the last one).
        return aiohttp.TCPConnector(
            limit=0, use_dns_cache=False, force_close=True, resolver=self._guard.resolver()
        )

    async def close(self) -> None:
        self._closed = True
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        now: datetime | None = None,
        on_start: Callable[[], None] | None = None,
    ) -> FetchedFeed:
        """GET ``url`` (conditionally); ``on_start`` is called once both slots are held, just
        before the request, so a caller can measure how late the fetch really began."""
        headers = {}
        if etag := validator_header(etag, limit=512):
            headers["If-None-Match"] = etag
        if last_modified := last_modified_header(last_modified):
            headers["If-Modified-Since"] = last_modified
        host = self._hosts.setdefault(host_of(url), asyncio.Semaphore(self._per_host_limit))
        # Host first: a feed queued behind its busy host must not hold a global slot.
        async with host, self._global:
            if on_start is not None:
                on_start()
            try:
                async with asyncio.timeout(self.timeout_seconds):
                    return await self._get(url, headers, now)
            except FeedFetchError:
                raise
            except TimeoutError:
                raise FeedFetchError(url, f"timed out after {self.timeout_seconds:g} s") from None
            except aiohttp.ClientConnectorDNSError:
                raise FeedFetchError(url, f"DNS lookup failed for {host_of(url)}") from None
            except (aiohttp.ClientSSLError, aiohttp.ClientConnectorCertificateError) as exc:
                raise FeedFetchError(url, f"TLS error: {_first_line(exc)}") from None
            except aiohttp.ClientConnectorError as exc:
                raise FeedFetchError(url, f"cannot connect: {_first_line(exc.os_error)}") from None
            except aiohttp.ClientPayloadError as exc:
                raise FeedFetchError(url, f"broken response body: {_first_line(exc)}") from None
            except (aiohttp.ClientError, ValueError, OSError) as exc:
                msg = f"{type(exc).__name__}: {_first_line(exc)}"
                raise FeedFetchError(url, msg) from None

    async def _get(self, url: str, headers: dict[str, str], now: datetime | None) -> FetchedFeed:
        at, permanent = url, True
        for _ in range(MAX_REDIRECTS + 1):
            if self._check_address is not None:
                await self._check_address(at)
            async with self._client().get(at, headers=headers, allow_redirects=False) as resp:
                if resp.status in _REDIRECTS and "Location" in resp.headers:
                    permanent = permanent and resp.status in _PERMANENT
                    at = _redirect_target(url, resp)
                    continue
                if resp.status == 304:
                    body = b""
                elif resp.status != 200:
                    raise _status_error(url, resp, now)
                else:
                    body = await self._read_capped(url, resp)
                return FetchedFeed(
                    url=at,
                    status=resp.status,
                    body=body,
                    content_type=_short(resp.headers.get("Content-Type"), 200),
                    etag=validator_header(resp.headers.get("ETag"), limit=512),
                    last_modified=last_modified_header(resp.headers.get("Last-Modified")),
                    moved_to=at if permanent and at != url else None,
                )
        raise FeedFetchError(url, f"more than {MAX_REDIRECTS} redirects")

    async def _read_capped(self, url: str, resp: aiohttp.ClientResponse) -> bytes:
        too_big = FeedFetchError(url, f"response larger than {self._max_bytes} bytes", status=200)
        # aiohttp has already refused a Content-Length that is not a plain number.
        if resp.content_length is not None and resp.content_length > self._max_bytes:
            raise too_big
        body = bytearray()
        async with contextlib.AsyncExitStack() as big:
            async for chunk in resp.content.iter_chunked(65536):
                if len(body) + len(chunk) > self._max_bytes:
                    raise too_big
                if len(body) < BIG_BODY <= len(body) + len(chunk):
                    await big.enter_async_context(self._big)
                body += chunk
            return bytes(body)


def _redirect_target(url: str, resp: aiohttp.ClientResponse) -> str:
    location = resp.headers["Location"]
    try:
        target = resp.url.join(URL(location))
    except ValueError:
        raise FeedFetchError(url, f"bad redirect Location: {location[:100]!r}") from None
    if target.scheme not in ("http", "https") or not target.host:
        raise FeedFetchError(url, f"redirect to a non-http(s) URL: {str(target)[:100]}")
    return str(target)


def _status_error(url: str, resp: aiohttp.ClientResponse, now: datetime | None) -> FeedFetchError:
    try:
        phrase = HTTPStatus(resp.status).phrase
    except ValueError:
        phrase = _short(resp.reason, 100) or ""
    retry = None
    if resp.status in (429, 503) and now is not None:
        retry = parse_retry_after(resp.headers.get("Retry-After"), now)
    msg = f"HTTP {resp.status} {phrase}".strip()
    return FeedFetchError(url, msg, status=resp.status, retry_after=retry)


def _short(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else None


def _first_line(exc: object) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]
