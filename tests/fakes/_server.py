"""Shared plumbing for the fake servers: an aiohttp app on 127.0.0.1:0.

A server runs either in the test's own event loop (``async with Server() as s``) or in a
background thread with its own loop (``s.start_in_thread()`` ... ``s.stop()``), the latter for
tests that drive a subprocess or synchronous code while the server must keep answering.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Self

from aiohttp import web

HOST = "127.0.0.1"


class BackgroundServer:
    """Base class: subclasses implement :meth:`_make_app` and may override :meth:`_on_close`."""

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # --- to be provided by subclasses -------------------------------------------------------
    def _make_app(self) -> web.Application:
        raise NotImplementedError

    async def _on_close(self) -> None:
        """Wake anything waiting inside request handlers before the runner shuts down."""

    # --- async mode ------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError(f"{type(self).__name__} is not running")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return f"http://{HOST}:{self.port}"

    @property
    def running(self) -> bool:
        return self._runner is not None

    async def start(self) -> str:
        """Start serving in the running loop; returns :attr:`base_url`."""
        if self._runner is not None:
            raise RuntimeError(f"{type(self).__name__} is already running")
        runner = web.AppRunner(
            self._make_app(), handle_signals=False, access_log=None, shutdown_timeout=0.5
        )
        await runner.setup()
        site = web.TCPSite(runner, HOST, 0)
        await site.start()
        self._runner = runner
        self._loop = asyncio.get_running_loop()
        address = runner.addresses[0]
        self._port = int(address[1])
        return self.base_url

    async def close(self) -> None:
        """Stop serving; safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        await self._on_close()
        await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # --- thread mode -----------------------------------------------------------------------
    def start_in_thread(self, timeout: float = 10.0) -> str:
        """Run the server in a daemon thread with its own event loop; returns :attr:`base_url`."""
        if self._thread is not None or self._runner is not None:
            raise RuntimeError(f"{type(self).__name__} is already running")
        loop = asyncio.new_event_loop()
        started = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:
                failure.append(exc)
                started.set()
                loop.close()
                return
            started.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        thread = threading.Thread(target=run, name=f"{type(self).__name__}-loop", daemon=True)
        thread.start()
        if not started.wait(timeout):
            raise TimeoutError(f"{type(self).__name__} did not start within {timeout} s")
        if failure:
            thread.join()
            raise failure[0]
        self._thread = thread
        return self.base_url

    def stop(self, timeout: float = 10.0) -> None:
        """Stop a server started with :meth:`start_in_thread`; safe to call twice."""
        thread, self._thread = self._thread, None
        loop = self._loop
        if thread is None or loop is None:
            return
        asyncio.run_coroutine_threadsafe(self.close(), loop).result(timeout)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)

    def __enter__(self) -> Self:
        self.start_in_thread()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- helpers for subclasses ------------------------------------------------------------
    def _call_in_loop(self, callback: Callable[[], None]) -> None:
        """Run ``callback()`` in the server's loop, from whatever thread we are on."""
        loop = self._loop
        if loop is None or loop.is_closed():
            callback()
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            callback()
        else:
            loop.call_soon_threadsafe(callback)
