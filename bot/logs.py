"""Logging set-up with the bot token scrubbed from every record."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from urllib.parse import quote, quote_plus

from bot.ingest.urls import mask_credentials

# The part of a bot token after "id:" is the secret; shorter strings are not scrubbed alone,
# so that a stray match cannot mask ordinary words.
MIN_SECRET_PART = 16
_PERCENT = re.compile(r"%[0-9A-F]{2}")


def secret_forms(secret: str) -> list[str]:
    """Every way ``secret`` may be written in a log line: as given, stripped, URL-encoded,
    and a bot token's secret half on its own. Longest first, so a longer form is masked whole.
    """
    forms: set[str] = set()
    for text in (secret, secret.strip()):
        if not text:
            continue
        forms.update({text, quote(text, safe=""), quote(text), quote_plus(text)})
        forms.update(_PERCENT.sub(lambda m: m[0].lower(), form) for form in list(forms))
        _, colon, tail = text.strip().partition(":")
        if colon and len(tail) >= MIN_SECRET_PART:
            forms.update({tail, quote(tail, safe="")})
    return sorted((f for f in forms if f.strip()), key=len, reverse=True)


class RedactSecrets(logging.Filter):
    """Replaces each secret, in every form it can take, with a mask in the formatted message,
    its args and its traceback."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        forms = {form for s in secrets if s for form in secret_forms(s)}
        self._secrets = sorted(forms, key=len, reverse=True)

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return mask_credentials(text)  # user:password@ in feed URLs

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = self._scrub(message)
        record.args = None
        if record.exc_text:
            record.exc_text = self._scrub(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(
    level: str, secrets: list[str] | None = None, *, json_lines: bool = False
) -> None:
    handler = logging.StreamHandler()
    if json_lines:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets or []))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiogram logs every update at INFO; the bot's own lines are what operators need.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
