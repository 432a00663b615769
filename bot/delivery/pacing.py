"""SendPacer: the overall, per-chat and per-group send rates, kept on our side of the wire.

Telegram counts messages in sliding windows at the moment it receives them, which we cannot
see: a request is received somewhere between the moment we start it and the moment its answer
arrives. So the pacer counts a message from the start of its send until one window after its
answer. Counted that way, no window Telegram can observe holds more than the limit, whatever
the latency and its jitter: a 429 is not merely unlikely but excluded while this process is
the bot's only sender. Sends are also spaced evenly (no burst after idle time).

    async with pacer.slot(chat_id, is_group=False):
        await bot.send_message(...)
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

Sleep = Callable[[float], Awaitable[None]]
# Reserves the next send slot in a budget shared with other processes; returns its wall-clock
# time (seconds since the epoch). See storage.repositories.ratelimit.
SharedSlot = Callable[[], Awaitable[float]]
# Slots shared across processes are spaced for this share of the limit. Telegram counts
# requests as they arrive, and a process can start its request late (a busy event loop, a
# descheduled process on a loaded host): evenly reserved slots then arrive bunched, and at the
# full rate three workers drew about 12 × 429 in 1,000 messages. The margin absorbs 0.1 s of
# such lateness in every second; one process alone needs none (see SendPacer).
SHARED_RATE_SHARE = 0.9

WINDOW = 1.0  # seconds over which Telegram counts the overall rate
BUSY_WAIT = 0.005  # when every counted send is still in flight


class SendPacer:
    def __init__(
        self,
        *,
        global_per_second: float = 30.0,
        chat_per_second: float = 1.0,
        group_per_minute: float = 20.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        shared: SharedSlot | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._limit = max(1, int(global_per_second * WINDOW))
        self._gap = 1.0 / global_per_second
        self._chat_gap = 1.0 / chat_per_second
        self._group_gap = 60.0 / group_per_minute
        self._monotonic = monotonic
        self._sleep = sleep
        self._next_global = 0.0
        self._done: deque[float] = deque()
        self._in_flight = 0
        self._busy_chats: set[int] = set()
        self._next_chat: dict[int, float] = {}
        self._shared = shared
        self._wall = wall

    @asynccontextmanager
    async def slot(self, chat_id: int, *, is_group: bool) -> AsyncIterator[None]:
        """Wait until a message to ``chat_id`` may go, and count it while it is sent."""
        await self._acquire(chat_id)
        try:
            if self._shared is not None:
                # Several worker processes: the global rate is a budget they share.
                delay = await self._shared() - self._wall()
                if delay > 0:
                    await self._sleep(delay)
            yield
        finally:
            now = self._monotonic()
            self._in_flight -= 1
            self._done.append(now)
            self._busy_chats.discard(chat_id)
            gap = self._group_gap if is_group else self._chat_gap
            self._next_chat[chat_id] = max(self._next_chat.get(chat_id, 0.0), now + gap)

    async def _acquire(self, chat_id: int) -> None:
        while True:
            now = self._monotonic()
            wait = max(
                self._next_global - now,
                self._next_chat.get(chat_id, 0.0) - now,
                BUSY_WAIT if chat_id in self._busy_chats else 0.0,
                self._window_wait(now),
            )
            if wait <= 0:
                break
            await self._sleep(wait)
        # Checked and counted with no await in between: concurrent senders never share a slot.
        self._next_global = now + self._gap
        self._in_flight += 1
        self._busy_chats.add(chat_id)
        if len(self._next_chat) > 50_000:
            self._next_chat = {c: t for c, t in self._next_chat.items() if t > now}

    def _window_wait(self, now: float) -> float:
        done = self._done
        while done and done[0] <= now - WINDOW:
            done.popleft()
        if self._in_flight + len(done) < self._limit:
            return 0.0
        if len(done) > self._in_flight + len(done) - self._limit:
            return max(done[0] + WINDOW - now, 1e-4)
        return BUSY_WAIT

    def hold(self, chat_id: int, seconds: float) -> None:
        """Telegram asked us to wait (429): nothing to this chat for ``seconds``, and a pause."""
        now = self._monotonic()
        self._next_chat[chat_id] = max(self._next_chat.get(chat_id, 0.0), now + seconds)
        self._next_global = max(self._next_global, now + min(seconds, 1.0))
