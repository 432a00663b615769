"""Taking over the work of a process that died holding leases.

Every claim (feeds, outbox rows, digest runs) carries a lease with an owner
``host:pid:token``. Any lease simply expires, so another process (on any host)
takes the work over in time; a process that can see the owner is gone (same
host, pid no longer alive) frees the lease at once instead of waiting.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.delivery import dead_here
from storage.db import SessionFactory
from storage.repositories.deliveries import DeliveryRepository
from storage.repositories.feeds import FeedRepository

log = logging.getLogger(__name__)


class LeaseReaper:
    def __init__(self, sessions: SessionFactory) -> None:
        self._outbox = DeliveryRepository(sessions)
        self._feeds = FeedRepository(sessions)

    async def run_once(self, now: datetime) -> int:
        """Free the leases of dead processes on this host; returns how many owners were freed."""
        owners = await self._outbox.lease_owners(now) | await self._feeds.lease_owners(now)
        dead = sorted(o for o in owners if dead_here(o))
        if dead:
            await self._outbox.release_leases(dead)
            await self._feeds.release_owners(dead, now=now)
            log.info("took over the work of %d stopped process(es)", len(dead))
        return len(dead)
