from __future__ import annotations

import asyncio
import logging

import pytest

from bot.delivery._workers import run_each


async def test_every_job_runs_once_within_the_bound_and_a_failure_stops_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    done: list[int] = []
    running = peak = 0

    async def handle(job: int) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1
        if job == 3:
            raise RuntimeError("boom")
        done.append(job)

    log = logging.getLogger("test.workers")
    with caplog.at_level(logging.ERROR, logger="test.workers"):
        await run_each(list(range(10)), handle, concurrency=3, log=log, failure="job %s failed")

    assert sorted(done) == [0, 1, 2, 4, 5, 6, 7, 8, 9]
    assert peak == 3
    assert "job 3 failed" in caplog.text


async def test_no_jobs_no_workers() -> None:
    async def handle(job: int) -> None:
        raise AssertionError("never called")

    await run_each([], handle, concurrency=4, log=logging.getLogger("x"), failure="%s")
