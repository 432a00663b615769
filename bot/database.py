"""Open the configured database, migrated to head, for the length of a command."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import SQLAlchemyError

from bot.errors import C5watchError
from storage.db import SessionFactory, create_engine, session_factory, upgrade_to_head


class DatabaseUnavailableError(C5watchError):
    pass


@asynccontextmanager
async def open_database(url: str) -> AsyncIterator[SessionFactory]:
    engine = create_engine(url)
    try:
        try:
            await upgrade_to_head(engine)
        except (SQLAlchemyError, OSError) as exc:
            reason = str(exc).splitlines()[0][:300]
            raise DatabaseUnavailableError(f"cannot open database: {reason}") from exc
        yield session_factory(engine)
    finally:
        await engine.dispose()
