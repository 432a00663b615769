"""PostgreSQL for tests: is a server there, and fresh migrated databases beside the admin one."""

from __future__ import annotations

import os
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db import create_engine, upgrade_to_head
from storage.models import Base

PG_ADMIN_URL = os.environ.get(
    "C5WATCH_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


async def pg_unavailable() -> str | None:
    """None when PostgreSQL answers, else why not (one line)."""
    engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return None
    except Exception as exc:  # any failure to connect means "not available"
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {str(exc).splitlines()[0][:120]}"
    finally:
        await engine.dispose()


async def admin(sql: str) -> None:
    engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


async def create_database(prefix: str = "c5watch_test") -> str:
    """A fresh database migrated to head; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    await admin(f'CREATE DATABASE "{name}"')
    url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    engine = create_engine(url)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()
    return url


async def drop_database(url: str) -> None:
    await admin(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


async def truncate_all(url: str) -> None:
    """Empty every table of the schema (faster than a new database per test)."""
    engine = create_async_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()
