"""A local HTTP server for feeds: conditional GET, redirects, compression, slow and broken answers.

    async with FeedServer() as feeds:
        url = feeds.add("/rss.xml", make_rss([{"title": "Kazakhstan joins", "link": "https://x/1"}]))
        ...  # poll url twice
        assert feeds.requests_for("/rss.xml")[1].if_none_match == feeds.etag("/rss.xml")

Every request is logged in ``requests`` (path, headers), so tests can check the poller is polite:
a User-Agent, If-None-Match/If-Modified-Since on the second fetch, Retry-After obeyed.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import mimetypes
import time
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import brotli
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

from tests.fakes._server import BackgroundServer
from tests.fakes.telegram_preview import Post, make_missing_channel_page, make_preview

__all__ = ["FeedServer", "RecordedRequest", "make_rss"]

RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
_SUFFIX_TYPES = {".rss": RSS, ".xml": RSS, ".atom": ATOM, ".html": "text/html; charset=utf-8"}
_ENCODERS = {"br": brotli.compress, "gzip": gzip.compress, "deflate": zlib.compress}


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it."""

    method: str
    path: str
    query: str
    headers: CIMultiDictProxy[str]
    time: float

    @property
    def user_agent(self) -> str | None:
        return self.headers.get("User-Agent")

    @property
    def if_none_match(self) -> str | None:
        return self.headers.get("If-None-Match")

    @property
    def if_modified_since(self) -> str | None:
        return self.headers.get("If-Modified-Since")

    @property
    def accept_encoding(self) -> str | None:
        return self.headers.get("Accept-Encoding")


@dataclass(frozen=True)
class _Resource:
    body: bytes = b""
    content_type: str = RSS
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    compress: bool = True
    redirect_to: str | None = None
    headers_delay: float = 0.0
    chunk_delay: float = 0.0
    chunk_size: int = 1024
    stream_bytes: int = 0
    drop_after: int | None = None


def _http_date(value: datetime) -> str:
    return format_datetime(value.astimezone(UTC).replace(microsecond=0), usegmt=True)


def _auto_etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


def _etag_matches(header: str, etag: str) -> bool:
    def bare(tag: str) -> str:
        tag = tag.strip()
        return tag[2:] if tag.startswith("W/") else tag

    return any(t.strip() == "*" or bare(t) == bare(etag) for t in header.split(","))


def _not_modified_since(header: str, last_modified: str) -> bool:
    try:
        return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False


def _pick_encoding(accept: str) -> str | None:
    offered: dict[str, float] = {}
    for part in accept.split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        offered[name.strip().lower()] = q
    return next((enc for enc in _ENCODERS if offered.get(enc, 0.0) > 0), None)


def make_rss(
    items: Iterable[Mapping[str, str]], title: str = "Test feed", link: str = "https://example.com/"
) -> bytes:
    """A small RSS 2.0 document; item keys: title, link, guid, description, pubDate."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>{escape(link)}</link>",
        "<description>c5watch test feed</description>",
    ]
    for item in items:
        parts.append("<item>")
        parts += [f"<{k}>{escape(v)}</{k}>" for k, v in item.items()]
        parts.append("</item>")
    parts.append("</channel></rss>\n")
    return "".join(parts).encode("utf-8")


class FeedServer(BackgroundServer):
    """Serves registered resources at ``url(path)``; see the module docstring."""

    def __init__(self) -> None:
        super().__init__()
        self._resources: dict[str, _Resource] = {}
        self._directories: list[tuple[str, Path]] = []
        self.requests: list[RecordedRequest] = []

    # --- registering -----------------------------------------------------------------------
    def url(self, path: str) -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def add(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str = RSS,
        etag: bool | str = True,
        last_modified: bool | str | datetime | None = True,
        headers: Mapping[str, str] | None = None,
        status: int = 200,
        compress: bool = True,
    ) -> str:
        """Serve ``body`` at ``path`` (ETag/Last-Modified automatic unless given or False)."""
        if isinstance(last_modified, datetime):
            last_modified = _http_date(last_modified)
        elif last_modified is True:
            last_modified = _http_date(datetime.now(UTC))
        self._resources[path] = _Resource(
            body=body,
            content_type=content_type,
            status=status,
            etag=_auto_etag(body) if etag is True else (etag or None),
            last_modified=last_modified or None,
            headers=dict(headers or {}),
            compress=compress,
        )
        return self.url(path)

    def update(self, path: str, body: bytes) -> str:
        """New content at ``path``: a new automatic ETag, Last-Modified one second later."""
        old = self._resources[path]
        last_modified = old.last_modified
        if last_modified is not None:
            later = parsedate_to_datetime(last_modified).timestamp() + 1
            last_modified = _http_date(datetime.fromtimestamp(max(later, time.time()), UTC))
        etag = _auto_etag(body) if old.etag == _auto_etag(old.body) else old.etag
        self._resources[path] = replace(old, body=body, etag=etag, last_modified=last_modified)
        return self.url(path)

    def etag(self, path: str) -> str | None:
        return self._resources[path].etag

    def slow(
        self,
        path: str,
        body: bytes,
        *,
        delay: float = 0.0,
        trickle: float = 0.0,
        chunk_size: int = 256,
        content_type: str = RSS,
        etag: bool | str = True,
    ) -> str:
        """Wait ``delay`` s before the headers, then send ``chunk_size`` bytes per ``trickle`` s."""
        url = self.add(path, body, compress=False, content_type=content_type, etag=etag)
        self._resources[path] = replace(
            self._resources[path], headers_delay=delay, chunk_delay=trickle, chunk_size=chunk_size
        )
        return url

    def huge(self, path: str, megabytes: float, *, content_type: str = RSS) -> str:
        """Stream ``megabytes`` MB: an RSS opening and then endless whitespace padding."""
        self._resources[path] = _Resource(
            content_type=content_type,
            stream_bytes=int(megabytes * 1024 * 1024),
            compress=False,
            chunk_size=64 * 1024,
        )
        return self.url(path)

    def broken(
        self,
        path: str,
        kind: str | int,
        *,
        body: bytes | None = None,
        retry_after: int | None = None,
    ) -> str:
        """``"truncated"`` XML cut short, ``"invalid"`` non-XML, ``"reset"`` connection dropped
        mid-body, or an HTTP status (404, 403, 429 with Retry-After, 500, 503...)."""
        sample = body or make_rss([{"title": "Item", "link": "https://example.com/1"}])
        if kind == "truncated":
            return self.add(path, sample[: len(sample) // 2])
        if kind == "invalid":
            return self.add(path, body or b"<rss><channel><item>&nbsp;<title>x</rss", etag=False)
        if kind == "reset":
            self.add(path, sample, compress=False)
            self._resources[path] = replace(self._resources[path], drop_after=len(sample) // 3)
            return self.url(path)
        if not isinstance(kind, int):
            raise ValueError(f"unknown kind of broken feed: {kind!r}")
        if retry_after is None and kind == 429:
            retry_after = 120
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        text = body or f"{kind} error".encode()
        return self.add(
            path,
            text,
            content_type="text/plain",
            status=kind,
            headers=headers,
            etag=False,
            last_modified=None,
        )

    def redirect(self, from_path: str, to: str, status: int = 301) -> str:
        """``from_path`` answers ``status`` with Location ``to`` (a path or a full URL)."""
        if status not in (301, 302, 303, 307, 308):
            raise ValueError(f"not a redirect status: {status}")
        self._resources[from_path] = _Resource(status=status, redirect_to=to)
        return self.url(from_path)

    def html_page(
        self,
        path: str,
        feed_href: str,
        *,
        feed_type: str = "application/rss+xml",
        title: str = "News site",
    ) -> str:
        """An HTML page that advertises a feed with ``<link rel="alternate">``."""
        page = (
            f"<!doctype html><html><head><title>{escape(title)}</title>"
            f'<link rel="alternate" type={quoteattr(feed_type)} title="RSS" '
            f"href={quoteattr(feed_href)}></head><body><h1>{escape(title)}</h1></body></html>"
        )
        return self.add(path, page.encode(), content_type="text/html; charset=utf-8")

    def channel(self, name: str, posts: Iterable[Post], *, title: str | None = None) -> str:
        """Serve channel ``name``'s web preview at ``/s/NAME``, as t.me does (no validators)."""
        page = make_preview(name, posts, title=title)
        return self.add(
            f"/s/{name}", page, content_type="text/html; charset=utf-8", etag=False,
            last_modified=None,
        )  # fmt: skip

    def missing_channel(self, name: str) -> str:
        """``/s/NAME`` of a name with no public channel: t.me redirects to a contact card."""
        self.add(f"/{name}", make_missing_channel_page(name), content_type="text/html")
        return self.redirect(f"/s/{name}", f"/{name}", status=302)

    def serve_directory(self, directory: str | Path, prefix: str = "/") -> str:
        """Serve every file below ``directory`` at ``prefix`` (read on each request)."""
        prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
        self._directories.append((prefix, Path(directory).resolve()))
        return self.url(prefix)

    # --- reading the log -------------------------------------------------------------------
    def requests_for(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    def hits(self, path: str) -> int:
        return len(self.requests_for(path))

    # --- serving ---------------------------------------------------------------------------
    def _make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app

    def _lookup(self, path: str) -> _Resource | None:
        if (resource := self._resources.get(path)) is not None:
            return resource
        for prefix, root in self._directories:
            if not path.startswith(prefix):
                continue
            candidate = (root / path[len(prefix) :]).resolve()
            if candidate.is_file() and candidate.is_relative_to(root):
                body = candidate.read_bytes()
                guessed = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
                return _Resource(
                    body=body,
                    content_type=_SUFFIX_TYPES.get(candidate.suffix, guessed),
                    etag=_auto_etag(body),
                    last_modified=_http_date(
                        datetime.fromtimestamp(candidate.stat().st_mtime, UTC)
                    ),
                )
        return None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(
            RecordedRequest(
                method=request.method,
                path=request.path,
                query=request.query_string,
                headers=CIMultiDictProxy(CIMultiDict(request.headers)),
                time=time.monotonic(),
            )
        )
        resource = self._resources.get(request.path_qs) or self._lookup(request.path)
        if resource is None:
            return web.Response(status=404, text="404 not found")
        if resource.headers_delay:
            await asyncio.sleep(resource.headers_delay)
        if resource.redirect_to is not None:
            location = resource.redirect_to
            if location.startswith("/"):
                location = self.url(location)
            return web.Response(status=resource.status, headers={"Location": location})
        headers = CIMultiDict(resource.headers)
        if resource.etag:
            headers["ETag"] = resource.etag
        if resource.last_modified:
            headers["Last-Modified"] = resource.last_modified
        if resource.status == 200 and self._not_modified(request, resource):
            return web.Response(status=304, headers=headers)
        if resource.stream_bytes or resource.chunk_delay or resource.drop_after is not None:
            return await self._stream(request, resource, headers)
        body = resource.body
        encoding = _pick_encoding(request.headers.get("Accept-Encoding", ""))
        if resource.compress and encoding and body:
            body = _ENCODERS[encoding](body)
            headers["Content-Encoding"] = encoding
            headers["Vary"] = "Accept-Encoding"
        headers["Content-Type"] = resource.content_type
        return web.Response(status=resource.status, body=body, headers=headers)

    @staticmethod
    def _not_modified(request: web.Request, resource: _Resource) -> bool:
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None:
            return resource.etag is not None and _etag_matches(if_none_match, resource.etag)
        if_modified_since = request.headers.get("If-Modified-Since")
        if if_modified_since is not None and resource.last_modified:
            return _not_modified_since(if_modified_since, resource.last_modified)
        return False

    async def _stream(
        self, request: web.Request, resource: _Resource, headers: CIMultiDict[str]
    ) -> web.StreamResponse:
        headers["Content-Type"] = resource.content_type
        response = web.StreamResponse(status=resource.status, headers=headers)
        if resource.stream_bytes:
            response.content_length = resource.stream_bytes
        else:
            response.content_length = len(resource.body)
        await response.prepare(request)
        if resource.stream_bytes:
            opening = b'<?xml version="1.0"?><rss version="2.0"><channel>'
            await response.write(opening)
            left = resource.stream_bytes - len(opening)
            while left > 0:
                size = min(resource.chunk_size, left)
                await response.write(b" " * size)
                left -= size
        else:
            body = resource.body
            if resource.drop_after is not None:
                await response.write(body[: resource.drop_after])
                if request.transport is not None:
                    request.transport.close()
                return response
            for start in range(0, len(body), resource.chunk_size):
                await response.write(body[start : start + resource.chunk_size])
                if resource.chunk_delay:
                    await asyncio.sleep(resource.chunk_delay)
        await response.write_eof()
        return response
