"""Several `c5watch run` processes on one PostgreSQL database share the work, each item once.

Three ``--role worker`` processes over 1,000 outbox rows (one alert owed to each of 1,000 chats)
and 200 due feeds (3 unique items each; half on their first fetch, whose items are backlog, half
past it, whose items are news):

* every feed is fetched exactly once and every item stored once; first-fetch items are backlog,
  later ones news (and matched); every outbox row is sent exactly once, with its message id,
  and every worker sent a share; the shared budget keeps the fake's 150 msg/s limit (no 429);
* one worker killed with SIGKILL mid-send: the others finish its share once their reaper sees
  it is gone (long before its 2-minute leases would expire); a chat may get a second copy only
  of a message in flight at the kill, so at most the sender's concurrency of them;
* ``--role updates`` answers /start while a ``--role worker`` process does all the sending.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.delivery.outbox import SEND_WORKERS
from storage.db import SessionFactory
from storage.models import Chat, Delivery, Feed, Item, Match, Story
from tests.fakes.feed_server import FeedServer
from tests.fakes.telegram_api import RateLimits
from tests.scale.harness import (
    ITEMS_PER_FEED,
    Process,
    Sent,
    TaggedTelegram,
    delivery_rows,
    feed_path,
    feeds_done,
    kill,
    seed_feeds,
    seed_outbox,
    serve_feeds,
    start,
    stop_all,
    utc_now,
    wait_ready,
    wait_until,
    with_db,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CHATS = list(range(1, 1001))
FEEDS = 200
RATE = 150
WORKERS = ("w1", "w2", "w3")
# The reaper runs every 15 s; a lease left to expire would take 2 minutes.
REAPER_BOUND = 60.0
SETTLE = 2.0  # after the last expected message: anything sent twice would show by now


def _limits() -> RateLimits:
    return RateLimits(global_per_second=RATE, private_per_second=1, group_per_minute=20)


def _env() -> dict[str, str]:
    return {"SEND_RATE_GLOBAL": str(RATE)}


def _seed_feeds(db: str, feeds: FeedServer) -> list[str]:
    now = utc_now()
    urls = serve_feeds(feeds, FEEDS, now)
    # Odd feeds were fetched before (their items are news); even ones never (backlog).
    with_db(db, lambda s: seed_feeds(s, urls, now, backlog_done=(n % 2 == 1 for n in range(FEEDS))))
    return urls


def _wait_all_done(tg: TaggedTelegram, db: str, processes: list[Process], timeout: float) -> None:
    wait_until(
        lambda: len(tg.per_chat()) == len(CHATS), timeout, "every chat's alert", processes=processes
    )
    wait_until(
        lambda: with_db(db, feeds_done) == (FEEDS, FEEDS * ITEMS_PER_FEED + 1),
        timeout,
        "every feed polled and stored",
        processes=processes,
        every=0.5,
    )
    # A story is matched only once its event is placed; when the process holding the grouping
    # turn is killed, the reaper hands the turn on, so this can trail the outbox by a tick.
    wait_until(
        lambda: all(m for _, _, b, m in with_db(db, _stories_by_feed) if not b),
        timeout,
        "news stories matched",
        processes=processes,
        every=0.5,
    )


async def _stories_by_feed(sessions: SessionFactory) -> list[tuple[str, str, bool, bool]]:
    """(feed url, item guid, story is backlog, story matched) for every polled item."""
    async with sessions() as session:
        rows = await session.execute(
            select(Feed.url, Item.guid, Story.is_backlog, Story.matched_at.is_not(None))
            .join(Item, Item.feed_id == Feed.id)
            .join(Story, Story.id == Item.story_id)
            .where(Feed.url.like("%/feeds/%"))
        )
        return [(u, g, bool(b), bool(m)) for u, g, b, m in rows]


async def _counts(sessions: SessionFactory) -> dict[str, int]:
    async with sessions() as session:
        return {
            name: len((await session.scalars(select(model.id))).all())
            for name, model in (("deliveries", Delivery), ("matches", Match), ("stories", Story))
        }


def _check_feeds(db: str, feeds: FeedServer, urls: list[str], *, max_fetches: int = 1) -> int:
    """Every feed fetched (at most ``max_fetches`` times) and each item stored once, as
    backlog on a first fetch and as news (matched) otherwise; returns the refetches."""
    hits = [feeds.hits(feed_path(n)) for n in range(FEEDS)]
    assert all(1 <= h <= max_fetches for h in hits), Counter(hits)
    stored = with_db(db, _stories_by_feed)
    assert len(stored) == FEEDS * ITEMS_PER_FEED
    assert len({(u, g) for u, g, _, _ in stored}) == len(stored)
    first_fetch = {urls[n] for n in range(0, FEEDS, 2)}
    for url, guid, backlog, _ in stored:
        assert backlog == (url in first_fetch), (url, guid, backlog)
    assert all(m for _, _, b, m in stored if not b), "a news story was never matched"
    # Nobody subscribes to these stories: the outbox holds only what was seeded.
    assert with_db(db, _counts) == {
        "deliveries": len(CHATS),
        "matches": len(CHATS),
        "stories": FEEDS * ITEMS_PER_FEED + 1,
    }
    return sum(hits) - FEEDS


def _check_outbox(db: str, tg: TaggedTelegram) -> None:
    """Every row sent once, its message id the last one the chat received."""
    last = {s.chat_id: s.message_id for s in tg.sent_by}
    rows = with_db(db, delivery_rows)
    assert sorted(c for c, *_ in rows) == CHATS
    assert Counter(status for _, status, _, _ in rows) == {"sent": len(CHATS)}
    assert all(mid is not None and mid == last[c] for c, _, mid, _ in rows)


@pytest.mark.timeout(150)
def test_three_workers_share_feeds_and_outbox_each_done_once(scale_db: str, workdir: Path) -> None:
    procs: list[Process] = []
    with TaggedTelegram(rate_limits=_limits()) as tg, FeedServer() as feeds:
        urls = _seed_feeds(scale_db, feeds)
        try:
            procs = [
                start(n, "worker", tg=tg, db_url=scale_db, workdir=workdir, env=_env())
                for n in WORKERS
            ]
            wait_ready(tg, procs)
            with_db(scale_db, lambda s: seed_outbox(s, CHATS, utc_now()))
            started = time.monotonic()
            _wait_all_done(tg, scale_db, procs, timeout=90)
            took = time.monotonic() - started
            time.sleep(SETTLE)
            # A worker never reads Telegram updates.
            assert not any(tg.called(p.name, "getUpdates") for p in procs)
        finally:
            stop_all(procs)
        assert all(p.popen.returncode == 0 for p in procs), [p.tail() for p in procs]

        per_chat = tg.per_chat()
        assert sorted(per_chat) == CHATS
        assert set(per_chat.values()) == {1}, [c for c, n in per_chat.items() if n > 1]
        shares = tg.per_process()
        print(f"\n1,000 alerts in {took:.1f} s; shares {dict(shares)}; 429s", tg.rate_limited_total)
        assert set(shares) == set(WORKERS) and min(shares.values()) >= 50, shares
        assert tg.rate_limited_total == 0
        _check_outbox(scale_db, tg)
        assert _check_feeds(scale_db, feeds, urls) == 0


@pytest.mark.timeout(170)
def test_worker_killed_mid_send_the_others_finish_its_share(scale_db: str, workdir: Path) -> None:
    procs: list[Process] = []
    with TaggedTelegram(rate_limits=_limits()) as tg, FeedServer() as feeds:
        urls = _seed_feeds(scale_db, feeds)
        victim = "w1"
        try:
            procs = [
                start(n, "worker", tg=tg, db_url=scale_db, workdir=workdir, env=_env())
                for n in WORKERS
            ]
            wait_ready(tg, procs)
            with_db(scale_db, lambda s: seed_outbox(s, CHATS, utc_now()))
            wait_until(
                lambda: tg.per_process()[victim] >= 60,
                60,
                "the victim sending",
                processes=procs,
                every=0.002,
            )
            kill(procs[0])
            killed_at = time.monotonic()
            by_victim = tg.per_process()[victim]
            assert len(tg.per_chat()) < len(CHATS) - 100, "killed too late to test anything"
            _wait_all_done(tg, scale_db, procs, timeout=REAPER_BOUND + 30)
            finished = time.monotonic() - killed_at
            time.sleep(SETTLE)
        finally:
            stop_all(procs)
        assert all(p.popen.returncode == 0 for p in procs[1:]), [p.tail() for p in procs]

        per_chat = tg.per_chat()
        assert sorted(per_chat) == CHATS
        twice = sorted(c for c, n in per_chat.items() if n > 1)
        late_victim = [s for s in tg.sent_by if s.process == victim and s.time > killed_at]
        print(
            f"\nvictim sent {by_victim} before SIGKILL; the rest done {finished:.1f} s later; "
            f"shares {dict(tg.per_process())}; chats sent twice {len(twice)}; "
            f"429s {tg.rate_limited_total}"
        )
        # Only a message Telegram accepted while the victim was dying may come again: at most
        # one per chat it was sending to at that instant, each first sent by the victim.
        assert all(n <= 2 for n in per_chat.values())
        assert len(twice) <= SEND_WORKERS, twice
        first: dict[int, Sent] = {}
        for s in tg.sent_by:
            first.setdefault(s.chat_id, s)
        assert all(first[c].process == victim and first[c].time <= killed_at for c in twice)
        assert len(late_victim) <= SEND_WORKERS  # answered after the kill was sent
        # Taken over by the reaper (every 15 s), not by lease expiry (2 minutes).
        assert finished < REAPER_BOUND
        _check_outbox(scale_db, tg)
        refetched = _check_feeds(scale_db, feeds, urls, max_fetches=2)
        print(f"feeds fetched twice (in flight at the kill): {refetched}")


@pytest.mark.timeout(120)
def test_updates_process_answers_start_while_a_worker_sends(scale_db: str, workdir: Path) -> None:
    chats = CHATS[:50]
    newcomer = 777_000
    procs: list[Process] = []
    with TaggedTelegram(rate_limits=_limits()) as tg:
        try:
            procs = [
                start("updates", "updates", tg=tg, db_url=scale_db, workdir=workdir, env=_env()),
                start("worker", "worker", tg=tg, db_url=scale_db, workdir=workdir, env=_env()),
            ]
            wait_ready(tg, procs)
            wait_until(
                lambda: tg.called("updates", "getUpdates"), 30, "long polling", processes=procs
            )
            with_db(scale_db, lambda s: seed_outbox(s, chats, utc_now()))
            tg.inject_message(newcomer, "/start", language_code="en")
            wait_until(
                lambda: set(chats) <= set(tg.per_chat()) and tg.per_chat()[newcomer],
                60,
                "the alerts and the /start answer",
                processes=procs,
            )
            time.sleep(SETTLE)
            assert tg.pending_updates == 0
        finally:
            stop_all(procs)
        assert all(p.popen.returncode == 0 for p in procs), [p.tail() for p in procs]

        assert tg.called("worker", "getUpdates") == 0
        by = {(s.process, s.chat_id) for s in tg.sent_by}
        assert by == {("worker", c) for c in chats} | {("updates", newcomer)}
        assert len(tg.sent_by) == len(chats) + 1
        [welcome] = tg.messages_to(newcomer)
        assert welcome.plain_text

    async def newcomer_row(sessions: SessionFactory) -> tuple[bool, str] | None:
        async with sessions() as session:
            chat = await session.get(Chat, newcomer)
            return (chat.active, chat.mode) if chat else None

    assert with_db(scale_db, newcomer_row) == (True, "instant")
    rows = with_db(scale_db, delivery_rows)
    assert Counter(status for _, status, _, _ in rows) == {"sent": len(chats)}
