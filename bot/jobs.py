"""The scheduler: one APScheduler per process, each job a thin tick over a ``run_once(now)``.

Jobs keep no state of their own: what is due lives in the project's tables (feeds'
``next_poll_at``, stories' ``matched_at``, the outbox, digest runs), so a tick may be skipped,
repeated or run by a restarted process without harm. ``max_instances=1`` and ``coalesce=True``
make a slow tick delay the next one rather than overlap it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock

log = logging.getLogger(__name__)


class Tickable(Protocol):
    def run_once(self, now: datetime) -> Awaitable[Any]: ...


@dataclass(frozen=True, slots=True)
class JobSpec:
    """``job.run_once`` every ``seconds``; a truthy result wakes the job named ``wakes`` now."""

    name: str
    seconds: float
    job: Tickable
    wakes: str | None = None


def _tick(
    scheduler: AsyncIOScheduler, spec: JobSpec, clock: Clock
) -> Callable[[], Awaitable[None]]:
    async def tick() -> None:
        try:
            result = await spec.job.run_once(clock())
        except Exception:  # a job boundary: log, and the next tick tries again
            log.exception("job %s failed; it will run again", spec.name)
            return
        if spec.wakes and result:
            wake(scheduler, spec.wakes)

    return tick


def wake(scheduler: AsyncIOScheduler, name: str) -> None:
    """Run job ``name`` as soon as it is free, instead of at its next interval."""
    job = scheduler.get_job(name)
    if job is not None:
        job.modify(next_run_time=datetime.now(UTC))


def build_scheduler(specs: list[JobSpec], clock: Clock) -> AsyncIOScheduler:
    """An AsyncIOScheduler (not started) with an interval job per spec, first run at once."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    for spec in specs:
        scheduler.add_job(
            _tick(scheduler, spec, clock),
            "interval",
            seconds=spec.seconds,
            id=spec.name,
            name=spec.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC),
        )
    # A tick still running when the next is due is the normal case for a long drain.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    return scheduler
