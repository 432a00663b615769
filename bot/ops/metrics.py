"""Prometheus metrics, kept in a registry per process (tests make their own).

Counters and histograms are bumped where things happen (fetches, sends);
gauges that describe the database (feeds due, outbox depth) are refreshed
from one snapshot query so every process reports the same shared state.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from storage.repositories.health import OpsSnapshot


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.feeds = Gauge("c5watch_feeds", "Feeds by state", ["state"], registry=r)
        self.stories = Gauge("c5watch_stories", "Stories stored", registry=r)
        self.matches = Gauge("c5watch_matches", "Matches (chat, story) stored", registry=r)
        self.outbox_depth = Gauge("c5watch_outbox_depth", "Alerts waiting to be sent", registry=r)
        self.chats = Gauge("c5watch_chats", "Chats by state", ["state"], registry=r)
        self.fetches = Counter(
            "c5watch_feed_fetches", "Feed fetches by outcome", ["outcome"], registry=r
        )
        self.sends = Counter(
            "c5watch_telegram_sends", "Telegram sends and edits by outcome", ["outcome"], registry=r
        )
        self.fetch_lateness = Histogram(
            "c5watch_fetch_lateness_seconds",
            "From a feed's due time to the start of its fetch",
            buckets=(0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 900),
            registry=r,
        )
        self.send_latency = Histogram(
            "c5watch_telegram_send_seconds",
            "Duration of one Telegram send call",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=r,
        )
        self.alert_delay = Histogram(
            "c5watch_alert_delay_seconds",
            "From a story's first sighting to its alert reaching Telegram",
            buckets=(1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 86400),
            registry=r,
        )

    def observe_snapshot(self, snap: OpsSnapshot) -> None:
        self.feeds.labels("total").set(snap.feeds_total)
        self.feeds.labels("due").set(snap.feeds_due)
        self.feeds.labels("failing").set(snap.feeds_failing)
        self.stories.set(snap.stories)
        self.matches.set(snap.matches)
        self.outbox_depth.set(snap.outbox_pending)
        self.chats.labels("active").set(snap.chats_active)
        self.chats.labels("blocked").set(snap.chats_blocked)

    def record_fetch(self, outcome: str) -> None:
        """``outcome``: ok, not_modified or error."""
        self.fetches.labels(outcome).inc()

    def record_polled(self, outcome: str, lateness: float | None) -> None:
        """One feed polled: its outcome (ok, not_modified, error) and, when its request
        began, how many seconds after its due time."""
        self.record_fetch(outcome)
        if lateness is not None:
            self.fetch_lateness.observe(lateness)

    def record_send(self, outcome: str, seconds: float) -> None:
        """``outcome``: sent, retry_after (429), forbidden (403), migrated, bad_request, error;
        for edits also edited, edit_unchanged, edit_gone."""
        self.sends.labels(outcome).inc()
        self.send_latency.observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
