"""Placing items read in order, forgetting old events as the running bot does.

The bot calls ``EventGrouper.expire(now - grouper.horizon)`` on every placing tick; a reader of
items (``c5watch events``, the evaluator) has no clock, so the newest publication date seen
stands for ``now``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.events.grouping import EventGrouper, EventItem

# How far the newest item must move on before old events are forgotten again.
EXPIRE_STEP = timedelta(hours=1)


class StreamPlacer:
    """Places items one by one in the order given and expires events behind them."""

    def __init__(self, grouper: EventGrouper | None = None) -> None:
        self.grouper = grouper if grouper is not None else EventGrouper()
        self._newest: datetime | None = None
        self._expired_at: datetime | None = None

    def place(self, item: EventItem) -> str:
        newest = item.published if self._newest is None else max(self._newest, item.published)
        self._newest = newest
        if self._expired_at is None or newest - self._expired_at >= EXPIRE_STEP:
            self.grouper.expire(newest - self.grouper.horizon)
            self._expired_at = newest
        return self.grouper.place(item)
