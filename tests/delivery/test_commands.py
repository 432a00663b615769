"""`c5watch demo` and `c5watch digest preview` as a user runs them."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.delivery import MatchStage
from bot.matching import TopicClassifier
from storage.db import create_engine, session_factory, upgrade_to_head
from storage.repositories.matches import MatchRepository
from tests.delivery.conftest import SEED_SUMMARY, SEED_TITLE, add_chat, add_story

ROOT = Path(__file__).resolve().parents[2]


def c5watch(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_demo_prints_alerts_and_a_digest_offline() -> None:
    started = time.monotonic()
    result = c5watch("demo")
    assert result.returncode == 0, result.stderr[-2000:]
    assert time.monotonic() - started < 30
    out = result.stdout
    assert "Alert 1 of" in out and "Daily digest" in out
    assert "США расширяют влияние на ключевого союзника Китая и России" in out
    assert "Футбол" not in out  # the trap items never reach the subscriber
    assert "<a href" not in out  # rendered for a terminal
    # One alert per event: later reports are listed under it, not sent again.
    found = re.search(r"(\d+) matched the topics; (\d+) alerts, one per event", out)
    assert found and int(found[2]) < int(found[1])
    assert re.search(r"^\+\d+: ", out, re.M)


def test_digest_preview_prints_without_sending(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/c5.db"

    async def seed() -> None:
        engine = create_engine(url)
        await upgrade_to_head(engine)
        sessions = session_factory(engine)
        await add_chat(sessions, 77, mode="digest", timezone="Europe/Berlin")
        await add_story(sessions, SEED_TITLE + " <&>", SEED_SUMMARY)
        await MatchStage(MatchRepository(sessions), TopicClassifier()).run_once(datetime.now(UTC))
        await engine.dispose()

    asyncio.run(seed())
    env = {"DATABASE_URL": url}
    shown = c5watch("digest", "preview", "77", env=env)
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert SEED_TITLE + " <&>" in shown.stdout
    missing = c5watch("digest", "preview", "78", env=env)
    assert missing.returncode == 2 and "no such chat" in missing.stderr
    with pytest.raises(SystemExit) as refused:
        main(["digest", "preview", "x"])
    assert refused.value.code == 2
