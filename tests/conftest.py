"""Shared fixtures: a real database per test, SQLite always, PostgreSQL when reachable.

``db_url`` is parametrised over both backends.  The PostgreSQL case carries
the ``postgres`` marker; it skips, saying why, when no server answers, unless
``C5WATCH_REQUIRE_POSTGRES=1`` (set by .ci/run) turns that into a failure.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from storage.db import SessionFactory, create_engine, session_factory, upgrade_to_head
from tests.pg import create_database, drop_database, pg_unavailable, truncate_all


def _run(coro: object) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (migrating per test is slower)."""
    path = tmp_path_factory.mktemp("template") / "template.db"

    async def build() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await upgrade_to_head(engine)
        await engine.dispose()

    _run(build())
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, migrated to head, dropped afterwards."""
    reason = _run(pg_unavailable())
    if reason:
        if os.environ.get("C5WATCH_REQUIRE_POSTGRES") == "1":
            pytest.fail(str(reason))
        pytest.skip(str(reason))
    url = str(_run(create_database()))
    try:
        yield url
    finally:
        _run(drop_database(url))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database URL: SQLite file under tmp_path, or PostgreSQL."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "c5watch.db"
        shutil.copy(template, target)
        yield f"sqlite+aiosqlite:///{target}"
    else:
        url: str = request.getfixturevalue("pg_database")
        _run(truncate_all(url))
        yield url


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator[SessionFactory]:
    engine = create_engine(db_url)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()
