"""The operations HTTP server: /metrics, /healthz and, in webhook mode, the webhook."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.ops.metrics import Metrics

log = logging.getLogger(__name__)

HealthCheck = Callable[[], Awaitable[None]]
Refresh = Callable[[], Awaitable[None]]


def build_ops_app(metrics: Metrics, health: HealthCheck, refresh: Refresh) -> web.Application:
    async def metrics_view(_request: web.Request) -> web.Response:
        try:
            await refresh()
        except Exception as exc:  # a scrape must still answer with what it has
            log.warning("metrics: database snapshot failed: %s", exc)
        return web.Response(body=metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def healthz_view(_request: web.Request) -> web.Response:
        try:
            await health()
        except Exception as exc:
            return web.json_response({"status": "fail", "database": str(exc)[:200]}, status=503)
        return web.json_response({"status": "ok", "database": "ok"})

    app = web.Application()
    app.router.add_get("/metrics", metrics_view)
    app.router.add_get("/healthz", healthz_view)
    return app


class OpsServer:
    """Runs an aiohttp application on host:port until ``close``."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self._runner = web.AppRunner(app, access_log=None)
        self._host = host
        self._port = port
        self.bound_port: int | None = None

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.bound_port = sockets[0].getsockname()[1] if sockets else self._port
        log.info("HTTP server on %s:%s (/metrics, /healthz)", self._host, self.bound_port)

    async def close(self) -> None:
        await self._runner.cleanup()
