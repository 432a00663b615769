"""The fetcher over real HTTP: politeness headers, redirects, compression, caps, failures."""

from __future__ import annotations

import asyncio
import time
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


async def test_whole_request_deadline_bounds_a_drip(feeds: FeedServer) -> None:
    # Every chunk arrives well within the socket timeout; only the total is too long.
    url = feeds.slow("/drip.xml", BODY * 40, trickle=0.05, chunk_size=64)
    async with Fetcher(concurrency=1, per_host=1, timeout=1.0, max_bytes=1 << 20) as fetcher:
        started = time.monotonic()
        with pytest.raises(FeedFetchError, match="timed out after 1 s"):
            await fetcher.fetch(url)
    assert time.monotonic() - started < 1.5


async def test_address_check_sees_every_hop(feeds: FeedServer) -> None:
    feeds.add("/new.xml", BODY)
    start = feeds.redirect("/old.xml", "/mid.xml", status=302)
    feeds.redirect("/mid.xml", "/new.xml", status=301)
    seen: list[str] = []

    async def check(url: str) -> None:
        seen.append(url)
        if url.endswith("/new.xml"):
            raise FeedFetchError(url, "refused address")

    async with Fetcher(
        concurrency=1, per_host=1, timeout=2.0, max_bytes=1 << 20, check_address=check
    ) as fetcher:
        with pytest.raises(FeedFetchError, match="refused address"):
            await fetcher.fetch(start)
    assert seen == [start, feeds.url("/mid.xml"), feeds.url("/new.xml")]
    assert feeds.hits("/new.xml") == 0  # refused before it was requested


async def test_redirect_to_another_scheme_is_refused(feeds: FeedServer, fetcher: Fetcher) -> None:
    url = feeds.redirect("/away", "file:///etc/passwd", status=302)
    with pytest.raises(FeedFetchError, match="non-http"):
        await fetcher.fetch(url)


async def test_hostile_validators_are_not_echoed(feeds: FeedServer, fetcher: Fetcher) -> None:
    url = feeds.add("/rss.xml", BODY, etag='"' + "e" * 2000 + '"', last_modified="yesterday")
    got = await fetcher.fetch(url)
    assert got.etag is None and got.last_modified is None
    stored_junk = await fetcher.fetch(url, etag='"a\x01b"', last_modified="Thu, 06 Nov 2025")
    assert stored_junk.status == 200
    second = feeds.requests_for("/rss.xml")[1]
    assert second.if_none_match is None and second.if_modified_since is None


async def test_a_host_waiting_does_not_hold_a_global_slot(feeds: FeedServer) -> None:
    # One global slot, one per host: the second feed of a slow host queues for its host,
    # and a feed on another host (another name for the same server) goes first.
    slow = feeds.slow("/slow.xml", BODY, delay=0.5)
    also_slow = feeds.slow("/slow2.xml", BODY, delay=0.5)
    other = feeds.add("/other.xml", BODY).replace("127.0.0.1", "localhost")
    async with Fetcher(concurrency=1, per_host=1, timeout=5.0, max_bytes=1 << 20) as fetcher:
        first = asyncio.create_task(fetcher.fetch(slow))
        await asyncio.sleep(0.05)
        second = asyncio.create_task(fetcher.fetch(also_slow))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        third = asyncio.create_task(fetcher.fetch(other))
        await asyncio.gather(first, second, third)
    order = [r.path for r in feeds.requests]
    assert order.index("/other.xml") < order.index("/slow2.xml")
    assert time.monotonic() - started < 1.5
