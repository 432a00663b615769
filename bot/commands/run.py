from __future__ import annotations

import argparse

from bot.app import run_bot
from bot.config import Settings


async def run(settings: Settings, args: argparse.Namespace) -> int:
    settings.require_token()
    return await run_bot(settings)
