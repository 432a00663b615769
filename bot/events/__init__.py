"""Events: reports of one real-world happening, grouped across outlets and languages.

Pure like ``bot.matching`` (text in, event keys out): no database, no network, no Telegram.
"""

from bot.events.grouping import EventGrouper, EventItem

__all__ = ["EventGrouper", "EventItem"]
