"""Several `c5watch run` processes on one PostgreSQL database, against the fake servers.

Shared by tests/scale and benchmarks/bench_scale.py:

* :class:`TaggedTelegram`: the fake Bot API, also served under ``/p/{name}/`` so each process
  gets its own ``TELEGRAM_API_URL`` and every accepted sendMessage is attributed to the process
  that made it (``sent_by``);
* seeding straight through the ORM: chats each owed one alert of one matched story, and feeds
  served by the :class:`FeedServer` with a few unique items each;
* starting and stopping ``python -m bot run --role ...`` subprocesses, and waiting with
  deadlines (a process that dies early fails the wait with the tail of its log).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web
from sqlalchemy import func, select

from storage.db import SessionFactory, create_engine, session_factory
from storage.models import Chat, Delivery, Feed, Item, Match, Story
from tests import pg
from tests.fakes.feed_server import FeedServer, make_rss
from tests.fakes.telegram_api import FakeTelegramServer, RateLimits

T = TypeVar("T")

ITEMS_PER_FEED = 3
STORY_TITLE = "США расширяют влияние на ключевого союзника Китая и России"
STORY_URL = "https://news.example/c5-minerals"
# Settings the processes must not inherit from the developer's shell.
_OWN_PREFIXES = (
    "BOT_",
    "DATABASE_",
    "TELEGRAM_",
    "HTTP_",
    "SEND_",
    "FETCH_",
    "POLL_",
    "LOG_",
    "WEBHOOK_",
    "ADMIN_",
    "RETENTION_",
    "DEFAULT_TIMEZONE",
)


# --- the fake Bot API, per process -----------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Sent:
    process: str
    chat_id: int
    message_id: int
    time: float


class TaggedTelegram(FakeTelegramServer):
    """The fake Bot API; ``url_for(name)`` is a base URL whose calls are booked to ``name``."""

    def __init__(self, *, rate_limits: RateLimits | None) -> None:
        super().__init__(rate_limits=rate_limits)
        self.sent_by: list[Sent] = []
        self.calls_by: Counter[tuple[str, str]] = Counter()

    def url_for(self, process: str) -> str:
        return f"{self.base_url}/p/{process}"

    def _make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/p/{process}/bot{token}/{method}", self._tagged)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        return app

    async def _tagged(self, request: web.Request) -> web.Response:
        process, method = request.match_info["process"], request.match_info["method"].lower()
        response = await self._handle(request)
        self.calls_by[(process, method)] += 1
        if method == "sendmessage" and response.status == 200 and response.body is not None:
            body = response.body
            result = json.loads(body if isinstance(body, bytes) else b"{}")["result"]
            self.sent_by.append(
                Sent(process, result["chat"]["id"], result["message_id"], time.monotonic())
            )
        return response

    def called(self, process: str, method: str) -> int:
        return self.calls_by[(process, method.lower())]

    def per_process(self) -> Counter[str]:
        return Counter(s.process for s in self.sent_by)

    def per_chat(self) -> Counter[int]:
        return Counter(s.chat_id for s in self.sent_by)


# --- databases --------------------------------------------------------------------------------
async def create_database() -> str:
    """A fresh migrated database next to the admin one; returns its URL."""
    return await pg.create_database("c5watch_scale")


def with_db(url: str, work: Callable[[SessionFactory], Awaitable[T]]) -> T:
    """Run ``work(sessions)`` on a short-lived engine (from synchronous test code)."""

    async def main() -> T:
        engine = create_engine(url)
        try:
            return await work(session_factory(engine))
        finally:
            await engine.dispose()

    return asyncio.run(main())


# --- seeding ----------------------------------------------------------------------------------
async def seed_outbox(sessions: SessionFactory, chat_ids: Sequence[int], now: datetime) -> int:
    """Each chat (new, active, instant, no topics) owes one alert of one matched story.

    The chats subscribe to nothing, so stories the workers poll meanwhile queue nothing more:
    the outbox holds exactly ``len(chat_ids)`` rows. Returns the story id.
    """
    async with sessions() as session, session.begin():
        source = Feed(
            url="https://news.example/rss",
            title="News Example",
            added_at=now,
            next_poll_at=now + timedelta(days=30),
            error_count=0,
            backlog_done=True,
        )
        story = Story(
            canonical_url=STORY_URL,
            title=STORY_TITLE,
            summary="",
            lang="ru",
            title_key="c5-minerals",
            fingerprint=1,
            published_at=now,
            first_seen_at=now,
            is_backlog=False,
            matched_at=now,
        )
        session.add_all([source, story])
        await session.flush()
        session.add(
            Item(
                feed_id=source.id,
                story_id=story.id,
                guid=STORY_URL,
                url=STORY_URL,
                canonical_url=STORY_URL,
                title=STORY_TITLE,
                published_at=now,
                fetched_at=now,
            )
        )
        session.add_all(
            Chat(
                id=c,
                type="private",
                language="en",
                timezone="Asia/Almaty",
                mode="instant",
                active=True,
                blocked=False,
                created_at=now,
                updated_at=now,
            )
            for c in chat_ids
        )
        await session.flush()
        why = {"topics": ["critical_minerals"], "rules": [], "terms": {}}
        session.add_all(
            Match(chat_id=c, story_id=story.id, why=why, score=1.0, matched_at=now)
            for c in chat_ids
        )
        session.add_all(
            Delivery(
                chat_id=c,
                story_id=story.id,
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
            for c in chat_ids
        )
        return story.id


def feed_path(n: int) -> str:
    return f"/feeds/{n}.xml"


def serve_feeds(server: FeedServer, count: int, now: datetime) -> list[str]:
    """``count`` feeds of ITEMS_PER_FEED unique items each, published in the last hour."""
    urls = []
    for n in range(count):
        items = [
            {
                "title": f"Bulletin {n}-{k}: weather and roads in district {n * 10 + k}",
                "link": f"https://site{n}.example/news/{k}",
                "guid": f"feed{n}-item{k}",
                "description": f"Routine note number {k} from district {n}.",
                "pubDate": format_datetime(now - timedelta(minutes=5 + k), usegmt=True),
            }
            for k in range(ITEMS_PER_FEED)
        ]
        urls.append(server.add(feed_path(n), make_rss(items, title=f"District {n}")))
    return urls


async def seed_feeds(
    sessions: SessionFactory, urls: Sequence[str], now: datetime, *, backlog_done: Iterable[bool]
) -> None:
    """The feeds, all due at ``now``; ``backlog_done`` False means this is their first fetch."""
    async with sessions() as session, session.begin():
        session.add_all(
            Feed(url=url, added_at=now, next_poll_at=now, error_count=0, backlog_done=done)
            for url, done in zip(urls, backlog_done, strict=True)
        )


async def delivery_rows(sessions: SessionFactory) -> list[tuple[int, str, int | None, int]]:
    """(chat_id, status, message_id, attempts) of every outbox row."""
    async with sessions() as session:
        rows = await session.execute(
            select(Delivery.chat_id, Delivery.status, Delivery.message_id, Delivery.attempts)
        )
        return [(int(c), str(s), m, int(a)) for c, s, m, a in rows]


async def feeds_done(sessions: SessionFactory) -> tuple[int, int]:
    """(feeds with a successful fetch, items stored)."""
    async with sessions() as session:
        ok = await session.scalar(
            select(func.count()).select_from(Feed).where(Feed.last_success_at.is_not(None))
        )
        items = await session.scalar(select(func.count()).select_from(Item))
        return int(ok or 0), int(items or 0)


# --- processes --------------------------------------------------------------------------------
@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    killed: bool = field(default=False)

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def start(
    name: str,
    role: str,
    *,
    tg: TaggedTelegram,
    db_url: str,
    workdir: Path,
    env: dict[str, str] | None = None,
) -> Process:
    """``python -m bot run --role role``, its API calls booked to ``name``, log in workdir."""
    base = {k: v for k, v in os.environ.items() if not k.upper().startswith(_OWN_PREFIXES)}
    base.update(
        BOT_TOKEN=tg.token,
        TELEGRAM_API_URL=tg.url_for(name),
        DATABASE_URL=db_url,
        POLL_INTERVAL_SECONDS="3600",
        LOG_LEVEL="WARNING",
    )
    base.update(env or {})
    log = workdir / f"{name}.log"
    with log.open("ab") as out:
        popen = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--role", role],
            cwd=workdir,  # no .env from the checkout
            env=base,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Process(name, popen, log)


def kill(process: Process) -> None:
    """SIGKILL, and reap it: a zombie's pid still answers kill(pid, 0), hiding its death."""
    process.killed = True
    process.popen.send_signal(signal.SIGKILL)
    process.popen.wait(10)


def stop_all(processes: Iterable[Process], timeout: float = 15.0) -> None:
    """SIGINT each (a clean shutdown), then SIGKILL whatever is still running."""
    processes = list(processes)
    for p in processes:
        if p.popen.poll() is None:
            p.popen.send_signal(signal.SIGINT)
    deadline = time.monotonic() + timeout
    for p in processes:
        try:
            p.popen.wait(max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            p.popen.kill()
            p.popen.wait(10)


def wait_until(
    predicate: Callable[[], Any],
    timeout: float,
    what: str,
    *,
    processes: Iterable[Process] = (),
    every: float = 0.02,
) -> None:
    """Poll ``predicate`` until truthy; fail on timeout or if a (not killed) process exits."""
    processes = list(processes)
    deadline = time.monotonic() + timeout
    while not predicate():
        for p in processes:
            if not p.killed and p.popen.poll() is not None:
                raise AssertionError(
                    f"{p.name} exited ({p.popen.returncode}) waiting for {what}:\n{p.tail()}"
                )
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def wait_ready(tg: TaggedTelegram, processes: Sequence[Process], timeout: float = 60.0) -> None:
    """Every process has started its jobs (it calls getMe right after)."""
    wait_until(
        lambda: all(tg.called(p.name, "getMe") for p in processes),
        timeout,
        "the processes to start",
        processes=processes,
    )


def utc_now() -> datetime:
    return datetime.now(UTC)
