"""Alerts already sent whose story has since gained a source: the editor's side of storage.

A sent row shows the story's ``sources_rev`` it was composed from. When an item from another
feed joins the story (storage.repositories.items), the story's revision moves on and every
message showing an older one is due for an edit. Each message is claimed as a whole (all the
rows that share its ``message_id``) under a lease on those rows, so one worker at a time
recomposes it; the claim notes the revisions it composed, and finishing stores them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from storage.db import SessionFactory
from storage.models import Chat, Delivery, DeliveryStatus, Story
from storage.repositories.deliveries import (
    ChatForSend,
    PendingAlert,
    load_alerts,
    load_chat,
    story_revisions,
)

_SENT = DeliveryStatus.SENT.value


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    """One sent message and every alert in it, leased for an edit."""

    chat: ChatForSend
    message_id: int
    alerts: tuple[PendingAlert, ...]
    # delivery id -> the story revision the recomposed message shows
    revisions: dict[int, int]

    @property
    def delivery_ids(self) -> list[int]:
        return list(self.revisions)


def _free(now: datetime) -> Any:
    return (Delivery.lease_until.is_(None)) | (Delivery.lease_until < now)


def _message(chat_id: int, message_id: int) -> Any:
    return (
        (Delivery.chat_id == chat_id)
        & (Delivery.message_id == message_id)
        & (Delivery.status == _SENT)
    )


class EditRepository:
    """``horizon``: messages sent, and sources found, longer ago than this are left alone."""

    def __init__(self, sessions: SessionFactory, *, horizon: timedelta = timedelta(hours=48)):
        self._sessions = sessions
        self.horizon = horizon

    async def due_messages(self, now: datetime, *, limit: int = 100) -> list[tuple[int, int]]:
        """(chat id, message id) of sent messages showing an old source list, oldest first."""
        since = now - self.horizon
        changed = func.min(Story.sources_changed_at)
        async with self._sessions() as session:
            rows = await session.execute(
                select(Delivery.chat_id, Delivery.message_id, changed)
                .join(Story, Story.id == Delivery.story_id)
                .join(Chat, Chat.id == Delivery.chat_id)
                .where(
                    Story.sources_changed_at >= since,
                    Delivery.status == _SENT,
                    Delivery.message_id.is_not(None),
                    Delivery.sent_at >= since,
                    Delivery.sources_rev < Story.sources_rev,
                    Delivery.muted_at.is_(None),
                    _free(now),
                    Chat.blocked.is_(False),
                )
                .group_by(Delivery.chat_id, Delivery.message_id)
                .order_by(changed, Delivery.chat_id, Delivery.message_id)
                .limit(limit)
            )
            return [(chat_id, message_id) for chat_id, message_id, _ in rows if message_id]

    async def claim_message(
        self, chat_id: int, message_id: int, now: datetime, *, owner: str, lease: timedelta
    ) -> ClaimedMessage | None:
        """Lease every row of one message; None if another worker holds any of them, or if
        the message is no longer behind its stories."""
        async with self._sessions() as session, session.begin():
            rows = (
                await session.scalars(
                    select(Delivery)
                    .where(_message(chat_id, message_id))
                    .order_by(Delivery.id)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            total = await session.scalar(
                select(func.count()).select_from(Delivery).where(_message(chat_id, message_id))
            )
            if not rows or len(rows) != total or not all(_is_free(r, now) for r in rows):
                return None  # the whole message or nothing: its rows are recomposed together
            revs = await story_revisions(session, [r.story_id for r in rows])
            if all(revs.get(r.story_id, 0) <= r.sources_rev for r in rows):
                return None
            chat = await load_chat(session, chat_id)
            if chat is None:
                return None
            for row in rows:
                row.lease_until = now + lease
                row.lease_owner = owner
            alerts = await load_alerts(session, chat_id, rows)
            revisions = {r.id: max(revs.get(r.story_id, 0), r.sources_rev) for r in rows}
            return ClaimedMessage(chat, message_id, alerts, revisions)

    async def finish(
        self, claimed: ClaimedMessage, now: datetime, *, edited: bool, note: str | None = None
    ) -> None:
        """The message now shows the claimed revisions (edited, already so, or given up on:
        ``note`` says why, in ``last_error``); it is not due again until a source joins."""
        by_rev: dict[int, list[int]] = {}
        for delivery_id, rev in claimed.revisions.items():
            by_rev.setdefault(rev, []).append(delivery_id)
        values: dict[str, Any] = {"lease_until": None, "lease_owner": None}
        if edited:
            values["edited_at"] = now
        if note is not None:
            values["last_error"] = note[:500]
        async with self._sessions() as session, session.begin():
            for rev, ids in by_rev.items():
                await session.execute(
                    update(Delivery).where(Delivery.id.in_(ids)).values(sources_rev=rev, **values)
                )

    async def stop_updates(self, chat_id: int, message_id: int, now: datetime) -> int:
        """No more edits for this message (its 🔕 button, or it can no longer be edited):
        later coverage of its events is dropped for the chat. Returns the rows newly muted."""
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(Delivery)
                .where(_message(chat_id, message_id), Delivery.muted_at.is_(None))
                .values(muted_at=now)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    async def retry_at(self, ids: Sequence[int], at: datetime, error: str) -> None:
        """Try the edit again at ``at``: the lease stays, with no owner, until then."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(Delivery)
                .where(Delivery.id.in_(list(ids)))
                .values(lease_until=at, lease_owner=None, last_error=error[:500])
            )


def _is_free(row: Delivery, now: datetime) -> bool:
    return row.lease_until is None or row.lease_until < now
