"""`c5watch demo` reads a channel among its local sources: its posts become alerts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_channel_posts_become_alerts() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        cwd=ROOT,
        env={**os.environ, "TELEGRAM_WEB_URL": "https://t.me.invalid"},  # the demo serves its own
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "4 feeds and 1 channel(s) polled" in out
    assert "США и Казахстан подписали соглашение о сотрудничестве в области редкоземельных" in out
    assert "https://t.me/c5watch_demo/4" in out and "https://t.me/c5watch_demo/2" in out
    assert "https://t.me/c5watch_demo/5" not in out  # Iran's uranium enrichment is a trap
