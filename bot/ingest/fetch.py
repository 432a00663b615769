"""HTTP fetching with aiohttp: bounded, polite, and every failure a FeedFetchError."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from types import TracebackType
from typing import Self

import aiohttp

from bot.ingest.errors import FeedFetchError
from bot.ingest.netguard import AddressGuard
from bot.ingest.schedule import parse_retry_after
from bot.ingest.urls import host_of

USER_AGENT = "c5watch/0.1 (+https://github.com/c5watch/c5watch)"
MAX_REDIRECTS = 5
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, "
    "text/xml;q=0.9, text/html;q=0.5, */*;q=0.1"
)
_PERMANENT = (301, 308)


@dataclass(frozen=True, slots=True)
class FetchedFeed:
    """A successful response: 200 with a body, or 304 (``not_modified``) without one."""

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
        guard: AddressGuard | None = None,
    ) -> None:
        self._guard = guard
        self._global = asyncio.Semaphore(concurrency)
        self._per_host_limit = per_host
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._timeout = aiohttp.ClientTimeout(
            total=timeout, connect=min(timeout, 10.0), sock_read=timeout
        )
        self.timeout_seconds = timeout
        self._max_bytes = max_bytes
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
                timeout=self._timeout,
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
    ) -> FetchedFeed:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        host = self._hosts.setdefault(host_of(url), asyncio.Semaphore(self._per_host_limit))
        async with self._global, host:
            try:
                return await self._get(url, headers, now)
            except FeedFetchError:
                raise
            except TimeoutError:
                raise FeedFetchError(url, f"timed out after {self.timeout_seconds:g} s") from None
            except aiohttp.TooManyRedirects:
                raise FeedFetchError(url, f"more than {MAX_REDIRECTS} redirects") from None
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
        async with self._client().get(
            url, headers=headers, allow_redirects=True, max_redirects=MAX_REDIRECTS
        ) as resp:
            final = str(resp.url)
            moved = None
            if resp.history and all(h.status in _PERMANENT for h in resp.history):
                moved = final
            if resp.status == 304:
                body = b""
            elif resp.status != 200:
                raise _status_error(url, resp, now)
            else:
                body = await self._read_capped(url, resp)
            return FetchedFeed(
                url=final,
                status=resp.status,
                body=body,
                content_type=resp.headers.get("Content-Type"),
                etag=resp.headers.get("ETag"),
                last_modified=resp.headers.get("Last-Modified"),
                moved_to=moved,
            )

    async def _read_capped(self, url: str, resp: aiohttp.ClientResponse) -> bytes:
        too_big = FeedFetchError(url, f"response larger than {self._max_bytes} bytes", status=200)
        if resp.content_length is not None and resp.content_length > self._max_bytes:
            raise too_big
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_chunked(65536):
            size += len(chunk)
            if size > self._max_bytes:
                raise too_big
            chunks.append(chunk)
        return b"".join(chunks)


def _status_error(url: str, resp: aiohttp.ClientResponse, now: datetime | None) -> FeedFetchError:
    try:
        phrase = HTTPStatus(resp.status).phrase
    except ValueError:
        phrase = resp.reason or ""
    retry = None
    if resp.status in (429, 503) and now is not None:
        retry = parse_retry_after(resp.headers.get("Retry-After"), now)
    msg = f"HTTP {resp.status} {phrase}".strip()
    return FeedFetchError(url, msg, status=resp.status, retry_after=retry)


def _first_line(exc: object) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]
