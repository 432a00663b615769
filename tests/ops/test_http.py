"""The operations server over real HTTP: metrics, health, and the webhook's secret check."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
from aiogram import Dispatcher, Router
from aiogram.filters import CommandStart
from aiogram.types import Message

from bot.ops import Metrics, OpsServer, build_ops_app
from bot.ops.webhook import mount_webhook
from storage.db import SessionFactory
from storage.repositories import health
from storage.repositories.feeds import FeedRepository
from tests.fakes.telegram_api import FakeTelegramServer

NOW = datetime(2025, 11, 6, 12, 0, tzinfo=UTC)


async def _serve(app: aiohttp.web.Application) -> OpsServer:
    server = OpsServer(app, "127.0.0.1", 0)
    await server.start()
    return server


async def test_metrics_report_database_state_and_counters(sessions: SessionFactory) -> None:
    await FeedRepository(sessions).add("https://a.example/rss", now=NOW, first_poll_at=NOW)
    metrics = Metrics()
    metrics.record_fetch("ok")
    metrics.record_send("retry_after", 0.2)

    async def refresh() -> None:
        metrics.observe_snapshot(await health.snapshot(sessions, NOW))

    server = await _serve(build_ops_app(metrics, lambda: health.ping(sessions), refresh))
    try:
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{server.bound_port}"
            async with http.get(f"{url}/metrics") as resp:
                body = await resp.text()
                assert resp.status == 200
            async with http.get(f"{url}/healthz") as resp:
                assert resp.status == 200
                assert (await resp.json())["status"] == "ok"
    finally:
        await server.close()
    assert 'c5watch_feeds{state="total"} 1.0' in body
    assert 'c5watch_feeds{state="due"} 1.0' in body
    assert 'c5watch_feed_fetches_total{outcome="ok"} 1.0' in body
    assert 'c5watch_telegram_sends_total{outcome="retry_after"} 1.0' in body
    assert "c5watch_outbox_depth 0.0" in body


async def test_healthz_fails_when_the_database_does_not_answer() -> None:
    async def broken() -> None:
        raise ConnectionRefusedError("connection refused")

    async def refresh() -> None:
        return None

    server = await _serve(build_ops_app(Metrics(), broken, refresh))
    try:
        url = f"http://127.0.0.1:{server.bound_port}/healthz"
        async with aiohttp.ClientSession() as http, http.get(url) as resp:
            assert resp.status == 503
            assert (await resp.json())["status"] == "fail"
    finally:
        await server.close()


async def test_webhook_refuses_requests_without_the_secret() -> None:
    seen: list[str] = []
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        seen.append(message.text or "")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 5, "type": "private"},
            "from": {"id": 5, "is_bot": False, "first_name": "A"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    async with FakeTelegramServer(rate_limits=None) as tg:
        bot = tg.make_bot()
        app = build_ops_app(Metrics(), _ok, _ok)
        mount_webhook(
            app, dispatcher, bot, webhook_url="https://bot.example/tg/hook", secret="s3cr3t"
        )
        server = await _serve(app)
        try:
            async with aiohttp.ClientSession() as http:
                url = f"http://127.0.0.1:{server.bound_port}/tg/hook"
                async with http.post(url, json=update) as resp:
                    assert resp.status == 401
                headers = {"X-Telegram-Bot-Api-Secret-Token": "wrong"}
                async with http.post(url, json=update, headers=headers) as resp:
                    assert resp.status == 401
                assert seen == []
                headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cr3t"}
                async with http.post(url, json=update, headers=headers) as resp:
                    assert resp.status == 200
            assert seen == ["/start"]
        finally:
            await server.close()
            await bot.session.close()


async def _ok() -> None:
    return None
