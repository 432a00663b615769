"""AlertEditor: alerts already sent are edited when their story gains a source (a reprint).

The same story never reaches a chat twice, so a reprint found after the alert went out is
shown by editing that message, never by sending another. A message may carry several alerts:
it is recomposed whole, from every outbox row that shares its ``message_id``, with the same
composer and layout as when it was sent. Edits are best effort and come after alerts: a tick
does nothing while alerts are due, edits only a bounded batch, and shares the send pacer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock, utc_now
from bot.delivery._workers import run_each
from bot.delivery.compose import AlertComposer, mute_markup
from bot.delivery.telegram import (
    ChatBlocked,
    Edited,
    EditOutcome,
    RetryLater,
    TelegramGateway,
    Transient,
    Unchanged,
)
from storage.repositories.deliveries import DeliveryRepository
from storage.repositories.edits import ClaimedMessage, EditRepository

log = logging.getLogger(__name__)

TRANSIENT_DELAY = timedelta(minutes=1)
TOO_LONG = "edit skipped: with the new sources the alerts no longer fit in one message"


@dataclass(slots=True)
class EditReport:
    edited: int = 0
    unchanged: int = 0
    retried: int = 0
    given_up: int = 0

    def __bool__(self) -> bool:
        return bool(self.edited or self.unchanged or self.retried or self.given_up)


class AlertEditor:
    def __init__(
        self,
        repo: EditRepository,
        outbox: DeliveryRepository,
        gateway: TelegramGateway,
        composer: AlertComposer | None = None,
        *,
        owner: str,
        clock: Clock = utc_now,
        concurrency: int = 4,
        lease: timedelta = timedelta(minutes=2),
        batch: int = 30,
    ) -> None:
        self.repo = repo
        self.outbox = outbox
        self.gateway = gateway
        self.composer = composer or AlertComposer()
        self.owner = owner
        self.clock = clock
        self.concurrency = concurrency
        self.lease = lease
        self.batch = batch

    async def run_once(self, now: datetime) -> EditReport:
        """Edit up to ``batch`` messages whose stories gained a source since they were sent."""
        report = EditReport()
        if await self.outbox.due_chats(now, limit=1):
            return report  # alerts first: edits wait for a quiet moment
        due = await self.repo.due_messages(now, limit=self.batch)
        if not due:
            return report

        async def edit(key: tuple[int, int]) -> None:
            await self.edit_message(key[0], key[1], now, report)

        await run_each(
            due,
            edit,
            concurrency=self.concurrency,
            log=log,
            failure="editing (chat, message) %s failed",
        )
        if report:
            log.info(
                "editor: %d messages edited, %d already current, %d retried later, %d given up",
                report.edited,
                report.unchanged,
                report.retried,
                report.given_up,
            )
        return report

    async def edit_message(
        self, chat_id: int, message_id: int, now: datetime, report: EditReport
    ) -> None:
        claimed = await self.repo.claim_message(
            chat_id, message_id, now, owner=self.owner, lease=self.lease
        )
        if claimed is None:
            return
        chat = claimed.chat
        messages = self.composer.compose(
            claimed.alerts, timezone=chat.timezone, language=chat.language
        )
        if len(messages) != 1:
            log.info("chat %s message %s: %s", chat.id, message_id, TOO_LONG)
            await self.repo.finish(claimed, self.clock(), edited=False, note=TOO_LONG)
            report.given_up += 1
            return
        [message] = messages
        outcome = await self.gateway.edit(
            chat.id,
            message_id,
            message.html,
            message.plain,
            is_group=chat.is_group,
            preview=len(message.delivery_ids) == 1,
            markup=mute_markup(chat.language),
        )
        await self._record(claimed, outcome, report)

    async def _record(
        self, claimed: ClaimedMessage, outcome: EditOutcome, report: EditReport
    ) -> None:
        now = self.clock()
        chat_id = claimed.chat.id
        if isinstance(outcome, Edited):
            await self.repo.finish(claimed, now, edited=True)
            report.edited += 1
        elif isinstance(outcome, Unchanged):
            await self.repo.finish(claimed, now, edited=False)
            report.unchanged += 1
        elif isinstance(outcome, RetryLater):
            at = now + timedelta(seconds=outcome.after)
            await self.repo.retry_at(claimed.delivery_ids, at, outcome.error)
            report.retried += 1
        elif isinstance(outcome, Transient):
            await self.repo.retry_at(claimed.delivery_ids, now + TRANSIENT_DELAY, outcome.error)
            report.retried += 1
        elif isinstance(outcome, ChatBlocked):
            log.info("chat %s blocked the bot: %s", chat_id, outcome.error)
            await self.outbox.block_chat(chat_id, outcome.error, now)
            await self.repo.finish(claimed, now, edited=False, note=outcome.error)
            report.given_up += 1
        else:  # Gone, ChatMigrated, Refused: the message stays as it is
            log.info("chat %s message %s not edited: %s", chat_id, claimed.message_id, outcome)
            await self.repo.finish(claimed, now, edited=False, note=f"edit: {outcome}")
            # Later coverage is dropped for this chat rather than tried again on every report.
            await self.repo.stop_updates(chat_id, claimed.message_id, now)
            report.given_up += 1
