"""`c5watch run` as a user starts it: a subprocess talking HTTP to the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.fakes.telegram_api import FakeTelegramServer

TOKEN = "424242:run-test-secret-token"


async def test_run_answers_start_over_http_and_never_logs_the_token(tmp_path: Path) -> None:
    async with FakeTelegramServer(token=TOKEN) as tg:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_"))}
        env.update(
            BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=tg.base_url,
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/bot.db",
            POLL_INTERVAL_SECONDS="3600",
            LOG_LEVEL="DEBUG",
        )
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            tg.inject_message(501, "/start", language_code="ru")
            sent = await tg.wait_for_messages(501, timeout=60)
            assert "C5+1" in sent[0].text
            assert any(ch in sent[0].text for ch in "абвгдеж")  # answered in Russian

            tg.inject_message(502, "/start", language_code="en")
            sent = await tg.wait_for_messages(502, timeout=30)
            assert "C5+1" in sent[0].text
            assert not any(ch in sent[0].plain_text for ch in "абвгдеж")
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                output, _ = await asyncio.wait_for(proc.communicate(), timeout=30)
            except TimeoutError:
                proc.kill()
                output, _ = await proc.communicate()
        log = output.decode(errors="replace")
        assert TOKEN not in log
        assert TOKEN.split(":")[1] not in log
        assert proc.returncode == 0, log[-2000:]
