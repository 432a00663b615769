from __future__ import annotations

import argparse

from bot.app import Role, run_bot
from bot.config import Settings
from bot.errors import UsageError


async def run(settings: Settings, args: argparse.Namespace) -> int:
    settings.require_token()
    webhook_url: str | None = args.webhook_url
    if webhook_url is not None and not webhook_url.startswith("https://"):
        raise UsageError(f"--webhook-url must be an https:// URL, got {webhook_url!r}")
    role = Role(args.role)
    if webhook_url and role is Role.WORKER:
        raise UsageError("--webhook-url serves Telegram updates; a worker does not read them")
    return await run_bot(settings, role=role, webhook_url=webhook_url)
