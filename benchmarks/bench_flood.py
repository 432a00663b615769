"""One user floods the bot; how much memory it takes and how long another user waits.

The bot runs as users start it (``c5watch run --role updates``, a child process) against the
fake Bot API enforcing Telegram's limits, on SQLite holding 5,000 stories of the last week.
User A sends 300 ``/keywords add уранN OR литий`` in 10 s; meanwhile user B sends /status
every 2 s. Printed: the bot process's peak RSS (VmHWM) and B's slowest and median answer
time. Targets: peak RSS < 400 MB, B answered within 3 s.

It then runs again with the per-chat limits lifted (burst and concurrency huge), in the same
run, for the ratio (``--defaults-only`` skips that).

    python benchmarks/bench_flood.py [--stories 5000] [--flood 300] [--defaults-only]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storage.db import create_engine, session_factory, upgrade_to_head  # noqa: E402
from storage.models import Story  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramServer  # noqa: E402

TOKEN = "555000:bench-flood-token-value-0123456789"
FLOODER, OTHER = 7001, 7002
WINDOW = 10.0
STATUS_EVERY = 2.0  # within the per-chat rate: B is an ordinary user
WORDS = [
    *("Казахстан", "уран", "литий", "вольфрам", "добыча", "экспорт", "месторождение"),
    *("редкоземельные", "металлы", "Uzbekistan", "uranium", "lithium", "mining", "deal"),
    *("supply", "chain", "export", "controls", "graphite"),
]


async def seed(url: str, stories: int) -> None:
    engine = create_engine(url)
    await upgrade_to_head(engine)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        for n in range(stories):
            words = [WORDS[(n * 7 + k * 3) % len(WORDS)] for k in range(260)]
            seen = now - timedelta(minutes=n)
            session.add(
                Story(
                    title=f"{' '.join(words[:9])} {n}",
                    summary=" ".join(words),  # about 2 KB, as a long feed summary
                    title_key=f"bench-{n}",
                    fingerprint=n,
                    published_at=seen,
                    first_seen_at=seen,
                    is_backlog=False,
                )
            )
    await engine.dispose()


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run_once(
    db_url: str, workdir: Path, flood: int, env_extra: dict[str, str]
) -> dict[str, float]:
    async with FakeTelegramServer(token=TOKEN) as tg:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_"))}
        env.update(
            BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=tg.base_url,
            DATABASE_URL=db_url,
            LOG_LEVEL="WARNING",
            **env_extra,
        )
        log = (workdir / "bot.log").open("wb")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--role", "updates",
            cwd=workdir, env=env, stdout=log, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        try:
            await tg.wait_for_calls("getUpdates", timeout=60)
            for chat in (FLOODER, OTHER):
                tg.inject_message(chat, "/start", language_code="ru")
                await tg.wait_for_messages(chat, 1, timeout=30)
            await asyncio.sleep(1.5)
            rss_before = peak_rss_mb(proc.pid)
            latencies = await flood_and_watch(tg, flood)
            rss_peak = peak_rss_mb(proc.pid)
            answered = len(tg.messages_to(FLOODER)) - 1
        finally:
            proc.terminate()
            await proc.wait()
            log.close()
    return {
        "rss_before": rss_before,
        "rss_peak": rss_peak,
        "slowest": max(latencies),
        "median": statistics.median(latencies),
        "answered": answered,
        "statuses": len(latencies),
    }


async def flood_and_watch(tg: FakeTelegramServer, flood: int) -> list[float]:
    """A's flood spread over WINDOW seconds; B's /status every STATUS_EVERY s, each timed."""
    start = time.monotonic()
    latencies: list[float] = []

    async def flooder() -> None:
        for n in range(flood):
            await asyncio.sleep(max(0.0, start + n * WINDOW / flood - time.monotonic()))
            tg.inject_message(FLOODER, f"/keywords add уран{n} OR литий", language_code="ru")

    async def other() -> None:
        while time.monotonic() - start < WINDOW + 5:
            before = len(tg.messages_to(OTHER))
            asked = time.monotonic()
            tg.inject_message(OTHER, "/status", language_code="ru")
            sent = await tg.wait_for_messages(OTHER, before + 1, timeout=60)
            latencies.append(sent[before].time - asked)
            await asyncio.sleep(max(0.0, asked + STATUS_EVERY - time.monotonic()))

    await asyncio.gather(flooder(), other())
    return latencies


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stories", type=int, default=5000)
    parser.add_argument("--flood", type=int, default=300)
    parser.add_argument("--defaults-only", action="store_true")
    args = parser.parse_args()
    variants = [("per-chat limits (defaults)", {})]
    if not args.defaults_only:
        lifted = {"CHAT_UPDATE_BURST": "1000000", "UPDATE_CONCURRENCY": "100000"}
        variants.append(("per-chat limits lifted", lifted))
    print(f"flood: {args.flood} × /keywords add in {WINDOW:.0f} s, {args.stories} stories stored")
    for name, extra in variants:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{tmp}/bench.db"
            await seed(url, args.stories)
            r = await run_once(url, Path(tmp), args.flood, extra)
        print(
            f"{name:28} peak RSS {r['rss_peak']:6.0f} MB (before the flood {r['rss_before']:.0f})"
            f" | other user's /status: slowest {r['slowest']:.2f} s, median {r['median']:.2f} s"
            f" over {r['statuses']:.0f} | flooder answered {r['answered']:.0f} times"
        )
    print("targets: peak RSS < 400 MB, other user's slowest /status < 3 s")


if __name__ == "__main__":
    asyncio.run(main())
