"""Daily digests through the fake Bot API: local time across DST, once a day, splitting, resume."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Bot
from sqlalchemy import select

from bot.delivery.telegram import Refused, SendOutcome, Transient
from storage.db import SessionFactory
from storage.models import DigestRun
from tests.delivery.conftest import (
    SEED_SUMMARY,
    SEED_TITLE,
    FakeClock,
    Pipeline,
    add_chat,
    add_story,
    assert_valid_html,
)
from tests.fakes.telegram_api import FakeTelegramServer

NY = "America/New_York"


async def story_matched_at(pipeline: Pipeline, moment: datetime, n: int = 0) -> None:
    pipeline.clock.set(moment)
    await add_story(
        pipeline.sessions, f"{SEED_TITLE} {n}", SEED_SUMMARY, sources=[("F", f"https://d/{n}")]
    )
    await pipeline.matcher.run_once(moment)


async def digest_at(pipeline: Pipeline, moment: datetime) -> None:
    pipeline.clock.set(moment)
    await pipeline.digests.run_once(moment)


async def test_digest_at_local_time_across_dst_once_per_day(
    sessions: SessionFactory, bot: Bot, clock: FakeClock, tg: FakeTelegramServer
) -> None:
    pipeline = Pipeline(sessions, bot, clock)
    await add_chat(sessions, 20, mode="digest", timezone=NY, digest_minute=9 * 60)
    await story_matched_at(pipeline, datetime(2025, 11, 1, 3, 0, tzinfo=UTC), 1)
    await digest_at(pipeline, datetime(2025, 11, 1, 12, 59, tzinfo=UTC))  # 08:59 EDT
    assert tg.texts(20) == []
    await digest_at(pipeline, datetime(2025, 11, 1, 13, 0, tzinfo=UTC))  # 09:00 EDT
    assert len(tg.texts(20)) == 1 and f"{SEED_TITLE} 1" in tg.messages_to(20)[0].plain_text
    await digest_at(pipeline, datetime(2025, 11, 1, 20, 0, tzinfo=UTC))
    restarted = Pipeline(sessions, bot, clock)  # a new process: the DigestRun row remembers
    await digest_at(restarted, datetime(2025, 11, 1, 21, 0, tzinfo=UTC))
    assert len(tg.texts(20)) == 1

    # Clocks go back on 2 Nov: 09:00 EST is 14:00 UTC.
    await story_matched_at(restarted, datetime(2025, 11, 2, 5, 0, tzinfo=UTC), 2)
    await digest_at(restarted, datetime(2025, 11, 2, 13, 30, tzinfo=UTC))  # 08:30 EST
    assert len(tg.texts(20)) == 1
    await digest_at(restarted, datetime(2025, 11, 2, 14, 0, tzinfo=UTC))
    assert len(tg.texts(20)) == 2
    second = tg.messages_to(20)[1].plain_text
    assert f"{SEED_TITLE} 2" in second and f"{SEED_TITLE} 1" not in second  # each story once
    assert_valid_html(tg.texts(20))


async def test_late_digest_same_day_and_empty_days(
    sessions: SessionFactory, bot: Bot, clock: FakeClock, tg: FakeTelegramServer
) -> None:
    pipeline = Pipeline(sessions, bot, clock)
    await add_chat(sessions, 21, mode="both", timezone="Europe/Berlin", digest_minute=8 * 60)
    await add_chat(sessions, 22, mode="digest", timezone="Europe/Berlin", empty_note=True)
    await add_chat(sessions, 23, mode="digest", timezone="Europe/Berlin")
    await story_matched_at(pipeline, datetime(2025, 11, 6, 5, 0, tzinfo=UTC), 1)
    await pipeline.sender.run_once(clock.now())  # chat 21 also wants instant alerts
    assert len(tg.texts(21)) == 1
    # Down all morning; back at 22:30 Berlin time: the day's digest still goes out.
    await digest_at(pipeline, datetime(2025, 11, 6, 21, 30, tzinfo=UTC))
    assert len(tg.texts(21)) == 2 and len(tg.texts(22)) == 1 and len(tg.texts(23)) == 1
    # Next day, nothing matched: only the chat that asked hears "nothing new".
    await digest_at(pipeline, datetime(2025, 11, 7, 9, 0, tzinfo=UTC))
    assert len(tg.texts(21)) == 2 and len(tg.texts(23)) == 1
    assert len(tg.texts(22)) == 2 and "Nothing new" in tg.messages_to(22)[1].plain_text
    async with sessions() as session:
        runs = (await session.execute(select(DigestRun.chat_id, DigestRun.status))).all()
    assert sorted(runs) == [(21, "empty"), (21, "sent"), (22, "sent"), (22, "sent"),
                            (23, "empty"), (23, "sent")]  # fmt: skip


async def long_digest_owed(
    sessions: SessionFactory, bot: Bot, clock: FakeClock, chat_id: int
) -> Pipeline:
    """A digest chat (09:00 UTC) owed 60 long stories: its digest takes several parts."""
    pipeline = Pipeline(sessions, bot, clock)
    await add_chat(sessions, chat_id, mode="digest", timezone="UTC", digest_minute=9 * 60)
    clock.set(datetime(2025, 11, 6, 1, 0, tzinfo=UTC))
    for n in range(60):
        await add_story(
            sessions,
            f"{SEED_TITLE} <{n}> " + "длинный заголовок " * 12,
            SEED_SUMMARY,
            sources=[(f"Feed {n} & co", f"https://d/{n}?a=1&b=2")],
            # 60 events, not one: a month apart, beyond the horizon of later coverage
            published_at=clock.now() - timedelta(days=31 * n),
        )
    await pipeline.matcher.run_once(clock.now())
    return pipeline


async def test_long_digest_is_split_and_resumes_after_a_failed_part(
    sessions: SessionFactory, bot: Bot, clock: FakeClock, tg: FakeTelegramServer
) -> None:
    pipeline = await long_digest_owed(sessions, bot, clock, 24)
    real_send = pipeline.gateway.send
    calls = 0

    async def second_part_fails(*args: Any, **kwargs: Any) -> SendOutcome:
        nonlocal calls
        calls += 1
        return Transient("connection reset") if calls == 2 else await real_send(*args, **kwargs)

    pipeline.gateway.send = second_part_fails  # type: ignore[method-assign]
    await digest_at(pipeline, datetime(2025, 11, 6, 9, 0, tzinfo=UTC))
    assert len(tg.texts(24)) == 1
    await digest_at(pipeline, datetime(2025, 11, 6, 9, 0, 5, tzinfo=UTC))  # backing off
    assert len(tg.texts(24)) == 1
    await digest_at(pipeline, datetime(2025, 11, 6, 9, 1, tzinfo=UTC))
    parts = tg.messages_to(24)
    assert len(parts) > 2 and parts[-1].plain_text.endswith(f"({len(parts)}/{len(parts)})")
    assert [p.plain_text[-6:] for p in parts] == sorted({p.plain_text[-6:] for p in parts})
    assert_valid_html([p.text for p in parts])
    joined = "\n".join(p.plain_text for p in parts)
    for n in range(60):
        assert joined.count(f"{SEED_TITLE} <{n}> ") == 1
    await digest_at(pipeline, datetime(2025, 11, 6, 12, 0, tzinfo=UTC))
    assert len(tg.messages_to(24)) == len(parts)


async def test_a_part_telegram_keeps_refusing_is_retried_with_back_off_then_skipped(
    sessions: SessionFactory, bot: Bot, clock: FakeClock, tg: FakeTelegramServer
) -> None:
    pipeline = await long_digest_owed(sessions, bot, clock, 25)
    real_send = pipeline.gateway.send
    refused = 0

    async def second_part_refused(*args: Any, **kwargs: Any) -> SendOutcome:
        nonlocal refused
        if "(2/" in args[2]:
            refused += 1
            return Refused("Bad Request: can't parse entities")
        return await real_send(*args, **kwargs)

    pipeline.gateway.send = second_part_refused  # type: ignore[method-assign]
    start = datetime(2025, 11, 6, 9, 0, tzinfo=UTC)
    # The back-off doubles from 10 s: tries at 0, 11, 32, 73 s, none in between.
    for seconds, tries in ((0, 1), (10, 1), (11, 2), (31, 2), (32, 3), (72, 3), (73, 4), (153, 4)):
        await digest_at(pipeline, start + timedelta(seconds=seconds))
        assert (refused, len(tg.texts(25))) == (tries, 1), seconds
    await digest_at(pipeline, start + timedelta(seconds=154))  # the fifth try skips it
    parts = tg.messages_to(25)
    total = int(parts[0].plain_text.rsplit("/", 1)[1].rstrip(")"))
    assert refused == 5 and len(parts) == total - 1 > 1
    assert all("(2/" not in p.plain_text for p in parts)
    async with sessions() as session:
        run = (await session.execute(select(DigestRun).where(DigestRun.chat_id == 25))).scalar_one()
    assert (run.status, run.parts_sent, run.attempts) == ("sent", total, 5)
    assert run.last_error == "Bad Request: can't parse entities"
    await digest_at(pipeline, start + timedelta(hours=2))
    assert refused == 5 and len(tg.messages_to(25)) == total - 1
