"""Keyword rules and their drafts (a checked rule waiting for its "Save" button)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import SessionFactory
from storage.models import KeywordDraft, KeywordRule


@dataclass(frozen=True, slots=True)
class RuleInfo:
    id: int
    chat_id: int
    query: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DraftInfo:
    id: int
    chat_id: int
    query: str
    created_at: datetime


class SaveStatus(StrEnum):
    SAVED = "saved"
    DUPLICATE = "duplicate"
    LIMIT = "limit"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class SaveOutcome:
    status: SaveStatus
    rule: RuleInfo | None = None
    number: int = 0  # the rule's 1-based place in the chat's list


def _rule(row: KeywordRule) -> RuleInfo:
    return RuleInfo(id=row.id, chat_id=row.chat_id, query=row.query, created_at=row.created_at)


class RuleRepository:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    async def list(self, chat_id: int) -> list[RuleInfo]:
        """The chat's rules in the order they were added (their numbers in /keywords)."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(KeywordRule).where(KeywordRule.chat_id == chat_id).order_by(KeywordRule.id)
            )
            return [_rule(r) for r in rows]

    async def count(self, chat_id: int) -> int:
        async with self._sessions() as session:
            found = await session.scalar(
                select(func.count()).select_from(KeywordRule).where(KeywordRule.chat_id == chat_id)
            )
            return int(found or 0)

    async def exists(self, chat_id: int, query: str) -> bool:
        async with self._sessions() as session:
            found = await session.scalar(
                select(KeywordRule.id).where(
                    KeywordRule.chat_id == chat_id, KeywordRule.query == query
                )
            )
            return found is not None

    async def create_draft(
        self, chat_id: int, query: str, *, now: datetime, keep_after: datetime
    ) -> int:
        """Store a draft and drop this chat's drafts older than ``keep_after``."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                delete(KeywordDraft).where(
                    KeywordDraft.chat_id == chat_id, KeywordDraft.created_at < keep_after
                )
            )
            draft = KeywordDraft(chat_id=chat_id, query=query, created_at=now)
            session.add(draft)
            await session.flush()
            return draft.id

    async def get_draft(self, draft_id: int) -> DraftInfo | None:
        async with self._sessions() as session:
            row = await session.get(KeywordDraft, draft_id)
            if row is None:
                return None
            return DraftInfo(row.id, row.chat_id, row.query, row.created_at)

    async def discard_draft(self, chat_id: int, draft_id: int) -> bool:
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                delete(KeywordDraft).where(
                    KeywordDraft.id == draft_id, KeywordDraft.chat_id == chat_id
                )
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def save_draft(
        self, chat_id: int, draft_id: int, *, now: datetime, max_rules: int
    ) -> SaveOutcome:
        """Turn the chat's draft into a rule, within the per-chat limit; the draft is used up.

        The draft is deleted and the rule stored in one transaction, so of two presses of the
        same Save button one takes the draft and the other waits for it, then finds the rule:
        both answer "saved" with the same number.
        """
        async with self._sessions() as session:
            draft = await session.get(KeywordDraft, draft_id)
            if draft is None or draft.chat_id != chat_id:
                return SaveOutcome(SaveStatus.MISSING)
            query = draft.query
            await session.rollback()
            try:
                async with session.begin():
                    taken = await session.execute(
                        delete(KeywordDraft).where(
                            KeywordDraft.id == draft_id, KeywordDraft.chat_id == chat_id
                        )
                    )
                    if taken.rowcount:  # type: ignore[attr-defined]
                        return await self._insert(session, chat_id, query, now, max_rules)
            except IntegrityError:
                pass
        found = await self._existing(chat_id, query)
        if found.rule is None:
            return found
        return SaveOutcome(SaveStatus.SAVED, found.rule, found.number)

    async def add(self, chat_id: int, query: str, *, now: datetime, max_rules: int) -> SaveOutcome:
        """Save a checked rule unless it is a duplicate or the chat is at its limit."""
        async with self._sessions() as session:
            try:
                async with session.begin():
                    return await self._insert(session, chat_id, query, now, max_rules)
            except IntegrityError:
                pass
        # A concurrent save of the same rule won the unique key: report the rule it stored.
        return await self._existing(chat_id, query)

    async def _insert(
        self, session: AsyncSession, chat_id: int, query: str, now: datetime, max_rules: int
    ) -> SaveOutcome:
        mine = KeywordRule.chat_id == chat_id
        ids = list(
            await session.scalars(select(KeywordRule.id).where(mine).order_by(KeywordRule.id))
        )
        same = await session.scalar(
            select(KeywordRule).where(KeywordRule.chat_id == chat_id, KeywordRule.query == query)
        )
        if same is not None:
            return SaveOutcome(SaveStatus.DUPLICATE, _rule(same), ids.index(same.id) + 1)
        if len(ids) >= max_rules:
            return SaveOutcome(SaveStatus.LIMIT)
        row = KeywordRule(chat_id=chat_id, query=query, created_at=now)
        session.add(row)
        await session.flush()
        return SaveOutcome(SaveStatus.SAVED, _rule(row), number=len(ids) + 1)

    async def _existing(self, chat_id: int, query: str) -> SaveOutcome:
        rules = await self.list(chat_id)
        for number, rule in enumerate(rules, 1):
            if rule.query == query:
                return SaveOutcome(SaveStatus.DUPLICATE, rule, number)
        return SaveOutcome(SaveStatus.MISSING)

    async def remove(self, chat_id: int, rule_id: int) -> RuleInfo | None:
        """Remove one of the chat's rules by id; None if the chat has no such rule."""
        async with self._sessions() as session, session.begin():
            row = await session.get(KeywordRule, rule_id)
            if row is None or row.chat_id != chat_id:
                return None
            info = _rule(row)
            await session.delete(row)
            return info

    async def remove_number(self, chat_id: int, number: int) -> RuleInfo | None:
        """Remove the rule listed as ``number`` (1-based) in /keywords."""
        rules = await self.list(chat_id)
        if not 1 <= number <= len(rules):
            return None
        return await self.remove(chat_id, rules[number - 1].id)
