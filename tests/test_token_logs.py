"""A BOT_TOKEN with a newline around it, as env files and mounted secrets leave it, never shows
up in `c5watch run`'s logs, even in request errors that quote the request URL."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from aiohttp import web

from tests.test_run import BotProcess

TOKEN = "434343:AAH-newline-token-secret-part"
ME = {"id": 434343, "is_bot": True, "first_name": "c5watch", "username": "c5watch_test_bot"}


async def bot_api_that_redirects_get_updates_forever(request: web.Request) -> web.Response:
    """getMe works; getUpdates redirects to itself, so the HTTP client's error quotes the
    URL with the token in it (aiohttp's TooManyRedirects), as a misbehaving proxy would."""
    method = request.match_info["method"].lower()
    if method == "getupdates":
        raise web.HTTPFound(str(request.url))
    result: object = ME if method == "getme" else True
    return web.json_response({"ok": True, "result": result})


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_token_with_a_trailing_newline_is_scrubbed_from_request_errors(
    tmp_path: Path, log_format: str
) -> None:
    app = web.Application()
    app.router.add_route("*", "/bot{token}/{method}", bot_api_that_redirects_get_updates_forever)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    env = {
        "BOT_TOKEN": TOKEN + "\n",
        "TELEGRAM_API_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        "POLL_INTERVAL_SECONDS": "3600",
        "LOG_FORMAT": log_format,
        "LOG_LEVEL": "DEBUG",
    }
    try:
        async with BotProcess(tmp_path, env, "--role", "updates") as bot:
            for _ in range(300):
                await asyncio.sleep(0.1)
                if "TooManyRedirects" in bot.log():
                    break
    finally:
        await runner.cleanup()
    log = bot.log()
    assert "TooManyRedirects" in log  # the request error that quotes the URL was logged
    assert "/bot***/getUpdates" in log
    secret = TOKEN.split(":")[1]
    assert secret not in log and TOKEN not in log
    if log_format == "json":
        lines = [line for line in log.splitlines() if line.startswith("{")]
        assert lines and all(secret not in json.loads(line)["message"] for line in lines)
