"""OutboxSender: drains the outbox into Telegram within its rate limits.

Each chat is handled by one worker at a time: its due alerts are leased in the database,
combined into as few messages as fit, sent one by one, and each message's rows are marked
sent with its message id as soon as Telegram has accepted it. What can go wrong between the
two is one message: see docs/delivery.md.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock, utc_now
from bot.delivery._workers import run_each
from bot.delivery.compose import AlertComposer, mute_markup
from bot.delivery.telegram import (
    ChatBlocked,
    ChatMigrated,
    Delivered,
    Refused,
    RetryLater,
    TelegramGateway,
    Transient,
)
from storage.repositories.deliveries import ClaimedAlerts, DeliveryRepository

log = logging.getLogger(__name__)

MAX_REFUSALS = 5
# Chats sent to at once; also how many messages a kill -9 can catch between send and record.
SEND_WORKERS = 16


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s ... capped at 30 minutes."""
    return timedelta(seconds=min(5 * 2 ** min(attempts, 12), 1800))


@dataclass(slots=True)
class SendReport:
    messages: int = 0
    alerts: int = 0
    retried: int = 0
    cancelled: int = 0
    migrated: dict[int, int] = field(default_factory=dict)


class OutboxSender:
    def __init__(
        self,
        repo: DeliveryRepository,
        gateway: TelegramGateway,
        composer: AlertComposer | None = None,
        *,
        owner: str,
        clock: Clock = utc_now,
        concurrency: int = SEND_WORKERS,
        lease: timedelta = timedelta(minutes=2),
        per_chat: int = 20,
    ) -> None:
        self.repo = repo
        self.gateway = gateway
        self.composer = composer or AlertComposer()
        self.owner = owner
        self.clock = clock
        self.concurrency = concurrency
        self.lease = lease
        self.per_chat = per_chat

    async def run_once(self, now: datetime) -> SendReport:
        """Send everything due at ``now``; returns what happened."""
        report = SendReport()
        chats = await self.repo.due_chats(now)
        if not chats:
            return report
        # Several workers read the same due list: each starts at its own place in it, so
        # they mostly claim different chats instead of racing for the same ones in turn.
        start = random.randrange(len(chats))

        async def drain(chat_id: int) -> None:
            await self.drain_chat(chat_id, now, report)

        await run_each(
            chats[start:] + chats[:start],
            drain,
            concurrency=self.concurrency,
            log=log,
            failure="sending to chat %s failed; its alerts stay owed",
        )
        if report.messages or report.retried or report.cancelled:
            log.info(
                "outbox: %d messages (%d alerts) sent, %d retried later, %d cancelled",
                report.messages,
                report.alerts,
                report.retried,
                report.cancelled,
            )
        return report

    async def drain_chat(self, chat_id: int, now: datetime, report: SendReport) -> None:
        claimed = await self.repo.claim_chat(
            chat_id, now, owner=self.owner, lease=self.lease, limit=self.per_chat
        )
        if claimed is None:
            return
        new_chat = await self._send_claimed(claimed, report)
        if new_chat is not None:
            report.migrated[chat_id] = new_chat
            await self.drain_chat(new_chat, self.clock(), report)

    async def _send_claimed(self, claimed: ClaimedAlerts, report: SendReport) -> int | None:
        """Send a chat's leased alerts; returns the new chat id if the chat migrated."""
        chat = claimed.chat
        messages = self.composer.compose(
            claimed.alerts, timezone=chat.timezone, language=chat.language
        )
        attempts = max(a.attempts for a in claimed.alerts)
        for n, message in enumerate(messages):
            rest = [i for m in messages[n:] for i in m.delivery_ids]
            outcome = await self.gateway.send(
                chat.id,
                message.html,
                message.plain,
                is_group=chat.is_group,
                preview=len(message.delivery_ids) == 1,
                markup=mute_markup(chat.language),
            )
            now = self.clock()
            if isinstance(outcome, Delivered):
                await self.repo.mark_sent(message.delivery_ids, outcome.message_id, now)
                report.messages += 1
                report.alerts += len(message.delivery_ids)
                continue
            if isinstance(outcome, RetryLater):
                at = now + timedelta(seconds=outcome.after)
                await self.repo.reschedule(rest, at, outcome.error, count_attempt=False)
                report.retried += len(rest)
            elif isinstance(outcome, ChatBlocked):
                log.info("chat %s blocked the bot: %s", chat.id, outcome.error)
                report.cancelled += await self.repo.block_chat(chat.id, outcome.error, now)
            elif isinstance(outcome, ChatMigrated):
                log.info("chat %s moved to %s", chat.id, outcome.new_chat_id)
                await self.repo.migrate_chat(chat.id, outcome.new_chat_id, now)
                return outcome.new_chat_id
            elif isinstance(outcome, Transient):
                await self.repo.reschedule(rest, now + backoff(attempts), outcome.error)
                report.retried += len(rest)
            elif isinstance(outcome, Refused):
                log.warning("chat %s: Telegram refused an alert: %s", chat.id, outcome.error)
                ids = list(message.delivery_ids)
                if attempts + 1 >= MAX_REFUSALS:
                    await self.repo.cancel(ids, outcome.error)
                    report.cancelled += len(ids)
                else:
                    await self.repo.reschedule(ids, now + backoff(attempts), outcome.error)
                    report.retried += len(ids)
                continue
            return None
        return None
