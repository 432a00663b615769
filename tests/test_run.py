"""`c5watch run` as a user starts it: a subprocess talking HTTP to the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.fakes.telegram_api import FakeTelegramServer

TOKEN = "424242:run-test-secret-token"


class BotProcess:
    """`python -m bot run ...` in a subprocess, its output in a file.

    A file, not a pipe: at DEBUG level the bot writes more than a pipe buffer holds, and a
    pipe nobody reads would block the bot's event loop on its next log line.
    """

    def __init__(self, cwd: Path, env: dict[str, str], *args: str) -> None:
        self.cwd = cwd
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_"))}
        self.env.update(env)
        self.args = args
        self.log_path = cwd / "bot.log"
        self.proc: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> BotProcess:
        with self.log_path.open("wb") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", *self.args,
                cwd=self.cwd, env=self.env, stdout=log, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop(signal.SIGINT)

    async def stop(self, sig: int) -> None:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
            try:
                await asyncio.wait_for(self.proc.wait(), timeout=30)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode if self.proc else None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


async def test_run_answers_start_over_http_and_never_logs_the_token(tmp_path: Path) -> None:
    async with FakeTelegramServer(token=TOKEN) as tg:
        env = {
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": tg.base_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
            "POLL_INTERVAL_SECONDS": "3600",
            "LOG_LEVEL": "DEBUG",
        }
        async with BotProcess(tmp_path, env) as bot:
            tg.inject_message(501, "/start", language_code="ru")
            sent = await tg.wait_for_messages(501, timeout=60)
            assert "C5+1" in sent[0].text
            assert any(ch in sent[0].text for ch in "абвгдеж")  # answered in Russian

            tg.inject_message(502, "/start", language_code="en")
            sent = await tg.wait_for_messages(502, timeout=30)
            assert "C5+1" in sent[0].text
            assert not any(ch in sent[0].plain_text for ch in "абвгдеж")
        log = bot.log()
        assert "DEBUG" in log  # the check below looked at the most verbose output
        assert TOKEN not in log
        assert TOKEN.split(":")[1] not in log
        assert bot.returncode == 0, log[-2000:]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def test_webhook_mode_sets_the_secret_and_refuses_requests_without_it(
    tmp_path: Path,
) -> None:
    import aiohttp

    port = _free_port()
    async with FakeTelegramServer(token=TOKEN, rate_limits=None) as tg:
        env = {
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": tg.base_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
            "POLL_INTERVAL_SECONDS": "3600",
            "HTTP_PORT": str(port),
            "WEBHOOK_SECRET": "hook-secret-123",
        }
        bot = BotProcess(tmp_path, env, "--webhook-url", "https://bot.example/tg/hook")
        async with bot:
            calls = await tg.wait_for_calls("setWebhook", timeout=60)
            params = calls[0].params
            assert params["url"] == "https://bot.example/tg/hook"
            assert params["secret_token"] == "hook-secret-123"
            assert set(params["allowed_updates"]) == {"message", "callback_query", "my_chat_member"}
            assert not tg.calls_to("getUpdates")

            update = tg.inject_message(601, "/start", language_code="en")
            url = f"http://127.0.0.1:{port}/tg/hook"
            async with aiohttp.ClientSession() as http:
                async with http.post(url, json=update) as resp:
                    assert resp.status == 401
                headers = {"X-Telegram-Bot-Api-Secret-Token": "guess"}
                async with http.post(url, json=update, headers=headers) as resp:
                    assert resp.status == 401
                assert tg.messages_to(601) == []
                headers = {"X-Telegram-Bot-Api-Secret-Token": "hook-secret-123"}
                async with http.post(url, json=update, headers=headers) as resp:
                    assert resp.status == 200
                async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                    assert resp.status == 200
                async with http.get(f"http://127.0.0.1:{port}/metrics") as resp:
                    assert "c5watch_outbox_depth" in await resp.text()
            sent = await tg.wait_for_messages(601, timeout=30)
            assert "C5+1" in sent[0].text
            await bot.stop(signal.SIGTERM)
        log = bot.log()
        assert TOKEN not in log and "hook-secret-123" not in log
        assert bot.returncode == 0, log[-2000:]


def test_classify_reads_json_lines_and_reports_bad_lines() -> None:
    import json
    import subprocess

    lines = [
        {"id": "a", "title": "Казахстан увеличит добычу урана", "summary": "Казатомпром"},
        "not json",
        {"id": 7, "title": "Planet Uranus has new rings", "summary": "NASA telescope"},
        {"title": "no id"},
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "classify"],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "POLL_INTERVAL_SECONDS": "broken"},  # classify needs no settings
    )
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 1
    assert out[0]["id"] == "a" and out[0]["topics"] == ["critical_minerals"]
    assert out[0]["why"]["critical_minerals"]
    assert out[1] == {"line": 2, "error": out[1]["error"]} and out[1]["error"]
    assert out[2] == {"id": 7, "topics": [], "why": {}}
    assert out[3]["line"] == 4 and "id" in out[3]["error"]
    assert len(out) == 4
