"""A fixed number of workers over a list of jobs, where one failure never stops the rest."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


async def run_each(
    jobs: Sequence[T],
    handle: Callable[[T], Awaitable[None]],
    *,
    concurrency: int,
    log: logging.Logger,
    failure: str,
) -> None:
    """``await handle(job)`` for every job, at most ``concurrency`` at once, in order.

    A job that raises is logged with ``failure`` (formatted with the job) and the others go on:
    the work it stood for stays in the database, owed, for the next tick.
    """
    pending = iter(jobs)

    async def worker() -> None:
        for job in pending:  # one shared iterator: each job is taken by exactly one worker
            try:
                await handle(job)
            except Exception:  # a job boundary: log it, keep the others going
                log.exception(failure, job)

    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(jobs)))))
