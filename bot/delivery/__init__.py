"""Delivery: from new stories to alerts and digests in Telegram.

    MatchStage      stories never matched -> Match rows, and outbox rows for instant chats
    OutboxSender    outbox -> Telegram, within the rate limits, each row sent once
    DigestScheduler each chat's digest at its local time, once per local day
    AlertEditor     sent alerts whose story gained a source (a reprint) -> edited in place

Composers (AlertComposer, DigestComposer) are pure; TelegramGateway is the one place where
Telegram's errors are handled.
"""

from bot.delivery.compose import AlertComposer, ComposedMessage
from bot.delivery.digest import DigestComposer, digest_date_due
from bot.delivery.digests import DigestReport, DigestScheduler
from bot.delivery.editor import AlertEditor, EditReport
from bot.delivery.leases import dead_here, new_owner
from bot.delivery.matcher import Classifier, MatchReport, MatchStage
from bot.delivery.outbox import OutboxSender, SendReport
from bot.delivery.pacing import SendPacer
from bot.delivery.telegram import SendOutcome, TelegramGateway

__all__ = [
    "AlertComposer",
    "AlertEditor",
    "Classifier",
    "ComposedMessage",
    "DigestComposer",
    "DigestReport",
    "DigestScheduler",
    "EditReport",
    "MatchReport",
    "MatchStage",
    "OutboxSender",
    "SendOutcome",
    "SendPacer",
    "SendReport",
    "TelegramGateway",
    "dead_here",
    "digest_date_due",
    "new_owner",
]
