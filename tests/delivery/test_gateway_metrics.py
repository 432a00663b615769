"""Every send and edit through the gateway is counted by outcome for /metrics."""

from __future__ import annotations

from bot.delivery import SendPacer, TelegramGateway
from bot.delivery.telegram import Delivered
from bot.ops import Metrics
from tests.fakes.telegram_api import FakeTelegramServer


def count(metrics: Metrics, outcome: str) -> float:
    value = metrics.registry.get_sample_value("c5watch_telegram_sends_total", {"outcome": outcome})
    return value or 0.0


async def test_sends_and_edits_are_counted_by_outcome() -> None:
    metrics = Metrics()
    async with FakeTelegramServer(rate_limits=None) as tg:
        bot = tg.make_bot()
        try:
            pacer = SendPacer(global_per_second=1000, chat_per_second=1000)
            gateway = TelegramGateway(bot, pacer, metrics.record_send)
            sent = await gateway.send(5, "<b>Уран</b>", "Уран", is_group=False)
            assert isinstance(sent, Delivered)
            await gateway.edit(5, sent.message_id, "<b>Уран</b> +1", "Уран +1", is_group=False)
            await gateway.edit(5, sent.message_id, "<b>Уран</b> +1", "Уран +1", is_group=False)
            tg.block(6)
            await gateway.send(6, "x", "x", is_group=False)
        finally:
            await bot.session.close()
    assert count(metrics, "sent") == 1
    assert count(metrics, "edited") == 1
    assert count(metrics, "edit_unchanged") == 1
    assert count(metrics, "forbidden") == 1
    histogram = metrics.registry.get_sample_value("c5watch_telegram_send_seconds_count")
    assert histogram == 4
