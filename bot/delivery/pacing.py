"""SendPacer: token buckets (depth one) for the overall, per-chat and per-group send rates.

Each send reserves the next free slot of the overall bucket and of its chat's bucket, then
waits for it. A slot is reserved without awaiting in between, so concurrent senders never
share one. Depth one means no burst after idle time: Telegram counts messages in a sliding
window, and a burst followed by a steady rate would overflow it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]


class SendPacer:
    def __init__(
        self,
        *,
        global_per_second: float = 30.0,
        chat_per_second: float = 1.0,
        group_per_minute: float = 20.0,
        headroom: float = 0.98,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._global_gap = 1.0 / (global_per_second * headroom)
        self._chat_gap = 1.0 / (chat_per_second * headroom)
        self._group_gap = 60.0 / (group_per_minute * headroom)
        self._monotonic = monotonic
        self._sleep = sleep
        self._next_global = 0.0
        self._next_chat: dict[int, float] = {}

    async def acquire(self, chat_id: int, *, is_group: bool) -> None:
        """Wait until a message to ``chat_id`` may be sent, and count it."""
        while True:
            now = self._monotonic()
            ready = self._next_chat.get(chat_id, 0.0)
            if ready <= now:
                break
            await self._sleep(ready - now)
        slot = max(now, self._next_global)
        self._next_global = slot + self._global_gap
        self._next_chat[chat_id] = max(self._next_chat.get(chat_id, 0.0), slot) + (
            self._group_gap if is_group else self._chat_gap
        )
        if len(self._next_chat) > 50_000:
            self._forget_idle(now)
        if slot > now:
            await self._sleep(slot - now)

    def hold(self, chat_id: int, seconds: float) -> None:
        """Telegram asked us to wait (429): nothing to this chat for ``seconds``, and a pause."""
        now = self._monotonic()
        self._next_chat[chat_id] = max(self._next_chat.get(chat_id, 0.0), now + seconds)
        self._next_global = max(self._next_global, now + min(seconds, 1.0))

    def _forget_idle(self, now: float) -> None:
        self._next_chat = {c: t for c, t in self._next_chat.items() if t > now}
