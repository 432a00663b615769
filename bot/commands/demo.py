"""`c5watch demo`: the whole pipeline offline, on the feed snapshots shipped in ``seeds/``.

A local HTTP server serves the snapshots (and a channel's preview page at ``/s/NAME``, as t.me
does, with TELEGRAM_WEB_URL pointed at it); a temporary database gets those feeds and one
subscriber to both curated topics; one poll reads them as if every item had just appeared
(the demo switches the backlog rule off); stories are placed in events and matched; and the
alerts (one per event, later reports listed under it) and one digest are printed as that
subscriber would read them in Telegram.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from aiohttp import web

from bot.app import make_poller
from bot.clock import utc_now
from bot.config import Settings
from bot.database import open_database
from bot.delivery import AlertComposer, DigestComposer, MatchStage
from bot.delivery._text import to_terminal, zone
from bot.delivery.digests import DIGEST_WINDOW
from bot.errors import C5watchError
from bot.ingest import BacklogPolicy
from bot.ingest.sources import SourceKind, channel_url
from bot.matching import TopicClassifier
from storage.repositories.chats import ChatRepository
from storage.repositories.deliveries import DeliveryRepository
from storage.repositories.digests import DigestRepository
from storage.repositories.feeds import FeedRepository
from storage.repositories.matches import MatchRepository

SNAPSHOTS = Path(__file__).resolve().parents[2] / "seeds" / "snapshots"
SUBSCRIBER = 1
TOPICS = ("critical_minerals", "c5plus1")
RULE = "─" * 72
CHANNEL_PREFIX = "telegram-"


async def _serve(directory: Path) -> tuple[web.AppRunner, str]:
    """A tiny static server on 127.0.0.1 for the snapshot files and channel previews."""

    async def preview(request: web.Request) -> web.FileResponse:
        page = directory / f"{CHANNEL_PREFIX}{request.match_info['name']}.html"
        if not page.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(page)

    app = web.Application()
    app.router.add_get("/s/{name}", preview)
    app.router.add_static("/", directory)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


def _show(title: str, html: str) -> None:
    print(RULE)
    print(title)
    print(RULE)
    print(to_terminal(html))
    print()


async def demo(settings: Settings, args: argparse.Namespace) -> int:
    files = sorted(SNAPSHOTS.glob("*.xml"))
    channels = sorted(
        p.stem.removeprefix(CHANNEL_PREFIX) for p in SNAPSHOTS.glob("telegram-*.html")
    )
    if not files:
        raise C5watchError(f"no feed snapshots in {SNAPSHOTS}")
    started = time.monotonic()
    if logging.getLogger().level == logging.INFO:
        logging.getLogger().setLevel(logging.WARNING)  # the printed messages are the output
    runner, base = await _serve(SNAPSHOTS)
    try:
        with tempfile.TemporaryDirectory(prefix="c5watch-demo-") as tmp:
            async with open_database(f"sqlite+aiosqlite:///{tmp}/demo.db") as sessions:
                now = utc_now()
                feeds = FeedRepository(sessions)
                for path in files:
                    await feeds.add(f"{base}/{path.name}", now=now, first_poll_at=now)
                for name in channels:
                    await feeds.add(
                        channel_url(name), now=now, first_poll_at=now, kind=SourceKind.CHANNEL
                    )
                await ChatRepository(sessions).subscribe(
                    SUBSCRIBER,
                    chat_type="private",
                    language="en",
                    timezone=settings.default_timezone,
                    topics=TOPICS,
                    now=now,
                )
                news = BacklogPolicy(first_fetch_is_backlog=False, max_age=None)
                local = settings.model_copy(update={"telegram_web_url": base})
                poller = make_poller(sessions, local, backlog=news)
                try:
                    await poller.run_once(now)
                finally:
                    await poller.close()
                matched = await MatchStage(MatchRepository(sessions), TopicClassifier()).run_once(
                    now
                )
                alerts = await _print_alerts(DeliveryRepository(sessions), now)
                await _print_digest(DigestRepository(sessions), now, settings)
    finally:
        await runner.cleanup()
    # One alert per event: the stories that matched beyond it are later reports of an event
    # already alerted, listed under its alert ("+N: ...") instead of sent again.
    print(
        f"{len(files)} feeds and {len(channels)} channel(s) polled, {matched.stories} new "
        f"stories, {matched.alerts} matched the topics; {alerts} alerts, one per event, for a "
        f"subscriber to both topics "
        f"({time.monotonic() - started:.1f} s)"
    )
    return 0


async def _print_alerts(repo: DeliveryRepository, now: datetime) -> int:
    claimed = await repo.claim_chat(
        SUBSCRIBER, now, owner="demo", lease=timedelta(minutes=5), limit=10_000
    )
    if claimed is None:
        print("no alerts: nothing in the snapshots matched the curated topics")
        return 0
    alerts, tz = claimed.alerts, claimed.chat.timezone
    composer = AlertComposer()
    for n, alert in enumerate(alerts, 1):
        [message] = composer.compose([alert], timezone=tz, language="en")
        _show(f"Alert {n} of {len(alerts)}", message.html)
    return len(alerts)


async def _print_digest(repo: DigestRepository, now: datetime, settings: Settings) -> None:
    chat = await repo.get_chat(SUBSCRIBER)
    assert chat is not None
    entries = await repo.preview(SUBSCRIBER, now, DIGEST_WINDOW)
    local_date = now.astimezone(zone(chat.timezone, settings.default_timezone)).date()
    parts = DigestComposer().compose(
        entries, timezone=chat.timezone, language=chat.language, local_date=local_date
    )
    for n, part in enumerate(parts, 1):
        _show(f"Daily digest, message {n} of {len(parts)}", part)
