"""A feed behind a certificate nobody vouches for fails as a TLS error, on its own feed."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator

import pytest
import trustme
from aiohttp import web

from bot.ingest.errors import FeedFetchError
from bot.ingest.fetch import Fetcher
from tests.fakes.feed_server import make_rss


@pytest.fixture
async def untrusted_https() -> AsyncIterator[str]:
    """An HTTPS server on 127.0.0.1 whose certificate comes from a CA the client never saw."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    body = make_rss([{"title": "Литий", "link": "https://example.kz/1", "guid": "1"}])

    async def feed(_request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/rss+xml")

    app = web.Application()
    app.router.add_get("/feed.xml", feed)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"https://127.0.0.1:{port}/feed.xml"
    finally:
        await runner.cleanup()


async def test_untrusted_certificate_is_a_tls_error(untrusted_https: str) -> None:
    async with Fetcher(concurrency=2, per_host=1, timeout=5.0, max_bytes=64 * 1024) as fetcher:
        with pytest.raises(FeedFetchError, match="TLS error") as err:
            await fetcher.fetch(untrusted_https)
    assert err.value.url == untrusted_https
