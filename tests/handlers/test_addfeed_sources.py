"""/addfeed: channels, pages, and the address guard against every inside address class.

A dispatcher of its own, built like the shared one, with a source resolver whose DNS the test
controls and whose preview server is the local feed server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from aiogram import Dispatcher

from bot.config import Settings
from bot.ingest import FeedPoller, PollerConfig
from bot.ingest.netguard import AddressGuard, parse_networks
from bot.ingest.resolve import SourceResolver
from storage.db import SessionFactory, create_engine, session_factory
from storage.repositories.feeds import FeedRepository
from tests.fakes.dns import StaticResolver
from tests.fakes.feed_server import FeedServer, make_rss
from tests.fakes.telegram_api import FakeTelegramServer
from tests.fakes.telegram_preview import Post
from tests.handlers.conftest import (
    ADMIN_ID,
    START,
    BotDriver,
    FrozenClock,
    copy_of_template,
    polling,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

PAGE = (
    Path(__file__).resolve().parents[1] / "ingest" / "fixtures" / "news_pages" / "events_list.html"
)
DNS = {
    "intranet.example": ["192.168.1.20"],
    "metadata.example": ["169.254.169.254"],
    "mixed.example": ["93.184.215.14", "fd00::5"],
    "feeds.example": ["127.0.0.1"],
}


@dataclass
class Rig:
    driver: BotDriver
    feeds: FeedServer
    dns: StaticResolver
    guard: AddressGuard


@pytest.fixture(scope="module")
def feed_server() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def rig(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory, feed_server: FeedServer
) -> AsyncIterator[Rig]:
    url = copy_of_template(sqlite_template, tmp_path_factory, "addfeed")
    engine = create_engine(url)
    sessions = session_factory(engine)
    dns = StaticResolver(DNS)
    guard = AddressGuard(dns)
    sources = SourceResolver(
        telegram_web_url=feed_server.base_url, timeout=2.0, max_bytes=1 << 20, guard=guard
    )
    clock = FrozenClock(START)
    async with FakeTelegramServer(rate_limits=None) as tg:
        settings = Settings(
            bot_token=tg.token,
            telegram_api_url=tg.base_url,
            database_url=url,
            admin_ids=frozenset({ADMIN_ID}),
            # One admin sends many commands quickly; the per-chat limits have tests of their own.
            chat_update_burst=10_000,
        )
        bot = tg.make_bot()
        dispatcher = Dispatcher(sessions=sessions, settings=settings, clock=clock, sources=sources)
        try:
            async with polling(tg, bot, dispatcher, settings):
                yield Rig(BotDriver(tg, sessions, settings, clock), feed_server, dns, guard)
        finally:
            await engine.dispose()


async def _urls(sessions: SessionFactory) -> set[str]:
    return {f.url for f in await FeedRepository(sessions).list()}


@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("http://127.0.0.1:{port}/rss.xml", "127.0.0.1 is a loopback address"),
        ("http://2130706433:{port}/rss.xml", "2130706433 (127.0.0.1) is a loopback address"),
        ("http://0x7f000001:{port}/rss.xml", "0x7f000001 (127.0.0.1) is a loopback address"),
        ("http://[::1]:{port}/rss.xml", "::1 is a loopback address"),
        ("http://feeds.example:{port}/rss.xml", "feeds.example (127.0.0.1) is a loopback"),
        ("http://10.1.2.3/rss", "10.1.2.3 is a private address"),
        ("https://intranet.example/rss", "intranet.example (192.168.1.20) is a private"),
        ("http://[fd12::1]/rss", "fd12::1 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local"),
        ("http://metadata.example/latest/", "metadata.example (169.254.169.254) is a link-local"),
        ("http://[fe80::1]/", "fe80::1 is a link-local"),
        ("http://[::ffff:169.254.169.254]/", "::ffff:a9fe:a9fe is a link-local"),
        ("http://224.0.0.251/", "224.0.0.251 is a multicast address"),
        ("http://[ff02::1]/", "ff02::1 is a multicast address"),
        ("http://240.0.0.1/", "240.0.0.1 is a reserved address"),
        ("http://0.0.0.0:{port}/", "0.0.0.0 is a unspecified address"),
        ("http://[::]/", ":: is a unspecified address"),
        ("http://mixed.example/rss", "mixed.example (fd00::5) is a private"),
    ],
)
async def test_addfeed_refuses_every_inside_address(rig: Rig, target: str, why: str) -> None:
    rig.feeds.add("/rss.xml", make_rss([{"title": "Secret", "link": "http://10.0.0.1/x"}]))
    port = rig.feeds.base_url.rsplit(":", 1)[1]
    url = target.format(port=port)
    before = len(rig.feeds.requests)
    reply = await rig.driver.say(ADMIN_ID, f"/addfeed {url}", language_code="en")
    assert reply.plain_text.startswith("Not added: refused: ") and why in reply.plain_text
    assert url not in await _urls(rig.driver.sessions)
    assert len(rig.feeds.requests) == before  # nothing was fetched


async def test_addfeed_refuses_other_schemes(rig: Rig) -> None:
    for bad in ("file:///etc/passwd", "gopher://intranet.example/", "ftp://10.0.0.1/"):
        reply = await rig.driver.say(ADMIN_ID, f"/addfeed {bad}", language_code="ru")
        assert "не адрес http(s)" in reply.plain_text


async def test_addfeed_adds_a_channel_from_the_preview_server(rig: Rig) -> None:
    rig.feeds.channel(
        "gov_press", [Post(7, "Глава государства провёл встречу.")], title="Пресс-служба"
    )
    reply = await rig.driver.say(ADMIN_ID, "/addfeed https://t.me/gov_press", language_code="en")
    assert "Added feed" in reply.plain_text and "https://t.me/s/gov_press" in reply.plain_text
    [added] = [f for f in await FeedRepository(rig.driver.sessions).list() if "gov_press" in f.url]
    assert (added.kind, added.guarded, added.title) == ("channel", False, "Пресс-служба")
    rig.feeds.missing_channel("no_such_chan")
    missing = await rig.driver.say(ADMIN_ID, "/addfeed @no_such_chan", language_code="en")
    assert "Not added: @no_such_chan has no public preview" in missing.plain_text


async def test_a_widened_guard_admits_its_network_and_still_checks_redirects(rig: Rig) -> None:
    port = rig.feeds.base_url.rsplit(":", 1)[1]
    rig.feeds.add("/ru/events", PAGE.read_bytes(), content_type="text/html; charset=utf-8")
    rig.feeds.redirect("/moved", f"http://metadata.example:{port}/latest/", status=302)
    rig.guard.allow = parse_networks("127.0.0.0/8")  # as ADDFEED_ALLOW_NETWORKS would
    try:
        page = f"http://feeds.example:{port}/ru/events"
        added = await rig.driver.say(ADMIN_ID, f"/addfeed {page}", language_code="en")
        assert "Added feed" in added.plain_text and "read as a page" in added.plain_text
        moved = await rig.driver.say(
            ADMIN_ID, f"/addfeed http://feeds.example:{port}/moved", language_code="en"
        )
        assert "metadata.example (169.254.169.254) is a link-local" in moved.plain_text
        assert rig.feeds.hits("/latest/") == 0
    finally:
        rig.guard.allow = ()
    [feed] = [f for f in await FeedRepository(rig.driver.sessions).list() if f.url == page]
    assert (feed.kind, feed.guarded) == ("page", True)

    # Every poll checks again: the name now points inside, and the guarded fetch is refused.
    rig.dns.table["feeds.example"] = ["10.9.8.7"]
    poller = FeedPoller(
        rig.driver.sessions,
        PollerConfig(timeout=2.0, guard=AddressGuard(rig.dns), interval=timedelta(seconds=60)),
    )
    hits = rig.feeds.hits("/ru/events")
    try:
        report = await poller.run_once(rig.driver.clock.now + timedelta(hours=1))
    finally:
        await poller.close()
        rig.dns.table["feeds.example"] = ["127.0.0.1"]
    failed = [e for e in report.errors if e.url == page]
    assert failed and "feeds.example (10.9.8.7) is a private address" in failed[0].message
    assert rig.feeds.hits("/ru/events") == hits
