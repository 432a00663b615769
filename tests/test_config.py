from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.errors import ConfigError
from bot.logs import RedactSecrets

TOKEN = "123456:AAE-secret-token-value"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "BOT_TOKEN",
        "TELEGRAM_API_URL",
        "DATABASE_URL",
        "POLL_INTERVAL_SECONDS",
        "ADMIN_IDS",
        "DEFAULT_TIMEZONE",
        "LOG_LEVEL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_match_the_contract() -> None:
    s = load_settings()
    assert s.bot_token is None
    assert s.telegram_api_url == "https://api.telegram.org"
    assert s.database_url == "sqlite+aiosqlite:///./c5watch.db"
    assert s.poll_interval_seconds == 300
    assert s.admin_ids == frozenset()
    assert s.default_timezone == "Asia/Almaty"
    assert s.log_level == "INFO"


def test_environment_wins_over_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("POLL_INTERVAL_SECONDS=60\nADMIN_IDS=7\nLOG_LEVEL=debug\n")
    monkeypatch.setenv("POLL_INTERVAL_SECONDS", "1")
    s = load_settings()
    assert s.poll_interval_seconds == 1
    assert s.admin_ids == frozenset({7})
    assert s.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("POLL_INTERVAL_SECONDS", "0"),
        ("POLL_INTERVAL_SECONDS", "soon"),
        ("ADMIN_IDS", "12,abc"),
        ("DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("LOG_LEVEL", "LOUD"),
        ("DATABASE_URL", "sqlite:///sync.db"),
        ("TELEGRAM_API_URL", "ftp://example.org"),
    ],
)
def test_invalid_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    message = str(err.value)
    assert name in message
    assert "\n" not in message


def test_token_is_redacted_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    s = load_settings()
    assert TOKEN not in repr(s)
    assert TOKEN not in str(s.model_dump())
    assert s.require_token() == TOKEN


def test_missing_token_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="BOT_TOKEN"):
        load_settings().require_token()


def test_log_filter_scrubs_token_from_message_args_and_traceback() -> None:
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "calling %s", (f"https://h/bot{TOKEN}/getMe",), None
    )
    try:
        raise RuntimeError(f"failed https://h/bot{TOKEN}/sendMessage")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    RedactSecrets([TOKEN]).filter(record)
    assert TOKEN not in record.getMessage()
    assert record.exc_text is not None and TOKEN not in record.exc_text
    assert "***" in record.getMessage()


@pytest.mark.parametrize("padding", ["\n", " ", "\r\n", "\t ", " \n"])
def test_token_with_whitespace_around_is_used_stripped(
    monkeypatch: pytest.MonkeyPatch, padding: str
) -> None:
    monkeypatch.setenv("BOT_TOKEN", f"{padding}{TOKEN}{padding}")
    assert load_settings().require_token() == TOKEN


def test_token_read_from_env_file_with_trailing_spaces(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"BOT_TOKEN='{TOKEN}  '\n")
    assert load_settings().require_token() == TOKEN


def test_token_with_whitespace_inside_is_refused_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:AAE-secret token-value")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert "BOT_TOKEN" in str(err.value) and "secret" not in str(err.value)


@pytest.mark.parametrize(
    "written",
    [
        TOKEN,
        TOKEN + "\n",
        "123456%3AAAE-secret-token-value",  # URL-encoded, as a URL in an error quotes it
        "123456%3aAAE-secret-token-value",
        "123456%3AAAE-secret-token-value%0A",
        "AAE-secret-token-value",  # the secret half alone
    ],
)
def test_log_filter_scrubs_every_form_of_a_token_given_with_a_newline(written: str) -> None:
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "GET https://h/bot%s/getUpdates failed", (written,), None
    )
    RedactSecrets([TOKEN + "\n"]).filter(record)
    assert "secret-token" not in record.getMessage()
    assert record.getMessage().startswith("GET https://h/bot***")


def test_feed_credentials_are_masked_in_log_lines() -> None:
    record = logging.LogRecord(
        "bot.ingest.poller", logging.WARNING, __file__, 1,
        "feed %s failed: %s", ("http://user:pa55@h.kz/rss", "HTTPS://u:p@h.kz/a"), None,
    )  # fmt: skip
    RedactSecrets([]).filter(record)
    assert "pa55" not in record.getMessage() and "u:p@" not in record.getMessage()
    assert "h.kz/rss" in record.getMessage()
