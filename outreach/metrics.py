"""Prometheus metrics and a health check on loopback: `outreach run --metrics-port 9464`.

    GET /metrics   the series below, read from the store at each scrape
    GET /health    200 and a JSON report while `outreach run` is alive and nothing
                   is overdue, 503 otherwise (liveness.py)

Series (prometheus-client; the values come from the store, so they are right
for several `outreach run` processes on one PostgreSQL and survive restarts):

    outreach_deliveries{state}                  rows per state: the queue depth (pending,
                                                held, sending) and the outcomes (sent,
                                                failed, unknown, missed, cancelled)
    outreach_delivery_retries                   retries spent by all deliveries (attempts - 1)
    outreach_overdue_deliveries                 pending posts more than 10 min past due
    outreach_oldest_overdue_seconds             how late the oldest of those is (0: none)
    outreach_delivery_lateness_seconds{q}       how late posts sent in the last hour went out
                                                (q = 0.5, 1: median and worst; dry runs,
                                                posted nowhere, are not counted)
    outreach_feed_failures{feed}                failed polls in a row, per feed
    outreach_feed_last_poll_timestamp_seconds{feed}
    outreach_heartbeat_age_seconds              since `outreach run` last said it is alive

The server binds 127.0.0.1 only: the figures name channels and feeds, and a
scraper on the same host (or a sidecar) is the intended reader.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Callable, Iterator
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from .ledger import STATES

if TYPE_CHECKING:
    from .config import Config
    from .ledger import Ledger

log = logging.getLogger("outreach.metrics")
LOOPBACK = "127.0.0.1"


class LedgerCollector(Collector):
    """Reads the store at every scrape; nothing is counted in memory."""

    def __init__(self, config: Config, ledger: Ledger, now: Callable[[], dt.datetime]) -> None:
        self.config = config
        self.ledger = ledger
        self.now = now

    def collect(self) -> Iterator[Metric]:
        from .liveness import OVERDUE

        now = self.now()
        health = self.ledger.health
        counts = self.ledger.counts()
        states = GaugeMetricFamily(
            "outreach_deliveries", "Deliveries in the store, by state", labels=["state"]
        )
        for state in STATES:
            states.add_metric([state], counts.get(state, 0))
        yield states
        yield GaugeMetricFamily(
            "outreach_delivery_retries", "Retries spent by all deliveries", value=health.retries()
        )
        late, oldest_due = self.ledger.overdue(now - OVERDUE)
        yield GaugeMetricFamily(
            "outreach_overdue_deliveries", "Pending posts over 10 minutes past due", value=late
        )
        oldest = (now - oldest_due).total_seconds() if oldest_due else 0.0
        yield GaugeMetricFamily(
            "outreach_oldest_overdue_seconds", "How late the oldest overdue post is", value=oldest
        )
        lateness = sorted(health.lateness_since(now - dt.timedelta(hours=1)))
        sent = GaugeMetricFamily(
            "outreach_delivery_lateness_seconds",
            "How late posts sent in the last hour went out (q=0.5 median, q=1 worst)",
            labels=["q"],
        )
        if lateness:
            sent.add_metric(["0.5"], lateness[len(lateness) // 2])
            sent.add_metric(["1"], lateness[-1])
        yield sent
        failures = GaugeMetricFamily(
            "outreach_feed_failures", "Failed polls in a row", labels=["feed"]
        )
        polled = GaugeMetricFamily(
            "outreach_feed_last_poll_timestamp_seconds", "Last poll, Unix time", labels=["feed"]
        )
        for feed in self.config.feeds:
            st = self.ledger.feed_state(feed.id)
            failures.add_metric([feed.id], st.failures if st else 0)
            if st is not None and st.last_poll is not None:
                polled.add_metric([feed.id], st.last_poll.timestamp())
        yield failures
        yield polled
        service = next((b for b in health.beats() if b.kind == "run"), None)
        if service is not None:
            yield GaugeMetricFamily(
                "outreach_heartbeat_age_seconds",
                "Seconds since outreach run last said it is alive",
                value=(now - service.beat_at).total_seconds(),
            )


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per scrape would drown the service's own log


def wsgi_app(config: Config, ledger: Ledger, now: Callable[[], dt.datetime]) -> Callable[..., Any]:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LedgerCollector(config, ledger, now))
    metrics = make_wsgi_app(registry)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if environ.get("PATH_INFO") == "/health":
            from .liveness import report

            r = report(config, ledger, now())
            body = json.dumps(r.to_json()).encode()
            status = "200 OK" if r.ok else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json")])
            return [body]
        result: list[bytes] = metrics(environ, start_response)
        return result

    return app


class MetricsServer:
    """The endpoint in a thread of its own; `stop()` closes it."""

    def __init__(
        self, config: Config, ledger: Ledger, now: Callable[[], dt.datetime], port: int
    ) -> None:
        self.httpd = make_server(
            LOOPBACK, port, wsgi_app(config, ledger, now), _Server, handler_class=_Quiet
        )
        self.port = self.httpd.server_port
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="metrics", daemon=True)

    def start(self) -> MetricsServer:
        self.thread.start()
        log.info("metrics on http://%s:%d/metrics, health on /health", LOOPBACK, self.port)
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
