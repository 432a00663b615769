"""Channels and pages end to end: `feeds add`, polling, backlog, health, alerts, OPML."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from lxml import etree

from bot.cli import main
from bot.delivery import AlertComposer, MatchStage
from bot.ingest import FeedPoller, PollerConfig
from bot.ingest.opml import parse_opml
from bot.ingest.sources import SourceKind, read_source
from bot.matching import TopicClassifier
from storage.db import SessionFactory
from storage.repositories.chats import ChatRepository
from storage.repositories.deliveries import DeliveryRepository
from storage.repositories.feeds import FeedRepository
from storage.repositories.matches import MatchRepository
from tests.fakes.feed_server import FeedServer
from tests.fakes.telegram_preview import Post
from tests.ingest.conftest import NOW

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
PAGES = Path(__file__).resolve().parent / "fixtures" / "news_pages"
OLD = [
    Post(1, service=True, html="Channel created"),
    Post(2, "Министр принял посла Японии.", at=NOW - timedelta(hours=3)),
    Post(3, photo=True),
]
NEW = Post(
    4,
    "США и Казахстан подписали меморандум о критически важных минералах.<br/>"
    "Стороны договорились о поставках вольфрама <b>&lt;в рамках С5+1&gt;</b>.",
    at=NOW + timedelta(minutes=4),
)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as feeds:
        yield feeds


@pytest.fixture
def cli(
    db_url: str, server: FeedServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("FETCH_TIMEOUT_SECONDS", "2")
    monkeypatch.setenv("TELEGRAM_WEB_URL", server.base_url)
    yield


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["feeds", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("@MFA_Test", "mfa_test"),
        ("t.me/mfa_test", "mfa_test"),
        ("https://t.me/mfa_test/", "mfa_test"),
        ("https://t.me/s/mfa_test", "mfa_test"),
        ("http://telegram.me/s/mfa_test", "mfa_test"),
    ],
)
def test_every_way_of_writing_a_channel(text: str, name: str) -> None:
    address = read_source(text)
    assert address.kind is SourceKind.CHANNEL and address.channel == name
    assert address.url == f"https://t.me/s/{name}"


@pytest.mark.parametrize(
    "text",
    ["@ab", "t.me/joinchat/AAAA", "https://t.me/+AbCdEf", "https://t.me/mfa_test/12", "@bad-name"],
)
def test_what_is_not_a_public_channel_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a public channel"):
        read_source(text)


def test_feeds_add_a_channel_and_list_it(
    cli: None, server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.channel("mfa_test", OLD, title="МИД Тест")
    code, out, _ = run(capsys, "add", "@mfa_test")
    assert code == 0 and out.strip() == "added channel 1: https://t.me/s/mfa_test"
    assert server.hits("/s/mfa_test") == 1
    code, _, err = run(capsys, "add", "https://t.me/MFA_test")
    assert code == 2 and "already added" in err
    code, out, _ = run(capsys, "list")
    assert "https://t.me/s/mfa_test (channel)  [not fetched yet]" in out


def test_a_channel_without_a_public_preview_is_refused(
    cli: None, server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.missing_channel("ghost_chan")
    code, _, err = run(capsys, "add", "t.me/ghost_chan")
    assert code == 2
    assert err.strip() == (
        "c5watch: @ghost_chan has no public preview: the channel does not exist or is not public"
    )
    assert run(capsys, "list")[1].startswith("no feeds yet")


def test_feeds_add_a_page_without_a_feed(
    cli: None, server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    page = server.add(
        "/ru/events", (PAGES / "events_list.html").read_bytes(), content_type="text/html"
    )
    code, out, _ = run(capsys, "add", page)
    assert code == 0
    assert "read as a page, 4 news links" in out and f"added page 1: {page}" in out
    assert f"{page} (page)  [not fetched yet]" in run(capsys, "list")[1]


def test_the_catalogue_imports_and_exports_with_its_kinds(
    cli: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for name, kind, least in (("channels.opml", "channel", 15), ("pages.opml", "page", 3)):
        path = SEEDS / name
        outlines = etree.parse(str(path)).getroot().iter("outline")
        sources = [o for o in outlines if o.get("xmlUrl")]
        assert len(sources) >= least
        assert all(o.get("type") == kind and len(o.get("seen") or "") > 20 for o in sources)
        code, out, _ = run(capsys, "import", str(path))
        assert code == 0 and f"imported {len(sources)} feed(s)" in out
    code, exported, _ = run(capsys, "export")
    again = parse_opml(exported.encode())
    kinds = {f.url: f.kind for f in again}
    assert kinds["https://t.me/s/tengrinews"] == "channel"
    assert kinds["https://isrs.uz/en/ozbekiston-yangiliklari"] == "page"


async def test_new_posts_of_a_channel_become_alerts(
    sessions: SessionFactory, feeds: FeedServer
) -> None:
    feeds.channel("mfa_test", OLD, title="МИД Тест")
    await FeedRepository(sessions).add(
        "https://t.me/s/mfa_test", now=NOW, first_poll_at=NOW, kind=SourceKind.CHANNEL
    )
    await ChatRepository(sessions).subscribe(
        5, chat_type="private", language="ru", timezone="Asia/Almaty",
        topics=("critical_minerals", "c5plus1"), now=NOW,
    )  # fmt: skip
    config = PollerConfig(
        interval=timedelta(seconds=60), timeout=2.0, telegram_web_url=feeds.base_url
    )
    poller = FeedPoller(sessions, config)
    match = MatchStage(MatchRepository(sessions), TopicClassifier())
    try:
        first = await poller.run_once(NOW)
        assert (first.ok, first.new_items, first.backlog_items) == (1, 1, 1)  # backlog only
        feeds.channel("mfa_test", [*OLD, NEW], title="МИД Тест")
        later = NOW + timedelta(minutes=5)
        second = await poller.run_once(later)
        assert (second.new_items, second.backlog_items) == (1, 0)
        third = await poller.run_once(later + timedelta(minutes=5))
        assert third.new_items == 0  # the same posts again are nothing new
        await match.run_once(later)
    finally:
        await poller.close()
    claimed = await DeliveryRepository(sessions).claim_chat(
        5, later, owner="t", lease=timedelta(minutes=1), limit=10
    )
    assert claimed is not None
    [alert] = claimed.alerts
    [message] = AlertComposer().compose([alert], timezone="Asia/Almaty", language="ru")
    assert "https://t.me/mfa_test/4" in message.html
    assert "США и Казахстан подписали меморандум о критически важных минералах." in message.html
    [listed] = await FeedRepository(sessions).list()
    assert listed.title == "МИД Тест" and listed.error_count == 0


async def test_a_channel_that_loses_its_preview_shows_an_error(
    sessions: SessionFactory, feeds: FeedServer
) -> None:
    feeds.missing_channel("gone_chan")
    await FeedRepository(sessions).add(
        "https://t.me/s/gone_chan", now=NOW, first_poll_at=NOW, kind=SourceKind.CHANNEL
    )
    poller = FeedPoller(sessions, PollerConfig(timeout=2.0, telegram_web_url=feeds.base_url))
    try:
        report = await poller.run_once(NOW)
    finally:
        await poller.close()
    assert report.failed == 1
    [health] = await FeedRepository(sessions).health(now=NOW)
    assert health.feed.url == "https://t.me/s/gone_chan"  # the redirect does not move it
    assert health.feed.last_error == (
        "@gone_chan has no public preview: the channel does not exist or is not public"
    )
    assert health.backing_off_until is not None and health.backing_off_until > NOW


async def test_a_page_is_polled_with_the_backlog_rule(
    sessions: SessionFactory, feeds: FeedServer
) -> None:
    body = (PAGES / "events_list.html").read_bytes()
    url = feeds.add("/ru/events", body, content_type="text/html; charset=utf-8")
    await FeedRepository(sessions).add(url, now=NOW, first_poll_at=NOW, kind=SourceKind.PAGE)
    poller = FeedPoller(sessions, PollerConfig(timeout=2.0))
    try:
        first = await poller.run_once(NOW)
        assert (first.new_items, first.backlog_items) == (4, 4)
        fresh = body.replace(
            b'<div class="view-content">',
            b'<div class="view-content"><div class="views-row"><div class="event-item">'
            b'<div class="event-date">07.11.2025, 09:00</div><a class="event-title" '
            b'href="/ru/events/new">\xd0\x9d\xd0\xbe\xd0\xb2\xd0\xbe\xd0\xb5 '
            b"event: the President received the US delegation</a></div></div>",
        )
        feeds.update("/ru/events", fresh)
        second = await poller.run_once(NOW + timedelta(minutes=10))
        assert (second.new_items, second.backlog_items) == (1, 0)
        third = await poller.run_once(NOW + timedelta(minutes=20))
        assert third.not_modified == 1  # conditional GET, as for feeds
    finally:
        await poller.close()
    assert feeds.requests_for("/ru/events")[-1].if_none_match == feeds.etag("/ru/events")
