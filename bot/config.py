"""Typed settings, read once from the environment and `.env`.

Environment variables take precedence over `.env`.  The token is a
``SecretStr``: it never appears in a repr, a log line or an error message.
"""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.errors import ConfigError
from bot.ingest.netguard import parse_networks

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    database_url: str = "sqlite+aiosqlite:///./c5watch.db"
    poll_interval_seconds: int = Field(default=300, ge=1)
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_timezone: str = "Asia/Almaty"
    log_level: str = "INFO"
    telegram_web_url: str = "https://t.me"
    # Inside networks that /addfeed may nonetheless reach (a private deployment's own servers).
    addfeed_allow_networks: str = ""

    # Operations (see README "Deployment").
    log_format: Literal["text", "json"] = "text"
    http_host: str = "127.0.0.1"
    http_port: int | None = Field(default=None, ge=0, le=65535)
    webhook_secret: SecretStr | None = None

    # Knobs beyond the documented contract, with defaults that suit one process.
    fetch_concurrency: int = Field(default=100, ge=1, le=500)
    fetch_per_host: int = Field(default=2, ge=1, le=50)
    fetch_timeout_seconds: float = Field(default=30.0, gt=0)
    fetch_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    retention_days: int = Field(default=90, ge=1)
    send_rate_global: float = Field(default=30.0, gt=0)
    send_rate_per_chat: float = Field(default=1.0, gt=0)
    send_rate_per_group_per_minute: float = Field(default=20.0, gt=0)
    # What one chat may cost (see bot/middlewares/throttle.py).
    chat_update_burst: int = Field(default=8, ge=1)
    chat_updates_per_second: float = Field(default=0.5, gt=0)
    update_concurrency: int = Field(default=8, ge=1)

    @field_validator("bot_token", mode="before")
    @classmethod
    def _bare_token(cls, value: object) -> object:
        # Env files and mounted secrets often leave a newline or spaces around the token; the
        # token is used stripped, so the log scrubber must look for the stripped form too.
        if isinstance(value, str | SecretStr):
            raw = value.get_secret_value() if isinstance(value, SecretStr) else value
            token = raw.strip()
            if any(ch.isspace() or not ch.isprintable() for ch in token):
                raise ValueError(
                    "must be one word as @BotFather gives it (it holds spaces or control"
                    " characters inside)"
                )
            return token or None
        return value

    @field_validator("telegram_web_url")
    @classmethod
    def _web_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")

    @field_validator("addfeed_allow_networks")
    @classmethod
    def _networks(cls, value: str) -> str:
        parse_networks(value)
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must start with sqlite+aiosqlite:// or postgresql+asyncpg:// (async drivers)"
            )
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError:
                raise ValueError("must be comma-separated numeric Telegram user ids") from None
        return value

    @field_validator("default_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use Area/City, e.g. Asia/Almaty)"
            ) from None
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return upper

    def require_token(self) -> str:
        if self.bot_token is None:
            raise ConfigError("BOT_TOKEN is not set: put it in the environment or in .env")
        return self.bot_token.get_secret_value()


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, or a ConfigError naming the bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]).upper() if err["loc"] else "settings"
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"invalid setting {name}: {msg}") from None
