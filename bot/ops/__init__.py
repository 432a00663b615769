"""Operations: Prometheus metrics, health checks, the webhook endpoint, one aiohttp server."""

from bot.ops.http import OpsServer, build_ops_app
from bot.ops.metrics import Metrics

__all__ = ["Metrics", "OpsServer", "build_ops_app"]
