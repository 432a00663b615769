"""Fixtures for the multi-process tests: an empty PostgreSQL database and a work directory."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.pg import truncate_all


@pytest.fixture
def scale_db(pg_database: str) -> str:
    """The session's PostgreSQL database, emptied (the shared send budget included)."""
    asyncio.run(truncate_all(pg_database))
    return pg_database


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """Where the processes run (no .env there) and write their logs."""
    path = tmp_path / "run"
    path.mkdir()
    return path
