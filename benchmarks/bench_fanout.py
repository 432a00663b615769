"""Fan-out and digest benchmarks.

1. One story to N subscribers through the fake Bot API enforcing Telegram's limits (30 msg/s
   overall, 1/s per chat): the rate achieved as a fraction of 30 msg/s, and the number of 429
   answers. Targets: at least 95 % and zero. N defaults to 1,500 (about 50 s); the issue's
   full scale is ``--chats 10000`` (about 5.5 minutes at 30 msg/s).
2. Composing 10,000 digests from 200 stories. Target: under 10 s.

    python benchmarks/bench_fanout.py [--chats N] [--digests N]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiogram import Bot  # noqa: E402
from aiogram.client.default import DefaultBotProperties  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402

from bot.delivery import (  # noqa: E402
    DigestComposer,
    MatchStage,
    OutboxSender,
    SendPacer,
    TelegramGateway,
)
from bot.matching import TopicClassifier  # noqa: E402
from storage.db import create_engine, session_factory, upgrade_to_head  # noqa: E402
from storage.models import Chat, Feed, Item, Story, TopicSubscription  # noqa: E402
from storage.repositories.deliveries import DeliveryRepository  # noqa: E402
from storage.repositories.digests import DigestEntry  # noqa: E402
from storage.repositories.matches import MatchRepository, SourceRef, StoryView  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramServer  # noqa: E402

TITLE = "США расширяют влияние на ключевого союзника Китая и России"
SUMMARY = "Казахстан может вступить в клуб критически важных минералов перед саммитом C5+1."


async def _seed(url: str, chats: int, now: datetime) -> None:
    engine = create_engine(url)
    await upgrade_to_head(engine)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        for chat_id in range(1, chats + 1):
            session.add(
                Chat(
                    id=chat_id,
                    type="private",
                    language="ru",
                    timezone="Asia/Almaty",
                    mode="instant",
                    digest_minute=540,
                    digest_empty_note=False,
                    active=True,
                    blocked=False,
                    created_at=now,
                    updated_at=now,
                )
            )
        await session.flush()
        session.add_all(TopicSubscription(chat_id=c, topic="c5plus1") for c in range(1, chats + 1))
        feed = Feed(url="https://feeds.example/rss", title="Charter97", added_at=now,
                    next_poll_at=now, error_count=0, backlog_done=True)  # fmt: skip
        story = Story(canonical_url="https://news.example/1", title=TITLE, summary=SUMMARY,
                      title_key="k", fingerprint=1, published_at=now, first_seen_at=now,
                      is_backlog=False)  # fmt: skip
        session.add_all([feed, story])
        await session.flush()
        session.add(Item(feed_id=feed.id, story_id=story.id, guid="1", url="https://news.example/1",
                         title=TITLE, published_at=now, fetched_at=now))  # fmt: skip
    await MatchStage(MatchRepository(sessions), TopicClassifier()).run_once(now)
    await engine.dispose()


async def fanout(chats: int) -> None:
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp, FakeTelegramServer() as tg:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await _seed(url, chats, now)
        engine = create_engine(url)
        session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url))
        bot = Bot(tg.token, session=session, default=DefaultBotProperties(parse_mode="HTML"))
        try:
            gateway = TelegramGateway(bot, SendPacer(global_per_second=30.0))
            sender = OutboxSender(DeliveryRepository(session_factory(engine)), gateway,
                                  owner="bench:0:0")  # fmt: skip
            started = time.monotonic()
            report = await sender.run_once(now)
            elapsed = time.monotonic() - started
        finally:
            await bot.session.close()
            await engine.dispose()
        times = sorted(m.time for m in tg.sent)
        span = times[-1] - times[0] if len(times) > 1 else 0.0
        rate = (len(times) - 1) / span if span else 0.0
        print(f"fan-out: {chats} subscribers, {report.messages} messages in {elapsed:.1f} s")
        print(f"  achieved rate: {rate:.2f} msg/s = {rate / 30:.1%} of 30 msg/s (target >= 95 %)")
        print(f"  429 answers: {tg.rate_limited_total} (target 0)")


def digests(count: int, stories: int = 200) -> None:
    rng = random.Random(7)
    now = datetime(2025, 11, 6, 12, tzinfo=UTC)
    topics = (["critical_minerals"], ["c5plus1"], ["critical_minerals", "c5plus1"], [])
    entries = []
    for n in range(stories):
        chosen = topics[n % 4]
        why = {"topics": chosen, "topic_scores": dict.fromkeys(chosen, 1.0 + n % 3),
               "rules": [] if chosen else [n], "terms": {t: ["уран", "C5+1"] for t in chosen}
               or {"rules": ["tungsten"]}}  # fmt: skip
        refs = tuple(
            SourceRef(f"Feed {k} & co", f"https://f{k}.example/{n}") for k in range(1 + n % 3)
        )
        story = StoryView(n, f"{TITLE} <{n}>", f"https://news.example/{n}",
                          now - timedelta(minutes=7 * n), refs)  # fmt: skip
        entries.append(DigestEntry(story, why, 1.0 + n % 5, now))
    zones = ["Asia/Almaty", "Europe/Berlin", "America/New_York", "Asia/Tashkent", "UTC"]
    composer = DigestComposer()
    started = time.perf_counter()
    parts = 0
    for chat in range(count):
        mine = [e for e in entries if rng.random() < 0.6]
        parts += len(
            composer.compose(
                mine,
                timezone=zones[chat % len(zones)],
                language=("ru", "en")[chat % 2],
                local_date=now.date(),
            )
        )
    elapsed = time.perf_counter() - started
    print(f"digests: {count} composed from {stories} stories ({parts} messages) in {elapsed:.2f} s"
          " (target < 10 s)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=1500, help="subscribers (10000: full scale)")
    parser.add_argument("--digests", type=int, default=10_000)
    args = parser.parse_args()
    print(f"scale: {args.chats} subscribers for the fan-out (the issue's full scale is 10000)")
    digests(args.digests)
    asyncio.run(fanout(args.chats))


if __name__ == "__main__":
    main()
