"""`c5watch feeds add/list/import/export` as a user runs them (the feed server in a thread)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.ingest import FeedPoller, PollerConfig
from bot.ingest.opml import parse_opml
from storage.db import SessionFactory
from storage.repositories.feeds import FeedRepository
from tests.fakes.feed_server import FeedServer, make_rss
from tests.ingest.conftest import NOW

SEEDS_OPML = Path(__file__).resolve().parents[2] / "seeds" / "feeds.opml"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as feeds:
        yield feeds


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("POLL_INTERVAL_SECONDS", "300")
    monkeypatch.setenv("FETCH_TIMEOUT_SECONDS", "2")
    yield


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["feeds", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_add_a_page_that_advertises_a_feed(
    cli: None, server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.add("/news/rss.xml", make_rss([{"title": "Уран", "link": "https://x.kz/1"}]))
    page = server.html_page("/news/", "rss.xml", title="Новости")
    code, out, _ = run(capsys, "add", page)
    assert code == 0
    assert f"added feed 1: {server.url('/news/rss.xml')}" in out
    code, out, _ = run(capsys, "list")
    assert server.url("/news/rss.xml") in out and "not fetched yet" in out


def test_a_page_without_a_feed_is_refused(
    cli: None, server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    page = server.add("/about", b"<!doctype html><html><body>About us</body></html>",
                      content_type="text/html")  # fmt: skip
    code, _, err = run(capsys, "add", page)
    assert code == 2
    assert err.strip() == (
        f"c5watch: {page} is a web page that advertises no RSS/Atom feed, and the page shows "
        "no list of news (0 headline links found, at least 3 needed)"
    )


def test_unreachable_url_is_added_with_a_warning(
    cli: None, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "http://127.0.0.1:9/feed.xml"
    code, out, _ = run(capsys, "add", url)
    assert code == 0
    assert out.startswith(f"warning: cannot fetch {url} now")
    code, out, _ = run(capsys, "list")
    assert url in out


@pytest.mark.parametrize("url", ["ftp://example.org/feed.xml", "file:///etc/passwd", "feed.xml"])
def test_non_http_urls_are_refused(cli: None, capsys: pytest.CaptureFixture[str], url: str) -> None:
    code, _, err = run(capsys, "add", url)
    assert code == 2
    assert err.count("\n") == 1 and "not an http(s) URL" in err


def test_opml_import_export_round_trip(
    cli: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    expected = parse_opml(SEEDS_OPML.read_bytes())
    assert len(expected) >= 10
    code, out, _ = run(capsys, "import", str(SEEDS_OPML))
    assert code == 0 and f"imported {len(expected)} feed(s)" in out
    code, out, _ = run(capsys, "import", str(SEEDS_OPML))
    assert f"imported 0 feed(s) from {SEEDS_OPML}; {len(expected)} already present" in out

    code, exported, _ = run(capsys, "export")
    assert code == 0 and exported.startswith("<?xml")
    again = parse_opml(exported.encode())
    assert [(f.url, f.title) for f in again] == [(f.url, f.title) for f in expected]

    path = tmp_path / "mine.opml"
    path.write_text(exported, "utf-8")
    assert run(capsys, "import", str(path))[0] == 0


def test_import_of_a_missing_or_bad_file_is_refused(
    cli: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(capsys, "import", str(tmp_path / "nope.opml"))[0] == 2
    bad = tmp_path / "bad.opml"
    bad.write_text("<html/>")
    code, _, err = run(capsys, "import", str(bad))
    assert code == 2 and "not OPML" in err


async def test_list_shows_how_late_fetches_began(
    cli: None, sessions: SessionFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    async with FeedServer() as feeds:
        repo = FeedRepository(sessions)
        prompt = await repo.add(feeds.add("/a.xml", make_rss([])), now=NOW, first_poll_at=NOW)
        late = await repo.add(
            feeds.add("/b.xml", make_rss([])), now=NOW, first_poll_at=NOW - timedelta(seconds=42)
        )
        poller = FeedPoller(sessions, PollerConfig(timeout=2.0))
        await poller.run_once(NOW)
        await poller.close()
    code, out, _ = await asyncio.to_thread(run, capsys, "list")
    assert code == 0
    lines = out.splitlines()
    assert re.search(r"late 0\.\d s$", lines[0]) and lines[0].startswith(f"{prompt.id:>4}")
    assert re.search(r"late 42\.\d s$", lines[1])
    assert re.fullmatch(rf"latest fetch starts: feed {late.id} 42\.\d s, feed {prompt.id} 0\.\d s",
                        lines[2])  # fmt: skip
