from __future__ import annotations

import argparse

from bot.config import Settings
from bot.database import open_database


async def upgrade(settings: Settings, args: argparse.Namespace) -> int:
    async with open_database(settings.database_url):
        print("database is at the newest schema")
    return 0
