"""Digest runs: one per chat and local day, claimed under a lease, resumable part by part."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from storage.db import SessionFactory
from storage.models import Chat, DeliveryMode, DigestRun, DigestStatus, Match
from storage.repositories.matches import StoryView, load_story_views

_PENDING = DigestStatus.PENDING.value
_DONE = (DigestStatus.SENT.value, DigestStatus.EMPTY.value)


@dataclass(frozen=True, slots=True)
class ChatForDigest:
    id: int
    type: str
    language: str
    timezone: str
    digest_minute: int
    empty_note: bool


@dataclass(frozen=True, slots=True)
class DigestEntry:
    story: StoryView
    why: dict[str, Any]
    score: float
    matched_at: datetime


@dataclass(frozen=True, slots=True)
class DigestClaim:
    run_id: int
    chat: ChatForDigest
    local_date: date
    parts_sent: int
    entries: tuple[DigestEntry, ...]
    attempts: int = 1  # claims of this run so far, this one included


@dataclass(frozen=True, slots=True)
class RunState:
    status: str
    lease_until: datetime | None


def _chat(c: Chat) -> ChatForDigest:
    return ChatForDigest(c.id, c.type, c.language, c.timezone, c.digest_minute, c.digest_empty_note)


class DigestRepository:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    async def digest_chats(self) -> list[ChatForDigest]:
        """Active chats that asked for a daily digest."""
        modes = (DeliveryMode.DIGEST.value, DeliveryMode.BOTH.value)
        async with self._sessions() as session:
            rows = await session.scalars(
                select(Chat).where(
                    Chat.mode.in_(modes), Chat.active.is_(True), Chat.blocked.is_(False)
                )
            )
            return [_chat(c) for c in rows]

    async def get_chat(self, chat_id: int) -> ChatForDigest | None:
        async with self._sessions() as session:
            chat = await session.get(Chat, chat_id)
            return _chat(chat) if chat else None

    async def runs_on(self, dates: Iterable[date]) -> dict[tuple[int, date], RunState]:
        async with self._sessions() as session:
            rows = await session.execute(
                select(
                    DigestRun.chat_id, DigestRun.local_date, DigestRun.status, DigestRun.lease_until
                ).where(DigestRun.local_date.in_(sorted(set(dates))))
            )
            return {(c, d): RunState(s, lease) for c, d, s, lease in rows}

    async def since(self, chat_id: int, now: datetime, window: timedelta) -> datetime:
        """Where the next digest starts: the last finished one, at most ``window`` back."""
        async with self._sessions() as session:
            last = await session.scalar(
                select(func.max(DigestRun.created_at)).where(
                    DigestRun.chat_id == chat_id, DigestRun.status.in_(_DONE)
                )
            )
        floor = now - window
        return max(last, floor) if last else floor

    async def claim(
        self,
        chat: ChatForDigest,
        local_date: date,
        now: datetime,
        *,
        owner: str,
        lease: timedelta,
        window: timedelta,
    ) -> DigestClaim | None:
        """Start the chat's digest for ``local_date``, or take over one whose lease expired.

        A new run takes the chat's undigested matches in the same transaction, so a resumed
        run sends exactly what the first attempt composed.
        """
        since = await self.since(chat.id, now, window)
        try:
            async with self._sessions() as session, session.begin():
                run = DigestRun(
                    chat_id=chat.id,
                    local_date=local_date,
                    status=_PENDING,
                    lease_until=now + lease,
                    lease_owner=owner,
                    parts_sent=0,
                    stories_count=0,
                    attempts=1,
                    created_at=now,
                )
                session.add(run)
                await session.flush()
                await session.execute(
                    update(Match)
                    .where(
                        Match.chat_id == chat.id,
                        Match.digest_run_id.is_(None),
                        Match.matched_at > since,
                        Match.matched_at <= now,
                    )
                    .values(digest_run_id=run.id)
                )
                run_id, parts, attempts = run.id, 0, 1
        except IntegrityError:
            async with self._sessions() as session, session.begin():
                free = (DigestRun.lease_until.is_(None)) | (DigestRun.lease_until < now)
                result = await session.execute(
                    update(DigestRun)
                    .where(
                        DigestRun.chat_id == chat.id,
                        DigestRun.local_date == local_date,
                        DigestRun.status == _PENDING,
                        free,
                    )
                    .values(
                        lease_until=now + lease,
                        lease_owner=owner,
                        attempts=DigestRun.attempts + 1,
                    )
                    .returning(DigestRun.id, DigestRun.parts_sent, DigestRun.attempts)
                )
                found = result.first()
                if found is None:
                    return None
                run_id, parts, attempts = found
        entries = tuple(await self.entries(run_id))
        return DigestClaim(run_id, chat, local_date, parts, entries, attempts)

    async def entries(self, run_id: int) -> list[DigestEntry]:
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(Match.story_id, Match.why, Match.score, Match.matched_at).where(
                        Match.digest_run_id == run_id
                    )
                )
            ).all()
            views = await load_story_views(session, [r[0] for r in rows])
        return [DigestEntry(views[s], w, sc, at) for s, w, sc, at in rows if s in views]

    async def preview(self, chat_id: int, now: datetime, window: timedelta) -> list[DigestEntry]:
        """What the chat's next digest would hold now (nothing is claimed)."""
        since = await self.since(chat_id, now, window)
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(Match.story_id, Match.why, Match.score, Match.matched_at).where(
                        Match.chat_id == chat_id,
                        Match.digest_run_id.is_(None),
                        Match.matched_at > since,
                        Match.matched_at <= now,
                    )
                )
            ).all()
            views = await load_story_views(session, [r[0] for r in rows])
        return [DigestEntry(views[s], w, sc, at) for s, w, sc, at in rows if s in views]

    async def part_sent(self, run_id: int, parts_sent: int, error: str | None = None) -> None:
        """``parts_sent`` parts are done; ``error``: the last of them was given up on."""
        values: dict[str, object] = {"parts_sent": parts_sent}
        if error is not None:
            values["last_error"] = error[:500]
        async with self._sessions() as session, session.begin():
            await session.execute(update(DigestRun).where(DigestRun.id == run_id).values(values))

    async def finish(self, run_id: int, status: str, now: datetime, stories: int) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(DigestRun)
                .where(DigestRun.id == run_id)
                .values(
                    status=status,
                    sent_at=now,
                    stories_count=stories,
                    lease_until=None,
                    lease_owner=None,
                )
            )

    async def postpone(self, run_id: int, until: datetime, error: str) -> None:
        """Leave the run pending; it may be taken again once ``until`` has passed."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(DigestRun)
                .where(DigestRun.id == run_id)
                .values(lease_until=until, lease_owner=None, last_error=error[:500])
            )
