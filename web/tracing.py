"""Traces (OpenTelemetry over OTLP/HTTP), off unless an endpoint is configured.

`LINGGONG_OTEL_ENDPOINT` (the collector's base URL, `http://otel-collector:4318`), or the
standard `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT`, turns it on:
a server span per HTTP request (FastAPI; the request id, the proxy's X-Request-ID or ours,
as `linggong.request_id`), a span per SQL statement (SQLAlchemy) and Redis command, and a
span per outbox relay round that numbered and published events, sent in batches. The other
standard `OTEL_*` variables (service name, sampler, batch delays) work as documented.

Off, none of the SDK or the instrumentations is imported, no middleware is added and
nothing is sent: `OFF` stands in, whose spans are no-ops. Polling that finds nothing (the
relay's and the hub's look at the outbox, the Redis stream read) runs `quiet()`, so an idle
replica sends no traces.

No URL query string reaches a span (locations travel in some), as none reaches the logs;
SQL statements carry placeholders, Redis commands only their name.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, Protocol

from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.types import Scope

from market.settings import Settings
from web.observability import request_id_of

# requests not worth a trace: scrapes and probes, and the websocket (a span as long as
# the connection, around the live fast path)
UNTRACED_URLS = "/metrics$,/healthz$,/readyz$,/ws$"
_QUERY_ATTRIBUTES = ("http.url", "url.full", "http.target")


class SpanLike(Protocol):
    def set_attribute(self, key: str, value: Any) -> None: ...


class _NoSpan:
    def set_attribute(self, key: str, value: Any) -> None:
        return None


class Off:
    """Tracing off: every span is a no-op and nothing is imported."""

    enabled = False

    def span(self, name: str, **attributes: Any) -> AbstractContextManager[SpanLike]:
        return nullcontext(_NoSpan())

    def quiet(self) -> AbstractContextManager[object]:
        return nullcontext()


OFF = Off()


class Tracing:
    """One app's tracer provider, its exporter, and the instrumentations it switched on."""

    enabled = True

    def __init__(self, endpoint: str, *, environment: str) -> None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        self.endpoint = endpoint
        resource = Resource.create(
            {
                "service.name": os.environ.get("OTEL_SERVICE_NAME") or "linggong",
                "deployment.environment": environment,
            }
        )
        self.provider = TracerProvider(resource=resource)
        self.provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
        self.tracer = self.provider.get_tracer("linggong")
        self._undo: list[Any] = []

    def instrument_app(self, app: FastAPI) -> None:
        """Server spans for HTTP requests (call before the app serves its first request)."""
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(
            app,
            tracer_provider=self.provider,
            server_request_hook=_on_request,
            excluded_urls=UNTRACED_URLS,
            exclude_spans=["receive", "send"],
        )

    def instrument_backends(self, engine: Engine) -> None:
        """Spans for this engine's SQL and for every Redis command (the lifespan's start)."""
        from opentelemetry.instrumentation.redis import RedisInstrumentor
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

        # the SQLAlchemy instrumentation declares "< 2.1" and would refuse 2.1 silently; its
        # engine events are unchanged in 2.1, and tests/web/test_tracing.py sees its spans
        sql = SQLAlchemyInstrumentor()
        if not sql.is_instrumented_by_opentelemetry:
            sql.instrument(tracer_provider=self.provider, engine=engine, skip_dep_check=True)
            self._undo.append(sql)
        commands = RedisInstrumentor()  # patches the client classes: once per process
        if not commands.is_instrumented_by_opentelemetry:
            commands.instrument(tracer_provider=self.provider)
            self._undo.append(commands)

    def span(self, name: str, **attributes: Any) -> AbstractContextManager[SpanLike]:
        return self.tracer.start_as_current_span(name, attributes=attributes)

    @contextmanager
    def quiet(self) -> Iterator[object]:
        from opentelemetry.instrumentation.utils import suppress_instrumentation

        with suppress_instrumentation():
            yield None

    def shutdown(self) -> None:
        """Undo the instrumentations and send what is still buffered (the lifespan's end)."""
        for instrumentor in self._undo:
            instrumentor.uninstrument()
        self._undo.clear()
        self.provider.shutdown()


def traces_endpoint(settings: Settings) -> str | None:
    """Where spans go (OTLP/HTTP), or None: tracing is off."""
    if settings.otel_endpoint:
        base = settings.otel_endpoint.rstrip("/")
        return base if base.endswith("/v1/traces") else base + "/v1/traces"
    if settings.otel_traces_endpoint:
        return settings.otel_traces_endpoint
    if settings.otel_base_endpoint:
        return settings.otel_base_endpoint.rstrip("/") + "/v1/traces"
    return None


def tracing_for(settings: Settings) -> Tracing | Off:
    endpoint = traces_endpoint(settings)
    return OFF if endpoint is None else Tracing(endpoint, environment=settings.environment)


def _on_request(span: Any, scope: Scope) -> None:
    """The server span of a request: our request id, and URLs without their query."""
    if not span.is_recording():
        return
    span.set_attribute("linggong.request_id", request_id_of(scope))
    attributes = getattr(span, "attributes", None) or {}
    for key in _QUERY_ATTRIBUTES:
        value = attributes.get(key)
        if isinstance(value, str) and "?" in value:
            span.set_attribute(key, value.split("?", 1)[0])
    if "url.query" in attributes:
        span.set_attribute("url.query", "")
