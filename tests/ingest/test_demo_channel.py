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
    assert "https://t.me/c5watch_demo/2" in out  # the invitation to the summit: an alert
    # The post on the Kazakhstan-US agreement tells of Cove Capital's tungsten deposit: it is
    # listed under the tungsten joint venture's alert as one of its later reports.
    titled = [a.split("\n🔔", 1) for a in out.split("\nAlert ") if "\n🔔" in a]
    words = ("вольфрам", "tungsten", "cove capital")
    [venture] = [r for _, r in titled if any(w in r.split("\n", 1)[0].lower() for w in words)]
    assert "c5watch demo channel" in venture.split("\n+", 1)[1].split("\n", 1)[0]
    assert "https://t.me/c5watch_demo/5" not in out  # Iran's uranium enrichment is a trap
