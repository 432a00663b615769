"""The command line as a user runs it: a real subprocess, real database files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ENV_NAMES = ("BOT_TOKEN", "DATABASE_URL", "POLL_INTERVAL_SECONDS", "ADMIN_IDS", "LOG_LEVEL")


def c5watch(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_feeds_add_then_list_in_default_sqlite(tmp_path: Path) -> None:
    added = c5watch(tmp_path, "feeds", "add", "https://example.org/feed.xml")
    assert added.returncode == 0, added.stderr
    listed = c5watch(tmp_path, "feeds", "list")
    assert listed.returncode == 0, listed.stderr
    assert "https://example.org/feed.xml" in listed.stdout
    assert (tmp_path / "c5watch.db").exists()


def test_feeds_add_then_list_in_postgres(pg_database: str, tmp_path: Path) -> None:
    env = {"DATABASE_URL": pg_database}
    url = f"https://example.org/{tmp_path.name}.xml"
    assert c5watch(tmp_path, "feeds", "add", url, env=env).returncode == 0
    listed = c5watch(tmp_path, "feeds", "list", env=env)
    assert url in listed.stdout
    assert c5watch(tmp_path, "feeds", "remove", url, env=env).returncode == 0
    assert url not in c5watch(tmp_path, "feeds", "list", env=env).stdout


test_feeds_add_then_list_in_postgres = pytest.mark.postgres(test_feeds_add_then_list_in_postgres)


@pytest.mark.parametrize(
    "url", ["ftp://example.org/feed", "example.org/feed", "javascript:alert(1)"]
)
def test_non_http_url_is_refused_in_one_line(tmp_path: Path, url: str) -> None:
    result = c5watch(tmp_path, "feeds", "add", url)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "http" in result.stderr


def test_run_without_token_prints_one_clear_line(tmp_path: Path) -> None:
    result = c5watch(tmp_path, "run")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "BOT_TOKEN" in result.stderr


def test_bad_setting_exits_2_with_one_line(tmp_path: Path) -> None:
    result = c5watch(tmp_path, "feeds", "list", env={"POLL_INTERVAL_SECONDS": "0"})
    assert result.returncode == 2
    assert "POLL_INTERVAL_SECONDS" in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_unknown_command_exits_2(tmp_path: Path) -> None:
    result = c5watch(tmp_path, "frobnicate")
    assert result.returncode == 2


def test_db_upgrade_creates_schema(tmp_path: Path) -> None:
    result = c5watch(
        tmp_path, "db", "upgrade", env={"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"}
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "x.db").exists()
