"""Metrics (Prometheus text at /metrics) and structured logs: one JSON line per request.

Log lines carry the route *template* and never the URL's query or the body, so a phone
number or an exact location never reaches the logs. Each request gets an id (the proxy's
X-Request-ID when it is well formed, else a new one) that every log line of the request
carries and that comes back as `X-Request-ID`.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import secrets
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Protocol

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from sqlalchemy import event
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from market.events import outbox as outbox
from market.models import Event

access_log = logging.getLogger("linggong.access")
log = logging.getLogger("linggong.metrics")
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
LOOPBACK = frozenset({"127.0.0.1", "::1"})


def request_id_of(scope: Scope) -> str:
    """The request's id: the proxy's X-Request-ID when well formed, else a new one (kept in
    the scope, so the access log, the answer and the trace all carry the same)."""
    known = scope.get("linggong.request_id")
    if known is None:
        given = dict(scope.get("headers", ())).get(b"x-request-id", b"").decode("latin-1")
        known = scope["linggong.request_id"] = (
            given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        )
    return str(known)


def route_template(scope: Scope) -> str:
    """The matched route's path template ("/api/v1/jobs/{job_id}"), or "unmatched"."""
    context = scope.get("fastapi", {}).get("effective_route_context")
    if context is not None:
        path = getattr(context.starlette_route, "path_format", None) or context.path_format
        if path:
            return str(path)
    route = scope.get("route")
    return str(getattr(route, "path_format", None) or "unmatched")


# the background loop's tasks (web/stats_refresh.py) and the feed's price solve
# (web/live/service.py), each counted on its own
BACKGROUND_TASKS = ("rollup", "arrears", "purge", "prices")
# what became of one attempt to tell a user something (hired, terms changed, shift
# tomorrow, pay recorded) through one channel: handed over, failed (to be retried), or
# given up after the last retry
DELIVERY_OUTCOMES = ("delivered", "failed", "given_up")
_CHANNEL = re.compile(r"^[a-z][a-z0-9_]{0,23}$")


class Metrics:
    """The app's metrics, in a registry of its own (apps in one process never collide).

    Besides the app's own: the process (`process_*`: CPU, memory, open files), the
    interpreter (`python_info`, `python_gc_*`), and, sampled at each scrape, the outbox's
    backlog and this replica's live connections dropped for not reading.
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        self.sampled = Sampled()
        self.registry.register(self.sampled)
        self.requests = Counter(
            "linggong_http_requests",
            "HTTP requests by route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "linggong_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.websockets = Gauge(
            "linggong_websocket_connections",
            "Open live-update connections on this process",
            registry=self.registry,
        )
        self.matches = Counter(
            "linggong_matches",
            "Ranked matches served (feed items and candidates)",
            ["kind"],
            registry=self.registry,
        )
        self.claims = Counter(
            "linggong_claims", "Claims and applications made", registry=self.registry
        )
        self.hires = Counter("linggong_hires", "Workers hired (confirmed)", registry=self.registry)
        self.background_failures = Counter(
            "linggong_background_failures",
            "Background loop tasks that failed (the loop goes on), by task",
            ["task"],
            registry=self.registry,
        )
        self.background_success = Gauge(
            "linggong_background_last_success_timestamp_seconds",
            "When each background loop task last succeeded (Unix time)",
            ["task"],
            registry=self.registry,
        )
        for task in BACKGROUND_TASKS:
            self.background_failures.labels(task=task)
        self.deliveries = Counter(
            "linggong_notification_deliveries",
            "Attempts to tell a user something, by channel and outcome",
            ["channel", "outcome"],
            registry=self.registry,
        )

    def watch_websockets(self, count: Callable[[], int]) -> None:
        self.websockets.set_function(lambda: float(count()))

    def count_background(self, task: str, *, ok: bool) -> None:
        """One run of a background task: its success time, or one more failure."""
        if ok:
            self.background_success.labels(task=task).set(time.time())
        else:
            self.background_failures.labels(task=task).inc()

    def count_delivery(self, *, channel: str, outcome: str, count: int = 1) -> None:
        """Record one delivery attempt of a notification: `outcome` is one of
        DELIVERY_OUTCOMES, `channel` a short lower-case name ("sms", "web_push", "in_app")."""
        if outcome not in DELIVERY_OUTCOMES or not _CHANNEL.match(channel):
            raise ValueError(f"unknown delivery channel or outcome: {channel!r}, {outcome!r}")
        if count:
            self.deliveries.labels(channel=channel, outcome=outcome).inc(count)

    def watch_commits(self) -> Callable[[], None]:
        """Count claims and hires from the outbox events each commit writes; returns `stop`."""

        def before_flush(session: Session, _context: Any, _instances: Any) -> None:
            counted = [name for o in session.new if isinstance(o, Event) for name in _counted(o)]
            if counted:
                session.info.setdefault("linggong_metrics", []).extend(counted)

        def after_commit(session: Session) -> None:
            for name in session.info.pop("linggong_metrics", []):
                getattr(self, name).inc()

        def after_rollback(session: Session, _previous: Any) -> None:
            session.info.pop("linggong_metrics", None)

        hooks = (
            ("before_flush", before_flush),
            ("after_commit", after_commit),
            ("after_soft_rollback", after_rollback),
        )
        for name, hook in hooks:
            event.listen(Session, name, hook)

        def stop() -> None:
            for name, hook in hooks:
                if event.contains(Session, name, hook):
                    event.remove(Session, name, hook)

        return stop


def _counted(event_row: Event) -> list[str]:
    """The counters an outbox event moves: a claim, a hire (an instant claim is both)."""
    names = []
    if event_row.kind == "application.created":
        names.append("claims")
    if event_row.kind in ("application.created", "application.confirmed") and (
        (event_row.payload or {}).get("status") == "confirmed"
    ):
        names.append("hires")
    return names


class LiveHub(Protocol):
    """What the metrics read from the live hub (`web.live.hub.Hub`)."""

    seq: int
    dropped: int
    dropped_messages: int


class Sampled(Collector):
    """Metrics read when scraped: the outbox's backlog and the live hub's drops."""

    def __init__(self) -> None:
        self.engine: Any = None
        self.hub: LiveHub | None = None

    def collect(self) -> Iterable[Metric]:
        if self.hub is not None:
            yield CounterMetricFamily(
                "linggong_live_dropped_connections",
                "Live connections dropped because the client stopped reading",
                value=self.hub.dropped,
            )
            yield CounterMetricFamily(
                "linggong_live_dropped_messages",
                "Live messages thrown away with the connections dropped for not reading",
                value=self.hub.dropped_messages,
            )
            yield GaugeMetricFamily(
                "linggong_live_dispatched_seq",
                "The last event number this replica's hub handed to its connections",
                value=self.hub.seq,
            )
        if self.engine is None:
            return
        try:
            lag = outbox.relay_lag(engine=self.engine)
        except Exception as exc:  # the database is away: the rest of the scrape still answers
            log.warning("metrics: reading the outbox's backlog failed (%s)", exc)
            return
        yield GaugeMetricFamily(
            "linggong_outbox_pending_events",
            "Committed events the relay has not yet numbered and published",
            value=lag.pending,
        )
        yield GaugeMetricFamily(
            "linggong_outbox_lag_seconds",
            "Age of the oldest committed event not yet published (0 when none waits)",
            value=lag.oldest_age_s,
        )
        yield GaugeMetricFamily(
            "linggong_outbox_last_seq", "The highest event number handed out", value=lag.last_seq
        )


def count_matches(request: Request, kind: str, n: int) -> None:
    """Record `n` ranked matches served (a feed or a candidate list)."""
    metrics: Metrics | None = getattr(request.app.state, "metrics", None)
    if metrics is not None and n:
        metrics.matches.labels(kind=kind).inc(n)


def metrics_response(request: Request, token: str | None) -> Response:
    """The metrics in Prometheus text format, for loopback or the configured bearer token."""
    host = request.client.host if request.client else ""
    sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    allowed = host in LOOPBACK or (bool(token) and secrets.compare_digest(sent, token or ""))
    if not allowed:
        return PlainTextResponse("forbidden\n", status_code=403)
    metrics: Metrics = request.app.state.metrics
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)


class RequestLog:
    """Pure ASGI middleware: request id, one access log line, request metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            method = scope.get("method", "")
            self.metrics.requests.labels(method=method, route=route, status=str(status)).inc()
            self.metrics.latency.labels(method=method, route=route).observe(elapsed)
            access_log.info(
                "request",
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                },
            )
            request_id_var.reset(token)


_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def _current_trace_id() -> str | None:
    """The trace this line belongs to, when tracing is on (web/tracing.py); never imports it."""
    api = sys.modules.get("opentelemetry.trace")
    if api is None:
        return None
    context = api.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id (and trace id when
    tracing is on), extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        trace_id = _current_trace_id()
        if trace_id:
            entry["trace_id"] = trace_id
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class DropQueryStrings(logging.Filter):
    """uvicorn logs each websocket handshake with its query string (`/ws?ticket=...`): cut it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "WebSocket %s" in str(record.msg) and isinstance(record.args, tuple):
            record.args = tuple(
                a.split("?", 1)[0] if isinstance(a, str) and a.startswith("/") else a
                for a in record.args
            )
        return True


LOGGING_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "web.observability.JsonFormatter"}},
    "filters": {"no_query": {"()": "web.observability.DropQueryStrings"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stdout",
            "filters": ["no_query"],
        }
    },
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        # our own access line replaces uvicorn's, which would log query strings (locations)
        "uvicorn.access": {"handlers": [], "propagate": False},
        "uvicorn": {"level": "INFO"},
        # at INFO SQLAlchemy logs every statement with its parameters (phones, locations)
        "sqlalchemy": {"level": "WARNING"},
    },
}
