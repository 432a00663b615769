"""The fetcher over real HTTP: politeness headers, redirects, compression, caps, failures."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.ingest.errors import FeedFetchError
from bot.ingest.fetch import USER_AGENT, Fetcher
from tests.fakes.feed_server import FeedServer, make_rss
from tests.ingest.conftest import NOW

BODY = make_rss([{"title": "Уран", "link": "https://example.kz/1", "guid": "1"}])


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(concurrency=4, per_host=2, timeout=1.0, max_bytes=64 * 1024) as f:
        yield f


async def test_conditional_get_and_user_agent(feeds: FeedServer, fetcher: Fetcher) -> None:
    url = feeds.add("/rss.xml", BODY)
    first = await fetcher.fetch(url)
    assert first.status == 200 and first.body == BODY
    second = await fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.body == b""
    one, two = feeds.requests_for("/rss.xml")
    assert one.user_agent == two.user_agent == USER_AGENT
    assert one.if_none_match is None
    assert two.if_none_match == feeds.etag("/rss.xml")
    assert two.if_modified_since == first.last_modified
    assert "br" in (one.accept_encoding or "") and "gzip" in (one.accept_encoding or "")


async def test_compressed_bodies_are_decoded(feeds: FeedServer, fetcher: Fetcher) -> None:
    # The server picks brotli from our Accept-Encoding; gzip and deflate are aiohttp's own.
    url = feeds.add("/rss.xml", BODY * 20)
    got = await fetcher.fetch(url)
    assert got.body == BODY * 20


async def test_permanent_redirects_report_the_new_url(feeds: FeedServer, fetcher: Fetcher) -> None:
    feeds.add("/new.xml", BODY)
    old = feeds.redirect("/old.xml", "/mid.xml", status=301)
    feeds.redirect("/mid.xml", "/new.xml", status=308)
    got = await fetcher.fetch(old)
    assert got.moved_to == feeds.url("/new.xml")
    temp = feeds.redirect("/temp.xml", "/new.xml", status=302)
    assert (await fetcher.fetch(temp)).moved_to is None


async def test_redirect_loop_is_an_error(feeds: FeedServer, fetcher: Fetcher) -> None:
    url = feeds.redirect("/a", "/b", status=302)
    feeds.redirect("/b", "/a", status=302)
    with pytest.raises(FeedFetchError, match="more than 5 redirects"):
        await fetcher.fetch(url)
    assert feeds.hits("/a") + feeds.hits("/b") <= 6


async def test_oversize_body_is_cut_off(feeds: FeedServer, fetcher: Fetcher) -> None:
    url = feeds.huge("/huge.xml", megabytes=5)
    with pytest.raises(FeedFetchError, match="larger than 65536 bytes"):
        await fetcher.fetch(url)
    # A gzip bomb is measured after decompression.
    url = feeds.add("/bomb.xml", b"<rss>" + b" " * 5_000_000 + b"</rss>")
    with pytest.raises(FeedFetchError, match="larger than"):
        await fetcher.fetch(url)


async def test_timeouts(feeds: FeedServer, fetcher: Fetcher) -> None:
    url = feeds.slow("/slow.xml", BODY, delay=5)
    with pytest.raises(FeedFetchError, match="timed out"):
        await fetcher.fetch(url)
    url = feeds.slow("/trickle.xml", BODY * 10, trickle=0.5, chunk_size=64)
    with pytest.raises(FeedFetchError, match="timed out"):
        await fetcher.fetch(url)


@pytest.mark.parametrize(("status", "text"), [(404, "HTTP 404 Not Found"), (500, "HTTP 500")])
async def test_http_errors(feeds: FeedServer, fetcher: Fetcher, status: int, text: str) -> None:
    url = feeds.broken(f"/e{status}", status)
    with pytest.raises(FeedFetchError, match=text) as err:
        await fetcher.fetch(url)
    assert err.value.status == status and err.value.url == url


async def test_retry_after_is_read(feeds: FeedServer, fetcher: Fetcher) -> None:
    url = feeds.broken("/busy", 429, retry_after=900)
    with pytest.raises(FeedFetchError) as err:
        await fetcher.fetch(url, now=NOW)
    assert err.value.retry_after == 900


async def test_connection_failures(feeds: FeedServer, fetcher: Fetcher) -> None:
    url = feeds.broken("/reset", "reset")
    with pytest.raises(FeedFetchError):
        await fetcher.fetch(url)
    with pytest.raises(FeedFetchError, match="cannot connect"):
        await fetcher.fetch("http://127.0.0.1:9/feed.xml")
    with pytest.raises(FeedFetchError, match=r"DNS|cannot connect"):
        await fetcher.fetch("http://no-such-host.invalid/feed.xml")


async def test_close_twice(fetcher: Fetcher) -> None:
    await fetcher.close()
    await fetcher.close()
