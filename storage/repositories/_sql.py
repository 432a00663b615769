"""Small SQL helpers shared by the repositories."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_ignoring_duplicates(
    session: AsyncSession, table: Table, rows: list[dict[str, Any]]
) -> None:
    """INSERT ... ON CONFLICT DO NOTHING: a row a unique key already holds is skipped."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    await session.execute(module.insert(table).on_conflict_do_nothing(), rows)
