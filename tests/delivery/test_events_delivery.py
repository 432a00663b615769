"""One event, one alert: later reports of an event edit the alert that went out, through the
fake Bot API, on SQLite and PostgreSQL; the event reaches each chat once, whatever rule the
later report matched and whichever worker matched it."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import Sequence
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.delivery import AlertEditor
from bot.delivery.events import EventAssigner
from bot.events.grouping import event_key
from bot.reaper import LeaseReaper
from storage.db import SessionFactory
from storage.models import Delivery, Story
from storage.repositories.edits import EditRepository
from storage.repositories.events import EventRepository
from storage.repositories.matches import MatchIntent, MatchRepository
from tests.delivery.conftest import T0, FakeClock, Pipeline, add_chat, add_story, assert_valid_html
from tests.fakes.telegram_api import FakeTelegramServer

EDIT = "editMessageText"
Report = tuple[str, str, Sequence[tuple[str, str]]]
FIRST: Report = (
    "Cove Capital to mine Kazakhstan tungsten in Trump-announced deal",
    "U.S.-based Cove Capital and Kazakhstan's Tau-Ken Samruk will develop a tungsten deposit "
    "in the Karaganda region, President Trump said. The deal was announced in Washington.",
    [("MINING.COM", "https://mining.example/cove-tungsten")],
)
SECOND: Report = (
    "Cove Capital to mine Kazakhstan tungsten under a new deal",
    "U.S.-based Cove Capital and Kazakhstan's Tau-Ken Samruk will develop the Upper Kairakty "
    "tungsten deposit in the Karaganda region under a deal announced in Washington.",
    [("Reuters", "https://reuters.example/kz-cove?a=1&b=2")],
)
THIRD: Report = (
    "Cove Capital and Kazakhstan agree to mine tungsten",
    "Cove Capital of the U.S. will develop the Upper Kairakty tungsten deposit with Tau-Ken "
    "Samruk in the Karaganda region of Kazakhstan, under a deal announced in Washington.",
    [("Kazinform <KZ>", "https://kazinform.example/cove")],
)
OTHER: Report = (
    "Uzbekistan and the United States discuss uranium supplies",
    "Navoiyuran and US officials discussed uranium exports to the United States at a meeting "
    "in Tashkent on critical minerals.",
    [("Gazeta.uz", "https://gazeta.example/uranium")],
)


async def report(sessions: SessionFactory, clock: FakeClock, item: Report) -> int:
    title, summary, sources = item
    return await add_story(
        sessions, title, summary, sources=sources, published_at=clock.now(), seen_at=clock.now()
    )


def make_editor(sessions: SessionFactory, pipeline: Pipeline, clock: FakeClock) -> AlertEditor:
    return AlertEditor(
        EditRepository(sessions), pipeline.outbox, pipeline.gateway, owner="t:1:a", clock=clock.now
    )


async def deliveries(sessions: SessionFactory) -> list[Delivery]:
    async with sessions() as session:
        return list((await session.scalars(select(Delivery).order_by(Delivery.id))).all())


async def test_later_reports_edit_the_one_alert_to_list_their_sources(
    sessions: SessionFactory, tg: FakeTelegramServer, pipeline: Pipeline, clock: FakeClock
) -> None:
    await add_chat(sessions, 41)
    editor = make_editor(sessions, pipeline, clock)
    await report(sessions, clock, FIRST)
    await pipeline.tick()
    [alert] = tg.messages_to(41)
    # The snippet: the summary's first sentence ("U.S." does not end it), under the title.
    lines = alert.plain_text.splitlines()
    assert lines[0] == f"🔔 {FIRST[0]}"
    assert lines[1] == FIRST[1].split(" The deal")[0]
    assert alert.reply_markup is not None
    assert alert.reply_markup["inline_keyboard"][0][0]["text"] == "🔕 Mute"

    clock.advance(600)
    await report(sessions, clock, SECOND)
    await report(sessions, clock, THIRD)
    await report(sessions, clock, OTHER)
    await pipeline.tick()
    assert len(tg.messages_to(41)) == 2  # the uranium talks only: another event
    assert OTHER[0] in tg.messages_to(41)[1].plain_text
    assert await editor.run_once(clock.now())
    [edited] = tg.messages_to(41, EDIT)
    assert edited.message_id == alert.message_id
    assert "+2: Reuters, Kazinform <KZ>" in edited.plain_text
    assert "https://reuters.example/kz-cove?a=1&amp;b=2" in edited.text
    assert "Kazinform &lt;KZ&gt;" in edited.text
    assert edited.reply_markup is not None
    assert edited.reply_markup["inline_keyboard"][0][0]["callback_data"] == "mu1"
    assert not await editor.run_once(clock.now())  # done once
    assert_valid_html([m.text for m in tg.sent])


async def test_a_report_matching_only_another_rule_is_still_the_same_event(
    sessions: SessionFactory, tg: FakeTelegramServer, pipeline: Pipeline, clock: FakeClock
) -> None:
    # FIRST names Trump and not Kairakty; SECOND and THIRD name Kairakty and not Trump.
    await add_chat(sessions, 42, topics=(), rules=["Trump", "Kairakty"])
    await report(sessions, clock, FIRST)
    await pipeline.tick()
    clock.advance(60)
    await report(sessions, clock, SECOND)
    await pipeline.tick()
    [alert] = tg.messages_to(42)
    assert FIRST[0] in alert.plain_text
    [row] = await deliveries(sessions)
    assert row.event_key is not None


async def test_mute_button_and_failed_edits_drop_later_coverage(
    sessions: SessionFactory, tg: FakeTelegramServer, pipeline: Pipeline, clock: FakeClock
) -> None:
    await add_chat(sessions, 43)
    await add_chat(sessions, 44)
    editor = make_editor(sessions, pipeline, clock)
    await report(sessions, clock, FIRST)
    await pipeline.tick()
    [muted] = tg.messages_to(43)
    assert await EditRepository(sessions).stop_updates(43, muted.message_id, clock.now()) == 1
    clock.advance(60)
    await report(sessions, clock, SECOND)
    await pipeline.tick()
    tg.fail_next(EDIT, 400, "Bad Request: message can't be edited")
    assert await editor.run_once(clock.now())  # 44 tried and given up; 43 not even tried
    assert [c.params["chat_id"] for c in tg.calls_to(EDIT)] == [44]
    clock.advance(60)
    await report(sessions, clock, THIRD)
    await pipeline.tick()
    assert not await editor.run_once(clock.now())
    assert len(tg.calls_to(EDIT)) == 1
    assert len(tg.messages_to(43)) == len(tg.messages_to(44)) == 1


async def test_coverage_after_48_hours_is_dropped(
    sessions: SessionFactory, tg: FakeTelegramServer, pipeline: Pipeline, clock: FakeClock
) -> None:
    await add_chat(sessions, 45)
    editor = make_editor(sessions, pipeline, clock)
    await report(sessions, clock, FIRST)
    await pipeline.tick()
    clock.advance(49 * 3600)
    await add_story(
        sessions, SECOND[0], SECOND[1], sources=SECOND[2], published_at=T0, seen_at=clock.now()
    )
    await pipeline.tick()
    assert not await editor.run_once(clock.now())
    assert len(tg.messages_to(45)) == 1 and tg.calls_to(EDIT) == []


async def test_matching_waits_for_the_event(sessions: SessionFactory, clock: FakeClock) -> None:
    await add_chat(sessions, 46)
    await report(sessions, clock, FIRST)
    repo = MatchRepository(sessions)
    assert await repo.claim_unmatched(clock.now(), lease=timedelta(seconds=30)) == []
    assert await EventAssigner(EventRepository(sessions), owner="t:1:a").run_once(clock.now())
    [story] = await repo.claim_unmatched(clock.now(), lease=timedelta(seconds=30))
    assert story.event_key


async def test_a_batch_is_placed_in_order_of_publication_not_of_storage(
    sessions: SessionFactory, clock: FakeClock
) -> None:
    # Feeds are fetched at once, so the later report may be stored first; the report published
    # first must still open the event (its key comes from that report), as `c5watch events`
    # gives for the items in order of publication.
    later = await add_story(
        sessions, *SECOND[:2], sources=SECOND[2], published_at=T0 + timedelta(hours=2)
    )
    earlier = await add_story(sessions, *FIRST[:2], sources=FIRST[2], published_at=T0)
    assert await EventAssigner(EventRepository(sessions), owner="t:1:a").run_once(clock.now())
    async with sessions() as session:
        keys = dict((await session.execute(select(Story.id, Story.event_key))).all())
    assert keys[later] == keys[earlier] == event_key(str(earlier))


async def test_the_alert_shows_the_report_published_first(
    sessions: SessionFactory, tg: FakeTelegramServer, pipeline: Pipeline, clock: FakeClock
) -> None:
    await add_chat(sessions, 47)
    await add_story(sessions, *SECOND[:2], sources=SECOND[2], published_at=T0 + timedelta(hours=2))
    first = await add_story(sessions, *FIRST[:2], sources=FIRST[2], published_at=T0)
    await pipeline.tick()
    [delivery] = await deliveries(sessions)
    assert delivery.story_id == first
    [message] = tg.messages_to(47)
    assert FIRST[0] in message.text


async def test_later_coverage_is_listed_in_order_of_publication(
    sessions: SessionFactory, tg: FakeTelegramServer, pipeline: Pipeline, clock: FakeClock
) -> None:
    # Feeds fetched at once store their reports in any order; the alert's list must not
    # depend on it.
    await add_chat(sessions, 48)
    editor = make_editor(sessions, pipeline, clock)
    await report(sessions, clock, FIRST)
    await pipeline.tick()
    clock.advance(1800)
    await add_story(
        sessions, *SECOND[:2], sources=SECOND[2], published_at=clock.now() - timedelta(minutes=5)
    )
    await add_story(
        sessions, *THIRD[:2], sources=THIRD[2], published_at=clock.now() - timedelta(minutes=20)
    )
    await pipeline.tick()
    assert await editor.run_once(clock.now())
    [edited] = tg.messages_to(48, EDIT)
    assert "+2: Kazinform <KZ>, Reuters" in edited.plain_text


async def test_a_second_process_rebuilds_the_grouper_and_agrees(
    sessions: SessionFactory, clock: FakeClock
) -> None:
    a = EventAssigner(EventRepository(sessions), owner="host:1:a")
    b = EventAssigner(EventRepository(sessions), owner="host:2:b")
    first = await report(sessions, clock, FIRST)
    await a.run_once(clock.now())
    second = await report(sessions, clock, SECOND)
    assert await b.run_once(clock.now()) == 0  # a placed lately: the turn stays with a
    clock.advance(61)  # a has been quiet for a minute: b takes over
    assert await b.run_once(clock.now()) == 1  # never saw FIRST placed: rebuilds from storage
    third = await report(sessions, clock, THIRD)
    clock.advance(61)
    assert await a.run_once(clock.now()) == 1  # b placed since: a rebuilds too
    async with sessions() as session:
        keys = dict(
            (await session.execute(select(Story.id, Story.event_key).order_by(Story.id))).all()
        )
    assert keys[first] == keys[second] == keys[third] is not None


async def test_one_delivery_per_chat_and_event_however_workers_race(
    sessions: SessionFactory, clock: FakeClock
) -> None:
    await add_chat(sessions, 47)
    ids = [await report(sessions, clock, item) for item in (FIRST, SECOND, THIRD)]
    key = "e-race"
    async with sessions() as session, session.begin():
        for story_id in ids:
            (await session.get(Story, story_id)).event_key = key  # type: ignore[union-attr]

    async def worker(story_id: int) -> None:
        intent = MatchIntent(47, story_id, {"topics": ["critical_minerals"]}, 1.0, True, key)
        await MatchRepository(sessions).record([story_id], [intent], clock.now())

    await asyncio.gather(*(worker(i) for i in ids))
    assert len(await deliveries(sessions)) == 1
    # The database itself refuses a second row, not only the code that inserts.
    with pytest.raises(IntegrityError):
        async with sessions() as session, session.begin():
            session.add(
                Delivery(
                    chat_id=47,
                    story_id=ids[1],
                    event_key=key,
                    status="pending",
                    attempts=0,
                    next_attempt_at=clock.now(),
                    created_at=clock.now(),
                )
            )


async def test_two_processes_placing_at_once_take_turns(
    sessions: SessionFactory, clock: FakeClock
) -> None:
    a = EventAssigner(EventRepository(sessions), owner="host:1:a")
    b = EventAssigner(EventRepository(sessions), owner="host:2:b")
    ids = [await report(sessions, clock, item) for item in (FIRST, SECOND, THIRD, OTHER)]
    placed = await asyncio.gather(a.run_once(clock.now()), b.run_once(clock.now()))
    assert sum(placed) == len(ids)  # each story placed once, by whichever held the turn
    async with sessions() as session:
        keys = (await session.scalars(select(Story.event_key).order_by(Story.id))).all()
    assert keys[0] == keys[1] == keys[2] != keys[3]


async def test_the_turn_of_a_dead_process_on_this_host_is_freed_at_once(
    sessions: SessionFactory, clock: FakeClock
) -> None:
    gone = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await gone.wait()
    dead = EventAssigner(
        EventRepository(sessions), owner=f"{socket.gethostname()[:30]}:{gone.pid}:x"
    )
    alive = EventAssigner(EventRepository(sessions), owner="host:2:b")
    await report(sessions, clock, FIRST)
    assert await dead.run_once(clock.now()) == 1
    await report(sessions, clock, SECOND)
    assert await alive.run_once(clock.now()) == 0  # the turn is still the dead one's
    assert await LeaseReaper(sessions).run_once(clock.now()) == 1
    assert await alive.run_once(clock.now()) == 1
