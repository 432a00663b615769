"""A rate limit shared by every process through the database (GCRA).

``reserve`` hands out ``n`` evenly spaced send slots in one atomic statement
sequence: each caller gets distinct slots, so N workers together never exceed
the rate.  Times are seconds since the epoch (floats) so the arithmetic is the
same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.db import SessionFactory
from storage.models import RateLimit


async def reserve(
    sessions: SessionFactory, key: str, *, rate: float, n: int, now: float
) -> list[float]:
    """Reserve ``n`` slots at ``rate`` per second; returns their start times (>= now).

    The caller waits until each slot's time before sending; slots never overlap
    with another caller's, whichever process it runs in.
    """
    if n <= 0:
        return []
    interval = 1.0 / rate
    async with sessions() as session, session.begin():
        dialect = session.bind.dialect.name if session.bind else "sqlite"
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        await session.execute(
            insert(RateLimit)
            .values(key=key, tat=0.0)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        # The insert above already took the write lock on SQLite (writers serialise there);
        # on PostgreSQL the row lock makes concurrent reservations queue.
        tat = await session.scalar(
            select(RateLimit.tat).where(RateLimit.key == key).with_for_update()
        )
        start = max(float(tat or 0.0), now)
        await session.execute(
            update(RateLimit).where(RateLimit.key == key).values(tat=start + n * interval)
        )
    return [start + i * interval for i in range(n)]
