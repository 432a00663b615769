"""`c5watch digest preview CHAT_ID`: the digest a chat would receive now, printed, not sent."""

from __future__ import annotations

import argparse

from bot.clock import utc_now
from bot.config import Settings
from bot.database import open_database
from bot.delivery import DigestComposer
from bot.delivery._text import to_terminal, zone
from bot.delivery.digests import DIGEST_WINDOW
from bot.errors import UsageError
from storage.repositories.digests import DigestRepository


async def preview(settings: Settings, args: argparse.Namespace) -> int:
    chat_id: int = args.chat_id
    async with open_database(settings.database_url) as sessions:
        repo = DigestRepository(sessions)
        chat = await repo.get_chat(chat_id)
        if chat is None:
            raise UsageError(f"no such chat: {chat_id}")
        now = utc_now()
        entries = await repo.preview(chat_id, now, DIGEST_WINDOW)
    composer = DigestComposer()
    local_date = now.astimezone(zone(chat.timezone, settings.default_timezone)).date()
    parts = composer.compose(
        entries, timezone=chat.timezone, language=chat.language, local_date=local_date
    )
    if not parts:
        if not chat.empty_note:
            print(f"chat {chat_id}: nothing matched since its last digest; no digest would be sent")
            return 0
        parts = [composer.empty_note(language=chat.language, local_date=local_date)]
    for n, part in enumerate(parts, 1):
        if len(parts) > 1:
            print(f"--- message {n} of {len(parts)} ---")
        print(part if args.html else to_terminal(part))
    return 0
