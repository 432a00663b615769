"""The local feed server: conditional GET, redirects, compression, slow and broken answers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.fakes.feed_server import FeedServer, make_rss

FEED = make_rss([{"title": "Казахстан и критические минералы", "link": "https://example.com/1"}])


@pytest.fixture
async def feeds() -> AsyncIterator[FeedServer]:
    async with FeedServer() as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    headers = {"User-Agent": "c5watch-tests/1.0"}
    async with aiohttp.ClientSession(headers=headers) as session:
        yield session


async def test_conditional_get_answers_304(feeds: FeedServer, http: aiohttp.ClientSession) -> None:
    url = feeds.add("/rss.xml", FEED)
    async with http.get(url) as resp:
        assert resp.status == 200
        assert await resp.read() == FEED
        etag, modified = resp.headers["ETag"], resp.headers["Last-Modified"]
    async with http.get(url, headers={"If-None-Match": etag}) as resp:
        assert resp.status == 304
        assert resp.headers["ETag"] == etag
    async with http.get(url, headers={"If-Modified-Since": modified}) as resp:
        assert resp.status == 304

    feeds.update("/rss.xml", FEED + b"<!-- new -->")
    async with http.get(url, headers={"If-None-Match": etag}) as resp:
        assert resp.status == 200
        assert resp.headers["ETag"] != etag
    async with http.get(url, headers={"If-Modified-Since": modified}) as resp:
        assert resp.status == 200

    [first, second, *_] = feeds.requests_for("/rss.xml")
    assert first.user_agent == "c5watch-tests/1.0"
    assert first.if_none_match is None
    assert second.if_none_match == etag
    assert feeds.hits("/rss.xml") == 5


async def test_redirect_chains_and_loops(feeds: FeedServer, http: aiohttp.ClientSession) -> None:
    feeds.add("/final.xml", FEED)
    start = feeds.redirect("/old", "/middle", status=301)
    feeds.redirect("/middle", feeds.url("/final.xml"), status=308)
    async with http.get(start) as resp:
        assert resp.status == 200
        assert [r.status for r in resp.history] == [301, 308]
        assert str(resp.url) == feeds.url("/final.xml")

    loop = feeds.redirect("/a", "/b", status=302)
    feeds.redirect("/b", "/a", status=307)
    with pytest.raises(aiohttp.TooManyRedirects):
        async with http.get(loop, max_redirects=5):
            pass
    async with http.get(start, allow_redirects=False) as resp:
        assert (resp.status, resp.headers["Location"]) == (301, feeds.url("/middle"))


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
async def test_compression_on_request(
    feeds: FeedServer, http: aiohttp.ClientSession, encoding: str
) -> None:
    url = feeds.add("/rss.xml", FEED)
    async with http.get(url, headers={"Accept-Encoding": encoding}) as resp:
        assert resp.headers["Content-Encoding"] == encoding
        assert await resp.read() == FEED  # aiohttp decodes it
    async with http.get(url, headers={"Accept-Encoding": "identity"}) as resp:
        assert "Content-Encoding" not in resp.headers


async def test_slow_headers_and_trickled_body(
    feeds: FeedServer, http: aiohttp.ClientSession
) -> None:
    slow = feeds.slow("/slow.xml", FEED, delay=1.0)
    with pytest.raises(TimeoutError):
        async with http.get(slow, timeout=aiohttp.ClientTimeout(total=0.1)):
            pass
    trickle = feeds.slow("/trickle.xml", FEED, trickle=0.02, chunk_size=64)
    started = time.monotonic()
    async with http.get(trickle) as resp:
        assert await resp.read() == FEED
    assert time.monotonic() - started >= 0.02 * (len(FEED) // 64)


async def test_broken_answers(feeds: FeedServer, http: aiohttp.ClientSession) -> None:
    async with http.get(feeds.broken("/429", 429)) as resp:
        assert (resp.status, resp.headers["Retry-After"]) == (429, "120")
    for status in (403, 404, 500):
        async with http.get(feeds.broken(f"/{status}", status)) as resp:
            assert resp.status == status
    async with http.get(feeds.broken("/cut.xml", "truncated")) as resp:
        body = await resp.read()
        assert resp.status == 200 and not body.rstrip().endswith(b"</rss>")
    async with http.get(feeds.broken("/junk.xml", "invalid")) as resp:
        assert resp.status == 200
    with pytest.raises(aiohttp.ClientPayloadError):
        async with http.get(feeds.broken("/reset.xml", "reset")) as resp:
            await resp.read()
    async with http.get(feeds.url("/missing")) as resp:
        assert resp.status == 404


async def test_huge_feed_streams(feeds: FeedServer, http: aiohttp.ClientSession) -> None:
    url = feeds.huge("/huge.xml", megabytes=3)
    received = 0
    async with http.get(url) as resp:
        assert resp.content_length == 3 * 1024 * 1024
        async for chunk in resp.content.iter_chunked(64 * 1024):
            received += len(chunk)
    assert received == 3 * 1024 * 1024


async def test_html_page_and_custom_headers(feeds: FeedServer, http: aiohttp.ClientSession) -> None:
    page = feeds.html_page("/news", "/rss.xml")
    feeds.add("/cached.xml", FEED, headers={"Cache-Control": "max-age=3600"}, etag="v1")
    async with http.get(page) as resp:
        assert resp.content_type == "text/html"
        assert 'rel="alternate" type="application/rss+xml"' in await resp.text()
        assert 'href="/rss.xml"' in await resp.text()
    async with http.get(feeds.url("/cached.xml")) as resp:
        assert resp.headers["Cache-Control"] == "max-age=3600"
        assert resp.headers["ETag"] == "v1"


async def test_serve_directory(
    feeds: FeedServer, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.xml").write_bytes(FEED)
    (tmp_path / "b.atom").write_bytes(b"<feed/>")
    base = feeds.serve_directory(tmp_path, prefix="/demo")
    async with http.get(base + "sub/a.xml") as resp:
        assert (resp.status, await resp.read()) == (200, FEED)
        etag = resp.headers["ETag"]
    async with http.get(base + "sub/a.xml", headers={"If-None-Match": etag}) as resp:
        assert resp.status == 304
    async with http.get(base + "b.atom") as resp:
        assert resp.content_type == "application/atom+xml"
    async with http.get(base + "../etc/passwd") as resp:
        assert resp.status == 404


def test_thread_mode() -> None:
    with FeedServer() as feeds:
        url = feeds.add("/rss.xml", FEED)

        async def fetch() -> bytes:
            async with aiohttp.ClientSession() as session, session.get(url) as resp:
                return await resp.read()

        assert asyncio.run(fetch()) == FEED
    assert not feeds.running
