"""DigestScheduler: each chat's digest at its local digest time, once per local day.

The DigestRun row (unique per chat and local date) is the whole state: a run is claimed under
a lease, its matches are fixed when it starts, and ``parts_sent`` moves on after each part,
so a restart resumes with the next part and never starts the day's digest over.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.clock import Clock, utc_now
from bot.delivery._text import to_plain
from bot.delivery.digest import DigestComposer, digest_date_due
from bot.delivery.outbox import MAX_REFUSALS, backoff
from bot.delivery.telegram import (
    ChatBlocked,
    ChatMigrated,
    Delivered,
    Refused,
    RetryLater,
    TelegramGateway,
)
from storage.models import DigestStatus
from storage.repositories.deliveries import DeliveryRepository
from storage.repositories.digests import ChatForDigest, DigestClaim, DigestRepository

log = logging.getLogger(__name__)

# With no earlier digest, a digest reaches back this far.
DIGEST_WINDOW = timedelta(days=1)


@dataclass(slots=True)
class DigestReport:
    sent: int = 0
    empty: int = 0
    postponed: int = 0
    skipped_parts: int = 0


class DigestScheduler:
    def __init__(
        self,
        repo: DigestRepository,
        deliveries: DeliveryRepository,
        gateway: TelegramGateway,
        composer: DigestComposer | None = None,
        *,
        owner: str,
        clock: Clock = utc_now,
        lease: timedelta = timedelta(minutes=5),
        window: timedelta = DIGEST_WINDOW,
        concurrency: int = 8,
    ) -> None:
        self.repo = repo
        self.deliveries = deliveries
        self.gateway = gateway
        self.composer = composer or DigestComposer()
        self.owner = owner
        self.clock = clock
        self.lease = lease
        self.window = window
        self.concurrency = concurrency

    async def run_once(self, now: datetime) -> DigestReport:
        report = DigestReport()
        due = []
        for chat in await self.repo.digest_chats():
            day = digest_date_due(now, chat.timezone, chat.digest_minute)
            if day is not None:
                due.append((chat, day))
        if not due:
            return report
        runs = await self.repo.runs_on({day for _, day in due})
        todo = []
        for chat, day in due:
            state = runs.get((chat.id, day))
            if state is None or (
                state.status == DigestStatus.PENDING.value
                and (state.lease_until is None or state.lease_until < now)
            ):
                todo.append((chat, day))
        limit = asyncio.Semaphore(self.concurrency)

        async def one(chat: ChatForDigest, day: date) -> None:
            async with limit:
                try:
                    claim = await self.repo.claim(
                        chat, day, now, owner=self.owner, lease=self.lease, window=self.window
                    )
                    if claim is not None:
                        await self.deliver(claim, report)
                except Exception:  # one chat's failure must not stop the others
                    log.exception("digest for chat %s failed; it stays owed", chat.id)

        await asyncio.gather(*(one(chat, day) for chat, day in todo))
        return report

    async def deliver(self, claim: DigestClaim, report: DigestReport) -> None:
        chat = claim.chat
        parts = self.composer.compose(
            claim.entries,
            timezone=chat.timezone,
            language=chat.language,
            local_date=claim.local_date,
        )
        stories = len({e.story.id for e in claim.entries})
        if not parts:
            if not chat.empty_note:
                await self.repo.finish(claim.run_id, DigestStatus.EMPTY.value, self.clock(), 0)
                report.empty += 1
                return
            parts = [self.composer.empty_note(language=chat.language, local_date=claim.local_date)]
        is_group = chat.type != "private" or chat.id < 0
        for n in range(claim.parts_sent, len(parts)):
            html = parts[n]
            outcome = await self.gateway.send(
                chat.id, html, to_plain(html), is_group=is_group, preview=False
            )
            now = self.clock()
            if isinstance(outcome, Delivered):
                await self.repo.part_sent(claim.run_id, n + 1)
                continue
            if isinstance(outcome, Refused) and claim.attempts >= MAX_REFUSALS:
                # Sending the same text again will not fix it: the other parts still go.
                log.error(
                    "digest for chat %s: part %d of %d refused on attempt %d, skipped: %s",
                    chat.id,
                    n + 1,
                    len(parts),
                    claim.attempts,
                    outcome.error,
                )
                await self.repo.part_sent(claim.run_id, n + 1, outcome.error)
                report.skipped_parts += 1
                continue
            report.postponed += 1
            if isinstance(outcome, RetryLater):
                until = now + timedelta(seconds=outcome.after)
                await self.repo.postpone(claim.run_id, until, outcome.error)
            elif isinstance(outcome, ChatBlocked):
                await self.deliveries.block_chat(chat.id, outcome.error, now)
                await self.repo.finish(claim.run_id, DigestStatus.CANCELLED.value, now, stories)
            elif isinstance(outcome, ChatMigrated):
                await self.deliveries.migrate_chat(chat.id, outcome.new_chat_id, now)
                await self.repo.postpone(claim.run_id, now, "chat migrated")
            else:  # network trouble, or a refusal tried fewer than MAX_REFUSALS times
                until = now + backoff(claim.attempts)
                await self.repo.postpone(claim.run_id, until, outcome.error)
            return
        await self.repo.finish(claim.run_id, DigestStatus.SENT.value, self.clock(), stories)
        report.sent += 1
        log.info("digest for chat %s (%s): %d parts", chat.id, claim.local_date, len(parts))
